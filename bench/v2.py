"""The v2 API against the same v1 calls, in one run over one seeded database (bench/run.py's
machinery: wrk over loopback, server CPU per request).

    .venv/bin/python -m bench.v2                        # SQLite, 10k pages
    scripts/pg-throwaway run -- .venv/bin/python -m bench.v2 --db postgresql

Pairs: a page by id (no body, then with its storage body) and a space's pages 25 at a time with
storage bodies (three pages deep: v1 by start, v2 by the cursors it hands out). The ratio is v2's
req/s over v1's for the same call.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import time
from dataclasses import asdict

import httpx
import psutil
from rich.table import Table

from bench.run import (
    ADMIN_EMAIL,
    ADMIN_TOKEN,
    RESULTS,
    ROOT,
    Result,
    bench_arguments,
    console,
    free_port,
    lua_paths,
    run_wrk,
    seed_dataset,
    start,
    stop,
    summarize,
    wait_ready,
)

V1 = "/wiki/rest/api"
V2 = "/wiki/api/v2"


def v2_list_paths(client: httpx.Client, space_ids: list[str], depth: int = 3) -> list[str]:
    """The first `depth` pages of each space's page list, following the cursors v2 hands out."""
    paths = []
    for space_id in space_ids:
        path: str | None = f"{V2}/pages?space-id={space_id}&body-format=storage&limit=25"
        for _ in range(depth):
            if not path:
                break
            paths.append(path)
            response = client.get(path)
            response.raise_for_status()
            path = response.json()["_links"].get("next")
    return paths


def main() -> None:
    args = bench_arguments(__doc__).parse_args()
    seeded = seed_dataset(args, "localfluence-bench-v2-", "localfluence_bench_v2")
    data_dir, database_url, data = seeded.data_dir, seeded.database_url, seeded.data
    duration, connections, seed_seconds = seeded.duration, seeded.connections, seeded.seed_seconds

    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT),
        "LOCALFLUENCE_DATA_DIR": str(data_dir),
        "LOCALFLUENCE_DATABASE_URL": database_url,
    }
    port = free_port()
    server = start(
        [sys.executable, "-m", "localfluence", "serve", "--port", str(port), "--workers", str(args.workers)],
        env,
        data_dir / "server.log",
    )
    results: list[Result] = []
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url + "/status")
        proc = psutil.Process(server.pid)
        sample = random.Random(7).sample(data.page_ids, min(5000, len(data.page_ids)))
        with httpx.Client(base_url=url, auth=(ADMIN_EMAIL, ADMIN_TOKEN), timeout=60) as client:
            space_ids = [str(client.get(f"{V1}/space/{key}").json()["id"]) for key in data.space_keys]
            v2_lists = v2_list_paths(client, space_ids)
            # The same calls must succeed before they are timed.
            for path in (f"{V2}/pages/{sample[0]}?body-format=storage", v2_lists[-1]):
                assert client.get(path).status_code == 200, path
        v1_lists = [
            f"{V1}/content?spaceKey={key}&type=page&limit=25&start={s}&expand=body.storage,version"
            for key in data.space_keys
            for s in (0, 25, 50)
        ]
        pairs = [
            (
                "GET page by id",
                [f"{V1}/content/{i}?expand=version,space" for i in sample],
                [f"{V2}/pages/{i}" for i in sample],
            ),
            (
                "GET page by id, storage body",
                [f"{V1}/content/{i}?expand=body.storage,version,space" for i in sample],
                [f"{V2}/pages/{i}?body-format=storage" for i in sample],
            ),
            ("GET a space's pages, storage bodies, 25 a time", v1_lists, v2_lists),
        ]
        for name, v1_paths, v2_paths in pairs:
            for api, paths in (("v1", v1_paths), ("v2", v2_paths)):
                console.print(f"[dim]running {api} {name}…[/dim]")
                stats, cpu = run_wrk(
                    url, lua_paths(paths), auth=True, connections=connections, duration=duration, threads=2, proc=proc
                )
                result = summarize(f"{api} {name}", stats, cpu)
                result.baseline = f"v1 {name}" if api == "v2" else ""
                results.append(result)
    finally:
        stop(server)
    by_name = {r.scenario: r for r in results}
    for r in results:
        if r.baseline in by_name:
            r.ratio = round(r.requests_per_s / by_name[r.baseline].requests_per_s, 2)
    table = Table(
        title=f"localfluence v2 vs v1 — {args.db}, {args.pages} pages, {connections} connections, "
        f"{args.workers} worker(s), {duration}s each (seeded in {seed_seconds:.0f}s)"
    )
    for col in ("scenario", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "errors", "v2/v1"):
        table.add_column(col, justify="left" if col == "scenario" else "right")
    for r in results:
        table.add_row(
            r.scenario,
            f"{r.requests_per_s:,.0f}",
            f"{r.p50_ms}",
            f"{r.p99_ms}",
            f"{r.cpu_us_per_request:,.0f}",
            str(r.errors),
            "" if r.ratio is None else f"{r.ratio:.2f}",
        )
    console.print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"v2-{args.db}-{args.pages}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "db": args.db,
                "pages": args.pages,
                "connections": connections,
                "duration": duration,
                "results": [asdict(r) for r in results],
            },
            indent=2,
        )
    )
    console.print(f"results written to {out}")
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
