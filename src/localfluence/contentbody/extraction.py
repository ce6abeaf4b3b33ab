"""Extraction on save: whenever content changes, what its current body mentions, links to and
uses is written to content_link / content_mention / content_macro / content_digest, and its
inline tasks are synchronised — in the same transaction as the change itself.

A body is parsed only when it differs from the one last extracted (content_digest.body_hash),
so moves, relabels and restores of large trees cost one indexed read per content."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.orm import Session

from localfluence.changes import current_rows, is_fresh, on_content_changed
from localfluence.inlinetasks.service import sync_tasks
from localfluence.kit.clock import clock
from localfluence.models import ContentDigest, ContentLink, ContentMacro, ContentMention, InlineTask, User
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


# Built once: every write runs these. Digests are read and written as plain rows (nothing else
# loads them as objects), so no identity map can hold a stale one.
_digests = ContentDigest.__table__
_HASHES = select(_digests.c.content_id, _digests.c.body_hash).where(
    _digests.c.content_id.in_(bindparam("ids", expanding=True))
)
_ADD_DIGEST = insert(_digests)
_SET_DIGEST = (
    update(_digests)
    .where(_digests.c.content_id == bindparam("id"))
    .values(body_hash=bindparam("hash"), excerpt=bindparam("excerpt"))
)
_FORGET = {
    model: delete(model).where(model.content_id.in_(bindparam("ids", expanding=True)))  # type: ignore[attr-defined]
    for model in (ContentLink, ContentMention, ContentMacro)
}
_HELD_KINDS = (ContentLink, ContentMention, ContentMacro, InlineTask)
# Reads on the tables, not the entities (one ORM attribute anywhere in a statement sends it through
# the ORM's per-execution setup). content_changed has flushed whatever was pending.
_HELD_BY = tuple(model.__table__.c.content_id for model in _HELD_KINDS)  # type: ignore[attr-defined]
_HELD_FLAGS = tuple(exists().where(held_by.in_(bindparam("ids", expanding=True))) for held_by in _HELD_BY)
_HELD = select(*_HELD_FLAGS)
# The usual change (one content edited): its digest and what its earlier bodies left behind, in
# one statement. No row when it has no digest yet. By one id, not an expanding list: the statement
# runs as compiled, without rewriting five IN lists on every execution.
_HASH_AND_HELD = select(
    _digests.c.body_hash,
    *(exists().where(held_by == bindparam("id")) for held_by in _HELD_BY),
).where(_digests.c.content_id == bindparam("id"))
_STORE = {model: insert(model.__table__) for model in (ContentLink, ContentMention, ContentMacro)}
_users = User.__table__.c
_USER_IDS = select(_users.account_id, _users.id).where(_users.account_id.in_(bindparam("accounts", expanding=True)))


def _extract(session: Session, ids: Sequence[int]) -> None:
    rows = [r for r in current_rows(session, ids).values() if r.type in BODIED_TYPES and r.has_version]
    if not rows:
        return
    # Content created in this transaction has no digest, links, mentions, macros or tasks yet.
    seen = [row.id for row in rows if not is_fresh(session, row.id)]
    held: dict[type, bool] | None = None
    if len(seen) == 1:
        one = session.execute(_HASH_AND_HELD, {"id": seen[0]}).first()
        known = {}
        if one is not None:
            known[seen[0]] = one[0]
            held = dict(zip(_HELD_KINDS, one[1:], strict=True))
    else:
        known = dict(session.execute(_HASHES, {"ids": seen}).all()) if seen else {}
    hashes = {row.id: body_hash(row.body or "") for row in rows}
    changed = [row for row in rows if known.get(row.id) != hashes[row.id]]
    if not changed:
        return
    found: dict[int, Extraction] = {}
    for row in changed:
        try:
            found[row.id] = extract(row.body or "", row.space_key, row.tree)
        except XhtmlError:
            # A body saved before validation existed: it refers to nothing we can read.
            found[row.id] = Extraction()
    stale = [row.id for row in changed if not is_fresh(session, row.id)]
    if not stale:
        held = {}
    elif held is None or stale != seen:
        # One look at what the earlier bodies left behind, so a plain body costs no deletes.
        held = dict(zip(_HELD_KINDS, session.execute(_HELD, {"ids": stale}).one(), strict=True))
    for model, statement in _FORGET.items():
        if held.get(model):
            session.execute(statement, {"ids": stale})
    accounts = {a for e in found.values() for a in e.mentions} | {
        t.assignee for e in found.values() for t in e.tasks if t.assignee
    }
    users = dict(session.execute(_USER_IDS, {"accounts": sorted(accounts)}).all()) if accounts else {}
    links: list[dict[str, object]] = []
    mentions: list[dict[str, object]] = []
    macros: list[dict[str, object]] = []
    added: list[dict[str, object]] = []
    for row in changed:
        extraction = found[row.id]
        links.extend(_link_rows(row.id, extraction))
        mentions.extend({"content_id": row.id, "user_id": users[a]} for a in sorted(extraction.mentions) if a in users)
        macros.extend({"content_id": row.id, "name": name[:128]} for name in sorted(extraction.macros))
        digest = {"hash": hashes[row.id], "excerpt": extraction.excerpt}
        if row.id in known:
            session.execute(_SET_DIGEST, {"id": row.id, **digest})
        else:
            added.append({"content_id": row.id, "body_hash": digest["hash"], "excerpt": digest["excerpt"]})
        if extraction.tasks or held.get(InlineTask):
            when = row.created_at or clock.now()
            sync_tasks(
                session,
                row.id,
                extraction.tasks,
                users,
                author_id=row.author_id,
                when=when,
                has_rows=bool(held.get(InlineTask)),
            )
    if added:
        session.execute(_ADD_DIGEST, added)
    for model, values in ((ContentLink, links), (ContentMention, mentions), (ContentMacro, macros)):
        if values:
            session.execute(_STORE[model], values)


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
