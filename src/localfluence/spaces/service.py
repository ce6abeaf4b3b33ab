"""Space rules: keys, default permissions, the homepage created with the space, deletion."""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from localfluence import events
from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.auth.credentials import USERS_GROUP
from localfluence.changes import content_changed
from localfluence.content import tree
from localfluence.errors import BadRequest
from localfluence.kit.clock import clock
from localfluence.kit.ids import stored_id
from localfluence.models import Content, ContentVersion, Group, Space, SpacePermission
from localfluence.spaces import repository as repo
from localfluence.spaces.schemas import SpaceCreate, SpaceUpdate

KEY_PATTERN = re.compile(r"^[A-Za-z0-9]{1,255}$")
# Everything a space administrator holds, granted to the creator of a new space.
ALL_PERMISSIONS = (
    ("read", "space"),
    ("administer", "space"),
    ("export", "space"),
    ("restrict_content", "space"),
    ("create", "page"),
    ("delete", "page"),
    ("archive", "page"),
    ("create", "blogpost"),
    ("delete", "blogpost"),
    ("create", "comment"),
    ("delete", "comment"),
    ("create", "attachment"),
    ("delete", "attachment"),
    ("delete", "space"),
)
# What confluence-users get in a new (non-private) space: Confluence's default space permissions.
DEFAULT_MEMBER_PERMISSIONS = (
    ("read", "space"),
    ("create", "page"),
    ("create", "blogpost"),
    ("create", "comment"),
    ("create", "attachment"),
    ("delete", "comment"),
    ("delete", "attachment"),
    ("export", "space"),
    ("archive", "page"),
)


def create_space(session: Session, principal: Principal, data: SpaceCreate, *, private: bool = False) -> Space:
    checks.require_site_permission(session, principal, "createspace")
    key = data.key or data.alias
    if not key:
        raise BadRequest("A space key is required")
    if not KEY_PATTERN.match(key):
        raise BadRequest(f"Space key is invalid: '{key}'. Use letters and numbers only.")
    if repo.find_space_unchecked(session, key) is not None:
        raise BadRequest(f"A space already exists with key {key}")
    now = clock.now()
    space = Space(
        key=key,
        name=data.name.strip(),
        type="global",
        status="current",
        description=data.description.plain.value if data.description and data.description.plain else "",
        creator_id=principal.user_id,
        created_at=now,
    )
    session.add(space)
    try:
        session.flush()
    except IntegrityError:
        raise BadRequest(f"A space already exists with key {key}") from None
    if principal.user_id is not None:
        for operation, target in ALL_PERMISSIONS:
            session.add(_grant(space.id, operation, target, user_id=principal.user_id))
    if not private:
        users = session.scalar(select(Group.id).where(Group.name == USERS_GROUP))
        if users is not None:
            for operation, target in DEFAULT_MEMBER_PERMISSIONS:
                session.add(_grant(space.id, operation, target, group_id=users))
    homepage = Content(
        type="page",
        status="current",
        title=f"{space.name} Home",
        title_key=f"page:{space.name.casefold()} home",
        space_id=space.id,
        version=1,
        creator_id=principal.user_id,
        created_at=now,
    )
    session.add(homepage)
    session.flush()
    session.add(
        ContentVersion(
            content_id=homepage.id, number=1, title=homepage.title, body="", author_id=principal.user_id, created_at=now
        )
    )
    tree.attach(session, homepage.id, None)
    space.homepage_id = homepage.id
    content_changed(session, [homepage.id])
    events.space_event(session, "created", space)
    return space


def update_space(session: Session, principal: Principal, key: str, data: SpaceUpdate) -> Space:
    space = repo.get_space(session, principal, key)
    checks.require_space_permission(session, principal, space.id, "administer", "space")
    if data.name is not None:
        space.name = data.name.strip()
    if data.description is not None and data.description.plain is not None:
        space.description = data.description.plain.value
    if data.status is not None:
        if data.status not in ("current", "archived"):
            raise BadRequest(f"Invalid space status: {data.status}")
        space.status = data.status
    if data.type is not None and data.type != space.type:
        raise BadRequest("The type of a space cannot be changed")
    if data.homepage is not None:
        homepage_id = _homepage_id(data.homepage.id)
        page = session.scalar(
            select(Content).where(Content.id == homepage_id, Content.space_id == space.id, Content.type == "page")
        )
        if page is None:
            raise BadRequest(f"The homepage must be a page in space {space.key}")
        space.homepage_id = page.id
    session.flush()
    events.space_event(session, "updated", space)
    return space


def delete_space(session: Session, principal: Principal, key: str) -> Space:
    space = repo.get_space(session, principal, key)
    checks.require_space_permission(session, principal, space.id, "administer", "space")
    # Content references the space with ON DELETE CASCADE; the homepage pointer goes first so the
    # two foreign keys between space and content never block each other.
    space.homepage_id = None
    session.flush()
    gone = list(session.scalars(select(Content.id).where(Content.space_id == space.id)))
    session.execute(delete(Content).where(Content.space_id == space.id))
    events.space_event(session, "removed", space)
    session.delete(space)
    content_changed(session, gone)
    return space


def _grant(
    space_id: int, operation: str, target: str, *, user_id: int | None = None, group_id: str | None = None
) -> SpacePermission:
    return SpacePermission(
        space_id=space_id,
        operation=operation,
        target_type=target,
        subject_type="user" if user_id is not None else "group",
        user_id=user_id,
        group_id=group_id,
    )


def _homepage_id(value: str | int) -> int:
    number = stored_id(str(value))
    if number is None:
        raise BadRequest(f"Invalid homepage id: {value}")
    return number
