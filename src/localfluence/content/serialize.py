"""Content JSON through batch expanders: a result page costs one query per requested
expansion, never one per row. Other packages register expanders for what they own."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from localfluence.content import repository as repo
from localfluence.content.links import content_links
from localfluence.context import Ctx
from localfluence.kit.clock import friendly, iso
from localfluence.kit.expand import Expand
from localfluence.models import Content, ContentVersion, Space
from localfluence.people.serialize import load_users, serialize_user
from localfluence.spaces import repository as space_repo

Expander = Callable[[Ctx, Sequence[Content], Expand], dict[int, Any]]
CONTENT_EXPANDERS: dict[str, Expander] = {}
# What a content type carries on every rendering, added in one batch per result page after the
# expansions (attachments: extensions, _links.download, metadata.mediaType).
TypeDecorator = Callable[[Ctx, Sequence[Content], list[dict[str, Any]]], None]
TYPE_DECORATORS: dict[str, TypeDecorator] = {}

# The order Confluence lists them in _expandable.
EXPANDABLE = (
    "childTypes",
    "container",
    "metadata",
    "operations",
    "schedulePublishDate",
    "schedulePublishInfo",
    "children",
    "restrictions",
    "history",
    "ancestors",
    "body",
    "version",
    "descendants",
    "space",
)
CHILD_TYPES = ("attachment", "comment", "page")
NESTED_LIMIT = 25
# Default expansions of a single content when ?expand is absent (GET/POST/PUT /content/{id}).
SINGLE_DEFAULT = Expand.parse("space,history,version")


def expander(name: str) -> Callable[[Expander], Expander]:
    def register(fn: Expander) -> Expander:
        CONTENT_EXPANDERS[name] = fn
        return fn

    return register


def spaces_of(ctx: Ctx, ids: Iterable[int]) -> dict[int, Any]:
    """Spaces of content already proven visible, loaded once per request."""
    return ctx.memoized("space", ids, lambda missing: space_repo.spaces_by_id_unchecked(ctx.session, missing))


def versions_of(ctx: Ctx, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """Versions by (content id, number), loaded once per request (body and version both want them)."""
    return ctx.memoized("version", keys, lambda missing: repo.version_rows_of_many(ctx.session, missing))


# Expansions that read each row's current version (and its author).
CURRENT_VERSION_EXPANSIONS = frozenset({"version", "body", "history"})


def reads_current_versions(expand: Expand) -> bool:
    """Whether serializing with `expand` reads the rows' current versions (listings then read them
    along with the rows)."""
    return not CURRENT_VERSION_EXPANSIONS.isdisjoint(expand.names())


def remember_joined(ctx: Ctx, rows: Sequence[Content]) -> None:
    """Put what point reads brought along with their rows (repo.Joined) into the request memo, so
    that spaces_of, versions_of and load_users find it there instead of asking again. What the
    memo already holds stays (rows read earlier in the request win, as with setdefault)."""
    spaces: dict[Any, Any] | None = None
    for row in rows:
        joined = getattr(row, "joined", None)
        if joined is None:
            continue
        if spaces is None:
            memo = ctx.memo
            spaces, versions = memo.setdefault("space", {}), memo.setdefault("version", {})
            users = memo.setdefault("user", {})
        if row.space_id not in spaces:
            spaces[row.space_id] = joined.space
        key = (row.id, row.version)
        if key not in versions:
            versions[key] = joined.version
        author, creator = joined.author, joined.creator
        if author is not None and author.id not in users:
            users[author.id] = author
        if creator is not None and creator.id not in users:
            users[creator.id] = creator


def prefetch_current_versions(ctx: Ctx, rows: Sequence[Content]) -> None:
    """The rows' current versions, their authors and the rows' spaces in one statement instead of
    three, into the request memo that versions_of, load_users and spaces_of read from."""
    remember_joined(ctx, rows)
    versions = ctx.memo.setdefault("version", {})
    wanted = {(r.id, r.version) for r in rows} - versions.keys()
    if not wanted:
        return
    users = ctx.memo.setdefault("user", {})
    spaces = ctx.memo.setdefault("space", {})
    for content_id, number, version, author, space in repo.current_versions_of_many(
        ctx.session, {k[0] for k in wanted}
    ):
        spaces.setdefault(space.id, space)
        if (content_id, number) not in wanted:
            # The content has a newer version than its row says (another transaction published
            # one since the row was read): versions_of reads the row's own version if asked.
            continue
        versions[(content_id, number)] = version
        if author is not None and author.id not in users:
            users[author.id] = author


def serialize_content(ctx: Ctx, content: Content, expand: Expand, *, top: bool = True) -> dict[str, Any]:
    return serialize_contents(ctx, [content], expand, top=top)[0]


def serialize_contents(ctx: Ctx, rows: Sequence[Content], expand: Expand, *, top: bool = False) -> list[dict[str, Any]]:
    if not rows:
        return []
    if reads_current_versions(expand):
        prefetch_current_versions(ctx, rows)
    else:
        remember_joined(ctx, rows)
    spaces = spaces_of(ctx, {r.space_id for r in rows})
    out = [_base(ctx, row, spaces[row.space_id]) for row in rows]
    # The types a page holds: most pages hold one, and per-type providers need not look at the rest.
    types = {row.type for row in rows}
    if not types.isdisjoint(EXTENSION_PROVIDERS):
        _add_extensions(ctx, rows, out, expand.child("extensions"))
    expanded: dict[str, dict[int, Any]] = {}
    for name in expand.names():
        fn = CONTENT_EXPANDERS.get(name)
        if fn is not None:
            # Unknown names are ignored, as Confluence ignores them.
            expanded[name] = fn(ctx, rows, expand.child(name))
    for row, item in zip(rows, out, strict=True):
        for name, values in expanded.items():
            if row.id in values:
                item[name] = values[row.id]
    for content_type in [t for t in TYPE_DECORATORS if t in types]:
        picked = [(row, item) for row, item in zip(rows, out, strict=True) if row.type == content_type]
        TYPE_DECORATORS[content_type](ctx, [row for row, _ in picked], [item for _, item in picked])
    top_links = ctx.links.top() if top else None
    for row, item in zip(rows, out, strict=True):
        expandable = _expandable(row, spaces[row.space_id])
        for name in _EXPANDABLE_NAMES.intersection(item):
            del expandable[name]
        item["_expandable"] = expandable
        if top_links is not None:
            item["_links"].update(top_links)
    return out


def _base(ctx: Ctx, row: Content, space: Space) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(row.id),
        "type": row.type,
        "status": row.status,
        "title": row.title,
        "macroRenderedOutput": {},
        "extensions": {"position": row.position} if row.type == "page" else {},
        "_links": content_links(ctx, row, space.key),
    }
    return item


# Per content type, a batch provider of more `extensions` keys (comment location, ...); it gets
# the ?expand subtree under "extensions" (extensions.inlineProperties, extensions.resolution).
ExtensionProvider = Callable[[Ctx, Sequence[Content], Expand], dict[int, dict[str, Any]]]
EXTENSION_PROVIDERS: dict[str, ExtensionProvider] = {}


def _add_extensions(ctx: Ctx, rows: Sequence[Content], out: list[dict[str, Any]], sub: Expand) -> None:
    for content_type, provide in EXTENSION_PROVIDERS.items():
        typed = [r for r in rows if r.type == content_type]
        if not typed:
            continue
        found = provide(ctx, typed, sub)
        for row, item in zip(rows, out, strict=True):
            if row.id in found:
                item["extensions"].update(found[row.id])


_EXPANDABLE_NAMES = frozenset(EXPANDABLE)


def _expandable(row: Content, space: Space) -> dict[str, str]:
    """Every name of EXPANDABLE, in its order, with its path; the caller drops the expanded ones.
    Built as one literal: this runs for every content of every response."""
    in_space = f"/rest/api/space/{space.key}"
    path = f"/rest/api/content/{row.id}"
    return {
        "childTypes": "",
        "container": in_space
        if row.parent_id is None or row.type in ("page", "blogpost")
        else f"/rest/api/content/{row.parent_id}",
        "metadata": "",
        "operations": "",
        "schedulePublishDate": "",
        "schedulePublishInfo": "",
        "children": path + "/child",
        "restrictions": path + "/restriction/byOperation",
        "history": path + "/history",
        "ancestors": "",
        "body": "",
        "version": "",
        "descendants": path + "/descendant",
        "space": in_space,
    }


def content_array(
    ctx: Ctx, results: list[dict[str, Any]], *, has_more: bool, limit: int, self_path: str, start: int = 0
) -> dict[str, Any]:
    """A nested ContentArray (children.page and the like) around already serialized items."""
    links = {"self": ctx.links.api(self_path)}
    if has_more and limit > 0:
        links["next"] = f"{self_path}?limit={limit}&start={start + limit}"
    return {"results": results, "start": start, "limit": limit, "size": len(results), "_links": links}


# --- expanders ------------------------------------------------------------------------------


@expander("space")
def _space(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    from localfluence.spaces.serialize import serialize_spaces

    spaces = spaces_of(ctx, {r.space_id for r in rows})
    ordered = list(spaces.values())
    by_id = dict(zip((s.id for s in ordered), serialize_spaces(ctx, ordered, sub), strict=True))
    return {r.id: by_id[r.space_id] for r in rows}


@expander("container")
def _container(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    in_space = [r for r in rows if r.type in ("page", "blogpost") or r.parent_id is None]
    out = _space(ctx, in_space, sub) if in_space else {}
    contained = [r for r in rows if r not in in_space]
    if contained:
        # Whoever sees a comment or attachment sees its container (restrictions inherit).
        holder = {r.id: r.parent_id for r in contained}
        # A reply hangs below the comment it answers, but its container is the page (Confluence).
        replies = [r.id for r in contained if r.type == "comment"]
        for reply_id, chain in repo.ancestors_of_many(ctx.session, replies).items():
            above = [a for a in chain if a.type != "comment"]
            if above:
                holder[reply_id] = above[-1].id
        parents = repo.contents_by_id_unchecked(ctx.session, {h for h in holder.values() if h})
        ordered = list(parents.values())
        serialized = dict(zip((p.id for p in ordered), serialize_contents(ctx, ordered, sub), strict=True))
        for r in contained:
            if holder[r.id] in serialized:
                out[r.id] = serialized[holder[r.id]]
    return out


def serialize_version(
    ctx: Ctx,
    version: ContentVersion,
    users: dict[int, Any],
    content: Content | None = None,
    *,
    authors: dict[int | None, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`authors`: serialized users by id, shared by the versions of one result page (a page of 25
    versions usually names one or two people; serializing each of them once is enough)."""
    by = authors.get(version.author_id) if authors is not None else None
    if by is None:
        by = serialize_user(ctx, users.get(version.author_id) if version.author_id is not None else None)
        if authors is not None:
            authors[version.author_id] = by
    content_id, number, created_at = version.content_id, version.number, version.created_at
    content_path = f"/rest/api/content/{content_id}"
    return {
        "by": by,
        "when": iso(created_at),
        "friendlyWhen": friendly(created_at),
        "message": version.message,
        "number": number,
        "minorEdit": version.minor_edit,
        "confRev": f"confluence$content${content_id}.{number}",
        "contentTypeModified": False,
        "_expandable": {"collaborators": "", "content": content_path},
        "_links": {"self": f"{ctx.links.base}{content_path}/version/{number}"},
    }


