"""User JSON as Confluence Cloud writes it (type "known", accountId, publicName, ...)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from localfluence.access.principal import ANONYMOUS_ACCOUNT_ID
from localfluence.context import Ctx
from localfluence.kit.expand import EMPTY, Expand
from localfluence.models import User

DEFAULT_AVATAR = {"path": "/wiki/aa-avatar/default.png", "width": 48, "height": 48, "isDefault": True}


def load_users(ctx: Ctx, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in ctx.session.scalars(select(User).where(User.id.in_(wanted)))}


def serialize_user(ctx: Ctx, user: User | None, expand: Expand = EMPTY) -> dict[str, Any]:
    if user is None:
        return anonymous_user(ctx)
    # Email is private by default in Cloud: shown to the user and to site admins only.
    show_email = ctx.principal.is_admin or ctx.principal.user_id == user.id
    return {
        "type": "known",
        "accountId": user.account_id,
        "accountType": user.account_type,
        "email": user.email if show_email else "",
        "publicName": user.public_name,
        "profilePicture": DEFAULT_AVATAR,
        "displayName": user.display_name,
        "timeZone": user.time_zone,
        "isExternalCollaborator": False,
        "accountStatus": "active" if user.active else "inactive",
        "_expandable": {k: "" for k in ("operations", "personalSpace") if k not in expand},
        "_links": {"self": ctx.links.api(f"/rest/api/user?accountId={quote(user.account_id)}")},
    }


def anonymous_user(ctx: Ctx) -> dict[str, Any]:
    return {
        "type": "anonymous",
        "accountId": ANONYMOUS_ACCOUNT_ID,
        "accountType": "",
        "publicName": "Anonymous",
        "profilePicture": DEFAULT_AVATAR,
        "displayName": "Anonymous",
        "isExternalCollaborator": False,
        "_expandable": {"operations": ""},
        "_links": {"self": ctx.links.api("/rest/api/user/anonymous")},
    }
