"""Attachment queries. Reads start from the visibility rule; an attachment hangs below its container
in the content tree, so the container's read restrictions apply to it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible
from localfluence.content.service import title_key
from localfluence.db.pairs import pair_params, pairs
from localfluence.models import AttachmentVersion, Blob, Content, ContentVersion


def find_attachment(session: Session, principal: Principal, attachment_id: int) -> Content | None:
    return session.scalar(
        select(Content).where(
            Content.id == attachment_id,
            Content.type == "attachment",
            Content.status == "current",
            content_is_visible(principal),
        )
    )


def find_by_name(session: Session, principal: Principal, container: Content, name: str) -> Content | None:
    """Names are unique per container, compared case-insensitively (content.service.title_key)."""
    return session.scalar(
        select(Content).where(
            Content.space_id == container.space_id,
            Content.title_key == title_key("attachment", name, None, container.id),
            Content.type == "attachment",
            content_is_visible(principal),
        )
    )


def list_attachments(
    session: Session,
    principal: Principal,
    container_id: int,
    *,
    filename: str | None,
    media_type: str | None,
    start: int,
    limit: int,
) -> list[Content]:
    query = select(Content).where(
        Content.parent_id == container_id,
        Content.type == "attachment",
        Content.status == "current",
        content_is_visible(principal),
    )
    if filename is not None:
        query = query.where(Content.title == filename)
    if media_type is not None:
        current = select(AttachmentVersion.content_id).where(
            AttachmentVersion.content_id == Content.id,
            AttachmentVersion.number == Content.version,
            AttachmentVersion.media_type == media_type.strip().lower(),
        )
        query = query.where(current.exists())
    query = query.order_by(Content.position, Content.id).offset(start).limit(limit + 1)
    return list(session.scalars(query))


def get_version(session: Session, content_id: int, number: int) -> AttachmentVersion | None:
    return session.get(AttachmentVersion, (content_id, number))


def versions_of_many(
    session: Session, keys: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], tuple[AttachmentVersion, datetime]]:
    """Attachment versions with the time their content version was made, by (content id, number)."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    keyed = pairs(len(wanted))
    rows = session.execute(
        select(AttachmentVersion, ContentVersion.created_at)
        .join(
            keyed,
            and_(AttachmentVersion.content_id == keyed.c.column1, AttachmentVersion.number == keyed.c.column2),
        )
        .join(
            ContentVersion,
            and_(
                ContentVersion.content_id == AttachmentVersion.content_id,
                ContentVersion.number == AttachmentVersion.number,
            ),
        ),
        pair_params(wanted),
    ).all()
    return {(v.content_id, v.number): (v, when) for v, when in rows}


def latest_version_before(session: Session, content_id: int, number: int) -> AttachmentVersion | None:
    return session.scalar(
        select(AttachmentVersion)
        .where(AttachmentVersion.content_id == content_id, AttachmentVersion.number < number)
        .order_by(AttachmentVersion.number.desc())
        .limit(1)
    )


def versions_missing(session: Session, ids: Sequence[int]) -> list[tuple[int, int]]:
    """(id, version) of attachments among `ids` whose current version has no attachment row yet:
    versions made through the generic content API (a rename via PUT /content/{id}, a restore)."""
    present = select(AttachmentVersion.content_id).where(
        AttachmentVersion.content_id == Content.id, AttachmentVersion.number == Content.version
    )
    rows = session.execute(
        select(Content.id, Content.version).where(Content.id.in_(ids), Content.type == "attachment", ~present.exists())
    ).all()
    return [(r[0], r[1]) for r in rows]


def insert_blob_if_absent(session: Session, sha256: str, size: int, key: str, now: datetime) -> bool:
    """True when this call created the row. A concurrent upload of the same bytes waits here for
    the other transaction (the primary key decides), so exactly one upload owns each blob."""
    dialect = session.get_bind().dialect.name
    values = {"sha256": sha256, "size": size, "key": key, "created_at": now}
    if dialect == "postgresql":
        statement = postgresql.insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"])
    else:
        statement = sqlite.insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"])
    # RETURNING, not rowcount: the ORM's insert path does not report rowcount reliably on psycopg.
    return session.execute(statement.returning(Blob.sha256)).first() is not None


def known_digests(session: Session, digests: set[str]) -> set[str]:
    if not digests:
        return set()
    return set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(digests))))


def get_blob(session: Session, sha256: str) -> Blob | None:
    return session.get(Blob, sha256)
