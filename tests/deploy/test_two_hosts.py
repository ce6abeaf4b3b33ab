"""Two localfluence hosts behind nothing but their own network namespaces, sharing one PostgreSQL
(over its Unix socket, which namespaces do not separate) and one S3 endpoint (moto, on a bridge
this test makes). Bounded: a few hundred requests, every call with a timeout; everything it makes
(namespaces, bridge, processes, database) is removed at the end.

Runs in CI's PostgreSQL pass; skips, saying why, without PostgreSQL, root or `ip netns`."""

from __future__ import annotations

import base64
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from tests.moto_s3 import CREDENTIALS
from tests.server import ADMIN_EMAIL, ADMIN_TOKEN, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
PORT = 8090
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{ADMIN_EMAIL}:{ADMIN_TOKEN}".encode()).decode()}


def _why_not() -> str | None:
    if not os.environ.get("LOCALFLUENCE_TEST_DATABASE_URL"):
        return "the two-host test shares one PostgreSQL: run with --db=postgresql (scripts/pg-throwaway)"
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return "network namespaces need root on Linux"
    if shutil.which("ip") is None:
        return "iproute2's `ip` is not installed"
    probe = f"lfprobe{uuid.uuid4().hex[:6]}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` is not permitted here: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@dataclass
class Network:
    bridge: str
    namespaces: list[str]
    gateway: str
    hosts: list[str]


@pytest.fixture(scope="module")
def network() -> Iterator[Network]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    tag = uuid.uuid4().hex[:5]
    # A /24 of our own on a bridge that only our namespaces join; nothing routes it off the machine.
    subnet = f"10.231.{random.randint(1, 254)}"
    net = Network(f"lfbr{tag}", [f"lf{tag}a", f"lf{tag}b"], f"{subnet}.1", [f"{subnet}.2", f"{subnet}.3"])
    try:
        _ip("link", "add", net.bridge, "type", "bridge")
        _ip("addr", "add", f"{net.gateway}/24", "dev", net.bridge)
        _ip("link", "set", net.bridge, "up")
        for i, (ns, addr) in enumerate(zip(net.namespaces, net.hosts, strict=True)):
            outside, inside = f"lf{tag}h{i}", f"lf{tag}n{i}"
            _ip("netns", "add", ns)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", ns)
            _ip("link", "set", outside, "master", net.bridge, "up")
            _ip("-n", ns, "addr", "add", f"{addr}/24", "dev", inside)
            _ip("-n", ns, "link", "set", inside, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        yield net
    finally:
        for ns in net.namespaces:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)  # takes its veth pair along
        subprocess.run(["ip", "link", "del", net.bridge], capture_output=True)


@pytest.fixture(scope="module")
def s3(network: Network) -> Iterator[dict[str, str]]:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=network.gateway, port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        bucket = f"localfluence-{uuid.uuid4().hex[:12]}"
        boto3.session.Session().client("s3", endpoint_url=url, **CREDENTIALS).create_bucket(Bucket=bucket)
        yield {
            "LOCALFLUENCE_BLOB_STORE": "s3",
            "LOCALFLUENCE_S3_ENDPOINT_URL": url,
            "LOCALFLUENCE_S3_BUCKET": bucket,
            "LOCALFLUENCE_S3_REGION": CREDENTIALS["region_name"],
            "LOCALFLUENCE_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "LOCALFLUENCE_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        }
    finally:
        server.stop()


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh database, addressed through PostgreSQL's Unix socket so both namespaces reach it."""
    tcp_url = fresh_postgres_database(
        os.environ["LOCALFLUENCE_TEST_DATABASE_URL"], f"lf_twohost_{uuid.uuid4().hex[:6]}"
    )
    engine = create_engine(tcp_url)
    with engine.connect() as conn:
        sockets = str(conn.execute(text("SHOW unix_socket_directories")).scalar())
    engine.dispose()
    url = make_url(tcp_url)
    yield url.set(host=None, port=None, query={"host": sockets.split(",")[0].strip()}).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="module")
