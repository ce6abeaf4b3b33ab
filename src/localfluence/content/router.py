"""Content routes (tags "Content", "Content - children and descendants", "Content versions")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.changes import content_read
from localfluence.content import queries, service
from localfluence.content import repository as repo
from localfluence.content.schemas import (
    ArchivePages,
    ContentCreate,
    ContentUpdate,
    CopyPage,
    CopyPageHierarchy,
    VersionRestore,
)
from localfluence.content.serialize import (
    SINGLE_DEFAULT,
    reads_current_versions,
    remember_joined,
    serialize_content,
    serialize_contents,
    serialize_version,
)
from localfluence.errors import BadRequest
from localfluence.kit.expand import Expand
from localfluence.kit.paging import Paging, page_envelope
from localfluence.models import Content
from localfluence.people.serialize import load_users
from localfluence.tasks import service as tasks
from localfluence.tasks.serialize import task_reference

router = APIRouter(tags=["Content"])

Start = Annotated[int | None, Query()]
Limit = Annotated[int | None, Query()]
# Version numbers are int32 in the spec; bounding them keeps odd input a 400 on every database.
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
VersionQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
# What Confluence returns after a write: the single-content defaults plus body and position.
WRITE_DEFAULT = Expand.parse("space,history,version,ancestors,container,body.storage")
# Which child types each content type has (spec: getContentChildren); anything else is a 400.
HISTORY_DEFAULT = Expand.parse("history.lastUpdated")
CHILD_TYPES = {
    "page": ("page", "comment", "attachment"),
    "blogpost": ("comment", "attachment"),
    "comment": ("comment", "attachment"),
    "attachment": ("comment",),
}
DESCENDANT_TYPES = ("page", "comment", "attachment")
MAX_DESCENDANT_DEPTH = 100
TRIGGERS = (None, "viewed")
# The form action's words for positions, and the REST ones it also takes.
FORM_POSITIONS = {
    "above": "before",
    "below": "after",
    "append": "append",
    "before": "before",
    "after": "after",
    "topLevel": "topLevel",
}
EMBEDDED_CONTENT_RENDERS = (None, "current", "version-at-save")


def _id(value: str) -> int:
    return service.parse_content_id(value)


@router.get("/content", operation_id="getContent")
async def get_content(
    ctx: Context,
    expand: ExpandParam,
    type: Annotated[str, Query()] = "page",
    spaceKey: Annotated[str | None, Query()] = None,
    title: Annotated[str | None, Query()] = None,
    status: Annotated[list[str] | None, Query()] = None,
    postingDay: Annotated[str | None, Query()] = None,
    orderby: Annotated[str | None, Query()] = None,
    trigger: Annotated[str | None, Query()] = None,
    label: Annotated[list[str] | None, Query()] = None,
    start: Start = None,
    limit: Limit = None,
) -> Response:
    _check_choice("trigger", trigger, TRIGGERS)
    paging = Paging.of(start, limit, default=25, maximum=200)
    rows = queries.list_content(
        ctx.session,
        ctx.principal,
        type=type,
        space_key=spaceKey,
        title=title,
        statuses=status,
        posting_day=postingDay,
        orderby=orderby,
        labels=label,
        start=paging.start,
        limit=paging.limit,
        current=reads_current_versions(expand),
    )
    results = serialize_contents(ctx, rows[: paging.limit], expand)
    query = {
        "label": label,
        "type": type,
        "spaceKey": spaceKey,
        "title": title,
        "status": status,
        "postingDay": postingDay,
        "orderby": orderby,
        "expand": expand.render() or None,
    }
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path="/rest/api/content",
            query=query,
            links=ctx.links.top(),
        )
    )


@router.post("/content", operation_id="createContent")
async def create_content(
    ctx: Context, body: ContentCreate, expand: ExpandParam, status: Annotated[str | None, Query()] = None
) -> Response:
    content = service.create_content(ctx.session, ctx.principal, body, status)
    return ok(serialize_content(ctx, content, expand or WRITE_DEFAULT))


@router.get("/content/{id}", operation_id="getContentById")
async def get_content_by_id(
    id: str,
    ctx: Context,
    expand: ExpandParam,
    status: Annotated[list[str] | None, Query()] = None,
    version: VersionQuery = None,
    embeddedContentRender: Annotated[str | None, Query()] = None,
    trigger: Annotated[str | None, Query()] = None,
) -> Response:
    _check_choice("trigger", trigger, TRIGGERS)
    _check_choice("embeddedContentRender", embeddedContentRender, EMBEDDED_CONTENT_RENDERS)
    content = queries.get_content(ctx.session, ctx.principal, _id(id), statuses=status, version=version)
    content_read(ctx.session, ctx.principal, content, expand, trigger)
    return ok(serialize_content(ctx, content, expand or SINGLE_DEFAULT))


@router.put("/content/{id}", operation_id="updateContent")
async def update_content(
    id: str,
    ctx: Context,
    body: ContentUpdate,
    status: Annotated[str | None, Query()] = None,
    conflictPolicy: Annotated[str | None, Query()] = None,
) -> Response:
    if conflictPolicy not in (None, "abort"):
        raise BadRequest(f"Invalid conflictPolicy: {conflictPolicy}")
    content = service.update_content(ctx.session, ctx.principal, _id(id), body, status)
    return ok(serialize_content(ctx, content, WRITE_DEFAULT))


@router.delete("/content/{id}", operation_id="deleteContent", status_code=204)
async def delete_content(id: str, ctx: Context, status: Annotated[str | None, Query()] = None) -> Response:
    service.delete_content(ctx.session, ctx.principal, _id(id), status)
    return _no_content()


@router.get("/content/{id}/history", operation_id="getHistoryForContent")
async def get_history_for_content(id: str, ctx: Context, expand: ExpandParam) -> Response:
    content = repo.get_content_row(ctx.session, ctx.principal, _id(id), queries.ANY_STATUS)
    # lastUpdated comes without asking: clients read history.lastUpdated.number to compute the next
    # version (atlassian-python-api's update_page does).
    history = serialize_content(ctx, content, HISTORY_DEFAULT.merged(_prefixed("history", expand)))
    out = history["history"]
    out["_links"].update(ctx.links.top())
    return ok(out)


@router.get("/content/{id}/version", operation_id="getContentVersions")
async def get_content_versions(
    id: str, ctx: Context, expand: ExpandParam, start: Start = None, limit: Limit = None
) -> Response:
    content = repo.get_content_row(ctx.session, ctx.principal, _id(id), queries.ANY_STATUS)
    paging = Paging.of(start, limit, default=200, maximum=200)
    rows = repo.list_versions(ctx.session, content.id, start=paging.start, limit=paging.limit)
    users = load_users(ctx, (v.author_id for v in rows))
    results = [serialize_version(ctx, v, users) for v in rows[: paging.limit]]
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path=f"/rest/api/content/{content.id}/version",
            query={},
            links=ctx.links.top(),
        )
    )


@router.post("/content/{id}/version", operation_id="restoreContentVersion")
async def restore_content_version(id: str, ctx: Context, body: VersionRestore, expand: ExpandParam) -> Response:
    if body.operationKey.lower() != "restore":
        raise BadRequest(f"Unknown operation: {body.operationKey}; only 'restore' is supported")
    version = service.restore_version(
        ctx.session, ctx.principal, _id(id), body.params.versionNumber, body.params.message, body.params.restoreTitle
    )
    users = load_users(ctx, [version.author_id])
    return ok({**serialize_version(ctx, version, users)})


@router.get("/content/{id}/version/{versionNumber}", operation_id="getContentVersion")
async def get_content_version(id: str, versionNumber: VersionNumber, ctx: Context, expand: ExpandParam) -> Response:
    content = repo.get_content_row(ctx.session, ctx.principal, _id(id), queries.ANY_STATUS)
    version = repo.get_version(ctx.session, content.id, versionNumber)
    if version is None:
        raise repo.not_found(f"{id} version {versionNumber}")
    users = load_users(ctx, [version.author_id])
    item = serialize_version(ctx, version, users)
    if "content" in expand:
        at = queries.content_at_version(content, version)
        item["content"] = serialize_content(ctx, at, expand.child("content"), top=False)
        item["_expandable"].pop("content", None)
    return ok(item)


@router.delete("/content/{id}/version/{versionNumber}", operation_id="deleteContentVersion", status_code=204)
async def delete_content_version(id: str, versionNumber: VersionNumber, ctx: Context) -> Response:
    service.delete_version(ctx.session, ctx.principal, _id(id), versionNumber)
    return _no_content()


# --- children and descendants ----------------------------------------------------------------

children_router = APIRouter(tags=["Content - children and descendants"])


@children_router.get("/content/{id}/child", operation_id="getContentChildren")
async def get_content_children(
    id: str, ctx: Context, expand: ExpandParam, parentVersion: Annotated[int | None, Query()] = None
) -> Response:
    content = repo.get_content_row(ctx.session, ctx.principal, _id(id), queries.ANY_STATUS)
    wanted = expand if expand else Expand()
    rendered = serialize_content(ctx, content, Expand.parse("children").merged(_prefixed("children", wanted)))
    out = rendered["children"]
    out["_links"].update(ctx.links.top())
    return ok(out)


@children_router.get("/content/{id}/child/{type}", operation_id="getContentChildrenByType")
async def get_content_children_by_type(
    id: str,
    type: str,
    ctx: Context,
    expand: ExpandParam,
    parentVersion: Annotated[int | None, Query()] = None,
    start: Start = None,
    limit: Limit = None,
) -> Response:
    content = repo.get_content_row(ctx.session, ctx.principal, _id(id), queries.ANY_STATUS)
    _check_child_type(content, type, CHILD_TYPES.get(content.type, ()))
    # Children usually live in their parent's space, which the parent's read brought along.
    remember_joined(ctx, [content])
    paging = Paging.of(start, limit, default=25, maximum=200)
    rows = repo.list_children(
        ctx.session,
        ctx.principal,
        content.id,
        types=(type,),
        start=paging.start,
        limit=paging.limit,
        current=reads_current_versions(expand),
    )
    results = serialize_contents(ctx, rows[: paging.limit], expand)
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path=f"/rest/api/content/{content.id}/child/{type}",
            query={"expand": expand.render() or None},
            links=ctx.links.top(),
        )
    )


@children_router.get("/content/{id}/descendant", operation_id="getContentDescendants")
async def get_content_descendants(id: str, ctx: Context, expand: ExpandParam) -> Response:
    content = repo.get_content_row(ctx.session, ctx.principal, _id(id), queries.ANY_STATUS)
    rendered = serialize_content(ctx, content, Expand.parse("descendants").merged(_prefixed("descendants", expand)))
    out = rendered["descendants"]
    out["_links"].update(ctx.links.top())
    return ok(out)


@children_router.get("/content/{id}/descendant/{type}", operation_id="getDescendantsOfType")
async def get_descendants_of_type(
    id: str,
    type: str,
    ctx: Context,
    expand: ExpandParam,
    depth: Annotated[str, Query()] = "all",
    start: Start = None,
    limit: Limit = None,
) -> Response:
    max_depth = _descendant_depth(depth)
    content = repo.get_content_row(ctx.session, ctx.principal, _id(id), queries.ANY_STATUS)
    allowed = tuple(t for t in CHILD_TYPES.get(content.type, ()) if t in DESCENDANT_TYPES)
    _check_child_type(content, type, allowed)
    paging = Paging.of(start, limit, default=25, maximum=200)
    rows = repo.list_descendants(
        ctx.session, ctx.principal, content.id, types=(type,), depth=max_depth, start=paging.start, limit=paging.limit
    )
    results = serialize_contents(ctx, rows[: paging.limit], expand)
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path=f"/rest/api/content/{content.id}/descendant/{type}",
            query={"depth": depth if depth != "all" else None, "expand": expand.render() or None},
            links=ctx.links.top(),
        )
    )


@children_router.put("/content/{pageId}/move/{position}/{targetId}", operation_id="movePage")
async def move_page(pageId: str, position: str, targetId: str, ctx: Context) -> Response:
    page = service.move_page(ctx.session, ctx.principal, _id(pageId), position, _id(targetId))
    return ok({"pageId": str(page.id)})


@children_router.post("/content/{id}/copy", operation_id="copyPage")
async def copy_page(id: str, ctx: Context, body: CopyPage, expand: ExpandParam) -> Response:
    from localfluence.content import copying

    copy = copying.copy_page(ctx.session, ctx.principal, _id(id), body)
    # Spec (copyPage): space, history and version are expanded by default.
    return ok(serialize_content(ctx, copy, expand or SINGLE_DEFAULT))


@children_router.post("/content/{id}/pagehierarchy/copy", operation_id="copyPageHierarchy", status_code=202)
async def copy_page_hierarchy(id: str, ctx: Context, body: CopyPageHierarchy) -> Response:
    params = {"id": _id(id), "body": body.model_dump(mode="json")}
    task = tasks.submit(ctx.session, ctx.principal, "pages.copy.hierarchy", params)
    return ok(task_reference(ctx, task), status=202)


@children_router.delete("/content/{id}/pageTree", operation_id="deletePageTree", status_code=202)
async def delete_page_tree(id: str, ctx: Context) -> Response:
    task = tasks.submit(ctx.session, ctx.principal, "pages.delete.tree", {"id": _id(id)})
    return ok(task_reference(ctx, task), status=202)


@router.post("/content/archive", operation_id="archivePages", status_code=202)
async def archive_pages(ctx: Context, body: ArchivePages) -> Response:
    task = tasks.submit(ctx.session, ctx.principal, "pages.archive", {"ids": [_id(p.id) for p in body.pages]})
    return ok(task_reference(ctx, task), status=202)


# --- the form action several clients use to move pages ---------------------------------------

form_router = APIRouter(tags=["Content - children and descendants"])


async def _movepage_fields(request: Request) -> dict[str, str]:
    """Confluence's page-tree form action. Clients send its fields as a form or, like
    atlassian-python-api, in the query string of an empty POST; both are read. A dependency
    solved before the Context: the form is read before the write transaction begins."""
    fields = {k: v for k, v in request.query_params.items()}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        fields.update({k: v for k, v in form.items() if isinstance(v, str)})
    return fields


@form_router.post("/pages/movepage.action", include_in_schema=False)
async def movepage_action(fields: Annotated[dict[str, str], Depends(_movepage_fields)], ctx: Context) -> Response:
    if not fields.get("pageId"):
        raise BadRequest("pageId is required")
    page_id = _id(fields["pageId"])
    position = fields.get("position") or "append"
    if position not in FORM_POSITIONS:
        raise BadRequest(f"Invalid position: {position}; use above, below, append or topLevel")
    if position == "topLevel":
        page = service.move_page_to_top_level(ctx.session, ctx.principal, page_id, fields.get("spaceKey"))
    else:
        if fields.get("targetId"):
            target_id = _id(fields["targetId"])
        elif fields.get("targetTitle"):
            target_id = queries.find_page_id_by_title(
                ctx.session, ctx.principal, fields.get("spaceKey"), fields["targetTitle"]
            )
        else:
            raise BadRequest("targetId or targetTitle is required")
        page = service.move_page(ctx.session, ctx.principal, page_id, FORM_POSITIONS[position], target_id)
    return ok({"page": {"id": str(page.id)}, "status": "success"})


def _check_child_type(content: Content, type: str, allowed: tuple[str, ...]) -> None:
    # Spec (getContentChildrenByType): "Cannot find page children of a blogpost" is a 400.
    if type not in allowed:
        raise BadRequest(f"Cannot find {type} children of a {content.type}")


def _descendant_depth(depth: str) -> int | None:
    """depth=all (every level), root (the direct children) or a level from 1 to 100."""
    if depth == "all":
        return None
    if depth == "root":
        return 1
    if depth.isascii() and depth.isdigit() and len(depth) <= 3 and 1 <= int(depth) <= MAX_DESCENDANT_DEPTH:
        return int(depth)
    raise BadRequest(f"Invalid depth: {depth}; use all, root or a number from 1 to {MAX_DESCENDANT_DEPTH}")


def _check_choice(name: str, value: str | None, allowed: tuple[str | None, ...]) -> None:
    if value not in allowed:
        raise BadRequest(f"Invalid {name}: {value}")


def _prefixed(name: str, expand: Expand) -> Expand:
    """The caller's ?expand applies below `name` (children.page.version for ?expand=page.version)."""
    return Expand({name: expand}) if expand else Expand()


def _no_content() -> Response:
    return Response(status_code=204)
