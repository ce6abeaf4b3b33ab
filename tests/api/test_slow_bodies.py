"""A write request whose client sends its body slowly holds no connection and no write lock while
it waits: a write request begins its transaction as a writer (BEGIN IMMEDIATE, SQLite's one write
lock), so a body read after that would stall every other writer (on SQLite the whole event loop,
which waits for the lock) until the slow client finished."""

from __future__ import annotations

import base64
import socket
import uuid

import httpx
import pytest

from localfluence.db.session import transaction
from localfluence.people import service as people
from tests.conftest import Person, create_page
from tests.server import RunningServer

BOUNDARY = "slowslowslow"


def _requests(page_id: str) -> dict[str, tuple[str, str, bytes]]:
    """path, content type, and the first bytes of a body that never completes."""
    form = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\n\r\n'
    return {
        "v2 property": (f"/wiki/api/v2/pages/{page_id}/properties", "application/json", b'{"key": "k", '),
        "dynamic modules": ("/wiki/rest/atlassian-connect/1/app/module/dynamic", "application/json", b'{"modu'),
        "movepage form": (
            "/wiki/pages/movepage.action",
            "application/x-www-form-urlencoded",
            f"pageId={page_id}&position=".encode(),
        ),
        "attachment upload": (
            f"/wiki/rest/api/content/{page_id}/child/attachment",
            f"multipart/form-data; boundary={BOUNDARY}",
            form.encode() + b"\0" * 100,
        ),
    }


@pytest.mark.parametrize("kind", ["v2 property", "dynamic modules", "movepage form", "attachment upload"])
def test_other_writes_go_on_while_a_client_is_still_sending_its_body(
    server: RunningServer, admin: Person, space: dict, kind: str
) -> None:
    page = create_page(admin, space["key"])
    path, content_type, started = _requests(page["id"])[kind]
    host, port = server.url.removeprefix("http://").split(":")
    email, token = _connect_app(server) if kind == "dynamic modules" else (admin.email, admin.token)
    auth = base64.b64encode(f"{email}:{token}".encode()).decode()
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        f"Authorization: Basic {auth}\r\n"
        "X-Atlassian-Token: no-check\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(started) + 1000}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port))) as slow:
        # One whole request first, so the server has accepted this connection and reads from it.
        _exchange(slow, f"GET /status HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
        slow.sendall(head + started)
        # Sent after the slow bytes arrived: the server reads them first, on its one loop, and
        # the slow request's handler is waiting for the rest of its body once this one answered.
        assert admin.api.get(f"/content/{page['id']}").status_code == 200
        with httpx.Client(base_url=admin.api.base_url, auth=(admin.email, admin.token), timeout=5) as client:
            try:
                response = client.post(
                    "/content",
                    json={
                        "type": "page",
                        "title": f"Written beside a slow {kind}",
                        "space": {"key": space["key"]},
                        "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
                    },
                )
            except httpx.TimeoutException:
                pytest.fail(f"a write waited for a client still sending its {kind} body")
        assert response.status_code == 200, response.text
        slow.shutdown(socket.SHUT_RDWR)


def _exchange(sock: socket.socket, request: bytes) -> None:
    sock.sendall(request)
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(4096)
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.lower().split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length"))
    while len(body) < length:
        body += sock.recv(4096)


def _connect_app(server: RunningServer) -> tuple[str, str]:
    """A Connect app's credentials: only an app gets as far as reading the modules body."""
    key = f"com.example.slow-{uuid.uuid4().hex[:8]}"
    with transaction(server.runtime.sessions, write=True) as session:
        user = people.create_user(session, email=f"{key}@connect.example.com", display_name=key, username=key)
        user.account_type = "app"
        return user.email, people.create_token(session, user)
