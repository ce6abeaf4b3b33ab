"""In-transaction change notifications: services say which content changed; listeners (the search
index, the event outbox) keep their own tables current in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session, SessionTransaction

from localfluence.models import Content, ContentVersion, Space

if TYPE_CHECKING:
    from lxml import etree

    from localfluence.access.principal import Principal
    from localfluence.kit.expand import Expand

ContentListener = Callable[[Session, list[int]], None]
_content_listeners: list[ContentListener] = []

# session.info keys: ids of content inserted in this transaction that no listener has seen yet, and
# the change being delivered (see current_rows).
_UNSEEN = "localfluence.unseen_content"
_DELIVERING = "localfluence.content_change"
# Rows shared between listeners only for changes this small: a move of a large tree streams its
# bodies chunk by chunk through each listener instead of holding them all.
SHARE_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Current:
    """A content's current version as listeners read it. `has_version` is False for content with
    no version row (listeners that index bodies skip it). `tree`: the body's storage tree when the
    writer has it at hand (xhtml.storage.Saved.root), so that listeners need not parse the body
    again; they read it and never change it."""

    id: int
    type: str
    space_id: int
    space_key: str | None
    title: str
    body: str | None
    author_id: int | None
    created_at: datetime | None
    has_version: bool = True
    tree: etree._Element | None = field(default=None, compare=False)


@dataclass(slots=True)
class _Change:
    ids: list[int]
    fresh: frozenset[int]
    rows: dict[int, Current] = field(default_factory=dict)
    labels_kept: frozenset[int] = frozenset()


def on_content_changed(listener: ContentListener) -> ContentListener:
    """Register a listener; it receives ids of content created, updated, moved, trashed,
    restored, relabelled or purged (a purged id no longer exists when it is called)."""
    if listener not in _content_listeners:
        _content_listeners.append(listener)
    return listener


def content_created(session: Session, content_id: int) -> None:
    """The content row was inserted in this transaction. Every listener table cascades from content,
    so until the first notification about it none of them holds a row for it (is_fresh)."""
    session.info.setdefault(_UNSEEN, set()).add(content_id)


@event.listens_for(Session, "after_transaction_end")
def _forget_unseen(session: Session, transaction: SessionTransaction) -> None:
    # "Created in this transaction" means nothing once it ends (committed or rolled back).
    if transaction.parent is None:
        session.info.pop(_UNSEEN, None)


def content_changed(
    session: Session, ids: Iterable[int], *, written: Iterable[Current] = (), labels_kept: Iterable[int] = ()
) -> None:
    """Tell the listeners. `written`: the current versions the caller has just stored, so that
    listeners need not read them back (they must be exactly what is in the database).
    `labels_kept`: ids whose labels the caller has not changed since the last notification about
    them (content created without labels has none)."""
    wanted = sorted(set(ids))
    if not wanted:
        return
    session.flush()
    unseen: set[int] | None = session.info.get(_UNSEEN)
    fresh = frozenset(unseen.intersection(wanted)) if unseen else frozenset()
    if fresh:
        assert unseen is not None
        unseen.difference_update(fresh)
    targets = set(wanted)
    change = _Change(
        wanted, fresh, {row.id: row for row in written if row.id in targets}, frozenset(labels_kept) & targets
    )
    outer = session.info.get(_DELIVERING)
    session.info[_DELIVERING] = change
    try:
        for listener in _content_listeners:
            listener(session, wanted)
    finally:
        session.info[_DELIVERING] = outer


def is_fresh(session: Session, content_id: int) -> bool:
    """True while listeners handle the first change of content created in this transaction: there
    is nothing of it to clear from their tables."""
    change: _Change | None = session.info.get(_DELIVERING)
    return change is not None and content_id in change.fresh


def labels_kept(session: Session, content_id: int) -> bool:
    """True while listeners handle a change that left this content's labels as they were at the
    previous notification (for fresh content: it has none)."""
    change: _Change | None = session.info.get(_DELIVERING)
    return change is not None and content_id in change.labels_kept


def written_type(session: Session, content_id: int) -> str | None:
    """The type of a content whose current version the writer of the change being delivered has
    just stored (content_changed's `written`), else None."""
    change: _Change | None = session.info.get(_DELIVERING)
    row = change.rows.get(content_id) if change is not None else None
    return row.type if row is not None else None


def current_rows(session: Session, ids: Sequence[int]) -> dict[int, Current]:
    """The current version of each content that still exists, read once per change for all
    listeners (or taken from what the writer said it wrote)."""
    change: _Change | None = session.info.get(_DELIVERING)
    known = change.rows if change is not None else {}
    out = {i: known[i] for i in ids if i in known}
    missing = [i for i in ids if i not in known]
    if missing:
        found = {row.id: Current(*row) for row in session.execute(_CURRENT, {"ids": missing})}
        out.update(found)
        if change is not None and len(change.ids) <= SHARE_LIMIT:
            known.update(found)
    return out


_CURRENT = (
    select(
        Content.id,
        Content.type,
        Content.space_id,
        Space.key,
        Content.title,
        ContentVersion.body,
        ContentVersion.author_id,
        ContentVersion.created_at,
        ContentVersion.number.is_not(None),
    )
    .join(Space, Space.id == Content.space_id)
    .outerjoin(ContentVersion, (ContentVersion.content_id == Content.id) & (ContentVersion.number == Content.version))
    .where(Content.id.in_(bindparam("ids", expanding=True)))
)


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
