"""Resolves what a storage document refers to, for one viewer, in a few batched queries.

Every content lookup starts from the visibility rule: a page the viewer may not see resolves
exactly like a missing one, so rendering never reveals its title, body or existence.
Guarded by tests/api/test_contentbody.py::test_links_to_invisible_pages_do_not_leak."""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from urllib.parse import quote

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible, space_is_readable
from localfluence.content.links import webui
from localfluence.content.service import title_key
from localfluence.contentbody import cache
from localfluence.contentbody.cache import digest
from localfluence.models import Content, ContentAncestor, ContentLabel, ContentVersion, Label, Space, User
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


@lru_cache(maxsize=1024)
def visibility_clause(principal: Principal):  # type: ignore[no-untyped-def]
    """The visibility rule for one principal, built once: building it (aliases, correlated
    EXISTS) costs more than running it, and the clause is immutable, so it is safely shared."""
    return content_is_visible(principal)


COLUMNS = (
    Content.id,
    Content.type,
    Content.title,
    Content.space_id,
    Content.parent_id,
    Content.version,
    Content.posting_day,
    Content.title_key,
    Content.position,
    Space.key.label("space_key"),
)


@lru_cache(maxsize=1024)
def space_clause(principal: Principal):  # type: ignore[no-untyped-def]
    return space_is_readable(principal, Space.id)


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
        # Every render of an including page resolves again (its fingerprint keys the HTML cache), so
        # what an included body refers to is kept as the page's own body's needs are.
        owner = owner_ref(target)
        key = ("included", digest(storage), target.space_key, owner)
        found = cache.needs.get(key)
        if found is None:
            try:
                found = collect(parse(storage), target.space_key, owner)
            except XhtmlError:
                found = Needs()
            cache.needs.put(key, found, len(storage) // 4 + 256)
        needs.merge(found)

    def _resolve_round(self, needs: Needs, resolved: Resolved, current: Content | None) -> None:
        page_refs = set(needs.pages) | needs.includes | needs.excerpts
        page_refs |= {a.owner for a in needs.attachments if a.owner is not None}
        page_refs |= {parent for parent, _ in needs.children if parent is not None}
        page_refs |= {owner for owner in needs.attachment_lists if owner is not None}
        # Files of the rendered content itself come with the pages, in the same query.
        own_files = {a for a in needs.attachments if a.owner is None} if current is not None else set()
        pages, files = self._pages(page_refs, needs.content_ids, own_files, current, resolved)
        resolved.pages.update({ref: self._target(row) for ref, row in pages.items() if ref in needs.pages})
        for ref in own_files:
            row = files.get((current.id, ref.filename.casefold())) if current is not None else None
            if row is not None:
                resolved.attachments[ref] = self._file(row)
        if needs.users:
            resolved.users.update(self._users(needs.users))
        if needs.spaces:
            resolved.spaces.update(self._space_targets(needs.spaces))
        others = {a for a in needs.attachments if a.owner is not None}
        if others:
            resolved.attachments.update(self._attachments(others, pages, current))
        wanted = [pages[r] for r in needs.includes | needs.excerpts if r in pages]
        bodies = self._bodies({row.id for row in wanted}) if wanted else {}
        for ref in needs.includes:
            if ref in pages:
                resolved.includes[ref] = (self._target(pages[ref]), bodies.get(pages[ref].id, ""))
        for ref in needs.excerpts:
            if ref in pages:
                resolved.excerpts[ref] = (self._target(pages[ref]), _excerpt_of(bodies.get(pages[ref].id, "")))
        for parent, depth in needs.children:
            parent_id = self._owner_id(parent, pages, current)
            if parent_id is not None:
                resolved.children[(parent, depth)] = self._descendants(parent_id, depth)
        for owner in needs.attachment_lists:
            owner_id = self._owner_id(owner, pages, current)
            if owner_id is not None:
                resolved.attachment_lists[owner] = self._attachment_list(owner_id)
        for query in needs.label_queries:
            resolved.label_lists[query] = self._labelled(query)
        for key in needs.recently_updated:
            resolved.recently_updated[key] = self._recent(*key)

    @staticmethod
    def _owner_id(ref: PageRef | None, pages: dict[PageRef, Row], current: Content | None) -> int | None:
        if ref is None:
            return current.id if current is not None else None
        row = pages.get(ref)
        return row.id if row is not None else None

    # --- lookups ----------------------------------------------------------------------------

    def _select(self, *where: ColumnElement[bool]) -> Select:  # type: ignore[type-arg]
        """Current content the principal may see, as plain rows (no ORM objects to build)."""
        return (
            select(*COLUMNS)
            .join(Space, Space.id == Content.space_id)
            .where(Content.status == "current", visibility_clause(self.principal), *where)
        )

    def _target(self, row: Row | Content) -> Target:  # type: ignore[type-arg]
        key = getattr(row, "space_key", None) or self._space_key(row.space_id)
        return Target(id=row.id, type=row.type, title=row.title, space_key=key, path=webui(row, key))  # type: ignore[arg-type]

    def _space_key(self, space_id: int) -> str:
        if space_id not in self._spaces:
            key = self.session.scalar(select(Space.key).where(Space.id == space_id))
            self._spaces[space_id] = key or ""
        return self._spaces[space_id]

    def _pages(
        self,
        refs: set[PageRef],
        content_ids: set[int],
        own_files: set[AttachmentRef],
        current: Content | None,
        resolved: Resolved,
    ) -> tuple[dict[PageRef, Row], dict[tuple[int, str], Row]]:  # type: ignore[type-arg]
        """Pages and blog posts by (space, title), content by id and the rendered content's own
        files, in one query: each query costs more to prepare than to run."""
        keyed: dict[tuple[str, str], PageRef] = {}
        undated: dict[tuple[str, str], PageRef] = {}
        for ref in refs:
            if not ref.space_key:
                continue
            if ref.kind == "blogpost" and not ref.posting_day:
                undated[(ref.space_key, ref.title.casefold())] = ref
                continue
            day = ref.posting_day.replace("/", "-") if ref.posting_day else None
            key = title_key(ref.kind, ref.title, day, None)
            if key is not None:
                keyed[(ref.space_key, key)] = ref
        conditions: list[ColumnElement[bool]] = []
        if keyed:
            conditions.append(and_(Space.key.in_({k for k, _ in keyed}), Content.title_key.in_({t for _, t in keyed})))
        if content_ids:
            conditions.append(Content.id.in_(content_ids))
        if own_files and current is not None:
            conditions.append(_files_named(current.id, {ref.filename for ref in own_files}))
        pages: dict[PageRef, Row] = {}  # type: ignore[type-arg]
        files: dict[tuple[int, str], Row] = {}  # type: ignore[type-arg]
        if conditions:
            for row in self.session.execute(self._select(or_(*conditions))):
                if row.type == "attachment":
                    files[(row.parent_id, row.title.casefold())] = row
                ref = keyed.get((row.space_key, row.title_key or ""))
                if ref is not None:
                    pages[ref] = row
                if row.id in content_ids:
                    resolved.contents[row.id] = self._target(row)
        if undated:
            statement = self._select(
                Content.type == "blogpost",
                Space.key.in_({k for k, _ in undated}),
                func.lower(Content.title).in_({t for _, t in undated}),
            )
            for row in self.session.execute(statement):
                ref = undated.get((row.space_key, row.title.casefold()))
                if ref is not None and ref not in pages:
                    pages[ref] = row
        return pages, files

    def _users(self, account_ids: set[str]) -> dict[str, UserTarget]:
        rows = self.session.execute(
            select(User.account_id, User.display_name).where(User.account_id.in_(account_ids))
        ).all()
        return {account: UserTarget(account, name) for account, name in rows}

    def _space_targets(self, keys: set[str]) -> dict[str, SpaceTarget]:
        rows = self.session.execute(
            select(Space.key, Space.name).where(Space.key.in_(keys), space_clause(self.principal))
        )
        return {key: SpaceTarget(key, name) for key, name in rows}

    def _attachments(
        self,
        refs: set[AttachmentRef],
        pages: dict[PageRef, Row],  # type: ignore[type-arg]
        current: Content | None,
    ) -> dict[AttachmentRef, FileTarget]:
        owners: dict[AttachmentRef, int] = {}
        for ref in refs:
            owner_id = self._owner_id(ref.owner, pages, current)
            if owner_id is not None:
                owners[ref] = owner_id
        if not owners:
            return {}
        statement = self._select(
            or_(
                *(
                    _files_named(owner, {r.filename for r, o in owners.items() if o == owner})
                    for owner in set(owners.values())
                )
            )
        )
        by_key = {(row.parent_id, row.title.casefold()): row for row in self.session.execute(statement)}
        out = {}
        for ref, owner_id in owners.items():
            row = by_key.get((owner_id, ref.filename.casefold()))
            if row is not None:
                out[ref] = self._file(row)
        return out

    def _file(self, row: Row) -> FileTarget:  # type: ignore[type-arg]
        return FileTarget(
            id=row.id,
            page_id=row.parent_id,
            filename=row.title,
            version=row.version,
            path=download_path(row.parent_id, row.title, row.version),
        )

    def _bodies(self, ids: set[int]) -> dict[int, str]:
        rows = self.session.execute(
            select(Content.id, ContentVersion.body)
            .join(
                ContentVersion, (ContentVersion.content_id == Content.id) & (ContentVersion.number == Content.version)
            )
            .where(Content.id.in_(ids))
        ).all()
        return dict(rows)  # type: ignore[arg-type]

    def _descendants(self, parent_id: int, depth: int) -> list[tuple[Target, int]]:
        statement = (
            self._select(
                Content.type == "page",
                ContentAncestor.ancestor_id == parent_id,
                ContentAncestor.depth > 0,
                ContentAncestor.depth <= depth,
            )
            .join(ContentAncestor, ContentAncestor.descendant_id == Content.id)
            .order_by(ContentAncestor.depth, Content.position, Content.id)
            .limit(MAX_LISTED * 4)
        )
        by_parent: dict[int | None, list[Row]] = defaultdict(list)  # type: ignore[type-arg]
        for row in self.session.execute(statement):
            by_parent[row.parent_id].append(row)
        out: list[tuple[Target, int]] = []

        def walk(node_id: int, level: int) -> None:
            for child in sorted(by_parent.get(node_id, []), key=lambda c: (c.position, c.id)):
                out.append((self._target(child), level))
                walk(child.id, level + 1)

        walk(parent_id, 1)
        return out

    def _attachment_list(self, owner_id: int) -> list[FileTarget]:
        statement = (
            self._select(Content.type == "attachment", Content.parent_id == owner_id)
            .order_by(Content.title, Content.id)
            .limit(MAX_LISTED * 4)
        )
        return [self._file(row) for row in self.session.execute(statement)]

    def _labelled(self, query: LabelQuery) -> list[Target]:
        labelled = (
            select(ContentLabel.content_id)
            .join(Label, Label.id == ContentLabel.label_id)
            .where(Label.name.in_(query.labels))
        )
        conditions = [Content.type.in_(("page", "blogpost")), Content.id.in_(labelled)]
        if query.space_keys is not None:
            conditions.append(Space.key.in_(query.space_keys))
        statement = self._select(*conditions).order_by(Content.title, Content.id).limit(MAX_LISTED)
        return [self._target(row) for row in self.session.execute(statement)]

    def _recent(self, space_keys: tuple[str, ...] | None, limit: int) -> list[Target]:
        conditions = [Content.type.in_(("page", "blogpost"))]
        if space_keys is not None:
            conditions.append(Space.key.in_(space_keys))
        statement = (
            self._select(*conditions)
            .join(
                ContentVersion,
                (ContentVersion.content_id == Content.id) & (ContentVersion.number == Content.version),
            )
            .order_by(ContentVersion.created_at.desc(), Content.id.desc())
            .limit(limit)
        )
        return [self._target(row) for row in self.session.execute(statement)]


def _files_named(owner_id: int, names: set[str]) -> ColumnElement[bool]:
    # Exact names, or ASCII-insensitive ones (SQLite's lower() folds ASCII only); Python decides.
    return and_(
        Content.type == "attachment",
        Content.parent_id == owner_id,
        or_(Content.title.in_(names), func.lower(Content.title).in_({n.lower() for n in names})),
    )


def _excerpt_of(storage: str) -> str | None:
    """The body of a page's first excerpt macro, as storage (kept by body digest: every render of
    an excerpt-including page asks again)."""
    key = ("excerpt", digest(storage))
    found = cache.needs.get(key)
    if found is None:
        found = (_first_excerpt(storage),)
        cache.needs.put(key, found, len(found[0] or "") + 256)
    return found[0]  # type: ignore[no-any-return]


def _first_excerpt(storage: str) -> str | None:
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
