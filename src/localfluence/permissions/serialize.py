"""SpacePermissionV2 (the write API's shape) and the `permissions` expansion on space
(SpacePermission: subjects, operation, anonymousAccess, unlicensedAccess)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localfluence.access import checks, subjects
from localfluence.access.principal import ANONYMOUS_ACCOUNT_ID
from localfluence.context import Ctx
from localfluence.kit.expand import Expand
from localfluence.models import Space, SpacePermission
from localfluence.people.serialize import serialize_user
from localfluence.permissions import space as space_permissions
from localfluence.restrictions.serialize import serialize_group
from localfluence.spaces.serialize import SPACE_EXPANDERS


def serialize_permission_v2(ctx: Ctx, row: SpacePermission, space_key: str) -> dict[str, Any]:
    if row.user_id is not None:
        user = subjects.users_by_id(ctx.session, {row.user_id})[row.user_id]
        subject = {"type": "user", "identifier": user.account_id}
    elif row.group_id is not None:
        subject = {"type": "group", "identifier": row.group_id}
    else:
        subject = {"type": "user", "identifier": ANONYMOUS_ACCOUNT_ID}
    return {
        "id": row.id,
        "subject": subject,
        "operation": {"key": row.operation, "target": row.target_type},
        "_links": {**ctx.links.top(), "self": ctx.links.api(f"/rest/api/space/{space_key}/permission/{row.id}")},
    }


def _permissions_expander(ctx: Ctx, spaces: Sequence[Space], sub: Expand) -> dict[int, Any]:
    """Space administrators (and site admins) see who holds what; other readers get an empty list,
    so the expansion never lists accounts to people who could not manage them anyway."""
    ids = {s.id for s in spaces}
    shown = checks.spaces_with_permission(ctx.session, ctx.principal, ids, "administer", "space")
    rows = space_permissions.list_permissions(ctx.session, shown)
    users = subjects.users_by_id(ctx.session, {r.user_id for r in rows if r.user_id is not None})
    groups = subjects.groups_by_id(ctx.session, {r.group_id for r in rows if r.group_id is not None})
    out: dict[int, list[dict[str, Any]]] = {s.id: [] for s in spaces}
    for row in rows:
        item: dict[str, Any] = {"id": row.id}
        if row.user_id is not None and row.user_id in users:
            item["subjects"] = {
                "user": {"results": [serialize_user(ctx, users[row.user_id])], "size": 1},
                "_expandable": {"group": ""},
            }
        elif row.group_id is not None and row.group_id in groups:
            item["subjects"] = {
                "group": {"results": [serialize_group(ctx, groups[row.group_id])], "size": 1},
                "_expandable": {"user": ""},
            }
        item["operation"] = {"operation": row.operation, "targetType": row.target_type}
        item["anonymousAccess"] = row.subject_type == "anonymous"
        item["unlicensedAccess"] = False
        out[row.space_id].append(item)
    return out


SPACE_EXPANDERS["permissions"] = _permissions_expander
