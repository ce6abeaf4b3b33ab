"""Restriction rules: who may change them, which subjects exist, and that nobody locks themselves out.

Read restrictions inherit down the page tree (the visibility rule applies that); update restrictions
apply to the content itself only. Restrictions are set on pages and blog posts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from localfluence import events
from localfluence.access import checks, subjects
from localfluence.access.principal import Principal
from localfluence.content import repository as content_repo
from localfluence.content.service import parse_content_id
from localfluence.errors import BadRequest, NotFound
from localfluence.models import Content, ContentRestriction, Group, User
from localfluence.restrictions import repository as repo
from localfluence.restrictions.schemas import OPERATIONS, GroupIn, RestrictionChange, UserIn

RESTRICTABLE_TYPES = ("page", "blogpost")
# Restrictions can be read on content in any state the caller can see, and changed on live content.
READABLE_STATUSES = ("current", "draft", "archived", "trashed")
WRITABLE_STATUSES = ("current", "draft", "archived")


def readable_content(session: Session, principal: Principal, content_id: str) -> Content:
    return content_repo.get_content(session, principal, parse_content_id(content_id), READABLE_STATUSES)


def restrictable_content(session: Session, principal: Principal, content_id: str) -> Content:
    """The content, if the caller sees it (else 404) and may change its restrictions (else 403)."""
    content = content_repo.get_content(session, principal, parse_content_id(content_id), WRITABLE_STATUSES)
    if content.type not in RESTRICTABLE_TYPES:
        raise BadRequest(f"Restrictions can be set on pages and blog posts only, not on a {content.type}")
    checks.require_restrict_content(session, principal, content)
    return content


def check_operation(operation: str) -> str:
    if operation not in OPERATIONS:
        raise BadRequest(f"Invalid restriction operation: {operation}; use read or update")
    return operation


def add_restrictions(
    session: Session, principal: Principal, content: Content, changes: list[RestrictionChange]
) -> None:
    """POST: add the subjects; what is there already stays."""
    resolved = [_resolve(session, change) for change in changes]
    _apply(session, principal, content, resolved)


def update_restrictions(
    session: Session, principal: Principal, content: Content, changes: list[RestrictionChange]
) -> None:
    """PUT: each operation in the request gets exactly the subjects given (an empty list lifts
    it); operations the request leaves out keep theirs, as Confluence (and its clients) do."""
    resolved = [_resolve(session, change) for change in changes]
    repo.clear(session, content.id, [op for op, _, _ in resolved])
    session.flush()
    _apply(session, principal, content, resolved)


def _apply(
    session: Session, principal: Principal, content: Content, resolved: list[tuple[str, list[User], list[Group]]]
) -> None:
    for operation, users, groups in resolved:
        for user in users:
            repo.add_user(session, content.id, operation, user.id)
        for group in groups:
            repo.add_group(session, content.id, operation, group.id)
    _keep_caller_in(session, principal, content, [op for op, _, _ in resolved])
    events.content_event(session, "permissions_updated", content)


def delete_restrictions(session: Session, content: Content) -> None:
    repo.clear(session, content.id, OPERATIONS)
    session.flush()
    events.content_event(session, "permissions_updated", content)


def add_user(session: Session, principal: Principal, content: Content, operation: str, user: User) -> None:
    repo.add_user(session, content.id, operation, user.id)
    _keep_caller_in(session, principal, content, [operation])
    events.content_event(session, "permissions_updated", content)


def add_group(session: Session, principal: Principal, content: Content, operation: str, group: Group) -> None:
    repo.add_group(session, content.id, operation, group.id)
    _keep_caller_in(session, principal, content, [operation])
    events.content_event(session, "permissions_updated", content)


def remove_user(session: Session, principal: Principal, content: Content, operation: str, user: User) -> None:
    if not repo.remove_user(session, content.id, operation, user.id):
        raise NotFound(f"The user is not in the {operation} restriction of content {content.id}")
    session.flush()
    _refuse_lockout(session, principal, content, operation)
    events.content_event(session, "permissions_updated", content)


def remove_group(session: Session, principal: Principal, content: Content, operation: str, group: Group) -> None:
    if not repo.remove_group(session, content.id, operation, group.id):
        raise NotFound(f"The group is not in the {operation} restriction of content {content.id}")
    session.flush()
    _refuse_lockout(session, principal, content, operation)
    events.content_event(session, "permissions_updated", content)


def user_for_lookup(
    session: Session, *, account_id: str | None, username: str | None, key: str | None, missing: type[Exception]
) -> User:
    if not (account_id or username or key):
        raise BadRequest("A user is required: give accountId")
    user = subjects.find_user(session, account_id=account_id, username=username, key=key)
    if user is None:
        raise missing(f"No user found with accountId: {account_id or username or key}")
    return user


def group_by_name(session: Session, name: str) -> Group:
    if not name.strip():
        raise BadRequest("A group name is required")
    group = subjects.find_group_by_name(session, name)
    if group is None:
        raise NotFound(f"No group found with name: {name}")
    return group


def group_by_id(session: Session, group_id: str) -> Group:
    if not group_id.strip():
        raise BadRequest("A group id is required")
    group = subjects.find_group_by_id(session, group_id)
    if group is None:
        raise NotFound(f"No group found with id: {group_id}")
    return group


def names_user(session: Session, content: Content, operation: str, user: User) -> bool:
    return any(e.user_id == user.id for e in repo.entries(session, content.id, operation))


def names_group(session: Session, content: Content, operation: str, group: Group) -> bool:
    return any(e.group_id == group.id for e in repo.entries(session, content.id, operation))


def _resolve(session: Session, change: RestrictionChange) -> tuple[str, list[User], list[Group]]:
    users = [_user(session, u) for u in change.users]
    groups = [_group(session, g) for g in change.groups]
    return change.operation, users, groups


def _user(session: Session, item: UserIn) -> User:
    user = subjects.find_user(session, account_id=item.accountId, username=item.username, key=item.userKey)
    if user is None:
        raise BadRequest(f"No user found with accountId: {item.accountId or item.username or item.userKey}")
    return user


def _group(session: Session, item: GroupIn) -> Group:
    group = (
        subjects.find_group_by_id(session, item.id)
        if item.id
        else subjects.find_group_by_name(session, item.name or "")
    )
    if group is None:
        raise BadRequest(f"No group found with {'id' if item.id else 'name'}: {item.id or item.name}")
    return group


def _admits(principal: Principal, entries: Sequence[ContentRestriction]) -> bool:
    return any(e.user_id == principal.user_id or e.group_id in principal.group_ids for e in entries)


def _keep_caller_in(session: Session, principal: Principal, content: Content, operations: Sequence[str]) -> None:
    """Confluence adds the user who sets a restriction to it, so nobody restricts themselves out
    of their own page."""
    if principal.user_id is None or principal.is_group_probe:
        return
    for operation in dict.fromkeys(operations):
        current = repo.entries(session, content.id, operation)
        if current and not _admits(principal, current):
            repo.add_user(session, content.id, operation, principal.user_id)


def _refuse_lockout(session: Session, principal: Principal, content: Content, operation: str) -> None:
    current = repo.entries(session, content.id, operation)
    if current and not principal.is_admin and not _admits(principal, current):
        raise BadRequest(
            f"You cannot remove this {operation} restriction: you would lose {operation} access to the content"
        )
