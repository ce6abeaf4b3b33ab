"""Relation JSON: name, _links, and relationData/source/target when expanded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from localfluence.content.serialize import serialize_contents
from localfluence.context import Ctx
from localfluence.kit.clock import friendly, iso
from localfluence.kit.expand import Expand
from localfluence.models import Content, Relation, Space, User
from localfluence.people.serialize import load_users, serialize_user
from localfluence.relations.service import Entity


def _entity_json(ctx: Ctx, row: User | Content | Space, sub: Expand) -> dict[str, Any]:
    if isinstance(row, User):
        return serialize_user(ctx, row, sub)
    if isinstance(row, Space):
        from localfluence.spaces.serialize import serialize_space

        return serialize_space(ctx, row, sub)
    return serialize_contents(ctx, [row], sub)[0]


def _key(row: User | Content | Space) -> str:
    if isinstance(row, User):
        return row.account_id
    if isinstance(row, Space):
        return row.key
    return str(row.id)


def serialize_relations(
    ctx: Ctx,
    relations: Sequence[Relation],
    ends: dict[tuple[str, int], User | Content | Space],
    expand: Expand,
) -> list[dict[str, Any]]:
    creators = load_users(ctx, (r.creator_id for r in relations)) if "relationData" in expand else {}
    out = []
    for relation in relations:
        source = ends[(relation.source_type, relation.source_id)]
        target = ends[(relation.target_type, relation.target_id)]
        item: dict[str, Any] = {"name": relation.name}
        if "relationData" in expand:
            creator = creators.get(relation.creator_id) if relation.creator_id else None
            item["relationData"] = {
                "createdBy": serialize_user(ctx, creator),
                "createdDate": iso(relation.created_at),
                "friendlyCreatedDate": friendly(relation.created_at),
            }
        if "source" in expand:
            item["source"] = _entity_json(ctx, source, expand.child("source"))
        if "target" in expand:
            item["target"] = _entity_json(ctx, target, expand.child("target"))
        item["_expandable"] = {k: "" for k in ("relationData", "source", "target") if k not in item}
        path = (
            f"/rest/api/relation/{quote(relation.name)}/from/{relation.source_type}/{quote(_key(source), safe=':~')}"
            f"/to/{relation.target_type}/{quote(_key(target), safe=':~')}"
        )
        item["_links"] = {"self": ctx.links.api(path)}
        out.append(item)
    return out


def single_relation(ctx: Ctx, relation: Relation, source: Entity, target: Entity, expand: Expand) -> dict[str, Any]:
    ends = {(source.type, source.id): source.row, (target.type, target.id): target.row}
    item = serialize_relations(ctx, [relation], ends, expand)[0]
    item["_links"].update(ctx.links.top())
    return item
