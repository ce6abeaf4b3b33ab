"""Snapshots: every table's rows in a named, gzipped JSON-lines file in the data dir.

Format (version 1), one JSON document per line:
    {"format": "localfluence-snapshot", "formatVersion": 1, "alembicRevision": ..., ...}   header
    {"table": "space", "columns": ["id", "key", ...]}                                      a table starts
    [1, "DEV", ...]                                                                         one row
    {"end": true, "rows": 1234}                                                             complete

Rows are read with SQLAlchemy Core, so the format is the same on SQLite and PostgreSQL and a
snapshot moves between them. Saving writes a temporary file, fsyncs it and renames it over the old
one: a failed save never damages the previous snapshot. Loading happens in one transaction: all
or nothing. Attachment bytes live in the blob store as content-addressed files; a snapshot holds
references to them, not the bytes.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import os
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, Date, DateTime, Engine, LargeBinary, Numeric, Table, Uuid, bindparam, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from localfluence import __version__
from localfluence.admin.reset import (
    capture_bootstrap_rows,
    empty_all_tables,
    lock_all_tables,
    restore_admin_tokens,
)
from localfluence.admin.tables import (
    alembic_revision,
    data_tables,
    deferred_columns,
    exclusive,
    restart_sequences,
    self_references,
)
from localfluence.blobs.store import BlobMissing, BlobStore
from localfluence.bootstrap import bootstrap
from localfluence.config import Settings
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.clock import clock, iso
from localfluence.models import Blob
from localfluence.runtime import Runtime

FORMAT = "localfluence-snapshot"
FORMAT_VERSION = 1
SUFFIX = ".jsonl.gz"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
BATCH = 1000


@dataclass
class SnapshotInfo:
    name: str
    size_bytes: int
    created_at: str | None
    format_version: int | None
    alembic_revision: str | None
    rows: int | None

    def as_json(self, current_revision: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "sizeBytes": self.size_bytes,
            "createdAt": self.created_at,
            "formatVersion": self.format_version,
            "alembicRevision": self.alembic_revision,
        }
        if current_revision is not None:
            data["compatible"] = self.format_version == FORMAT_VERSION and self.alembic_revision == current_revision
        return data


def snapshot_dir(settings: Settings) -> Path:
    return settings.data_dir / "snapshots"


def snapshot_path(settings: Settings, name: str) -> Path:
    if not NAME.match(name) or name.endswith(".tmp"):
        raise BadRequest(f"Invalid snapshot name: {name!r}. Use letters, digits, '.', '_' and '-' (at most 100).")
    return snapshot_dir(settings) / f"{name}{SUFFIX}"


# ---------------------------------------------------------------------------------------------- save


def save_snapshot(runtime: Runtime, name: str) -> SnapshotInfo:
    final = snapshot_path(runtime.settings, name)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{name}.{secrets.token_hex(4)}.tmp"
    blobs: list[tuple[str, str]] = []
    try:
        with open(tmp, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0) as out:
                rows = _write_site(runtime.engine, out, blobs)
            raw.flush()
            os.fsync(raw.fileno())
        # Bytes first: once the snapshot is in place, everything it refers to is kept.
        keep_blob_bytes(runtime.blobs, blob_dir(runtime.settings), blobs)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    info = read_info(final)
    info.rows = rows
    return info


def _write_site(engine: Engine, out: _Writable, blobs: list[tuple[str, str]]) -> int:
    options: dict[str, Any] = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    total = 0
    # One read transaction: every table as of the same moment.
    with engine.connect().execution_options(**options) as conn, conn.begin():
        header = {
            "format": FORMAT,
            "formatVersion": FORMAT_VERSION,
            "alembicRevision": alembic_revision(conn),
            "dialect": engine.dialect.name,
            "createdAt": iso(clock.now()),
            "localfluenceVersion": __version__,
            "tables": [t.name for t in data_tables()],
        }
        out.write(orjson.dumps(header) + b"\n")
        for table in data_tables():
            # Computed (generated) columns are the database's to fill, e.g. a tsvector.
            columns = [c for c in table.columns if c.computed is None]
            out.write(orjson.dumps({"table": table.name, "columns": [c.name for c in columns]}) + b"\n")
            order = list(table.primary_key.columns) or columns
            is_blob = table is Blob.__table__
            for row in conn.execute(select(*columns).order_by(*order)).yield_per(BATCH):
                out.write(encode_row(tuple(row)))
                total += 1
                if is_blob:
                    blobs.append((row.sha256, row.key))
        out.write(orjson.dumps({"end": True, "rows": total}) + b"\n")
    return total


class _Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def encode_row(values: tuple[Any, ...]) -> bytes:
    return orjson.dumps(values, default=_encode_value) + b"\n"


def _encode_value(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in a snapshot")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------- load


@dataclass
class LoadReport:
    name: str
    rows: int
    duration_ms: float
    missing_blobs: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rows": self.rows,
            "durationMs": round(self.duration_ms, 2),
            "missingBlobs": self.missing_blobs,
        }


def load_snapshot(runtime: Runtime, name: str) -> LoadReport:
    """Replace every table's rows with the snapshot's, in one transaction."""
    engine, settings = runtime.engine, runtime.settings
    path = snapshot_path(settings, name)
    if not path.exists():
        raise NotFound(f"No snapshot named {name}")
    started = time.perf_counter()
    try:
        with gzip.open(path, "rb") as src, exclusive(engine) as conn:
            lines = iter(src)
            header = _read_header(name, lines)
            _check_compatible(name, header, alembic_revision(conn))
            lock_all_tables(conn)
            kept = capture_bootstrap_rows(conn, settings)
            empty_all_tables(conn)
            rows = _load_tables(name, conn, lines)
            missing = restore_blob_bytes(conn, runtime.blobs, blob_dir(settings))
            restart_sequences(conn)
            with Session(bind=conn) as session:
                bootstrap(session, settings)
                restore_admin_tokens(session, settings, kept)
                session.flush()
    except (OSError, EOFError, orjson.JSONDecodeError, ValueError, KeyError, TypeError) as exc:
        raise BadRequest(f"Snapshot {name} is damaged or incomplete and was not loaded: {exc}") from None
    except DBAPIError as exc:
        raise BadRequest(f"Snapshot {name} could not be loaded; nothing was changed: {exc.orig}") from None
    return LoadReport(name, rows, (time.perf_counter() - started) * 1000, missing)


def _read_header(name: str, lines: Iterator[bytes]) -> dict[str, Any]:
    try:
        header = orjson.loads(next(lines))
    except (StopIteration, orjson.JSONDecodeError):
        raise BadRequest(f"{name} is not a localfluence snapshot") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BadRequest(f"{name} is not a localfluence snapshot")
    return header


def _check_compatible(name: str, header: dict[str, Any], revision: str | None) -> None:
    version = header.get("formatVersion")
    if version != FORMAT_VERSION:
        raise BadRequest(
            f"Snapshot {name} has format version {version}; this localfluence reads version {FORMAT_VERSION}. "
            "Load it with the localfluence version that saved it."
        )
    if header.get("alembicRevision") != revision:
        raise BadRequest(
            f"Snapshot {name} was saved at database schema revision {header.get('alembicRevision')}; this "
            f"server's database is at revision {revision}. Load it with the localfluence version that saved "
            "it, or seed and save it again."
        )


def _load_tables(name: str, conn: Connection, lines: Iterator[bytes]) -> int:
    tables = {t.name: t for t in data_tables()}
    pending_updates: list[tuple[Table, list[dict[str, Any]]]] = []
    total = 0
    table: Table | None = None
    loader: _TableLoader | None = None
    for line in lines:
        item = orjson.loads(line)
        if isinstance(item, list):
            if loader is None:
                raise ValueError("a row before any table")
            loader.add(item)
            total += 1
            continue
        if loader is not None:
            pending_updates.append(loader.finish())
            loader = None
        if item.get("end"):
            if item.get("rows") != total:
                raise ValueError(f"expected {item.get('rows')} rows, found {total}")
            for target, updates in pending_updates:
                _apply_deferred(conn, target, updates)
            return total
        table = tables.get(item["table"])
        if table is None:
            raise ValueError(f"unknown table {item['table']}")
        loader = _TableLoader(conn, table, item["columns"])
    raise ValueError("the snapshot ends before its end marker")


class _TableLoader:
    """Inserts one table's rows in batches. Cycle-closing foreign keys are written afterwards, and
    rows of self-referencing tables go in parent-first order."""

    def __init__(self, conn: Connection, table: Table, columns: list[str]) -> None:
        unknown = [c for c in columns if c not in table.columns]
        if unknown:
            raise ValueError(f"table {table.name} has no columns {unknown}")
        self.conn = conn
        self.table = table
        self.columns = columns
        self.decoders = [_decoder(table.columns[c].type) for c in columns]
        self.deferred = [c.name for c in deferred_columns(table) if c.name in columns]
        self.parents = [c.name for c in self_references(table) if c.name in columns]
        self.batch: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        pk = list(table.primary_key.columns)
        self.pk = pk[0].name if len(pk) == 1 else None

    def add(self, values: list[Any]) -> None:
        # strict: a row with too few or too many values means a damaged file.
        cells = zip(self.columns, self.decoders, values, strict=True)
        row = {c: (d(v) if d is not None and v is not None else v) for c, d, v in cells}
        if self.deferred and self.pk is not None:
            later = {c: row[c] for c in self.deferred if row[c] is not None}
            if later:
                self.updates.append({"_pk": row[self.pk], **later})
                for c in later:
                    row[c] = None
        self.batch.append(row)
        if len(self.batch) >= BATCH and not self.parents:
            self._flush()

    def finish(self) -> tuple[Table, list[dict[str, Any]]]:
        if self.parents and self.pk is not None:
            self.batch = _parents_first(self.batch, self.pk, self.parents)
        self._flush()
        return self.table, self.updates

    def _flush(self) -> None:
        for start in range(0, len(self.batch), BATCH):
            self.conn.execute(self.table.insert(), self.batch[start : start + BATCH])
        self.batch = []


def _parents_first(rows: list[dict[str, Any]], pk: str, parent_columns: list[str]) -> list[dict[str, Any]]:
    ids = {r[pk] for r in rows}
    placed: set[Any] = set()
    ordered: list[dict[str, Any]] = []
    waiting = rows
    while waiting:
        rest = []
        for row in waiting:
            parents = [row[c] for c in parent_columns if row[c] is not None and row[c] in ids]
            if all(p in placed for p in parents):
                ordered.append(row)
                placed.add(row[pk])
            else:
                rest.append(row)
        if len(rest) == len(waiting):
            ordered.extend(rest)  # a cycle: let the database say which row is wrong
            break
        waiting = rest
    return ordered


def _apply_deferred(conn: Connection, table: Table, updates: list[dict[str, Any]]) -> None:
    if not updates:
        return
    pk = list(table.primary_key.columns)[0]
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for u in updates:
        by_columns.setdefault(tuple(sorted(k for k in u if k != "_pk")), []).append(u)
    for columns, group in by_columns.items():
        statement = update(table).where(pk == bindparam("_pk")).values({c: bindparam(c) for c in columns})
        conn.execute(statement, group)


def _decoder(type_: Any) -> Callable[[Any], Any] | None:
    if isinstance(type_, DateTime):
        return _datetime
    if isinstance(type_, Date):
        return date.fromisoformat
    if isinstance(type_, LargeBinary):
        return base64.b64decode
    if isinstance(type_, Numeric) and getattr(type_, "asdecimal", False):
        return Decimal
    if isinstance(type_, Uuid):
        return uuid.UUID if type_.as_uuid else str
    return None


def _datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


# ---------------------------------------------------------------------------------------------- blobs


def blob_dir(settings: Settings) -> Path:
    """Attachment bytes the snapshots refer to, by SHA-256, shared by all snapshots."""
    return snapshot_dir(settings) / "blobs"


def keep_blob_bytes(store: BlobStore, directory: Path, blobs: list[tuple[str, str]]) -> None:
    """Copy the bytes of every blob a snapshot refers to next to it: the store deletes bytes once
    nothing refers to them, and a test that purges an attachment must not break the next restore."""
    for sha256, key in blobs:
        target = directory / sha256
        if target.exists():
            continue  # content-addressed: the same name holds the same bytes
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".{sha256}.{secrets.token_hex(4)}.tmp"
        try:
            reader = store.open(key)
        except BlobMissing:
            continue
        try:
            with open(partial, "wb") as out:
                while chunk := reader.read(1024 * 1024):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)
        finally:
            reader.close()
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()


def restore_blob_bytes(conn: Connection, store: BlobStore, directory: Path) -> int:
    """Put back the bytes of loaded blob rows the store no longer has; returns how many could not
    be found anywhere."""
    missing = 0
    for sha256, key in conn.execute(select(Blob.sha256, Blob.key)).all():
        if store.exists(key):
            continue
        kept = directory / sha256
        if not kept.exists():
            missing += 1
            continue
        with open(kept, "rb") as src:
            writer = store.put(iter(lambda: src.read(1024 * 1024), b""))
        if writer.sha256 != sha256:
            store.discard(writer)
            missing += 1
            continue
        store.stage(writer)
        store.link(writer)
        if writer.key != key:
            conn.execute(update(Blob).where(Blob.sha256 == sha256).values(key=writer.key))
    return missing


# ---------------------------------------------------------------------------------------------- list


def read_info(path: Path) -> SnapshotInfo:
    name = path.name[: -len(SUFFIX)]
    header: dict[str, Any] = {}
    try:
        with gzip.open(path, "rb") as src:
            first = src.readline()
        loaded = orjson.loads(first)
        if isinstance(loaded, dict) and loaded.get("format") == FORMAT:
            header = loaded
    except (OSError, EOFError, orjson.JSONDecodeError):
        pass
    return SnapshotInfo(
        name=name,
        size_bytes=path.stat().st_size,
        created_at=header.get("createdAt"),
        format_version=header.get("formatVersion"),
        alembic_revision=header.get("alembicRevision"),
        rows=None,
    )


def list_snapshots(settings: Settings) -> list[SnapshotInfo]:
    directory = snapshot_dir(settings)
    if not directory.is_dir():
        return []
    return [read_info(p) for p in sorted(directory.glob(f"*{SUFFIX}")) if not p.name.startswith(".")]


def get_snapshot(settings: Settings, name: str) -> SnapshotInfo:
    path = snapshot_path(settings, name)
    if not path.exists():
        raise NotFound(f"No snapshot named {name}")
    return read_info(path)


def delete_snapshot(settings: Settings, name: str) -> None:
    path = snapshot_path(settings, name)
    try:
        path.unlink()
    except FileNotFoundError:
        raise NotFound(f"No snapshot named {name}") from None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return alembic_revision(conn)
