"""Relation routes (tag "Relation")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.context import Ctx
from localfluence.errors import NotFound
from localfluence.kit.expand import Expand
from localfluence.kit.paging import Paging, page_envelope
from localfluence.relations import service
from localfluence.relations.serialize import serialize_relations, single_relation

router = APIRouter(tags=["Relation"])

Status = Annotated[str | None, Query()]
Version = Annotated[int | None, Query()]
Start = Annotated[int | None, Query()]
Limit = Annotated[int | None, Query()]
PAIR = "/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}/{targetKey}"


@router.get(PAIR, operation_id="getRelationship")
async def get_relationship(
    relationName: str,
    sourceType: str,
    sourceKey: str,
    targetType: str,
    targetKey: str,
    ctx: Context,
    expand: ExpandParam,
    sourceStatus: Status = None,
    targetStatus: Status = None,
    sourceVersion: Version = None,
    targetVersion: Version = None,
) -> Response:
    name, source, target = _pair(
        ctx, relationName, sourceType, sourceKey, targetType, targetKey, sourceStatus, targetStatus
    )
    relation = service.find(ctx.session, name, source, target)
    if relation is None:
        raise NotFound(f"No '{name}' relation from {sourceType} {sourceKey} to {targetType} {targetKey}")
    return ok(single_relation(ctx, relation, source, target, expand))


@router.put(PAIR, operation_id="createRelationship")
async def create_relationship(
    relationName: str,
    sourceType: str,
    sourceKey: str,
    targetType: str,
    targetKey: str,
    ctx: Context,
    sourceStatus: Status = None,
    targetStatus: Status = None,
    sourceVersion: Version = None,
    targetVersion: Version = None,
) -> Response:
    name, source, target = _pair(
        ctx, relationName, sourceType, sourceKey, targetType, targetKey, sourceStatus, targetStatus
    )
    relation = service.create(ctx.session, ctx.principal, name, source, target)
    return ok(single_relation(ctx, relation, source, target, Expand()))


@router.delete(PAIR, operation_id="deleteRelationship", status_code=204)
async def delete_relationship(
    relationName: str,
    sourceType: str,
    sourceKey: str,
    targetType: str,
    targetKey: str,
    ctx: Context,
    sourceStatus: Status = None,
    targetStatus: Status = None,
    sourceVersion: Version = None,
    targetVersion: Version = None,
) -> Response:
    name, source, target = _pair(
        ctx, relationName, sourceType, sourceKey, targetType, targetKey, sourceStatus, targetStatus
    )
    service.remove(ctx.session, ctx.principal, name, source, target)
    return Response(status_code=204)


@router.get(
    "/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}", operation_id="findTargetFromSource"
)
async def find_target_from_source(
    relationName: str,
    sourceType: str,
    sourceKey: str,
    targetType: str,
    ctx: Context,
    expand: ExpandParam,
    sourceStatus: Status = None,
    targetStatus: Status = None,
    sourceVersion: Version = None,
    targetVersion: Version = None,
    start: Start = None,
    limit: Limit = None,
) -> Response:
    name = service.validate(relationName, sourceType, targetType)
    source = service.resolve(ctx.session, ctx.principal, sourceType, sourceKey, sourceStatus)
    path = f"/rest/api/relation/{name}/from/{sourceType}/{sourceKey}/to/{targetType}"
    return ok(
        _listing(ctx, name, source, targetType, outgoing=True, expand=expand, start=start, limit=limit, path=path)
    )


@router.get(
    "/relation/{relationName}/to/{targetType}/{targetKey}/from/{sourceType}", operation_id="findSourcesForTarget"
)
async def find_sources_for_target(
    relationName: str,
    targetType: str,
    targetKey: str,
    sourceType: str,
    ctx: Context,
    expand: ExpandParam,
    sourceStatus: Status = None,
    targetStatus: Status = None,
    sourceVersion: Version = None,
    targetVersion: Version = None,
    start: Start = None,
    limit: Limit = None,
) -> Response:
    name = service.validate(relationName, sourceType, targetType)
    target = service.resolve(ctx.session, ctx.principal, targetType, targetKey, targetStatus)
    path = f"/rest/api/relation/{name}/to/{targetType}/{targetKey}/from/{sourceType}"
    return ok(
        _listing(ctx, name, target, sourceType, outgoing=False, expand=expand, start=start, limit=limit, path=path)
    )


def _pair(
    ctx: Ctx,
    relation_name: str,
    source_type: str,
    source_key: str,
    target_type: str,
    target_key: str,
    source_status: str | None,
    target_status: str | None,
) -> tuple[str, service.Entity, service.Entity]:
    name = service.validate(relation_name, source_type, target_type)
    source = service.resolve(ctx.session, ctx.principal, source_type, source_key, source_status)
    target = service.resolve(ctx.session, ctx.principal, target_type, target_key, target_status)
    return name, source, target


def _listing(
    ctx: Ctx,
    name: str,
    anchor: service.Entity,
    other_type: str,
    *,
    outgoing: bool,
    expand: Expand,
    start: int | None,
    limit: int | None,
    path: str,
) -> dict[str, Any]:
    """One page of an entity's relations in one direction, each with both ends for serialization."""
    paging = Paging.of(start, limit, default=25, maximum=200)
    rows = service.related(
        ctx.session, ctx.principal, name, anchor, other_type, outgoing=outgoing, start=paging.start, limit=paging.limit
    )
    page = rows[: paging.limit]
    far = [(r.target_type, r.target_id) if outgoing else (r.source_type, r.source_id) for r in page]
    ends: dict[tuple[str, int], Any] = {(anchor.type, anchor.id): anchor.row}
    found = service.entities_by_id(ctx.session, other_type, [i for _, i in far])
    ends.update({(other_type, i): row for i, row in found.items()})
    shown = [r for r, end in zip(page, far, strict=True) if end in ends]
    return page_envelope(
        serialize_relations(ctx, shown, ends, expand),
        paging,
        has_more=len(rows) > paging.limit,
        path=path,
        query={"expand": expand.render() or None},
        links=ctx.links.top(),
    )
