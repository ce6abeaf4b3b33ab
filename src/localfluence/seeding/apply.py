"""Apply a seed inside one transaction, through the services (so search indexing and every other
content listener see seeded content as they see API writes).

Idempotent: users match by email, groups by name, spaces by key, pages and blog posts by title
within their space. Seeding twice changes nothing; seeding an edited file brings the site to it
(new page versions where a body changed, new attachment versions where a file changed, changed
property values; missing labels, grants and restrictions added). Nothing is deleted."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from localfluence.access.principal import ANONYMOUS_ACCOUNT_ID, Principal
from localfluence.access.subjects import resolve_subject
from localfluence.attachments import repository as attachments_repo
from localfluence.attachments import service as attachments
from localfluence.attachments.files import file_name, media_type
from localfluence.attachments.upload import Upload, UploadedFile
from localfluence.auth.credentials import ADMIN_GROUP, principal_for
from localfluence.auth.secrets import token_digest
from localfluence.blobs.transaction import store_of
from localfluence.changes import content_changed
from localfluence.config import Settings
from localfluence.content import repository as content_repo
from localfluence.content import service as content_service
from localfluence.content.schemas import ContentCreate, ContentUpdate
from localfluence.db.session import transaction
from localfluence.errors import BadRequest, ConfluenceError
from localfluence.groups import repository as groups_repo
from localfluence.groups import service as groups
from localfluence.labels import service as labels
from localfluence.models import (
    ApiToken,
    AttachmentVersion,
    Content,
    ContentProperty,
    Group,
    Space,
    SpacePermission,
    User,
)
from localfluence.people import service as people
from localfluence.permissions import space as space_permissions
from localfluence.permissions.schemas import SpacePermissionIn
from localfluence.properties import service as properties
from localfluence.properties import values as property_values
from localfluence.restrictions import service as restrictions
from localfluence.seeding.loader import Path_, Seed
from localfluence.seeding.schema import (
    AttachmentSeed,
    BlogPostSeed,
    ContentSeed,
    HomepageSeed,
    PageSeed,
    RestrictionsSeed,
    SpaceSeed,
)
from localfluence.spaces import repository as space_repo
from localfluence.spaces import service as space_service
from localfluence.spaces.schemas import SpaceCreate, SpaceUpdate
from localfluence.xhtml.storage import same_as_saved


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_json(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class SeedReport:
    source: str
    kinds: dict[str, Counts] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> None:
        counts = self.kinds.setdefault(kind, Counts())
        setattr(counts, outcome, getattr(counts, outcome) + 1)

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, **{k: v.as_json() for k, v in self.kinds.items()}}


def apply_seed(session: Session, settings: Settings, seed: Seed) -> SeedReport:
    """Apply within the caller's transaction (raising leaves nothing written once it rolls back)."""
    return _Seeder(session, settings, seed).run()


def seed_site(sessions: sessionmaker[Session], settings: Settings, seed: Seed) -> SeedReport:
    """Apply in a transaction of its own: all of the seed, or none of it."""
    with transaction(sessions, write=True) as session:
        return apply_seed(session, settings, seed)


