"""Keeps search_document in step with content, inside the writing transaction.

The content service reports every created, updated, moved, trashed, restored, relabelled or
purged id through changes.on_content_changed; we rewrite those documents. Restriction changes
need nothing here: visibility is decided inside each search query, never stored in the index."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from localfluence.changes import on_content_changed
from localfluence.db.dialect import space_token
from localfluence.models import Content, ContentLabel, ContentVersion, Label, SearchDocument
from localfluence.search.text import plain_text

BATCH = 500


def document_rows(session: Session, ids: Sequence[int]) -> list[dict[str, object]]:
    """The documents of the given content ids that still exist."""
    rows = session.execute(
        select(Content.id, Content.space_id, Content.title, ContentVersion.body)
        .outerjoin(
            ContentVersion,
            (ContentVersion.content_id == Content.id) & (ContentVersion.number == Content.version),
        )
        .where(Content.id.in_(ids))
    ).all()
    labels: dict[int, list[str]] = {}
    for content_id, name in session.execute(
        select(ContentLabel.content_id, Label.name)
        .join(Label, Label.id == ContentLabel.label_id)
        .where(ContentLabel.content_id.in_(ids))
        .order_by(Label.name)
    ):
        labels.setdefault(content_id, []).append(name)
    return [
        {
            "content_id": content_id,
            "space_token": space_token(space_id),
            "title": title,
            "body": plain_text(body or ""),
            "labels": " ".join(labels.get(content_id, [])),
        }
        for content_id, space_id, title, body in rows
    ]


def reindex(session: Session, ids: Iterable[int]) -> None:
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), BATCH):
        batch = wanted[i : i + BATCH]
        session.execute(delete(SearchDocument).where(SearchDocument.content_id.in_(batch)))
        rows = document_rows(session, batch)
        if rows:
            session.execute(insert(SearchDocument), rows)


def reindex_all(session: Session) -> int:
    """Rebuild every document (after a bulk import, or to repair an index)."""
    ids = list(session.scalars(select(Content.id).order_by(Content.id)))
    reindex(session, ids)
    return len(ids)


on_content_changed(reindex)
