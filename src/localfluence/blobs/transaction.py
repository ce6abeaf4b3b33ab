"""Blob writers tied to a database session: linked when its transaction commits, discarded when
it ends any other way (rollback, error, close), so a failed request leaves no bytes behind."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from localfluence.blobs.store import BlobStore, BlobWriter

log = logging.getLogger("localfluence.blobs")

# session.info keys. The sessionmaker puts the app's store under STORE (see runtime.py).
STORE = "localfluence.blob_store"
_PENDING = "localfluence.blobs.pending"


def store_of(session: Session) -> BlobStore | None:
    return session.info.get(STORE)


def hold(session: Session, store: BlobStore, writer: BlobWriter) -> None:
    """From now on the session's transaction decides: commit links the bytes, anything else discards them."""
    if not session.in_transaction():
        raise RuntimeError("hold() needs an active transaction to tie the blob to")
    session.info.setdefault(_PENDING, []).append((store, writer))


@event.listens_for(Session, "after_commit")
def _link_on_commit(session: Session) -> None:
    for store, writer in session.info.pop(_PENDING, []):
        try:
            store.link(writer)
        except Exception:
            # The row is committed: nothing to roll back any more. Say so loudly.
            log.exception("could not link blob %s after commit", writer.key)


@event.listens_for(Session, "after_transaction_end")
def _discard_otherwise(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    for store, writer in session.info.pop(_PENDING, []):
        _discard(store, writer)


def _discard(store: BlobStore, writer: BlobWriter) -> None:
    try:
        store.discard(writer)
    except Exception:
        log.exception("could not discard blob %s", writer.key or writer.path)


def discard_quietly(store: BlobStore, writers: Any) -> None:
    for writer in writers:
        _discard(store, writer)
