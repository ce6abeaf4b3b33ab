"""The baseline: a bare Starlette app that reads the same row from the same database inline in an
async endpoint and answers a JSON document of the same size, serialized with orjson — the fastest
bare variant on this machine (DESIGN.md), so ratios say what our framework and rules cost.

/file/{attachment id} looks up the attachment's current blob in the database the same way and
streams that file from the blob dir (BASELINE_BLOB_DIR) with Starlette's FileResponse."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

URL = os.environ["BASELINE_DATABASE_URL"]
QUERY = (
    "SELECT c.id, c.title, c.status, c.type, c.version, v.body, v.created_at, s.key, s.name "
    "FROM content c JOIN content_version v ON v.content_id = c.id AND v.number = c.version "
    "JOIN space s ON s.id = c.space_id WHERE c.id = {}"
)
INSERT = "INSERT INTO label (prefix, name) VALUES ('global', {})"
BLOB_QUERY = (
    "SELECT b.key, v.media_type, c.title FROM content c "
    "JOIN attachment_version v ON v.content_id = c.id AND v.number = c.version "
    "JOIN blob b ON b.sha256 = v.blob_sha256 WHERE c.id = {}"
)
BLOB_DIR = Path(os.environ.get("BASELINE_BLOB_DIR", "."))

if URL.startswith("sqlite"):
    _conn = sqlite3.connect(URL.split("///", 1)[1], check_same_thread=False, isolation_level=None)
    _conn.execute("PRAGMA journal_mode=WAL")
    _conn.execute("PRAGMA synchronous=NORMAL")
    _conn.execute("PRAGMA busy_timeout=30000")
    PARAM = "?"

    def fetch(content_id: int):  # type: ignore[no-untyped-def]
        return _conn.execute(QUERY.format(PARAM), (content_id,)).fetchone()

    def fetch_blob(content_id: int):  # type: ignore[no-untyped-def]
        return _conn.execute(BLOB_QUERY.format(PARAM), (content_id,)).fetchone()

    def insert(name: str) -> None:
        _conn.execute(INSERT.format(PARAM), (name,))
else:
    import psycopg

    _pg = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
    PARAM = "%s"

    def fetch(content_id: int):  # type: ignore[no-untyped-def]
        return _pg.execute(QUERY.format(PARAM), (content_id,)).fetchone()

    def fetch_blob(content_id: int):  # type: ignore[no-untyped-def]
        return _pg.execute(BLOB_QUERY.format(PARAM), (content_id,)).fetchone()

    def insert(name: str) -> None:
        _pg.execute(INSERT.format(PARAM), (name,))


def document(row) -> dict:  # type: ignore[no-untyped-def,type-arg]
    cid, title, status, ctype, version, body, created, key, name = row
    return {
        "id": str(cid), "type": ctype, "status": status, "title": title,
        "space": {"key": key, "name": name, "type": "global", "status": "current",
                  "_links": {"webui": f"/spaces/{key}"}},
        "version": {"number": version, "when": str(created), "message": "", "minorEdit": False,
                    "by": {"type": "known", "accountId": "557058:00000000-0000-0000-0000-000000000000",
                           "displayName": "Administrator", "publicName": "Administrator"}},
        "body": {"storage": {"value": body, "representation": "storage"}},
        "_links": {"self": f"/rest/api/content/{cid}", "webui": f"/spaces/{key}/pages/{cid}", "tinyui": "/x/AA"},
        "_expandable": {"children": "", "descendants": "", "ancestors": "", "history": "", "container": ""},
    }


async def get_row(request: Request) -> Response:
    row = fetch(int(request.path_params["id"]))
    if row is None:
        return Response(b'{"statusCode":404}', status_code=404, media_type="application/json")
    return Response(orjson.dumps(document(row)), media_type="application/json")


async def list_rows(request: Request) -> Response:
    # The same single-row read, answered as a 25-item page: the bare cost of the list shape.
    row = fetch(int(request.path_params["id"]))
    doc = document(row)
    return Response(orjson.dumps({"results": [doc] * 25, "size": 25}), media_type="application/json")


async def get_file(request: Request) -> Response:
    row = fetch_blob(int(request.path_params["id"]))
    if row is None:
        return Response(b'{"statusCode":404}', status_code=404, media_type="application/json")
    key, media_type, title = row
    return FileResponse(BLOB_DIR / key, media_type=media_type, filename=title)


_counter = 0


async def insert_row(request: Request) -> Response:
    global _counter
    await request.body()
    _counter += 1
    insert(f"baseline-{os.getpid()}-{_counter}")
    return Response(b'{"ok":true}', media_type="application/json")


app = Starlette(routes=[
    Route("/row/{id:int}", get_row),
    Route("/rows/{id:int}", list_rows),
    Route("/file/{id:int}", get_file),
    Route("/insert", insert_row, methods=["POST"]),
])
