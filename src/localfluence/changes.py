"""In-transaction change notifications: services say which content changed; listeners (the search
index, the event outbox) keep their own tables current in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from localfluence.access.principal import Principal
    from localfluence.kit.expand import Expand
    from localfluence.models import Content

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


# Reads worth recording (page views for analytics and "recently viewed"): the content route says
# what was read and how; listeners decide whether it counts as a view.
ReadListener = Callable[[Session, "Principal", "Content", "Expand", "str | None"], None]
_read_listeners: list[ReadListener] = []


def on_content_read(listener: ReadListener) -> ReadListener:
    if listener not in _read_listeners:
        _read_listeners.append(listener)
    return listener


def content_read(session: Session, principal: Principal, content: Content, expand: Expand, trigger: str | None) -> None:
    for listener in _read_listeners:
        listener(session, principal, content, expand, trigger)
