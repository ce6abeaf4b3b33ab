"""Resolves what a storage document refers to, for one viewer, in a few batched queries.

Every content lookup starts from the visibility rule: a page the viewer may not see resolves
exactly like a missing one, so rendering never reveals its title, body or existence.
Guarded by tests/api/test_contentbody.py::test_links_to_invisible_pages_do_not_leak."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible
from localfluence.content.links import webui
from localfluence.content.service import title_key
from localfluence.models import Content, ContentLabel, ContentVersion, Label, Space, User
from localfluence.spaces.repository import visible_spaces
from localfluence.xhtml.references import (
    MAX_LISTED,
    AttachmentRef,
    FileTarget,
    LabelQuery,
    Needs,
    PageRef,
    Resolved,
    SpaceTarget,
    Target,
    UserTarget,
    collect,
    owner_ref,
)
from localfluence.xhtml.storage import XhtmlError, ac, inner_storage, is_element, iter_macros, parse
from localfluence.xhtml.view import MAX_INCLUDE_DEPTH


def download_path(page_id: int, filename: str, version: int) -> str:
    return f"/download/attachments/{page_id}/{quote(filename)}?version={version}&api=v2"


class Resolver:
    def __init__(self, session: Session, principal: Principal, base: str) -> None:
        self.session = session
        self.principal = principal
        self.base = base
        self._spaces: dict[int, str] = {}

    # --- the entry point --------------------------------------------------------------------

    def resolve(self, needs: Needs, current: Content | None, current_space_key: str | None) -> Resolved:
        resolved = Resolved(base=self.base)
        if current is not None and current_space_key is not None:
            self._spaces[current.space_id] = current_space_key
            resolved.current = self._target(current)
        pending = needs
        seen = Needs()
        for _ in range(MAX_INCLUDE_DEPTH + 1):
            self._resolve_round(pending, resolved, current)
            seen.merge(pending)
            # Included pages and excerpts bring references of their own.
            more = Needs()
            for ref, (target, storage) in resolved.includes.items():
                if ref in pending.includes:
                    self._collect_into(more, storage, target)
            for ref, (target, storage) in resolved.excerpts.items():
                if ref in pending.excerpts and storage:
                    self._collect_into(more, storage, target)
            pending = _minus(more, seen)
            if pending.is_empty():
                break
        return resolved

    def _collect_into(self, needs: Needs, storage: str, target: Target) -> None:
        try:
            root = parse(storage)
        except XhtmlError:
            return
        needs.merge(collect(root, target.space_key, owner_ref(target)))

    def _resolve_round(self, needs: Needs, resolved: Resolved, current: Content | None) -> None:
        page_refs = set(needs.pages) | needs.includes | needs.excerpts
        page_refs |= {a.owner for a in needs.attachments if a.owner is not None}
        page_refs |= {parent for parent, _ in needs.children if parent is not None}
        page_refs |= {owner for owner in needs.attachment_lists if owner is not None}
        pages = self._pages(page_refs)
        resolved.pages.update({ref: self._target(row) for ref, row in pages.items() if ref in needs.pages})
        if needs.users:
            resolved.users.update(self._users(needs.users))
        if needs.spaces:
            resolved.spaces.update(self._space_targets(needs.spaces))
        if needs.content_ids:
            resolved.contents.update(self._contents(needs.content_ids))
        if needs.attachments:
            resolved.attachments.update(self._attachments(needs.attachments, pages, current))
        if needs.includes:
            bodies = self._bodies([pages[r] for r in needs.includes if r in pages])
            for ref in needs.includes:
                if ref in pages:
                    resolved.includes[ref] = (self._target(pages[ref]), bodies.get(pages[ref].id, ""))
        if needs.excerpts:
            bodies = self._bodies([pages[r] for r in needs.excerpts if r in pages])
            for ref in needs.excerpts:
                if ref in pages:
                    resolved.excerpts[ref] = (self._target(pages[ref]), _excerpt_of(bodies.get(pages[ref].id, "")))
        for parent, depth in needs.children:
            parent_row = current if parent is None else pages.get(parent)
            if parent_row is not None:
                resolved.children[(parent, depth)] = self._descendants(parent_row.id, depth)
        for owner in needs.attachment_lists:
            owner_row = current if owner is None else pages.get(owner)
            if owner_row is not None:
                resolved.attachment_lists[owner] = self._attachment_list(owner_row.id)
        for query in needs.label_queries:
            resolved.label_lists[query] = self._labelled(query)
        for key in needs.recently_updated:
            resolved.recently_updated[key] = self._recent(*key)

    # --- lookups ----------------------------------------------------------------------------

    def _visible(self):  # type: ignore[no-untyped-def]
        return select(Content).where(content_is_visible(self.principal), Content.status == "current")

    def _space_ids(self, keys: Iterable[str]) -> dict[str, int]:
        wanted = {k for k in keys if k}
        if not wanted:
            return {}
        rows = self.session.execute(select(Space.key, Space.id).where(Space.key.in_(wanted))).all()
        out = {key: space_id for key, space_id in rows}
        for key, space_id in out.items():
            self._spaces[space_id] = key
        return out

    def _space_key(self, space_id: int) -> str:
        if space_id not in self._spaces:
            key = self.session.scalar(select(Space.key).where(Space.id == space_id))
            self._spaces[space_id] = key or ""
        return self._spaces[space_id]

    def _target(self, row: Content) -> Target:
        key = self._space_key(row.space_id)
        return Target(id=row.id, type=row.type, title=row.title, space_key=key, path=webui(row, key))

    def _pages(self, refs: set[PageRef]) -> dict[PageRef, Content]:
        refs = {r for r in refs if r.space_key}
        if not refs:
            return {}
        space_ids = self._space_ids(r.space_key for r in refs if r.space_key)
        keyed: dict[tuple[int, str], PageRef] = {}
        undated: dict[tuple[int, str], PageRef] = {}
        for ref in refs:
            space_id = space_ids.get(ref.space_key or "")
            if space_id is None:
                continue
            if ref.kind == "blogpost" and not ref.posting_day:
                undated[(space_id, ref.title.casefold())] = ref
                continue
            day = ref.posting_day.replace("/", "-") if ref.posting_day else None
            key = title_key(ref.kind, ref.title, day, None)
            if key is not None:
                keyed[(space_id, key)] = ref
        out: dict[PageRef, Content] = {}
        if keyed:
            query = self._visible().where(
                Content.space_id.in_({s for s, _ in keyed}), Content.title_key.in_({k for _, k in keyed})
            )
            for row in self.session.scalars(query):
                ref = keyed.get((row.space_id, row.title_key or ""))
                if ref is not None:
                    out[ref] = row
        if undated:
            query = self._visible().where(
                Content.type == "blogpost",
                Content.space_id.in_({s for s, _ in undated}),
                func.lower(Content.title).in_({t for _, t in undated}),
            )
            for row in self.session.scalars(query):
                ref = undated.get((row.space_id, row.title.casefold()))
                if ref is not None and ref not in out:
                    out[ref] = row
        return out

    def _users(self, account_ids: set[str]) -> dict[str, UserTarget]:
        rows = self.session.execute(
            select(User.account_id, User.display_name).where(User.account_id.in_(account_ids))
        ).all()
        return {account: UserTarget(account, name) for account, name in rows}

    def _space_targets(self, keys: set[str]) -> dict[str, SpaceTarget]:
        rows = self.session.scalars(visible_spaces(self.principal).where(Space.key.in_(keys)))
        return {space.key: SpaceTarget(space.key, space.name) for space in rows}

    def _contents(self, ids: set[int]) -> dict[int, Target]:
        rows = self.session.scalars(self._visible().where(Content.id.in_(ids)))
        return {row.id: self._target(row) for row in rows}

    def _attachments(
        self, refs: set[AttachmentRef], pages: dict[PageRef, Content], current: Content | None
    ) -> dict[AttachmentRef, FileTarget]:
        owners: dict[AttachmentRef, int] = {}
        for ref in refs:
            owner = current if ref.owner is None else pages.get(ref.owner)
            if owner is not None:
                owners[ref] = owner.id
        if not owners:
            return {}
        names = {ref.filename.casefold() for ref in owners}
        rows = self.session.scalars(
            self._visible().where(
                Content.type == "attachment",
                Content.parent_id.in_(set(owners.values())),
                func.lower(Content.title).in_(names),
            )
        )
        by_key = {(row.parent_id, row.title.casefold()): row for row in rows}
        out = {}
        for ref, owner_id in owners.items():
            row = by_key.get((owner_id, ref.filename.casefold()))
            if row is not None:
                out[ref] = self._file(row)
        return out

    def _file(self, row: Content) -> FileTarget:
        assert row.parent_id is not None
        return FileTarget(
            id=row.id,
            page_id=row.parent_id,
            filename=row.title,
            version=row.version,
            path=download_path(row.parent_id, row.title, row.version),
        )

    def _bodies(self, rows: list[Content]) -> dict[int, str]:
        if not rows:
            return {}
        keys = {(row.id, row.version) for row in rows}
        found = self.session.execute(
            select(ContentVersion.content_id, ContentVersion.number, ContentVersion.body).where(
                ContentVersion.content_id.in_({k[0] for k in keys})
            )
        ).all()
        return {cid: body for cid, number, body in found if (cid, number) in keys}

    def _descendants(self, parent_id: int, depth: int) -> list[tuple[Target, int]]:
        from localfluence.content.repository import list_descendants

        rows = list_descendants(
            self.session, self.principal, parent_id, types=("page",), depth=depth, start=0, limit=MAX_LISTED * 4
        )
        by_parent: dict[int | None, list[Content]] = defaultdict(list)
        for row in rows:
            by_parent[row.parent_id].append(row)
        out: list[tuple[Target, int]] = []

        def walk(node_id: int, level: int) -> None:
            for child in sorted(by_parent.get(node_id, []), key=lambda c: (c.position, c.id)):
                out.append((self._target(child), level))
                walk(child.id, level + 1)

        walk(parent_id, 1)
        return out

    def _attachment_list(self, owner_id: int) -> list[FileTarget]:
        rows = self.session.scalars(
            self._visible()
            .where(Content.type == "attachment", Content.parent_id == owner_id)
            .order_by(Content.title, Content.id)
            .limit(MAX_LISTED * 4)
        )
        return [self._file(row) for row in rows]

    def _labelled(self, query: LabelQuery) -> list[Target]:
        statement = (
            self._visible()
            .where(
                Content.type.in_(("page", "blogpost")),
                Content.id.in_(
                    select(ContentLabel.content_id)
                    .join(Label, Label.id == ContentLabel.label_id)
                    .where(Label.name.in_(query.labels))
                ),
            )
            .order_by(Content.title, Content.id)
            .limit(MAX_LISTED)
        )
        if query.space_keys is not None:
            statement = statement.where(Content.space_id.in_(set(self._space_ids(query.space_keys).values())))
        return [self._target(row) for row in self.session.scalars(statement)]

    def _recent(self, space_keys: tuple[str, ...] | None, limit: int) -> list[Target]:
        statement = (
            self._visible()
            .join(
                ContentVersion,
                (ContentVersion.content_id == Content.id) & (ContentVersion.number == Content.version),
            )
            .where(Content.type.in_(("page", "blogpost")))
            .order_by(ContentVersion.created_at.desc(), Content.id.desc())
            .limit(limit)
        )
        if space_keys is not None:
            statement = statement.where(Content.space_id.in_(set(self._space_ids(space_keys).values())))
        return [self._target(row) for row in self.session.scalars(statement)]


def _excerpt_of(storage: str) -> str | None:
    """The body of a page's first excerpt macro, as storage."""
    try:
        root = parse(storage)
    except XhtmlError:
        return None
    for element in iter_macros(root):
        if (element.get(ac("name")) or "").lower() == "excerpt":
            body = next((c for c in element if is_element(c) and c.tag == ac("rich-text-body")), None)
            return inner_storage(body) if body is not None else None
    return None


def _minus(more: Needs, seen: Needs) -> Needs:
    out = Needs()
    for name in Needs.__dataclass_fields__:
        getattr(out, name).update(getattr(more, name) - getattr(seen, name))
    return out
