"""Attachment throughput and upload memory, against a plain file copy on the same disk.

    PYTHONPATH=src python bench/attachments.py [--repeat-small 20] [--repeat-large 3] [--no-1gb]

Starts `localfluence serve` (SQLite, local blob store) in a child process on 127.0.0.1 with its
data dir next to the test files, then measures, for 1 MB and 100 MB files:
  copy      shutil.copyfile of the file on the same disk (the floor any upload has to pay for);
  upload    PUT /wiki/rest/api/content/{id}/child/attachment, multipart, streamed from the file;
  download  GET of _links.download, streamed by the client into a file on the same disk;
and the server's peak resident memory (VmHWM, reset before via /proc/PID/clear_refs, and sampled)
while a 1 GB file is uploaded. Client and server share the machine's cores."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

MB = 1024 * 1024
TOKEN = "bench-admin-token"
EMAIL = "admin@example.com"
XSRF = {"X-Atlassian-Token": "no-check"}


def make_file(path: Path, size: int) -> Path:
    block = os.urandom(MB)
    with open(path, "wb") as out:
        written = 0
        while written < size:
            chunk = block[: min(MB, size - written)]
            out.write(chunk)
            written += len(chunk)
    return path


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LOCALFLUENCE_ADMIN_TOKEN": TOKEN,
        "LOCALFLUENCE_MAX_ATTACHMENT_BYTES": str(2 * 1024 * MB),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "localfluence", "serve", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/status", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rate(size: int, seconds: list[float]) -> float:
    return size / MB / statistics.median(seconds)


def vm_value(pid: int, field: str) -> int:
    """A /proc/PID/status value in bytes (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def bench_size(api: httpx.Client, base: str, page_id: str, work: Path, size: int, repeat: int) -> dict[str, float]:
    source = make_file(work / f"source-{size}", size)
    copy_target = work / "copy-target"
    copies = []
    for _ in range(repeat):
        copies.append(timed(lambda: shutil.copyfile(source, copy_target)))
        copy_target.unlink()

    name = f"bench-{size}.bin"
    uploads = []
    attachment: dict = {}
    for _ in range(repeat):

        def put() -> None:
            nonlocal attachment
            with open(source, "rb") as handle:
                response = api.put(
                    f"/content/{page_id}/child/attachment",
                    files={"file": (name, handle, "application/octet-stream")},
                    data={"minorEdit": "true"},
                    headers=XSRF,
                )
            response.raise_for_status()
            attachment = response.json()["results"][0]

        uploads.append(timed(put))

    download_target = work / "download-target"
    downloads = []
    for _ in range(repeat):

        def get() -> None:
            with api.stream("GET", base + attachment["_links"]["download"]) as response:
                response.raise_for_status()
                with open(download_target, "wb") as out:
                    for chunk in response.iter_raw(1024 * 1024):
                        out.write(chunk)

        downloads.append(timed(get))
        assert download_target.stat().st_size == size
        download_target.unlink()
    source.unlink()
    return {"copy": rate(size, copies), "upload": rate(size, uploads), "download": rate(size, downloads)}


def bench_memory(api: httpx.Client, page_id: str, work: Path, pid: int) -> dict[str, float]:
    source = make_file(work / "source-1g", 1024 * MB)
    copy_target = work / "copy-1g"
    copy_seconds = timed(lambda: shutil.copyfile(source, copy_target))
    copy_target.unlink()
    before = vm_value(pid, "VmRSS")
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        hwm_reset = True
    except OSError:
        hwm_reset = False
    sampled = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            sampled.append(vm_value(pid, "VmRSS"))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    with open(source, "rb") as handle:
        response = api.post(
            f"/content/{page_id}/child/attachment",
            files={"file": ("one-gigabyte.bin", handle, "application/octet-stream")},
            headers=XSRF,
            timeout=600,
        )
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    response.raise_for_status()
    source.unlink()
    return {
        "rss_before_mb": before / MB,
        "rss_peak_sampled_mb": max(sampled) / MB,
        "vmhwm_mb": vm_value(pid, "VmHWM") / MB if hwm_reset else float("nan"),
        "upload_mb_s": 1024 / seconds,
        "copy_mb_s": 1024 / copy_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat-small", type=int, default=20)
    parser.add_argument("--repeat-large", type=int, default=3)
    parser.add_argument("--no-1gb", action="store_true", help="skip the 1 GB memory run")
    parser.add_argument("--dir", type=Path, default=None, help="work directory (default: a temp dir)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lf-bench-", dir=args.dir))
    port = free_port()
    server = start_server(work / "data", port)
    base = f"http://127.0.0.1:{port}/wiki"
    try:
        with httpx.Client(base_url=base + "/rest/api", auth=(EMAIL, TOKEN), timeout=120) as api:
            key = f"B{int(time.time())}"
            api.post("/space", json={"key": key, "name": "Bench"}).raise_for_status()
            page = api.post(
                "/content",
                json={
                    "type": "page",
                    "title": "Bench",
                    "space": {"key": key},
                    "body": {"storage": {"value": "<p>b</p>", "representation": "storage"}},
                },
            )
            page.raise_for_status()
            page_id = page.json()["id"]
            print(f"{'file':>8} {'copy MB/s':>10} {'upload MB/s':>12} {'download MB/s':>14}")
            for size, repeat in ((MB, args.repeat_small), (100 * MB, args.repeat_large)):
                result = bench_size(api, base, page_id, work, size, repeat)
                label = f"{size // MB} MB"
                print(f"{label:>8} {result['copy']:>10.0f} {result['upload']:>12.0f} {result['download']:>14.0f}")
            if not args.no_1gb:
                memory = bench_memory(api, page_id, work, server.pid)
                print(
                    f"1 GB upload: {memory['upload_mb_s']:.0f} MB/s (copy {memory['copy_mb_s']:.0f} MB/s); "
                    f"server RSS before {memory['rss_before_mb']:.0f} MB, peak {memory['vmhwm_mb']:.0f} MB "
                    f"(VmHWM), {memory['rss_peak_sampled_mb']:.0f} MB (sampled)"
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
