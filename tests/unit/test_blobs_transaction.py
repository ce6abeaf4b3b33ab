"""Blob writers follow their session's transaction: linked on commit, gone on rollback or close."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from localfluence.blobs.local import LocalBlobStore
from localfluence.blobs.store import BlobWriter
from localfluence.blobs.transaction import STORE, hold


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def session(store: LocalBlobStore) -> Session:
    engine = create_engine("sqlite://")
    return Session(engine, info={STORE: store})


def _held(session: Session, store: LocalBlobStore, data: bytes) -> BlobWriter:
    writer = store.put([data])
    session.execute(text("select 1"))
    hold(session, store, writer)
    return writer


def test_commit_links(session: Session, store: LocalBlobStore) -> None:
    writer = _held(session, store, b"kept")
    assert not store.exists(writer.key)
    session.commit()
    assert store.read_all(writer.key) == b"kept"
    assert list(store.tmp_dir.iterdir()) == []


def test_rollback_discards(session: Session, store: LocalBlobStore) -> None:
    writer = _held(session, store, b"dropped")
    session.rollback()
    assert not store.exists(writer.key)
    assert list(store.tmp_dir.iterdir()) == []


def test_close_without_commit_discards(session: Session, store: LocalBlobStore) -> None:
    writer = _held(session, store, b"abandoned")
    session.close()
    assert not store.exists(writer.key)
    assert list(store.tmp_dir.iterdir()) == []


def test_savepoint_rollback_keeps_the_outer_transaction_s_blob(session: Session, store: LocalBlobStore) -> None:
    writer = _held(session, store, b"outer")
    nested = session.begin_nested()
    nested.rollback()
    session.commit()
    assert store.read_all(writer.key) == b"outer"


def test_hold_needs_a_transaction(session: Session, store: LocalBlobStore) -> None:
    writer = store.put([b"x"])
    with pytest.raises(RuntimeError):
        hold(session, store, writer)
    store.discard(writer)
