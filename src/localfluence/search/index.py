"""Keeps search_document in step with content, inside the writing transaction.

The content service reports every created, updated, moved, trashed, restored, relabelled or
purged id through changes.on_content_changed; we rewrite those documents. Restriction changes
need nothing here: visibility is decided inside each search query, never stored in the index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from localfluence.changes import current_rows, is_fresh, labels_kept, on_content_changed
from localfluence.db.dialect import space_token
from localfluence.models import Content, ContentLabel, Label, SearchDocument
from localfluence.search.text import plain_text

BATCH = 500

# Built once: every write runs these. On the tables, not the entities: plain statements skip the
# ORM's per-execution setup (content_changed has flushed whatever was pending).
_content_labels, _labels = ContentLabel.__table__.c, Label.__table__.c
_LABELS = (
    select(_content_labels.content_id, _labels.name)
    .join(Label.__table__, _labels.id == _content_labels.label_id)
    .where(_content_labels.content_id.in_(bindparam("ids", expanding=True)))
    .order_by(_labels.name)
)
_FORGET = delete(SearchDocument).where(SearchDocument.content_id.in_(bindparam("ids", expanding=True)))
_STORE = insert(SearchDocument.__table__)
# SET takes the columns the parameters name.
_REWRITE = update(SearchDocument.__table__).where(SearchDocument.__table__.c.content_id == bindparam("document_id"))


def document_rows(session: Session, ids: Sequence[int], *, known_labels: Iterable[int] = ()) -> list[dict[str, object]]:
    """The documents of the given content ids that still exist. `known_labels`: ids whose labels
    need no lookup (fresh content created without labels: none)."""
    rows = current_rows(session, ids)
    if not rows:
        return []
    labels: dict[int, list[str]] = {}
    skip = set(known_labels)
    unknown = [i for i in rows if i not in skip]
    if unknown:
        for content_id, name in session.execute(_LABELS, {"ids": unknown}):
            labels.setdefault(content_id, []).append(name)
    return [
        {
            "content_id": row.id,
            "space_token": space_token(row.space_id),
            "title": row.title,
            "body": plain_text(row.body or "", row.tree),
            "labels": " ".join(labels.get(row.id, [])),
        }
        for row in (rows[i] for i in ids if i in rows)
    ]


def reindex(session: Session, ids: Iterable[int]) -> None:
    wanted = sorted(set(ids))
    if len(wanted) == 1 and _rewrite_one(session, wanted[0]):
        return
    for i in range(0, len(wanted), BATCH):
        batch = wanted[i : i + BATCH]
        # Content created in this transaction has no document yet: nothing to forget.
        stale = [content_id for content_id in batch if not is_fresh(session, content_id)]
        if stale:
            session.execute(_FORGET, {"ids": stale})
        # Content created in this transaction without labels has none to look up.
        bare = [
            content_id for content_id in batch if is_fresh(session, content_id) and labels_kept(session, content_id)
        ]
        rows = document_rows(session, batch, known_labels=bare)
        if rows:
            session.execute(_STORE, rows)


def _rewrite_one(session: Session, content_id: int) -> bool:
    """The usual change (one content edited): its document rewritten in place, one statement
    instead of a delete and an insert. False when there is no document to rewrite."""
    if is_fresh(session, content_id):
        return False
    # Labels the change left alone stay as the document has them (no lookup, no SET).
    kept = labels_kept(session, content_id)
    rows = document_rows(session, [content_id], known_labels=[content_id] if kept else ())
    if not rows:
        return False
    values = {k: v for k, v in rows[0].items() if k != "content_id" and not (kept and k == "labels")}
    return session.execute(_REWRITE, {"document_id": content_id, **values}).rowcount == 1


def reindex_all(session: Session) -> int:
    """Rebuild every document (after a bulk import, or to repair an index)."""
    ids = list(session.scalars(select(Content.id).order_by(Content.id)))
    reindex(session, ids)
    return len(ids)


on_content_changed(reindex)
