"""Extraction on save: whenever content changes, what its current body mentions, links to and
uses is written to content_link / content_mention / content_macro / content_digest, and its
inline tasks are synchronised — in the same transaction as the change itself.

A body is parsed only when it differs from the one last extracted (content_digest.body_hash),
so moves, relabels and restores of large trees cost one indexed read per content."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from localfluence.changes import on_content_changed
from localfluence.inlinetasks.service import sync_tasks
from localfluence.models import (
    Content,
    ContentDigest,
    ContentLink,
    ContentMacro,
    ContentMention,
    ContentVersion,
    Space,
    User,
)
from localfluence.xhtml.extract import Extraction, extract
from localfluence.xhtml.storage import XhtmlError

BODIED_TYPES = ("page", "blogpost", "comment")
CHUNK = 500


def body_hash(storage: str) -> str:
    return hashlib.blake2b(storage.encode(), digest_size=16).hexdigest()


@on_content_changed
def extract_changed_bodies(session: Session, ids: list[int]) -> None:
    for start in range(0, len(ids), CHUNK):
        _extract(session, ids[start : start + CHUNK])


def _extract(session: Session, ids: Sequence[int]) -> None:
    rows = session.execute(
        select(
            Content.id,
            Content.space_id,
            ContentVersion.body,
            ContentVersion.author_id,
            ContentVersion.created_at,
        )
        .join(ContentVersion, (ContentVersion.content_id == Content.id) & (ContentVersion.number == Content.version))
        .where(Content.id.in_(ids), Content.type.in_(BODIED_TYPES))
    ).all()
    if not rows:
        return
    known = {d.content_id: d for d in session.scalars(select(ContentDigest).where(ContentDigest.content_id.in_(ids)))}
    changed = [row for row in rows if (d := known.get(row.id)) is None or d.body_hash != body_hash(row.body)]
    if not changed:
        return
    space_keys = dict(
        session.execute(select(Space.id, Space.key).where(Space.id.in_({r.space_id for r in changed}))).all()
    )
    found: dict[int, Extraction] = {}
    for row in changed:
        try:
            found[row.id] = extract(row.body, space_keys.get(row.space_id))
        except XhtmlError:
            # A body saved before validation existed: it refers to nothing we can read.
            found[row.id] = Extraction()
    changed_ids = [row.id for row in changed]
    for model in (ContentLink, ContentMention, ContentMacro):
        session.execute(delete(model).where(model.content_id.in_(changed_ids)))  # type: ignore[attr-defined]
    accounts = {a for e in found.values() for a in e.mentions} | {
        t.assignee for e in found.values() for t in e.tasks if t.assignee
    }
    users = (
        dict(session.execute(select(User.account_id, User.id).where(User.account_id.in_(accounts))).all())
        if accounts
        else {}
    )
    links: list[dict[str, object]] = []
    mentions: list[dict[str, object]] = []
    macros: list[dict[str, object]] = []
    for row in changed:
        extraction = found[row.id]
        links.extend(_link_rows(row.id, extraction))
        mentions.extend({"content_id": row.id, "user_id": users[a]} for a in sorted(extraction.mentions) if a in users)
        macros.extend({"content_id": row.id, "name": name[:128]} for name in sorted(extraction.macros))
        digest = known.get(row.id)
        if digest is None:
            session.add(ContentDigest(content_id=row.id, body_hash=body_hash(row.body), excerpt=extraction.excerpt))
        else:
            digest.body_hash = body_hash(row.body)
            digest.excerpt = extraction.excerpt
        sync_tasks(session, row.id, extraction.tasks, users, author_id=row.author_id, when=row.created_at)
    for model, values in ((ContentLink, links), (ContentMention, mentions), (ContentMacro, macros)):
        if values:
            session.execute(insert(model), values)


LINK_COLUMNS = ("space_key", "title", "posting_day", "filename", "target_id")


def _link_rows(content_id: int, extraction: Extraction) -> list[dict[str, object]]:
    rows = _raw_link_rows(content_id, extraction)
    # One executemany needs the same keys in every row.
    return [{**dict.fromkeys(LINK_COLUMNS), **row} for row in rows]


def _raw_link_rows(content_id: int, extraction: Extraction) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for ref in sorted(extraction.pages):
        rows.append(
            {
                "content_id": content_id,
                "kind": ref.kind,
                "space_key": ref.space_key,
                "title": ref.title[:255],
                "posting_day": (ref.posting_day or "")[:10] or None,
            }
        )
    for attachment in sorted(extraction.attachments, key=repr):
        owner = attachment.owner
        rows.append(
            {
                "content_id": content_id,
                "kind": "attachment",
                "space_key": owner.space_key if owner else None,
                "title": owner.title[:255] if owner else None,
                "filename": attachment.filename[:255],
            }
        )
    for key in sorted(extraction.spaces):
        rows.append({"content_id": content_id, "kind": "space", "space_key": key[:255]})
    for target in sorted(extraction.content_ids):
        if -(2**31) <= target < 2**31:
            rows.append({"content_id": content_id, "kind": "content", "target_id": target})
    return rows