class _Seeder:
    def __init__(self, session: Session, settings: Settings, seed: Seed) -> None:
        self.session = session
        self.settings = settings
        self.seed = seed
        self.report = SeedReport(seed.source)
        self._principals: dict[str, Principal] = {}

    def run(self) -> SeedReport:
        doc = self.seed.document
        for i, user in enumerate(doc.users):
            with self.at(("users", i)):
                self.user(user.email, user.displayName, user.password, user.token)
        groups = {g.name for g in doc.groups} | {name for u in doc.users for name in u.groups}
        for name in sorted(groups):
            self.group(name)
        for i, user in enumerate(doc.users):
            with self.at(("users", i, "groups")):
                for name in user.groups:
                    self.membership(name, user.email)
                if user.admin:
                    self.membership(ADMIN_GROUP, user.email)
        for i, group in enumerate(doc.groups):
            for j, email in enumerate(group.members):
                with self.at(("groups", i, "members", j)):
                    self.membership(group.name, email)
        self._principals.clear()
        for i, space in enumerate(doc.spaces):
            self.space(space, ("spaces", i))
        self.session.flush()
        return self.report

    @contextmanager
    def at(self, path: Path_) -> Iterator[None]:
        """Service errors name the seed line and field they came from."""
        try:
            yield
        except ConfluenceError as exc:
            if getattr(exc, "problems", None):
                raise
            raise self.seed.problem(path, exc.message) from None
        except ValidationError as exc:
            # A value the seed schema lets through but the API's request model refuses (a NUL in a title).
            message = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            raise self.seed.problem(path, message) from None

    # ------------------------------------------------------------------------------ people

    def user(self, email: str, display_name: str | None, password: str | None, token: str | None) -> User:
        found = self.session.scalar(select(User).where(User.email == email.strip().lower()))
        if found is None:
            found = people.create_user(
                self.session, email=email, display_name=display_name or email.split("@")[0], password=password
            )
            self.report.count("users", "created")
        elif display_name and found.display_name != display_name:
            found.display_name = found.public_name = display_name
            self.report.count("users", "updated")
        else:
            self.report.count("users", "unchanged")
        if token:
            owner = self.session.scalar(select(ApiToken.user_id).where(ApiToken.digest == token_digest(token)))
            if owner is None:
                people.create_token(self.session, found, token=token, label="seed")
            elif owner != found.id:
                raise BadRequest("this token already belongs to another user")
        return found

    def group(self, name: str) -> None:
        if groups_repo.find_group_by_name(self.session, groups.normalize_name(name)) is not None:
            self.report.count("groups", "unchanged")
            return
        groups.create_group(self.session, self.principal(None), name)
        self.report.count("groups", "created")

    def membership(self, group_name: str, email: str) -> None:
        user = self.existing_user(email)
        group = self.existing_group(group_name)
        if not groups_repo.is_member(self.session, group.id, user.id):
            groups.add_member(self.session, self.principal(None), account_id=user.account_id, group_id=group.id)

    def existing_group(self, name: str) -> Group:
        group = groups_repo.find_group_by_name(self.session, groups.normalize_name(name))
        if group is None:
            raise BadRequest(f"no group named {name}: add it under groups")
        return group

    def existing_user(self, email: str) -> User:
        user = self.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise BadRequest(f"no user with email {email}: add it under users")
        return user

    def principal(self, email: str | None) -> Principal:
        email = (email or self.settings.admin_email).strip().lower()
        if email not in self._principals:
            self._principals[email] = principal_for(self.session, self.existing_user(email))
        return self._principals[email]

    # ------------------------------------------------------------------------------ spaces

    def space(self, data: SpaceSeed, path: Path_) -> None:
        with self.at(path):
            space = space_repo.find_space_unchecked(self.session, data.key)
            if space is None:
                creator = self.principal(data.creator)
                create = SpaceCreate.model_validate(
                    {"key": data.key, "name": data.name, "description": {"plain": {"value": data.description}}}
                )
                space = space_service.create_space(self.session, creator, create, private=data.private)
                self.report.count("spaces", "created")
            elif space.name != data.name or space.description != data.description:
                update = SpaceUpdate.model_validate(
                    {"name": data.name, "description": {"plain": {"value": data.description}}}
                )
                space_service.update_space(self.session, self.principal(None), space.key, update)
                self.report.count("spaces", "updated")
            else:
                self.report.count("spaces", "unchanged")
        for i, permission in enumerate(data.permissions):
            with self.at((*path, "permissions", i)):
                self.permission(space, permission.user, permission.group, permission.anonymous, permission.operations)
        if data.homepage is not None and space.homepage_id is not None:
            homepage = self.session.get(Content, space.homepage_id)
            assert homepage is not None
            self.homepage(space, homepage, data.homepage, (*path, "homepage"))
        for i, page in enumerate(data.pages):
            self.page(space, None, page, (*path, "pages", i))
        for i, post in enumerate(data.blogposts):
            self.blogpost(space, post, (*path, "blogposts", i))

    def permission(self, space: Space, user: str | None, group: str | None, anonymous: bool, pairs: list[str]) -> None:
        """Through the permission service (which checks the operation/target pairs); read/space
        first, as Confluence grants nothing else without it."""
        if user:
            subject = {"type": "user", "identifier": self.existing_user(user).account_id}
        elif group:
            subject = {"type": "group", "identifier": self.existing_group(group).id}
        else:
            subject = {"type": "user", "identifier": ANONYMOUS_ACCOUNT_ID}
        resolved = resolve_subject(self.session, subject["type"], subject["identifier"])
        wanted = sorted(dict.fromkeys(pairs), key=lambda p: p != "read/space")
        for pair in wanted:
            operation, _, target = pair.partition("/")
            present = self.session.scalar(
                select(SpacePermission.id).where(
                    SpacePermission.space_id == space.id,
                    SpacePermission.operation == operation,
                    SpacePermission.target_type == target,
                    SpacePermission.subject_type == resolved.type,
                    SpacePermission.user_id == resolved.user.id
                    if resolved.user is not None
                    else SpacePermission.user_id.is_(None),
                    SpacePermission.group_id == resolved.group.id
                    if resolved.group is not None
                    else SpacePermission.group_id.is_(None),
                )
            )
            if present is not None:
                self.report.count("permissions", "unchanged")
                continue
            request = SpacePermissionIn.model_validate(
                {"subject": subject, "operation": {"key": operation, "target": target}}
            )
            space_permissions.add_permission(self.session, self.principal(None), space.key, request)
            self.report.count("permissions", "created")

    # ------------------------------------------------------------------------------ content

    def homepage(self, space: Space, homepage: Content, data: HomepageSeed, path: Path_) -> None:
        with self.at(path):
            body = self.body(data.body, data.bodyFile, path)
            admin = self.principal(None)
            self.converge(homepage, data.title or homepage.title, body, None, "homepages", admin)
            self.labels(homepage, data.labels)
            self.properties(homepage, data.properties, admin)
            for i, attachment in enumerate(data.attachments):
                self.attachment(homepage, attachment, (*path, "attachments", i), admin)
        for i, child in enumerate(data.children):
            self.page(space, homepage, child, (*path, "children", i))
        with self.at((*path, "restrictions")):
            self.restrictions(homepage, data.restrictions, self.principal(None))

    def page(self, space: Space, parent: Content | None, data: PageSeed, path: Path_) -> None:
        with self.at(path):
            page = self.content(space, parent, data, "page", path)
        for i, child in enumerate(data.children):
            self.page(space, page, child, (*path, "children", i))
        # Restrictions last, so that they never hide the page from the authors of its children.
        with self.at((*path, "restrictions")):
            self.restrictions(page, data.restrictions, self.principal(data.author))

    def blogpost(self, space: Space, data: BlogPostSeed, path: Path_) -> None:
        with self.at(path):
            post = self.content(space, None, data, "blogpost", path)
            self.restrictions(post, data.restrictions, self.principal(data.author))

    def content(self, space: Space, parent: Content | None, data: ContentSeed, kind: str, path: Path_) -> Content:
        author = self.principal(data.author)
        body = self.body(data.body, data.bodyFile, path)
        existing = self.find(space, kind, data.title)
        if existing is None:
            create: dict[str, Any] = {
                "type": kind,
                "title": data.title,
                "space": {"key": space.key},
                "body": {"storage": {"value": body or "", "representation": "storage"}},
            }
            if parent is not None:
                create["ancestors"] = [{"id": str(parent.id)}]
            content = content_service.create_content(self.session, author, ContentCreate.model_validate(create), None)
            self.report.count(kind + "s", "created")
        else:
            content = existing
            self.converge(content, data.title, body, parent, kind + "s", author)
        self.labels(content, data.labels)
        self.properties(content, data.properties, author)
        for i, attachment in enumerate(data.attachments):
            self.attachment(content, attachment, (*path, "attachments", i), author)
        return content

    def find(self, space: Space, kind: str, title: str) -> Content | None:
        query = select(Content).where(
            Content.space_id == space.id,
            Content.type == kind,
            Content.status.in_(("current", "draft", "archived")),
        )
        if kind == "page":
            query = query.where(Content.title_key == content_service.title_key("page", title, None, None))
        else:
            query = query.where(Content.title == title)
        return self.session.scalar(query.order_by(Content.id).limit(1))

    def converge(
        self, content: Content, title: str, body: str | None, parent: Content | None, kind: str, author: Principal
    ) -> None:
        """Bring existing content to the seed: a new version only where title, body or parent differ."""
        current = content_repo.get_version(self.session, content.id, content.version)
        current_body = current.body if current else ""
        moved = parent is not None and content.parent_id != parent.id
        if title == content.title and (body is None or same_as_saved(body, current_body)) and not moved:
            self.report.count(kind, "unchanged")
            return
        update: dict[str, Any] = {
            "version": {"number": content.version + 1, "message": "seed"},
            "title": title,
            "type": content.type,
            "status": content.status,
        }
        if body is not None:
            update["body"] = {"storage": {"value": body, "representation": "storage"}}
        if moved:
            assert parent is not None
            update["ancestors"] = [{"id": str(parent.id)}]
        content_service.update_content(self.session, author, content.id, ContentUpdate.model_validate(update), None)
        self.report.count(kind, "updated")

    def body(self, inline: str | None, file: str | None, path: Path_) -> str | None:
        if file is None:
            return inline
        if self.seed.base_dir is None:
            raise self.seed.problem(
                (*path, "bodyFile"),
                "bodyFile is read only from seed files given to `localfluence seed`, `serve --seed` or the "
                "pytest plugin; inline the body when posting a seed",
            )
        target = self.seed.base_dir / file
        try:
            return target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise self.seed.problem((*path, "bodyFile"), f"cannot read {target}: {exc}") from None

    def properties(self, content: Content, wanted: dict[str, Any], author: Principal) -> None:
        for key, value in wanted.items():
            existing = self.session.scalar(
                select(ContentProperty).where(ContentProperty.content_id == content.id, ContentProperty.key == key)
            )
            if existing is None:
                properties.create_content_property(self.session, author, content, key, value)
                self.report.count("properties", "created")
            elif property_values.decode_value(existing.value) != value:
                body = {"value": value, "version": {"number": existing.version + 1}}
                properties.update_content_property(self.session, author, content, key, body)
                self.report.count("properties", "updated")
            else:
                self.report.count("properties", "unchanged")

    def attachment(self, content: Content, data: AttachmentSeed, path: Path_, author: Principal) -> None:
        """A new attachment, or a new version when the file's bytes changed; matched by name."""
        if self.seed.base_dir is None:
            raise self.seed.problem(
                (*path, "file"), "attachments are read only from seed files given to the CLI or the pytest plugin"
            )
        source = self.seed.base_dir / data.file
        try:
            payload = source.read_bytes()
        except OSError as exc:
            raise self.seed.problem((*path, "file"), f"cannot read {source}: {exc}") from None
        store = store_of(self.session)
        if store is None:
            raise self.seed.problem((*path, "file"), "this session has no blob store to keep attachments in")
        name = file_name(data.name or Path(data.file).name)
        existing = attachments_repo.find_by_name(self.session, author, content, name)
        if existing is not None:
            current = self.session.scalar(
                select(AttachmentVersion.blob_sha256).where(
                    AttachmentVersion.content_id == existing.id, AttachmentVersion.number == existing.version
                )
            )
            if current == hashlib.sha256(payload).hexdigest():
                self.report.count("attachments", "unchanged")
                return
        writer = store.put([payload])
        store.stage(writer)
        upload = Upload(
            files=[UploadedFile(name=name, media_type=media_type(data.mediaType, name), writer=writer)],
            fields=[("comment", data.comment)] if data.comment else [],
        )
        attachments.add_attachments(self.session, author, store, content.id, None, upload, replace=existing is not None)
        self.report.count("attachments", "updated" if existing is not None else "created")

    def labels(self, content: Content, names: list[str]) -> None:
        pairs: list[tuple[str, str]] = []
        for name in names:
            prefix, sep, rest = name.partition(":")
            if sep and prefix in labels.PREFIXES:
                pairs.extend(labels.normalise(prefix, rest))
            else:
                pairs.extend(labels.normalise("global", name))
        if pairs:
            labels.add_labels(self.session, content.id, pairs)
            # The search index holds labels as text (CQL text ~), as the label API keeps it.
            content_changed(self.session, [content.id])

    def restrictions(self, content: Content, data: RestrictionsSeed | None, author: Principal) -> None:
        """Added through the restriction service, as `author`; as in Confluence, whoever sets a
        restriction stays in it."""
        if data is None:
            return
        for operation, subjects in (("read", data.read), ("update", data.update)):
            if subjects is None:
                continue
            for email in subjects.users:
                restrictions.add_user(self.session, author, content, operation, self.existing_user(email))
            for name in subjects.groups:
                restrictions.add_group(self.session, author, content, operation, self.existing_group(name))
        self.session.flush()
