"""Storage → view throughput on the storage corpus the tests ship, with and without the cache of
derived representations.

    PYTHONPATH=src python bench/storage.py [--copies 40] [--rounds 3]

Builds a throwaway SQLite site (pages made from tests/unit/xhtml/corpus, the pages and files they
link to, a non-admin reader), then renders every page's body.view as the reader through the same
converter GET /content?expand=body.view uses:
  pure      parse + render + sanitize only (no database, references left unresolved)
  uncached  the full path with the cache off: parse, resolve references (SQL), render, sanitize
  cached    the full path with a warm cache: resolve references (SQL), fingerprint, look up
Throughput counts storage bytes read (MB/s, 10^6 bytes) and pages rendered (pages/s); best of rounds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from localfluence.app import prepare_database
from localfluence.auth.credentials import principal_for
from localfluence.config import Settings
from localfluence.content import service as content_service
from localfluence.content import tree
from localfluence.content.schemas import ContentCreate
from localfluence.content.serialize import BODY_CONVERTERS
from localfluence.contentbody import cache
from localfluence.contentbody import representations as _representations  # noqa: F401  (registers converters)
from localfluence.context import Ctx
from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.kit.links import links_for
from localfluence.models import Content, ContentVersion
from localfluence.people import service as people
from localfluence.runtime import Runtime
from localfluence.spaces import service as space_service
from localfluence.spaces.schemas import SpaceCreate
from localfluence.xhtml.references import Resolved
from localfluence.xhtml.storage import parse
from localfluence.xhtml.view import ViewOptions, render

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "unit" / "xhtml" / "corpus"
TARGETS = {
    "ENG": ["Search v2", "Style Guide", "API reference", "User guide", "Overview"],
    "DOC": ["Shared footer"],
}
FILES = ["diagram.png", "api-spec.yaml", "architecture.png", "logo.png", "example.pdf", "screenshot.png", "slides.pdf"]


def create_page(session, principal, key: str, title: str, body: str) -> Content:  # type: ignore[no-untyped-def]
    data = ContentCreate.model_validate(
        {"type": "page", "title": title, "space": {"key": key}, "body": {"storage": {"value": body}}}
    )
    return content_service.create_content(session, principal, data, None)


def attach(session, page: Content, filename: str) -> None:  # type: ignore[no-untyped-def]
    now = clock.now()
    row = Content(
        type="attachment",
        status="current",
        title=filename,
        title_key=content_service.title_key("attachment", filename, None, page.id),
        space_id=page.space_id,
        parent_id=page.id,
        position=0,
        version=1,
        created_at=now,
    )
    session.add(row)
    session.flush()
    session.add(ContentVersion(content_id=row.id, number=1, title=filename, body="", created_at=now))
    tree.attach(session, row.id, page.id)


def build_site(runtime: Runtime, copies: int) -> int:
    documents = {p.stem: p.read_text() for p in sorted(CORPUS.glob("*.xml"))}
    with transaction(runtime.sessions) as session:
        admin = principal_for(session, people.get_user_by_email(session, runtime.settings.admin_email))
        for key in ("ENG", "DOC", "OPS"):
            space_service.create_space(session, admin, SpaceCreate(key=key, name=f"Space {key}"))
        for key, titles in TARGETS.items():
            for title in titles:
                body = '<ac:structured-macro ac:name="excerpt"><ac:rich-text-body><p>An excerpt.</p>'
                body += "</ac:rich-text-body></ac:structured-macro><p>Target page.</p>"
                page = create_page(session, admin, key, title, body)
                attach(session, page, "logo.png")
        reader = people.create_user(session, email="reader@example.com", display_name="Reader")
        for copy in range(copies):
            for name, body in documents.items():
                page = create_page(session, admin, "ENG", f"{name} {copy}", body)
                for filename in FILES:
                    attach(session, page, filename)
        return reader.id


def timed(fn: Callable[[], None], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of each corpus document")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), admin_email="admin@example.com", admin_token="bench-admin-token")
        runtime = Runtime.build(settings)
        prepare_database(runtime)
        reader_id = build_site(runtime, args.copies)
        session = runtime.sessions()
        try:
            reader = principal_for(session, session.get(people.User, reader_id))  # type: ignore[attr-defined]
            ctx = Ctx(
                session=session,
                principal=reader,
                links=links_for("http://localhost:8090", "/wiki/rest/api/content"),
                settings=settings,
            )
            rows = session.execute(
                select(Content, ContentVersion.body)
                .join(ContentVersion, (ContentVersion.content_id == Content.id) & (ContentVersion.number == 1))
                .where(Content.type == "page", Content.title.like("% %"), ContentVersion.body.like("%<%"))
            ).all()
            pages = [(content, body) for content, body in rows if content.title.rsplit(" ", 1)[-1].isdigit()]
            total = sum(len(body.encode()) for _, body in pages)
            view = BODY_CONVERTERS["view"]

            def pure() -> None:
                for content, body in pages:
                    render(parse(body), Resolved(base="/wiki"), ViewOptions(space_key="ENG", title=content.title))

            def full() -> None:
                for content, body in pages:
                    view(ctx, content, body)

            results = {"pure": timed(pure, args.rounds)}
            cache.derived.enabled = cache.needs.enabled = False
            results["uncached"] = timed(full, args.rounds)
            cache.derived.enabled = cache.needs.enabled = True
            cache.derived.clear()
            cache.needs.clear()
            full()  # warm
            results["cached"] = timed(full, args.rounds)
        finally:
            session.close()
            runtime.engine.dispose()
    print(f"storage -> view, {len(pages)} pages, {total / 1e6:.2f} MB of storage, best of {args.rounds}")
    print(f"{'path':<10}{'MB/s':>10}{'pages/s':>12}{'ms/page':>10}")
    for name, seconds in results.items():
        rate, per_page = total / 1e6 / seconds, seconds / len(pages) * 1000
        print(f"{name:<10}{rate:>10.2f}{len(pages) / seconds:>12.0f}{per_page:>10.3f}")


if __name__ == "__main__":
    main()
