"""Bytes nothing refers to any more are deleted once the transaction that removed the last
reference commits: purging an attachment, its container or its space, or deleting a version.

Before a delete runs, the digests it may orphan are noted on the session; after the commit, blob
rows among them that no attachment version references are deleted (the foreign key from
attachment_version makes that race-free against a concurrent upload of the same bytes), and then
their bytes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Delete, and_, delete, event, exists, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from localfluence.blobs.store import BlobStore
from localfluence.blobs.transaction import store_of
from localfluence.models import AttachmentVersion, Blob, Content, ContentAncestor, ContentVersion, Space

log = logging.getLogger("localfluence.attachments")

_CANDIDATES = "localfluence.attachments.orphan_candidates"
_BATCH = 500


@event.listens_for(Session, "before_flush")
def _note_orm_deletes(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    if not session.deleted or store_of(session) is None:
        return
    contents = [o.id for o in session.deleted if isinstance(o, Content)]
    versions = [(o.content_id, o.number) for o in session.deleted if isinstance(o, ContentVersion)]
    spaces = [o.id for o in session.deleted if isinstance(o, Space)]
    queries = []
    if contents:
        queries.append(_in_subtrees().where(ContentAncestor.ancestor_id.in_(contents)))
    if versions:
        keys = [and_(AttachmentVersion.content_id == c, AttachmentVersion.number == n) for c, n in versions]
        queries.append(select(AttachmentVersion.blob_sha256).where(or_(*keys)))
    if spaces:
        queries.append(
            select(AttachmentVersion.blob_sha256)
            .join(Content, Content.id == AttachmentVersion.content_id)
            .where(Content.space_id.in_(spaces))
        )
    for query in queries:
        _note(session, session.execute(query).scalars())


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_deletes(state: ORMExecuteState) -> None:
    statement = state.statement
    if not isinstance(statement, Delete) or store_of(state.session) is None:
        return
    table = statement.table.name  # type: ignore[attr-defined]
    where = statement.whereclause
    if table == "content":
        query = _in_subtrees().join(Content, Content.id == ContentAncestor.ancestor_id)
    elif table == "content_version":
        query = select(AttachmentVersion.blob_sha256).join(
            ContentVersion,
            and_(
                ContentVersion.content_id == AttachmentVersion.content_id,
                ContentVersion.number == AttachmentVersion.number,
            ),
        )
    elif table == "attachment_version":
        query = select(AttachmentVersion.blob_sha256)
    elif table == "space":
        query = (
            select(AttachmentVersion.blob_sha256)
            .join(Content, Content.id == AttachmentVersion.content_id)
            .join(Space, Space.id == Content.space_id)
        )
    else:
        return
    if where is not None:
        query = query.where(where)
    _note(state.session, state.session.execute(query).scalars())


def _in_subtrees():  # type: ignore[no-untyped-def]
    return select(AttachmentVersion.blob_sha256).join(
        ContentAncestor, ContentAncestor.descendant_id == AttachmentVersion.content_id
    )


def _note(session: Session, digests: Iterable[str]) -> None:
    found = set(digests)
    if found:
        session.info.setdefault(_CANDIDATES, set()).update(found)


@event.listens_for(Session, "after_commit")
def _collect_after_commit(session: Session) -> None:
    candidates = session.info.pop(_CANDIDATES, None)
    store = store_of(session)
    if not candidates or store is None:
        return
    try:
        collect(session.get_bind(), store, candidates)
    except Exception:
        # The purge itself is committed; leftover bytes are harmless and a later purge retries them.
        log.exception("could not delete unreferenced attachment bytes")


@event.listens_for(Session, "after_transaction_end")
def _forget_on_rollback(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_CANDIDATES, None)


def collect(bind: Any, store: BlobStore, digests: Iterable[str]) -> list[str]:
    """Delete blobs among `digests` that no attachment version references; returns their keys."""
    wanted = sorted(set(digests))
    gone: list[str] = []
    for i in range(0, len(wanted), _BATCH):
        batch = wanted[i : i + _BATCH]
        unreferenced = ~exists().where(AttachmentVersion.blob_sha256 == Blob.sha256)
        # A plain session: it has no store in its info, so none of these hooks apply to it.
        with Session(bind) as gc, gc.begin():
            keys = gc.execute(
                delete(Blob).where(Blob.sha256.in_(batch), unreferenced).returning(Blob.key),
                execution_options={"synchronize_session": False},
            ).scalars()
            gone.extend(keys)
    for key in gone:
        store.delete(key)
    return gone
