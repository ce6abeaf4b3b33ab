"""Relation rules: entities are resolved through the visibility rule (what the caller cannot see
is not found), relations from a user other than the caller are written only by site admins, and
'favourite' goes from a user to a space or a content."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible, space_is_readable
from localfluence.content import repository as content_repo
from localfluence.content.queries import parse_statuses
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.clock import clock
from localfluence.models import Content, Relation, Space, User
from localfluence.spaces import repository as space_repo

ENTITY_TYPES = ("user", "content", "space")
FAVOURITE = "favourite"
NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,255}$")


@dataclass(frozen=True)
class Entity:
    type: str
    id: int
    row: User | Content | Space

    @property
    def key(self) -> str:
        """The identifier in relation paths: account id, content id or space key."""
        if isinstance(self.row, User):
            return self.row.account_id
        if isinstance(self.row, Space):
            return self.row.key
        return str(self.row.id)


def relation_name(name: str) -> str:
    # "favorite" is the spelling some clients use for the same relation.
    name = FAVOURITE if name.lower() in ("favourite", "favorite") else name
    if not NAME.match(name):
        raise BadRequest(f"Invalid relation name: {name}")
    return name


def entity_type(value: str) -> str:
    if value not in ENTITY_TYPES:
        raise BadRequest(f"Invalid entity type: {value}; use one of {', '.join(ENTITY_TYPES)}")
    return value


def check_favourite(name: str, source_type: str, target_type: str | None) -> None:
    if name != FAVOURITE:
        return
    if source_type != "user":
        raise BadRequest("A favourite relation goes from a user")
    if target_type is not None and target_type not in ("space", "content"):
        raise BadRequest("A favourite relation goes to a space or a content")


def resolve(
    session: Session, principal: Principal, type: str, key: str, status: str | None = None, version: int | None = None
) -> Entity:
    if type == "user":
        if key == "current":
            if principal.is_anonymous:
                checks.refuse(principal, "You must be logged in to use relations of the current user")
            user = session.get(User, principal.user_id)
        else:
            user = session.scalar(select(User).where(User.account_id == key)) or session.scalar(
                select(User).where(User.username == key)
            )
        if user is None:
            raise NotFound(f"No user found with key: {key}")
        return Entity("user", user.id, user)
    if type == "space":
        space = space_repo.get_space(session, principal, key)
        return Entity("space", space.id, space)
    try:
        content_id = int(key)
    except ValueError:
        raise BadRequest(f"Invalid content id: {key}") from None
    statuses = parse_statuses([status] if status else None, default=("current", "draft", "archived"))
    if "historical" in statuses:
        statuses = ("current",)
    content = content_repo.get_content(session, principal, content_id, statuses)
    return Entity("content", content.id, content)


def require_may_write(principal: Principal, source: Entity) -> None:
    if principal.is_anonymous:
        checks.refuse(principal, "You must be logged in to change relations")
    if source.type == "user" and source.id != principal.user_id:
        checks.require_admin(principal)


def _match(name: str, source: Entity, target: Entity) -> ColumnElement[bool]:
    return (
        (Relation.name == name)
        & (Relation.source_type == source.type)
        & (Relation.source_id == source.id)
        & (Relation.target_type == target.type)
        & (Relation.target_id == target.id)
    )


def find(session: Session, name: str, source: Entity, target: Entity) -> Relation | None:
    return session.scalar(select(Relation).where(_match(name, source, target)))


def create(session: Session, principal: Principal, name: str, source: Entity, target: Entity) -> Relation:
    require_may_write(principal, source)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(Relation)
        .values(
            name=name,
            source_type=source.type,
            source_id=source.id,
            target_type=target.type,
            target_id=target.id,
            creator_id=principal.user_id,
            created_at=clock.now(),
        )
        .on_conflict_do_nothing()
    )
    relation = find(session, name, source, target)
    assert relation is not None
    return relation


def remove(session: Session, principal: Principal, name: str, source: Entity, target: Entity) -> None:
    require_may_write(principal, source)
    session.execute(delete(Relation).where(_match(name, source, target)))


def _visible(principal: Principal, type: str, id_col) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """The other end of a listed relation must be visible to the caller."""
    if type == "content":
        return id_col.in_(select(Content.id).where(content_is_visible(principal), Content.status != "trashed"))
    if type == "space":
        return id_col.in_(select(Space.id).where(space_is_readable(principal, Space.id)))
    return true()


def related(
    session: Session,
    principal: Principal,
    name: str,
    anchor: Entity,
    other_type: str,
    *,
    outgoing: bool,
    start: int,
    limit: int,
) -> list[Relation]:
    """Relations of one entity in one direction, limit + 1 of them so the caller knows if more follow."""
    near = (Relation.source_type, Relation.source_id) if outgoing else (Relation.target_type, Relation.target_id)
    far = (Relation.target_type, Relation.target_id) if outgoing else (Relation.source_type, Relation.source_id)
    query = select(Relation).where(
        Relation.name == name,
        near[0] == anchor.type,
        near[1] == anchor.id,
        far[0] == other_type,
        _visible(principal, other_type, far[1]),
    )
    return list(session.scalars(query.order_by(Relation.created_at, Relation.id).offset(start).limit(limit + 1)))


def validate(relation_name_: str, source_type: str, target_type: str) -> str:
    """The relation's canonical name, once the name and both entity types are known to be valid."""
    name = relation_name(relation_name_)
    entity_type(source_type)
    entity_type(target_type)
    check_favourite(name, source_type, target_type)
    return name


def entities_by_id(session: Session, type: str, ids: Sequence[int]) -> dict[int, User | Content | Space]:
    """Rows for relation ends already filtered by visibility."""
    if not ids:
        return {}
    model: type[User] | type[Content] | type[Space] = {"user": User, "content": Content, "space": Space}[type]
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}


def favourites_of_many(session: Session, user_id: int, content_ids: Sequence[int]) -> dict[int, Relation]:
    if not content_ids:
        return {}
    rows = session.scalars(
        select(Relation).where(
            Relation.name == FAVOURITE,
            Relation.source_type == "user",
            Relation.source_id == user_id,
            Relation.target_type == "content",
            Relation.target_id.in_(content_ids),
        )
    )
    return {r.target_id: r for r in rows}
