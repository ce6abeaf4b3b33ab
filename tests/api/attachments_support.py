"""Helpers shared by the attachment API tests (local and S3 stores)."""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from localfluence.db.session import transaction
from localfluence.models import Blob
from tests.server import RunningServer

XSRF = {"X-Atlassian-Token": "no-check"}


def upload(
    api: httpx.Client,
    container_id: str,
    name: str = "hello.txt",
    data: bytes = b"hello world",
    *,
    method: str = "POST",
    media_type: str = "text/plain",
    comment: str | None = None,
    minor: bool | None = None,
    headers: dict[str, str] | None = XSRF,
    path: str | None = None,
) -> httpx.Response:
    form: dict[str, str] = {}
    if comment is not None:
        form["comment"] = comment
    if minor is not None:
        form["minorEdit"] = "true" if minor else "false"
    return api.request(
        method,
        path or f"/content/{container_id}/child/attachment",
        files=[("file", (name, data, media_type))],
        data=form,
        headers=headers,
    )


def uploaded(
    api: httpx.Client, container_id: str, name: str = "hello.txt", data: bytes = b"hello world", **kw: Any
) -> dict:
    response = upload(api, container_id, name, data, **kw)
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


def download_url(server: RunningServer, attachment: dict, prefix: str = "/wiki") -> str:
    return server.url + prefix + attachment["_links"]["download"]


def blob_key(server: RunningServer, data: bytes) -> str | None:
    with transaction(server.runtime.sessions) as session:
        return session.scalar(select(Blob.key).where(Blob.sha256 == hashlib.sha256(data).hexdigest()))


def blob_count(server: RunningServer) -> int:
    with transaction(server.runtime.sessions) as session:
        return len(list(session.scalars(select(Blob.sha256))))


def temp_files(server: RunningServer) -> list[Path]:
    tmp = server.runtime.blobs.tmp_dir
    return list(tmp.iterdir()) if tmp.exists() else []


def wait_until(condition: Callable[[], bool], timeout: float = 15) -> None:
    """Poll a condition the server reaches asynchronously (after a client vanished)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def drop_mid_upload(server: RunningServer, email: str, token: str, container_id: str, sent: int) -> None:
    """Send the headers and `sent` bytes of a much larger multipart upload, wait until the server
    is writing the file, then close the connection."""
    import base64

    boundary = "dropdropdrop"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="dropped.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    auth = base64.b64encode(f"{email}:{token}".encode()).decode()
    host, port = server.url.removeprefix("http://").split(":")
    request = (
        f"POST /wiki/rest/api/content/{container_id}/child/attachment HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"Authorization: Basic {auth}\r\n"
        "X-Atlassian-Token: no-check\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + 50 * 1024 * 1024}\r\n\r\n"
    ).encode()
    before = set(temp_files(server))
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(request + head + b"\0" * sent)
        wait_until(lambda: any(p.stat().st_size > 0 for p in set(temp_files(server)) - before))
        sock.shutdown(socket.SHUT_RDWR)
