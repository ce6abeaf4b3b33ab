"""User JSON as Confluence Cloud writes it (spec schema User): type "known", accountId,
accountType, email (privacy-filtered), publicName, profilePicture, displayName, timeZone,
isExternalCollaborator; expansions operations, personalSpace and details, loaded per batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from sqlalchemy import bindparam, or_, select

from localfluence.access.principal import ANONYMOUS_ACCOUNT_ID
from localfluence.auth.credentials import ADMIN_GROUP
from localfluence.context import Ctx
from localfluence.kit.expand import EMPTY, Expand
from localfluence.models import Group, GroupMember, SitePermission, Space, User

DEFAULT_AVATAR = {"path": "/wiki/aa-avatar/default.png", "width": 48, "height": 48, "isDefault": True}
# Confluence Cloud shows a deleted account as "Former user"; its account id stays.
FORMER_USER_NAME = "Former user"
USER_EXPANDABLE = ("operations", "personalSpace", "details")

UserExpander = Callable[[Ctx, Sequence[User], Expand], dict[int, Any]]
USER_EXPANDERS: dict[str, UserExpander] = {}


def user_expander(name: str) -> Callable[[UserExpander], UserExpander]:
    def register(fn: UserExpander) -> UserExpander:
        USER_EXPANDERS[name] = fn
        return fn

    return register


@lru_cache(maxsize=8192)
def _quoted(account_id: str) -> str:
    return quote(account_id, safe="")


# Read-only rows (same attribute names as User): serializers only read them.
_USER_ROWS = select(*User.__table__.c).where(User.__table__.c.id.in_(bindparam("ids", expanding=True)))


def load_users(ctx: Ctx, ids: Iterable[int | None]) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    # Once per request: the version, history and space expanders often name the same people.
    return ctx.memoized("user", wanted, lambda missing: {u.id: u for u in _user_rows(ctx, list(missing))})


def _user_rows(ctx: Ctx, ids: list[int]) -> Any:
    # On the session's connection: Session.execute adds its own dispatch for a statement that needs
    # none of the ORM. Pending changes are flushed first, as Session.execute would.
    session = ctx.session
    if session.autoflush:
        session.flush()
    return session.connection().execute(_USER_ROWS, {"ids": ids})


def serialize_user(ctx: Ctx, user: User | None, expand: Expand = EMPTY, *, top: bool = False) -> dict[str, Any]:
    if user is None:
        return anonymous_user(ctx, top=top)
    return serialize_users(ctx, [user], expand, top=top)[0]


def serialize_users(
    ctx: Ctx, users: Sequence[User], expand: Expand = EMPTY, *, top: bool = False
) -> list[dict[str, Any]]:
    expanded = {
        name: USER_EXPANDERS[name](ctx, users, expand.child(name)) for name in expand.names() if name in USER_EXPANDERS
    }
    out = []
    for user in users:
        item = _user_fields(ctx, user)
        for name, values in expanded.items():
            if user.id in values:
                item[name] = values[user.id]
        # An expansion that found nothing (no personal space) is neither shown nor expandable.
        item["_expandable"] = {k: "" for k in USER_EXPANDABLE if k not in item and k not in expanded}
        item["_links"] = {"self": ctx.links.api(f"/rest/api/user?accountId={_quoted(user.account_id)}")}
        if top:
            item["_links"].update(ctx.links.top())
        out.append(item)
    return out


def _user_fields(ctx: Ctx, user: User) -> dict[str, Any]:
    if user.deleted_at is not None:
        return {
            "type": "known",
            "accountId": user.account_id,
            "accountType": "atlassian",
            "email": "",
            "publicName": FORMER_USER_NAME,
            "profilePicture": DEFAULT_AVATAR,
            "displayName": FORMER_USER_NAME,
            "timeZone": None,
            "isExternalCollaborator": False,
            "externalCollaborator": False,
        }
    return {
        "type": "known",
        "accountId": user.account_id,
        "accountType": user.account_type,
        "email": user.email if email_visible(ctx, user) else "",
        "publicName": user.public_name,
        "profilePicture": DEFAULT_AVATAR,
        "displayName": user.display_name,
        "timeZone": user.time_zone,
        "isExternalCollaborator": False,
        "externalCollaborator": False,
    }


def email_visible(ctx: Ctx, user: User) -> bool:
    """Cloud's default email visibility is "only you and admins"."""
    return user.deleted_at is None and (ctx.principal.is_admin or ctx.principal.user_id == user.id)


