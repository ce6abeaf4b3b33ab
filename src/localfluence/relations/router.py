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
from localfluence.models import Relation
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
    name = service.relation_name(relationName)
    service.entity_type(sourceType)
    service.entity_type(targetType)
    service.check_favourite(name, sourceType, targetType)
    source = service.resolve(ctx.session, ctx.principal, sourceType, sourceKey, sourceStatus)
    paging = Paging.of(start, limit, default=25, maximum=200)
    rows = service.targets_of(
        ctx.session, ctx.principal, name, source, targetType, start=paging.start, limit=paging.limit
    )
    page = rows[: paging.limit]
    ends: dict[tuple[str, int], Any] = {(source.type, source.id): source.row}
    found = service.entities_by_id(ctx.session, targetType, [r.target_id for r in page])
    ends.update({(targetType, i): row for i, row in found.items()})
    path = f"/rest/api/relation/{name}/from/{sourceType}/{sourceKey}/to/{targetType}"
    return ok(
        _page(ctx, [r for r in page if (r.target_type, r.target_id) in ends], ends, expand, paging, len(rows), path)
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
    name = service.relation_name(relationName)
    service.entity_type(sourceType)
    service.entity_type(targetType)
    service.check_favourite(name, sourceType, targetType)
    target = service.resolve(ctx.session, ctx.principal, targetType, targetKey, targetStatus)
    paging = Paging.of(start, limit, default=25, maximum=200)
    rows = service.sources_of(
        ctx.session, ctx.principal, name, target, sourceType, start=paging.start, limit=paging.limit
    )
    page = rows[: paging.limit]
    ends: dict[tuple[str, int], Any] = {(target.type, target.id): target.row}
    found = service.entities_by_id(ctx.session, sourceType, [r.source_id for r in page])
    ends.update({(sourceType, i): row for i, row in found.items()})
    path = f"/rest/api/relation/{name}/to/{targetType}/{targetKey}/from/{sourceType}"
    return ok(
        _page(ctx, [r for r in page if (r.source_type, r.source_id) in ends], ends, expand, paging, len(rows), path)
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
    name = service.relation_name(relation_name)
    service.entity_type(source_type)
    service.entity_type(target_type)
    service.check_favourite(name, source_type, target_type)
    source = service.resolve(ctx.session, ctx.principal, source_type, source_key, source_status)
    target = service.resolve(ctx.session, ctx.principal, target_type, target_key, target_status)
    return name, source, target


def _page(
    ctx: Ctx,
    relations: list[Relation],
    ends: dict[tuple[str, int], Any],
    expand: Expand,
    paging: Paging,
    fetched: int,
    path: str,
) -> dict[str, Any]:
    return page_envelope(
        serialize_relations(ctx, relations, ends, expand),
        paging,
        has_more=fetched > paging.limit,
        path=path,
        query={"expand": expand.render() or None},
        links=ctx.links.top(),
    )
