"""Seed a realistic dataset straight into a migrated database (bulk inserts, with a progress bar).

Spaces are created through the service (so permissions are real); pages, versions, the closure
table and labels are bulk-inserted, because seeding 100k pages through HTTP would take longer
than the benchmark itself. Attachments go through the attachment service and the app's blob store,
as an upload does, so their rows and files are exactly what the upload route writes: a few 1 MB
files (distinct random bytes) and small files on a fraction of the pages."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import timedelta

from rich.progress import Progress
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from localfluence.access.principal import Principal
from localfluence.attachments import service as attachments
from localfluence.attachments.serialize import download_path
from localfluence.attachments.upload import Upload, UploadedFile
from localfluence.auth.credentials import principal_for
from localfluence.blobs.transaction import store_of
from localfluence.changes import content_changed
from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import Content, ContentAncestor, ContentLabel, ContentVersion, Label, User
from localfluence.spaces.schemas import SpaceCreate
from localfluence.spaces.service import create_space

WORDS = (
    "alpha beta release deploy service cluster latency budget roadmap design review incident postmortem "
    "customer feature backlog sprint planning retro metric dashboard alert oncall runbook database index "
    "query cache queue worker schema migration rollback canary rollout network proxy gateway token auth "
    "permission space page label search storage format macro table image link mention task comment draft "
    "version history archive trash restore export import webhook event audit template blueprint theme "
    "settings analytics view editor render convert attachment upload download stream chunk range bytes "
    "python fastapi sqlite postgres lark lxml confluence wiki team project quarter goal objective result "
    "engineer manager product support sales marketing finance legal security privacy compliance policy"
).split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def storage_body(rng: random.Random, paragraphs: int) -> str:
    parts = []
    for i in range(paragraphs):
        if i == 1:
            parts.append(f"<h2>{sentence(rng, 4)}</h2>")
        parts.append(f"<p>{' '.join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5)))}</p>")
    return "".join(parts)


MB = 1024 * 1024
LARGE_ATTACHMENTS = 20
SMALL_ATTACHMENT_SHARE = 0.005  # of the pages: each costs ~6 ms of seeding (the service path)
SMALL_TYPES = (("notes-{}.txt", "text/plain"), ("diagram-{}.png", "image/png"), ("spec-{}.pdf", "application/pdf"))


@dataclass(frozen=True)
class SeededAttachment:
    id: int
    container_id: int
    title: str
    size: int

    @property
    def download(self) -> str:
        """The URL clients fetch the bytes from (_links.download), below /wiki."""
        return "/wiki" + download_path(self.container_id, self.title, 1, None, kind="attachments")


@dataclass
class Dataset:
    space_keys: list[str] = field(default_factory=list)
    page_ids: list[int] = field(default_factory=list)
    # A page with many children, for the children scenario.
    wide_parent_id: int = 0
    wide_space_key: str = ""
    # Pages with descendants (for CQL ancestor =) and the label names pages carry (label =).
    ancestor_ids: list[int] = field(default_factory=list)
    label_names: list[str] = field(default_factory=list)
    large_attachments: list[SeededAttachment] = field(default_factory=list)  # 1 MB each
    small_attachments: list[SeededAttachment] = field(default_factory=list)

    @property
    def attachment_ids(self) -> list[int]:
        return [a.id for a in self.large_attachments + self.small_attachments]


def seed(sessions: sessionmaker[Session], *, pages: int, spaces: int, wide_children: int = 1000,
         seed_value: int = 42) -> Dataset:
    rng = random.Random(seed_value)
    data = Dataset()
    with transaction(sessions) as session:
        admin = session.scalar(select(User).order_by(User.id).limit(1))
        assert admin is not None
        principal: Principal = principal_for(session, admin)
        homepages = []
        for i in range(spaces):
            space = create_space(session, principal, SpaceCreate(key=f"BENCH{i}", name=f"Bench space {i}"))
            data.space_keys.append(space.key)
            homepages.append((space.id, space.homepage_id))
        label_ids = []
        for i in range(200):
            label = Label(prefix="global", name=f"topic-{i}")
            session.add(label)
            session.flush()
            label_ids.append(label.id)
            data.label_names.append(label.name)
        next_id = (session.scalar(select(Content.id).order_by(Content.id.desc()).limit(1)) or 0) + 1
        admin_id = admin.id
    data.wide_space_key = data.space_keys[0]
    data.wide_parent_id = homepages[0][1] or 0
    now = clock.now()
    batch = 2000
    with Progress() as progress:
        task = progress.add_task(f"seeding {pages} pages", total=pages)
        # parents[space index] = ids that can take children, with their depth
        ancestors: dict[int, list[int]] = {hp: [hp] for _sid, hp in homepages if hp}
        pool: list[list[int]] = [[hp] for _sid, hp in homepages if hp]
        parents_with_children: set[int] = set()
        created = 0
        while created < pages:
            n = min(batch, pages - created)
            contents, versions, closure, labels = [], [], [], []
            for _ in range(n):
                cid = next_id
                next_id += 1
                if created < wide_children:
                    space_index, parent = 0, data.wide_parent_id
                else:
                    space_index = rng.randrange(spaces)
                    candidates = pool[space_index]
                    parent = rng.choice(candidates[-50:]) if rng.random() < 0.7 else candidates[0]
                space_id = homepages[space_index][0]
                title = f"{sentence(rng, 3)[:-1]} {cid}"
                when = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
                contents.append(dict(id=cid, type="page", status="current", title=title,
                                     title_key=f"page:{title.casefold()}", space_id=space_id, parent_id=parent,
                                     position=created, version=1, creator_id=admin_id, created_at=when))
                versions.append(dict(content_id=cid, number=1, title=title, body=storage_body(rng, rng.randint(2, 6)),
                                     message="", minor_edit=False, author_id=admin_id, created_at=when))
                chain = ancestors[parent] + [cid]
                parents_with_children.add(parent)
                ancestors[cid] = chain
                closure.extend(dict(ancestor_id=a, descendant_id=cid, depth=len(chain) - 1 - i)
                               for i, a in enumerate(chain))
                if len(chain) < 6 and created >= wide_children:
                    pool[space_index].append(cid)
                for label_id in rng.sample(label_ids, rng.randint(0, 3)):
                    labels.append(dict(content_id=cid, label_id=label_id))
                data.page_ids.append(cid)
                created += 1
            with transaction(sessions) as session:
                session.execute(insert(Content), contents)
                session.execute(insert(ContentVersion), versions)
                session.execute(insert(ContentAncestor), closure)
                if labels:
                    session.execute(insert(ContentLabel), labels)
                # Keep derived tables (the search index) current, as the content service would.
                content_changed(session, [c["id"] for c in contents])
            progress.advance(task, n)
    data.ancestor_ids = sorted(parents_with_children)
    with transaction(sessions) as session:
        if session.get_bind().dialect.name == "postgresql":
            # Explicit ids do not advance PostgreSQL's sequence; later inserts (the attachments
            # below, the benchmark's creates) must not collide.
            session.execute(
                text("SELECT setval(pg_get_serial_sequence('content', 'id'), (SELECT max(id) FROM content))")
            )
    seed_attachments(sessions, principal, data, rng)
    settle(sessions)
    return data


def settle(sessions: sessionmaker[Session]) -> None:
    """On PostgreSQL, what autovacuum does to a freshly bulk-loaded table within a minute or so:
    statistics and the visibility map, without which the planner avoids index-only scans. The
    timed runs start right after seeding; a live site has long been vacuumed."""
    engine = sessions.kw["bind"]
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")


def seed_attachments(sessions: sessionmaker[Session], principal: Principal, data: Dataset, rng: random.Random) -> None:
    """LARGE_ATTACHMENTS 1 MB files on as many pages, and one small file (1-16 KB) on a share of the
    pages, through attachments.add_attachments with files written to the app's blob store, which is
    what the upload route does once it has read the multipart body."""
    if not data.page_ids:
        return
    chosen = rng.sample(data.page_ids, min(len(data.page_ids), LARGE_ATTACHMENTS))
    plan = [(page_id, f"bundle-{i}.bin", "application/octet-stream", MB) for i, page_id in enumerate(chosen)]
    for page_id in rng.sample(data.page_ids, int(len(data.page_ids) * SMALL_ATTACHMENT_SHARE)):
        name, media_type = rng.choice(SMALL_TYPES)
        plan.append((page_id, name.format(page_id), media_type, rng.randint(1024, 16 * 1024)))
    batch = 100
    for first in range(0, len(plan), batch):
        with transaction(sessions, write=True) as session:
            store = store_of(session)
            assert store is not None
            for page_id, name, media_type, size in plan[first:first + batch]:
                writer = store.put([file_bytes(rng, media_type, size)])
                upload = Upload(files=[UploadedFile(name, media_type, writer)], fields=[("minorEdit", "true")])
                (row,) = attachments.add_attachments(session, principal, store, page_id, None, upload, replace=False)
                seeded = SeededAttachment(row.id, page_id, name, size)
                (data.large_attachments if size == MB else data.small_attachments).append(seeded)


def file_bytes(rng: random.Random, media_type: str, size: int) -> bytes:
    if media_type == "text/plain":
        text = " ".join(sentence(rng, 12) for _ in range(size // 80 + 1))
        return text.encode()[:size]
    # os.urandom is several times faster than rng.randbytes; the 1 MB files are the bulk of it.
    return os.urandom(size)
