"""In-transaction change notifications: services say which content changed; listeners (the search
index, the event outbox) keep their own tables current in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

ContentListener = Callable[[Session, list[int]], None]
_content_listeners: list[ContentListener] = []


def on_content_changed(listener: ContentListener) -> ContentListener:
    """Register a listener; it receives ids of content created, updated, moved, trashed,
    restored, relabelled or purged (a purged id no longer exists when it is called)."""
    if listener not in _content_listeners:
        _content_listeners.append(listener)
    return listener


def content_changed(session: Session, ids: Iterable[int]) -> None:
    wanted = sorted(set(ids))
    if not wanted:
        return
    session.flush()
    for listener in _content_listeners:
        listener(session, wanted)