def hosts(
    network: Network, s3: dict[str, str], database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[str]]:
    env = {
        **os.environ,
        **s3,
        "PYTHONPATH": str(ROOT / "src"),
        "LOCALFLUENCE_ADMIN_EMAIL": ADMIN_EMAIL,
        "LOCALFLUENCE_ADMIN_TOKEN": ADMIN_TOKEN,
        "LOCALFLUENCE_DATABASE_URL": database,
        # The test checks cross-host reads right after writes; a short auth cache keeps revocations honest too.
        "LOCALFLUENCE_AUTH_CACHE_SECONDS": "1",
    }
    # One migration before any host starts, as docs/deployment.md says upgrades go.
    first = tmp_path_factory.mktemp("host")
    subprocess.run(
        [sys.executable, "-m", "localfluence", "migrate", "--data-dir", str(first)],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for ns, addr in zip(network.namespaces, network.hosts, strict=True):
            data_dir = tmp_path_factory.mktemp("host")
            with (data_dir / "server.log").open("wb") as log:
                procs.append(
                    subprocess.Popen(
                        [
                            "ip",
                            "netns",
                            "exec",
                            ns,
                            sys.executable,
                            "-m",
                            "localfluence",
                            "serve",
                            "--host",
                            addr,
                            "--port",
                            str(PORT),
                            "--data-dir",
                            str(data_dir),
                        ],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        urls = [f"http://{addr}:{PORT}" for addr in network.hosts]
        for url, proc in zip(urls, procs, strict=True):
            _wait_ready(url, proc)
        yield urls
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the host at {url} exited with {proc.returncode}")
        try:
            if httpx.get(url + "/status", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the host at {url} did not come up")


def _client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url + "/wiki/rest/api", headers=AUTH, timeout=20)


def _space(client: httpx.Client) -> str:
    key = "TH" + uuid.uuid4().hex[:6].upper()
    r = client.post("/space", json={"key": key, "name": f"Two hosts {key}"})
    assert r.status_code == 200, r.text
    return key


def _page(client: httpx.Client, key: str, title: str, body: str) -> dict:
    r = client.post(
        "/content",
        json={
            "type": "page",
            "title": title,
            "space": {"key": key},
            "body": {"storage": {"value": body, "representation": "storage"}},
        },
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_a_write_through_one_host_is_read_through_the_other_at_once(hosts: list[str]) -> None:
    a, b = (_client(u) for u in hosts)
    key = _space(a)

    def round_trip(i: int) -> None:
        with _client(hosts[i % 2]) as writer, _client(hosts[1 - i % 2]) as reader:
            page = _page(writer, key, f"Page {i}", f"<p>first {i}</p>")
            seen = reader.get(f"/content/{page['id']}", params={"expand": "body.storage,version"})
            assert seen.status_code == 200, seen.text
            assert seen.json()["body"]["storage"]["value"] == f"<p>first {i}</p>"
            updated = reader.put(
                f"/content/{page['id']}",
                json={
                    "type": "page",
                    "title": f"Page {i}",
                    "version": {"number": 2},
                    "body": {"storage": {"value": f"<p>second {i}</p>", "representation": "storage"}},
                },
            )
            assert updated.status_code == 200, updated.text
            back = writer.get(f"/content/{page['id']}", params={"expand": "body.storage,version"})
            assert back.json()["version"]["number"] == 2
            assert back.json()["body"]["storage"]["value"] == f"<p>second {i}</p>"

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(round_trip, range(24)))
    a.close()
    b.close()


def test_attachment_bytes_stored_through_one_host_download_through_the_other(hosts: list[str]) -> None:
    with _client(hosts[0]) as a, _client(hosts[1]) as b:
        key = _space(a)
        page = _page(a, key, "Holder", "<p>files</p>")
        payload = os.urandom(256 * 1024)
        up = a.post(
            f"/content/{page['id']}/child/attachment",
            files={"file": ("blob.bin", payload, "application/octet-stream")},
            headers={"X-Atlassian-Token": "nocheck"},
        )
        assert up.status_code == 200, up.text
        download = up.json()["results"][0]["_links"]["download"]
        got = b.get(hosts[1] + "/wiki" + download, follow_redirects=True)
        assert got.status_code == 200
        assert got.content == payload


def test_concurrent_updates_through_both_hosts_never_lose_one(hosts: list[str]) -> None:
    with _client(hosts[0]) as a:
        key = _space(a)
        page = _page(a, key, "Contended", "<p>v1</p>")
    clients = [_client(hosts[i % 2]) for i in range(8)]
    try:
        for version in range(2, 7):

            def attempt(i: int, version: int = version) -> tuple[int, str]:
                body = f"<p>v{version} by writer {i}</p>"
                r = clients[i].put(
                    f"/content/{page['id']}",
                    json={
                        "type": "page",
                        "title": "Contended",
                        "version": {"number": version},
                        "body": {"storage": {"value": body, "representation": "storage"}},
                    },
                )
                return r.status_code, body

            with ThreadPoolExecutor(max_workers=len(clients)) as pool:
                outcomes = list(pool.map(attempt, range(len(clients))))
            statuses = sorted(s for s, _ in outcomes)
            assert statuses.count(200) == 1, outcomes
            assert set(statuses) == {200, 409}, outcomes
            winner = next(body for s, body in outcomes if s == 200)
            for url in hosts:
                with _client(url) as reader:
                    now = reader.get(f"/content/{page['id']}", params={"expand": "body.storage,version"}).json()
                assert now["version"]["number"] == version
                assert now["body"]["storage"]["value"] == winner
    finally:
        for c in clients:
            c.close()


# Run-once tasks and fire-once webhooks across processes sharing one PostgreSQL are proven in
# tests/platform (two server processes on one database; kill -9 during tasks and deliveries).
