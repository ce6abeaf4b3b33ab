"""Property rules: create (refused when the key exists), update with optimistic locking (the new
version must be current + 1, else 409; the write is a compare-and-set on the version, so two
concurrent writers cannot both win), delete. Nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.changes import content_changed
from localfluence.content import repository as content_repo
from localfluence.content.schemas import ContentCreate
from localfluence.errors import BadRequest, Conflict, ConfluenceError, NotFound
from localfluence.kit.clock import clock
from localfluence.models import Content, ContentProperty, Space, SpaceProperty, User, UserProperty
from localfluence.properties import values
from localfluence.spaces import repository as space_repo

READ_STATUSES = ("current", "draft", "archived", "trashed")
WRITE_STATUSES = ("current", "draft", "archived")
# getContentProperty's default status filter (spec).
DEFAULT_GET_STATUSES = ("current", "archived")


# --- content properties -------------------------------------------------------------------------


def readable_content(
    session: Session, principal: Principal, content_id: int, statuses: Sequence[str] = READ_STATUSES
) -> Content:
    return content_repo.get_content(session, principal, content_id, statuses)


def editable_content(session: Session, principal: Principal, content_id: int) -> Content:

    content = content_repo.get_content(session, principal, content_id, WRITE_STATUSES)
    checks.require_edit_content(session, principal, content)
    return content


def list_content_properties(
    session: Session, content_id: int, *, keys: Sequence[str], start: int, limit: int
) -> list[ContentProperty]:
    query = select(ContentProperty).where(ContentProperty.content_id == content_id)
    if keys:
        query = query.where(ContentProperty.key.in_(keys))
    return list(session.scalars(query.order_by(ContentProperty.key).offset(start).limit(limit + 1)))


def properties_of_many(
    session: Session, content_ids: Sequence[int], keys: Sequence[str] = ()
) -> dict[int, list[ContentProperty]]:
    out: dict[int, list[ContentProperty]] = {i: [] for i in content_ids}
    if not content_ids:
        return out
    query = select(ContentProperty).where(ContentProperty.content_id.in_(content_ids))
    if keys:
        query = query.where(ContentProperty.key.in_(keys))
    for prop in session.scalars(query.order_by(ContentProperty.content_id, ContentProperty.key)):
        out[prop.content_id].append(prop)
    return out


def get_content_property(session: Session, content: Content, key: str) -> ContentProperty:
    prop = session.scalar(
        select(ContentProperty).where(ContentProperty.content_id == content.id, ContentProperty.key == key)
    )
    if prop is None:
        raise NotFound(f"Cannot find property '{key}' on content with id: {content.id}")
    return prop


def create_content_property(
    session: Session, principal: Principal, content: Content, key: Any, value: Any
) -> ContentProperty:
    key = values.check_key(key)
    prop = ContentProperty(
        content_id=content.id,
        key=key,
        value=values.encode_value(value, values.CONTENT_VALUE_LIMIT),
        version=1,
        minor_edit=False,
        message="",
        author_id=principal.user_id,
        updated_at=clock.now(),
    )
    _insert_unique(
        session, prop, BadRequest(f"Cannot create property '{key}': content {content.id} already has one with that key")
    )
    content_changed(session, [content.id])
    return prop


def update_content_property(
    session: Session, principal: Principal, content: Content, key: str, body: dict[str, Any]
) -> ContentProperty:
    """PUT: updates, or creates when the key is new and the version is 1 (spec: updateContentProperty)."""
    key = values.check_key(key)
    if "key" in body and body["key"] not in (None, key):
        raise BadRequest(f"The property key in the body ({body['key']}) does not match the path ({key})")
    value = values.required_value(body)
    number, minor = values.version_number(body, required=False)
    existing = session.scalar(
        select(ContentProperty).where(ContentProperty.content_id == content.id, ContentProperty.key == key)
    )
    if existing is None:
        if number not in (None, 1):
            raise NotFound(f"Cannot find property '{key}' on content with id: {content.id}")
        return create_content_property(session, principal, content, key, value)
    if number is None:
        raise BadRequest("A version number is required to update a property")
    encoded = values.encode_value(value, values.CONTENT_VALUE_LIMIT)
    _compare_and_set(
        session,
        ContentProperty,
        existing,
        number,
        {"value": encoded, "minor_edit": minor, "author_id": principal.user_id, "updated_at": clock.now()},
    )
    content_changed(session, [content.id])
    return existing


def delete_content_property(session: Session, content: Content, key: str) -> None:
    prop = get_content_property(session, content, key)
    session.delete(prop)
    session.flush()
    content_changed(session, [content.id])


def create_with_content(session: Session, principal: Principal, content: Content, data: ContentCreate) -> None:
    """metadata.properties on POST /content: {"<key>": {"key": "<key>", "value": ...}}."""
    if data.metadata is None or not data.metadata.properties:
        return
    for name, entry in data.metadata.properties.items():
        if not isinstance(entry, dict):
            raise BadRequest(f"metadata.properties.{name} must be an object with a value")
        create_content_property(session, principal, content, entry.get("key") or name, values.required_value(entry))


# --- space properties ---------------------------------------------------------------------------


def readable_space(session: Session, principal: Principal, space_key: str) -> Space:
    return space_repo.get_space(session, principal, space_key)


def administered_space(session: Session, principal: Principal, space_key: str) -> Space:
    return administered(session, principal, space_repo.get_space(session, principal, space_key))


def administered(session: Session, principal: Principal, space: Space) -> Space:
    """A space the caller sees, if they administer it (else 403): whoever writes its properties."""
    checks.require_space_permission(session, principal, space.id, "administer", "space")
    return space


def list_space_properties(session: Session, space_id: int, *, start: int, limit: int) -> list[SpaceProperty]:
    query = select(SpaceProperty).where(SpaceProperty.space_id == space_id).order_by(SpaceProperty.key)
    return list(session.scalars(query.offset(start).limit(limit + 1)))


def get_space_property(session: Session, space: Space, key: str) -> SpaceProperty:
    prop = session.scalar(select(SpaceProperty).where(SpaceProperty.space_id == space.id, SpaceProperty.key == key))
    if prop is None:
        raise NotFound(f"No space property with key '{key}' in space {space.key}")
    return prop


def create_space_property(
    session: Session, principal: Principal, space: Space, key: Any, value: Any, *, exists_error: type[ConfluenceError]
) -> SpaceProperty:
    key = values.check_key(key)
    prop = SpaceProperty(
        space_id=space.id,
        key=key,
        value=values.encode_value(value, values.SPACE_VALUE_LIMIT),
        version=1,
        minor_edit=False,
        message="",
        author_id=principal.user_id,
        updated_at=clock.now(),
    )
    _insert_unique(
        session, prop, exists_error(f"A space property with key '{key}' already exists in space {space.key}")
    )
    return prop


def update_space_property(
    session: Session, principal: Principal, space: Space, key: str, body: dict[str, Any]
) -> SpaceProperty:
    if "key" in body and body["key"] not in (None, key):
        raise BadRequest(f"The property key in the body ({body['key']}) does not match the path ({key})")
    space_ref = body.get("space")
    if isinstance(space_ref, dict) and space_ref.get("key") not in (None, space.key):
        raise BadRequest(f"The space key in the body ({space_ref.get('key')}) does not match the path ({space.key})")
    value = values.required_value(body)
    number, minor = values.version_number(body, required=True)
    existing = get_space_property(session, space, key)
    assert number is not None
    encoded = values.encode_value(value, values.SPACE_VALUE_LIMIT)
    _compare_and_set(
        session,
        SpaceProperty,
        existing,
        number,
        {"value": encoded, "minor_edit": minor, "author_id": principal.user_id, "updated_at": clock.now()},
    )
    return existing


def delete_space_property(session: Session, space: Space, key: str) -> None:
    session.delete(get_space_property(session, space, key))
    session.flush()


# --- user properties ----------------------------------------------------------------------------


def property_owner(session: Session, principal: Principal, account_id: str) -> User:
    """User properties: the user's own, or anyone's for a site admin."""
    if principal.is_anonymous:
        checks.refuse(principal, "You must be logged in to use user properties")
    if not account_id or len(account_id) > 128:
        raise BadRequest(f"Invalid user id: {account_id}")
    user = session.scalar(select(User).where(User.account_id == account_id))
    if user is None:
        raise NotFound(f"No user found with accountId: {account_id}")
    if user.id != principal.user_id and not principal.is_admin:
        checks.refuse(principal, "You may only use your own user properties")
    return user


def list_user_properties(session: Session, user: User, *, start: int, limit: int) -> list[UserProperty]:
    query = select(UserProperty).where(UserProperty.user_id == user.id).order_by(UserProperty.key)
    return list(session.scalars(query.offset(start).limit(limit + 1)))


def get_user_property(session: Session, user: User, key: str) -> UserProperty:
    values.check_user_key(key)
    prop = session.scalar(select(UserProperty).where(UserProperty.user_id == user.id, UserProperty.key == key))
    if prop is None:
        raise NotFound(f"No user property with key '{key}'")
    return prop


def _user_value(body: Any) -> str:
    value = values.required_value(values.body_object(body))
    if not isinstance(value, dict):
        raise BadRequest("A user property value must be a JSON object")
    # Spec (createUserProperty): a value too long is a 400, not a 413.
    return values.encode_value(value, values.USER_VALUE_LIMIT, BadRequest)


def create_user_property(session: Session, user: User, key: str, body: Any) -> UserProperty:
    values.check_user_key(key)
    now = clock.now()
    prop = UserProperty(user_id=user.id, key=key, value=_user_value(body), created_at=now, updated_at=now)
    _insert_unique(session, prop, Conflict(f"A user property with key '{key}' already exists"))
    return prop


def update_user_property(session: Session, user: User, key: str, body: Any) -> UserProperty:
    encoded = _user_value(body)
    prop = get_user_property(session, user, key)
    prop.value = encoded
    prop.updated_at = clock.now()
    session.flush()
    return prop


def delete_user_property(session: Session, user: User, key: str) -> None:
    session.delete(get_user_property(session, user, key))
    session.flush()


# --- shared ---------------------------------------------------------------------------------------


def _insert_unique(session: Session, row: object, exists: ConfluenceError) -> None:
    # A savepoint: on PostgreSQL a failed INSERT would otherwise poison the whole transaction.
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise exists from None


def _compare_and_set(
    session: Session, model: type[ContentProperty] | type[SpaceProperty], row: Any, number: int, changes: dict[str, Any]
) -> None:
    current = row.version
    if number != current + 1:
        raise Conflict(
            f"Version must be incremented on update. Current version is: {current}, "
            f"and the version in the request is: {number}"
        )
    done = session.execute(
        update(model)
        .where(model.id == row.id, model.version == current)
        .values(version=number, **changes)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise Conflict(f"The property '{row.key}' was changed by someone else; reload it and try again")
    session.refresh(row)
