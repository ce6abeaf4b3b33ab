"""CQL search benchmark at scale.

Seeds N pages (default 100,000: realistic word mix, 100 spaces, labels, a page tree) with bulk
inserts, starts the server on 127.0.0.1, then times a fixed mix of CQL queries through the HTTP
API as an ordinary space member, each against the same engine's raw SQL for the same predicate
run directly (the bare baseline, measured in the same run). Prints p50/p99 and the ratio.

    PYTHONPATH=src python bench/search.py                       # SQLite in a temp dir
    scripts/pg-throwaway run -- env PYTHONPATH=src python bench/search.py --db postgresql
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from localfluence.app import create_app
from localfluence.auth.credentials import principal_for
from localfluence.config import Settings
from localfluence.db.session import transaction
from localfluence.models import Content, ContentAncestor, ContentLabel, ContentVersion, Label, SearchDocument, User
from localfluence.people import service as people
from localfluence.spaces import service as spaces
from localfluence.spaces.schemas import SpaceCreate

console = Console(width=150)
WORDS = (
    "the of and to in is for on that with as by this be are from at or an it was which project release team plan "
    "service deploy configuration server client database index search query page space label user group access "
    "permission restriction content version history attachment comment blog post meeting notes decision action "
    "item roadmap quarter goal metric customer support incident review design architecture api endpoint request "
    "response error timeout latency cache storage backup restore migration upgrade schema table column record "
    "report dashboard chart budget cost invoice contract vendor partner market campaign launch feature product "
    "sprint backlog story epic task bug fix test build pipeline deployment staging production monitoring alert "
    "onboarding training guide tutorial howto faq policy security compliance audit risk privacy encryption token "
    "network firewall proxy gateway cluster node container kubernetes docker terraform ansible python java golang "
    "frontend backend mobile android ios browser performance scalability availability reliability resilience"
).split()
LABELS = [f"topic-{i}" for i in range(60)]


def zipf_words(rng: random.Random, n: int) -> list[str]:
    # Frequent words are frequent: index ~ Zipf over the vocabulary.
    return [WORDS[min(int(rng.paretovariate(1.1)) - 1, len(WORDS) - 1)] for _ in range(n)]


def start_server(settings: Settings) -> tuple[uvicorn.Server, threading.Thread, str]:
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


def seed(engine: Engine, sessions, pages: int, spaces_count: int, rng: random.Random) -> dict:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        member = people.create_user(session, email="bench-member@example.com", display_name="Bench Member")
        token = people.create_token(session, member)
        principal = principal_for(session, admin)
        space_ids: dict[str, int] = {}
        for i in range(spaces_count):
            key = f"BS{i:03d}"
            space = spaces.create_space(session, principal, SpaceCreate(key=key, name=f"Bench space {i}"))
            space_ids[key] = space.id
        label_ids = {}
        for name in LABELS:
            label = Label(prefix="global", name=name)
            session.add(label)
            session.flush()
            label_ids[name] = label.id
        member_email = member.email
        admin_id = admin.id
        start_id = (session.scalar(select(Content.id).order_by(Content.id.desc()).limit(1)) or 0) + 1
    per_space = pages // spaces_count
    base_time = datetime(2023, 1, 1, tzinfo=UTC)
    batch = 2000
    parents: dict[int, int | None] = {}
    depth_chain: dict[int, list[int]] = {}
    with Progress(console=console) as progress:
        task = progress.add_task("seeding pages", total=pages)
        next_id = start_id
        for s_index, space_id in enumerate(space_ids.values()):
            ids_in_space: list[int] = []
            rows_c, rows_v, rows_a, rows_l, rows_d = [], [], [], [], []
            for j in range(per_space):
                cid = next_id
                next_id += 1
                parent = rng.choice(ids_in_space[-200:]) if ids_in_space and rng.random() < 0.8 else None
                ids_in_space.append(cid)
                chain = ([*depth_chain[parent], parent] if parent else [])[-12:]
                depth_chain[cid] = chain
                parents[cid] = parent
                title = " ".join(zipf_words(rng, rng.randint(2, 5))).capitalize() + f" {s_index}-{j}"
                body_words = zipf_words(rng, rng.randint(60, 160))
                body = " ".join(body_words)
                created = base_time + timedelta(minutes=rng.randint(0, 60 * 24 * 700))
                rows_c.append({"id": cid, "type": "page", "status": "current", "title": title,
                               "title_key": f"page:{title.casefold()}", "space_id": space_id, "parent_id": parent,
                               "position": j, "version": 1, "creator_id": admin_id, "created_at": created})  # fmt: skip
                rows_v.append({"content_id": cid, "number": 1, "title": title, "body": f"<p>{body}</p>", "message": "",
                               "minor_edit": False, "author_id": admin_id, "created_at": created})  # fmt: skip
                rows_a.append({"ancestor_id": cid, "descendant_id": cid, "depth": 0})
                for depth, ancestor in enumerate(reversed(chain), start=1):
                    rows_a.append({"ancestor_id": ancestor, "descendant_id": cid, "depth": depth})
                chosen = rng.sample(LABELS, rng.randint(0, 3))
                rows_l.extend({"content_id": cid, "label_id": label_ids[n]} for n in chosen)
                rows_d.append({"content_id": cid, "space_token": f"s{space_id}", "title": title, "body": body,
                               "labels": " ".join(sorted(chosen))})  # fmt: skip
                if len(rows_c) >= batch or j == per_space - 1:
                    with engine.begin() as conn:
                        conn.execute(insert(Content), rows_c)
                        conn.execute(insert(ContentVersion), rows_v)
                        conn.execute(insert(ContentAncestor), rows_a)
                        if rows_l:
                            conn.execute(insert(ContentLabel), rows_l)
                        conn.execute(insert(SearchDocument), rows_d)
                    progress.advance(task, len(rows_c))
                    rows_c, rows_v, rows_a, rows_l, rows_d = [], [], [], [], []
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
            conn.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
    ancestors = [cid for cid, p in parents.items() if p is None][:500]
    return {"email": member_email, "token": token, "spaces": space_ids, "labels": label_ids, "ancestors": ancestors}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--spaces", type=int, default=100)
    parser.add_argument("--queries", type=int, default=100, help="timed queries per kind")
    parser.add_argument("--rounds", type=int, default=3, help="runs of the whole mix (medians are reported)")
    args = parser.parse_args()
    rng = random.Random(42)
    tmp = Path(tempfile.mkdtemp(prefix="localfluence-bench-"))
    database_url = ""
    if args.db == "postgresql":
        base = os.environ.get("LOCALFLUENCE_TEST_DATABASE_URL")
        if not base:
            raise SystemExit("--db postgresql needs LOCALFLUENCE_TEST_DATABASE_URL (see scripts/pg-throwaway)")
        url = make_url(base).set(drivername="postgresql+psycopg")
        admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
        name = f"bench_{uuid.uuid4().hex[:8]}"
        with admin_engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin_engine.dispose()
        database_url = url.set(database=name).render_as_string(hide_password=False)
    settings = Settings(data_dir=tmp, database_url=database_url, admin_token="bench-admin-token")
    server, thread, origin = start_server(settings)
    runtime = server.config.app.state.runtime  # type: ignore[attr-defined]
    engine: Engine = runtime.engine
    try:
        began = time.perf_counter()
        info = seed(engine, runtime.sessions, args.pages, args.spaces, rng)
        console.print(f"seeded {args.pages:,} pages in {time.perf_counter() - began:.1f} s on {engine.dialect.name}")
        run_mix(engine, origin, info, args.queries, rng, args.rounds, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def run_mix(  # type: ignore[type-arg]
    engine: Engine,
    origin: str,
    info: dict,
    n: int,
    rng: random.Random,
    rounds: int,
    server_thread: threading.Thread,
) -> None:
    sqlite = engine.dialect.name == "sqlite"
    common = WORDS[:60]
    keys = list(info["spaces"])
    kinds: list[tuple[str, Callable[[], tuple[str, str, dict]]]] = []  # type: ignore[type-arg]

    # The raw baselines answer the same question without the visibility rule: the same predicate
    # over current content, in the order the CQL query returns (relevance, else lastmodified
    # newest first), the same page size, straight against the engine.
    def text_q() -> tuple[str, str, dict]:  # type: ignore[type-arg]
        w = rng.choice(common[15:])
        raw = (
            "SELECT c.id FROM content c JOIN (SELECT rowid AS id, bm25(search_fts, 10.0, 1.0, 4.0, 0.0) AS rank "
            "FROM search_fts WHERE search_fts MATCH :q) f ON f.id = c.id WHERE c.status = 'current' "
            "ORDER BY f.rank, c.id DESC LIMIT 25"
            if sqlite
            else "SELECT c.id FROM content c JOIN search_document d ON d.content_id = c.id "
            "WHERE d.document @@ to_tsquery('localfluence', :q) AND c.status = 'current' "
            "ORDER BY ts_rank_cd(d.document, to_tsquery('localfluence', :q)) DESC, c.id DESC LIMIT 25"
        )
        return f"text ~ {w}", raw, {"q": f'{{title body labels}} : ("{w}")' if sqlite else f"'{w}':ABD"}

    def title_q() -> tuple[str, str, dict]:  # type: ignore[type-arg]
        w = rng.choice(WORDS[60:])
        match = (
            "SELECT rowid FROM search_fts WHERE search_fts MATCH :q"
            if sqlite
            else "SELECT content_id FROM search_document WHERE document @@ to_tsquery('localfluence', :q)"
        )
        raw = (
            f"SELECT c.id FROM content c WHERE c.id IN ({match}) AND c.status = 'current' "
            "ORDER BY c.last_modified_at DESC, c.id LIMIT 25"
        )
        return f"title ~ {w} order by lastmodified desc", raw, {"q": f'{{title}} : ("{w}")' if sqlite else f"'{w}':A"}

    def label_q() -> tuple[str, str, dict]:  # type: ignore[type-arg]
        name = rng.choice(LABELS)
        raw = (
            "SELECT c.id FROM content c WHERE c.id IN (SELECT content_id FROM content_label WHERE label_id = :l) "
            "AND c.status = 'current' ORDER BY c.last_modified_at DESC, c.id DESC LIMIT 25"
        )
        return f"label = {name}", raw, {"l": info["labels"][name]}

    def space_q() -> tuple[str, str, dict]:  # type: ignore[type-arg]
        key = rng.choice(keys)
        raw = (
            "SELECT id FROM content WHERE space_id = :s AND type = 'page' AND status = 'current' "
            "ORDER BY last_modified_at DESC, id DESC LIMIT 25"
        )
        return f"space = {key} and type = page", raw, {"s": info["spaces"][key]}

    def ancestor_q() -> tuple[str, str, dict]:  # type: ignore[type-arg]
        aid = rng.choice(info["ancestors"])
        raw = (
            "SELECT c.id FROM content c WHERE c.id IN "
            "(SELECT descendant_id FROM content_ancestor WHERE ancestor_id = :a AND depth > 0) "
            "AND c.status = 'current' ORDER BY c.last_modified_at DESC, c.id DESC LIMIT 25"
        )
        return f"ancestor = {aid}", raw, {"a": aid}

    kinds = [("text ~", text_q), ("title ~ ORDER BY lastmodified", title_q), ("label =", label_q),
             ("space = AND type =", space_q), ("ancestor =", ancestor_q)]  # fmt: skip
    client = httpx.Client(base_url=origin + "/wiki/rest/api", auth=(info["email"], info["token"]), timeout=60)
    http_p50s: dict[str, list[float]] = {label: [] for label, _ in kinds}
    raw_p50s: dict[str, list[float]] = {label: [] for label, _ in kinds}
    http_all: dict[str, list[float]] = {label: [] for label, _ in kinds}
    raw_all: dict[str, list[float]] = {label: [] for label, _ in kinds}
    server_cpu: dict[str, float] = {label: 0.0 for label, _ in kinds}
    raw_cpu: dict[str, float] = {label: 0.0 for label, _ in kinds}
    timed: dict[str, int] = {label: 0 for label, _ in kinds}
    hits: dict[str, list[int]] = {label: [] for label, _ in kinds}
    # The machine is shared: each HTTP request is followed by its raw query (same load), and the
    # whole mix runs `rounds` times; the table reports the median of the rounds' p50s. CPU time
    # (the server thread's and, on PostgreSQL, its backends') is what load disturbs least.
    with engine.connect() as conn:
        cpu = CpuMeter(engine, conn, server_thread)
        for _ in range(rounds):
            for label, make in kinds:
                http_times, raw_times = [], []
                for i in range(n + 10):
                    cql, raw, params = make()
                    before = cpu.server()
                    t0 = time.perf_counter()
                    response = client.get("/search", params={"cql": cql, "limit": 25})
                    http_ms = (time.perf_counter() - t0) * 1000
                    after = cpu.server()
                    assert response.status_code == 200, response.text
                    raw_before = cpu.raw()
                    t0 = time.perf_counter()
                    conn.execute(text(raw), params).all()
                    raw_ms = (time.perf_counter() - t0) * 1000
                    raw_after = cpu.raw()
                    if i >= 10:  # warm-up excluded
                        http_times.append(http_ms)
                        raw_times.append(raw_ms)
                        hits[label].append(response.json()["totalSize"])
                        server_cpu[label] += after - before
                        raw_cpu[label] += raw_after - raw_before
                        timed[label] += 1
                conn.rollback()
                http_p50s[label].append(statistics.median(http_times))
                raw_p50s[label].append(statistics.median(raw_times))
                http_all[label].extend(http_times)
                raw_all[label].extend(raw_times)
    client.close()
    title = f"CQL through HTTP vs raw SQL ({engine.dialect.name}, {rounds} x {n} queries each, ms)"
    table = Table(title=title)
    columns = ("query", "HTTP p50", "HTTP p99", "raw p50", "raw p99", "p50 ratio", "CPU/req", "raw CPU", "hits/query")
    for column in columns:
        table.add_column(column, justify="right")
    for label, _ in kinds:
        http50, raw50 = statistics.median(http_p50s[label]), statistics.median(raw_p50s[label])
        count = max(timed[label], 1)
        table.add_row(label, f"{http50:.1f}", f"{percentile(http_all[label], 99):.1f}", f"{raw50:.2f}",
                      f"{percentile(raw_all[label], 99):.2f}", f"{http50 / max(raw50, 1e-6):.1f}x",
                      f"{server_cpu[label] / count:.1f}", f"{raw_cpu[label] / count:.2f}",
                      f"{statistics.mean(hits[label]):.0f}")  # fmt: skip
    console.print(table)
    console.print("CPU/req: server thread + its PostgreSQL backends, ms per request; raw CPU: same for the raw query.")


class CpuMeter:
    """CPU milliseconds used so far by the server (its thread, plus its PostgreSQL backends) and by
    the raw queries (this thread, plus the raw connection's backend). PostgreSQL backends are read
    from /proc at clock-tick resolution (10 ms), which the sums over many queries smooth out."""

    def __init__(self, engine: Engine, conn, server_thread: threading.Thread) -> None:  # type: ignore[no-untyped-def]
        self.clock = time.pthread_getcpuclockid(server_thread.ident)  # type: ignore[arg-type]
        self.postgresql = engine.dialect.name == "postgresql"
        self.raw_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar() if self.postgresql else None
        self.database = engine.url.database
        self.tick_ms = 1000 / os.sysconf("SC_CLK_TCK")

    def _backends(self) -> tuple[float, float]:
        server = raw = 0.0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    command = f.read()
                if not command.startswith(b"postgres: ") or f" {self.database} ".encode() not in command:
                    continue
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used = (int(fields[11]) + int(fields[12])) * self.tick_ms
            if int(entry) == self.raw_pid:
                raw += used
            else:
                server += used
        return server, raw

    def server(self) -> float:
        own = time.clock_gettime(self.clock) * 1000
        return own + (self._backends()[0] if self.postgresql else 0.0)

    def raw(self) -> float:
        own = time.thread_time() * 1000
        return own + (self._backends()[1] if self.postgresql else 0.0)


if __name__ == "__main__":
    main()