def anonymous_user(ctx: Ctx, expand: Expand = EMPTY, *, top: bool = False) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "anonymous",
        "accountId": ANONYMOUS_ACCOUNT_ID,
        "accountType": "",
        "publicName": "Anonymous",
        "profilePicture": DEFAULT_AVATAR,
        "displayName": "Anonymous",
        "isExternalCollaborator": False,
    }
    if "operations" in expand:
        item["operations"] = [_op("use", "application")] if ctx.principal.anonymous_access else []
    item["_expandable"] = {} if "operations" in item else {"operations": ""}
    item["_links"] = {"self": ctx.links.api("/rest/api/user/anonymous")}
    if top:
        item["_links"].update(ctx.links.top())
    return item


def _op(operation: str, target: str) -> dict[str, str]:
    return {"operation": operation, "targetType": target}


@user_expander("operations")
def _operations(ctx: Ctx, users: Sequence[User], sub: Expand) -> dict[int, Any]:
    """What each user may do site-wide, from their global permissions (direct or via groups).
    The pairs are our reading of OperationCheckResult for the application (verify)."""
    ids = [u.id for u in users]
    memberships: dict[int, set[str]] = {i: set() for i in ids}
    admin_ids: set[int] = set()
    for user_id, group_id, name in ctx.session.execute(
        select(GroupMember.user_id, GroupMember.group_id, Group.name)
        .join(Group, Group.id == GroupMember.group_id)
        .where(GroupMember.user_id.in_(ids))
    ):
        memberships[user_id].add(group_id)
        if name == ADMIN_GROUP:
            admin_ids.add(user_id)
    # The groups as the memberships' subquery, not as values: a page of users can be in more
    # groups than a statement can bind (and the few site permissions are read either way).
    groups = select(GroupMember.group_id).where(GroupMember.user_id.in_(ids))
    grants = ctx.session.execute(
        select(SitePermission.permission, SitePermission.user_id, SitePermission.group_id).where(
            or_(SitePermission.user_id.in_(ids), SitePermission.group_id.in_(groups))
        )
    ).all()
    out: dict[int, Any] = {}
    for user in users:
        if not user.active or user.deleted_at is not None:
            out[user.id] = []
            continue
        held = {p for p, uid, gid in grants if uid == user.id or gid in memberships[user.id]}
        if user.id in admin_ids or "administer" in held:
            held |= {"use", "createspace", "administer"}
        ops = []
        if "use" in held:
            ops.append(_op("use", "application"))
        if "createspace" in held:
            ops.append(_op("create", "space"))
        if "administer" in held:
            ops.append(_op("administer", "application"))
        out[user.id] = ops
    return out


@user_expander("personalSpace")
def _personal_space(ctx: Ctx, users: Sequence[User], sub: Expand) -> dict[int, Any]:
    """The personal space (type personal, key ~accountId) when one exists and the caller may see it."""
    from localfluence.spaces.repository import visible_spaces
    from localfluence.spaces.serialize import serialize_spaces

    keys = {personal_space_key(u.account_id): u.id for u in users}
    spaces = list(
        ctx.session.scalars(visible_spaces(ctx.principal).where(Space.type == "personal", Space.key.in_(keys)))
    )
    serialized = serialize_spaces(ctx, spaces, sub)
    return {keys[s.key]: item for s, item in zip(spaces, serialized, strict=True)}


def personal_space_key(account_id: str) -> str:
    return "~" + account_id


@user_expander("details")
def _details(ctx: Ctx, users: Sequence[User], sub: Expand) -> dict[int, Any]:
    # Every field but the email is gone from Cloud for privacy (spec: UserDetails).
    return {
        u.id: {
            "business": {"position": "", "department": "", "location": ""},
            "personal": {"phone": "", "im": "", "website": "", "email": u.email if email_visible(ctx, u) else ""},
        }
        for u in users
    }
