"""ContentTemplate and BlueprintTemplate JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from localfluence.context import Ctx
from localfluence.labels.serialize import serialize_label
from localfluence.models import ContentTemplate, Label, Space
from localfluence.templates.blueprints import PLUGIN_KEY, Blueprint

EDITOR_VERSION = "v2"


def _body(value: str) -> dict[str, Any]:
    return {"storage": {"value": value, "representation": "storage", "embeddedContent": []}}


def _space(ctx: Ctx, space: Space) -> dict[str, Any]:
    return {
        "id": space.id,
        "key": space.key,
        "name": space.name,
        "type": space.type,
        "status": space.status,
        "_links": {"self": ctx.links.api(f"/rest/api/space/{space.key}"), "webui": f"/spaces/{space.key}"},
    }


def serialize_templates(ctx: Ctx, templates: Sequence[ContentTemplate], *, with_body: bool) -> list[dict[str, Any]]:
    label_ids = {template.id: json.loads(template.labels) for template in templates}
    wanted = {i for ids in label_ids.values() for i in ids}
    by_id = {lb.id: lb for lb in ctx.session.scalars(select(Label).where(Label.id.in_(wanted)))} if wanted else {}
    space_ids = {t.space_id for t in templates if t.space_id is not None}
    spaces = {s.id: s for s in ctx.session.scalars(select(Space).where(Space.id.in_(space_ids)))} if space_ids else {}
    out = []
    for template in templates:
        path = f"/rest/api/template/{template.id}"
        item: dict[str, Any] = {
            "templateId": str(template.id),
            "name": template.name,
            "description": template.description,
            "labels": [serialize_label(by_id[i]) for i in label_ids[template.id] if i in by_id],
            "templateType": template.template_type,
            "editorVersion": EDITOR_VERSION,
        }
        if template.space_id is not None and template.space_id in spaces:
            item["space"] = _space(ctx, spaces[template.space_id])
        if with_body:
            item["body"] = _body(template.body)
        else:
            item["_expandable"] = {"body": path}
        item["_links"] = {**ctx.links.top(), "self": ctx.links.api(path)}
        out.append(item)
    return out


def serialize_blueprint(ctx: Ctx, blueprint: Blueprint, *, with_body: bool, space: Space | None) -> dict[str, Any]:
    path = f"/rest/api/template/{blueprint.template_id}"
    item: dict[str, Any] = {
        "templateId": blueprint.template_id,
        "originalTemplate": {"pluginKey": PLUGIN_KEY, "moduleKey": blueprint.module_key},
        "referencingBlueprint": blueprint.blueprint_id,
        "name": blueprint.name,
        "description": blueprint.description,
        # Blueprint labels are applied to pages made from them; they have no label row of their own.
        "labels": [{"prefix": "global", "name": n, "id": n, "label": n} for n in blueprint.labels],
        "templateType": "page",
        "editorVersion": EDITOR_VERSION,
    }
    if space is not None:
        item["space"] = _space(ctx, space)
    if with_body:
        item["body"] = _body(blueprint.body)
    else:
        item["_expandable"] = {"body": path}
    item["_links"] = {**ctx.links.top(), "self": ctx.links.api(path)}
    return item