@expander("version")
def _version(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    versions = versions_of(ctx, [(r.id, r.version) for r in rows])
    users = load_users(ctx, (v.author_id for v in versions.values()))
    authors: dict[int | None, dict[str, Any]] = {}
    return {
        r.id: serialize_version(ctx, versions[(r.id, r.version)], users, authors=authors)
        for r in rows
        if (r.id, r.version) in versions
    }


@expander("history")
def _history(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    keys = [(r.id, r.version) for r in rows]
    if "previousVersion" in sub:
        keys += [(r.id, r.version - 1) for r in rows if r.version > 1]
    if "nextVersion" in sub:
        # Only an older version has a next one; the current version is the last.
        keys += [(r.id, r.version + 1) for r in rows if r.status == "historical"]
    versions = versions_of(ctx, keys)
    contributors = repo.contributors_of_many(ctx.session, [r.id for r in rows]) if "contributors" in sub else {}
    users = load_users(
        ctx,
        [r.creator_id for r in rows]
        + [v.author_id for v in versions.values()]
        + [u for ids in contributors.values() for u in ids],
    )
    out = {}
    for r in rows:
        creator = serialize_user(ctx, users.get(r.creator_id) if r.creator_id else None)
        item: dict[str, Any] = {
            "latest": r.status != "historical",
            "createdBy": creator,
            # Page ownership starts with the creator (Cloud); transferring it is not supported yet.
            "ownedBy": creator,
            "createdDate": iso(r.created_at),
        }
        current = versions.get((r.id, r.version))
        if "lastUpdated" in sub and current is not None:
            item["lastUpdated"] = serialize_version(ctx, current, users)
        if "previousVersion" in sub and (r.id, r.version - 1) in versions:
            item["previousVersion"] = serialize_version(ctx, versions[(r.id, r.version - 1)], users)
        if "nextVersion" in sub and r.status == "historical" and (r.id, r.version + 1) in versions:
            item["nextVersion"] = serialize_version(ctx, versions[(r.id, r.version + 1)], users)
        if "contributors" in sub:
            ids = contributors.get(r.id, [])
            item["contributors"] = {
                "publishers": {
                    "users": [serialize_user(ctx, users.get(u)) for u in ids],
                    "userAccountIds": [users[u].account_id for u in ids if u in users],
                }
            }
        item["_expandable"] = {
            k: "" for k in ("lastUpdated", "previousVersion", "contributors", "nextVersion") if k not in item
        }
        item["_links"] = {"self": ctx.links.api(f"/rest/api/content/{r.id}/history")}
        out[r.id] = item
    return out


BodyConverter = Callable[[Ctx, Content, str], str]
BODY_CONVERTERS: dict[str, BodyConverter] = {"storage": lambda _ctx, _content, storage: storage}
BODY_REPRESENTATIONS = (
    "editor",
    "view",
    "export_view",
    "styled_view",
    "dynamic",
    "storage",
    "editor2",
    "anonymous_export_view",
    "atlas_doc_format",
    "wiki",
    "raw",
)


@expander("body")
def _body(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    versions = versions_of(ctx, [(r.id, r.version) for r in rows])
    out = {}
    for r in rows:
        version = versions.get((r.id, r.version))
        storage = version.body if version else ""
        item: dict[str, Any] = {}
        for name in sub.names():
            convert = BODY_CONVERTERS.get(name)
            if convert is None:
                continue
            item[name] = {
                "value": convert(ctx, r, storage),
                "representation": name,
                "embeddedContent": [],
                "_expandable": {
                    "content": f"/rest/api/content/{r.id}",
                    "embeddedContent": "",
                    "webresource": "",
                    "mediaToken": "",
                },
            }
        item["_expandable"] = {n: "" for n in BODY_REPRESENTATIONS if n not in item}
        out[r.id] = item
    return out


@expander("ancestors")
def _ancestors(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    chains = repo.ancestors_of_many(ctx.session, [r.id for r in rows])
    every = {a.id: a for chain in chains.values() for a in chain}
    ordered = list(every.values())
    serialized = dict(zip((a.id for a in ordered), serialize_contents(ctx, ordered, sub), strict=True))
    return {r.id: [serialized[a.id] for a in chains.get(r.id, [])] for r in rows}


def _child_listing(kind: str) -> Expander:
    def expand_children(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
        out: dict[int, Any] = {}
        per_type: dict[str, dict[int, list[Content]]] = {}
        for child_type in CHILD_TYPES:
            if child_type in sub:
                load = repo.children_of_many if kind == "child" else repo.descendants_of_many
                per_type[child_type] = load(
                    ctx.session, ctx.principal, [r.id for r in rows], type=child_type, limit=NESTED_LIMIT
                )
        # One serialization for the children of every row, so nested expansions stay batched too.
        serialized: dict[str, dict[int, dict[str, Any]]] = {}
        for child_type, found in per_type.items():
            distinct = list({c.id: c for r in rows for c in found.get(r.id, [])[:NESTED_LIMIT]}.values())
            items = serialize_contents(ctx, distinct, sub.child(child_type))
            serialized[child_type] = dict(zip((c.id for c in distinct), items, strict=True))
        for r in rows:
            item: dict[str, Any] = {}
            for child_type, found in per_type.items():
                children = found.get(r.id, [])
                item[child_type] = content_array(
                    ctx,
                    [serialized[child_type][c.id] for c in children[:NESTED_LIMIT]],
                    has_more=len(children) > NESTED_LIMIT,
                    limit=NESTED_LIMIT,
                    self_path=f"/rest/api/content/{r.id}/{kind}/{child_type}",
                )
            item["_expandable"] = {t: f"/rest/api/content/{r.id}/{kind}/{t}" for t in CHILD_TYPES if t not in item}
            item["_links"] = {"self": ctx.links.api(f"/rest/api/content/{r.id}/{kind}")}
            out[r.id] = item
        return out

    return expand_children


CONTENT_EXPANDERS["children"] = _child_listing("child")
CONTENT_EXPANDERS["descendants"] = _child_listing("descendant")


@expander("childTypes")
def _child_types(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    present = repo.child_type_presence(ctx.session, ctx.principal, [r.id for r in rows])
    return {
        r.id: {
            t: {"value": (r.id, t) in present, "_links": {"self": ctx.links.api(f"/rest/api/content/{r.id}/child/{t}")}}
            for t in CHILD_TYPES
        }
        for r in rows
    }


@expander("metadata")
def _metadata(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    from localfluence.labels.serialize import label_array

    labels = None
    if "labels" in sub:
        from localfluence.labels.service import labels_of_many

        labels = labels_of_many(ctx.session, [r.id for r in rows])
    batched = {name: fn(ctx, rows, sub.child(name)) for name, fn in METADATA_BATCH_EXPANDERS.items() if name in sub}
    out = {}
    for r in rows:
        item: dict[str, Any] = {}
        if labels is not None:
            item["labels"] = label_array(ctx, labels.get(r.id, []), f"/rest/api/content/{r.id}/label")
        for name, fn in METADATA_EXPANDERS.items():
            if name in sub:
                item[name] = fn(ctx, r, sub.child(name))
        for name, values in batched.items():
            if r.id in values:
                item[name] = values[r.id]
        item["_expandable"] = {
            k: ""
            for k in ("currentuser", "comments", "simple", "properties", "frontend", "labels", "likes")
            if k not in item
        }
        out[r.id] = item
    return out


# metadata.<name> providers other packages add (properties, currentuser, ...): per row, or (the
# batch form, preferred) for the whole result page at once.
METADATA_EXPANDERS: dict[str, Callable[[Ctx, Content, Expand], Any]] = {}
METADATA_BATCH_EXPANDERS: dict[str, Expander] = {}


@expander("operations")
def _operations(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    from localfluence.access.checks import permission_target

    grants = repo.space_grants_of_many(ctx.session, ctx.principal, {r.space_id for r in rows})
    update_blocked = repo.update_blocked_of_many(ctx.session, ctx.principal, [r.id for r in rows])
    out = {}
    for r in rows:
        target = permission_target(r.type)
        ops = [{"operation": "read", "targetType": r.type}]
        if (r.space_id, "create", target) in grants and r.id not in update_blocked:
            ops.append({"operation": "update", "targetType": r.type})
        if (r.space_id, "delete", target) in grants:
            ops.append({"operation": "delete", "targetType": r.type})
        out[r.id] = ops
    return out
