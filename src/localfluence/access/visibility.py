"""The one visibility rule, as SQL the repositories start from.

Content is visible to a principal when
  1. the principal may read its space (a site admin may read every space; anonymous users only
     where the site allows anonymous access and the space grants it to anonymous), and
  2. no ancestor-or-self carries a read restriction that leaves the principal out (read
     restrictions inherit down the page tree; comments and attachments hang below their
     container in the same tree), and
  3. it is not somebody else's draft.
Site admins pass 1 and 2 (docs/permissions.md says why). Invisible means not found.
Guarded by tests/security/test_visibility_matrix.py.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from localfluence.access.principal import Principal
from localfluence.models import Content, ContentAncestor, ContentRestriction, SpacePermission


def subject_matches(principal: Principal, user_col, group_col, type_col) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """Whether a permission row's subject (user, group or anonymous) is this principal."""
    if principal.is_anonymous:
        return type_col == "anonymous" if principal.anonymous_access else false()
    clauses = [user_col == principal.user_id]
    if principal.group_ids:
        clauses.append(group_col.in_(sorted(principal.group_ids)))
    return or_(*clauses)


def readable_space_ids(principal: Principal) -> Select[tuple[int]]:
    return select(SpacePermission.space_id).where(
        SpacePermission.operation == "read",
        SpacePermission.target_type == "space",
        subject_matches(principal, SpacePermission.user_id, SpacePermission.group_id, SpacePermission.subject_type),
    )


def space_is_readable(principal: Principal, space_id_col) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    if principal.is_admin:
        return true()
    return space_id_col.in_(readable_space_ids(principal))


def restriction_admits(principal: Principal, content_id_col, operation: str) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """EXISTS an entry of `operation` on that content naming the principal (user or group)."""
    entry = aliased(ContentRestriction)
    if principal.is_anonymous:
        return false()
    who = [entry.user_id == principal.user_id]
    if principal.group_ids:
        who.append(entry.group_id.in_(sorted(principal.group_ids)))
    return exists().where(entry.content_id == content_id_col, entry.operation == operation, or_(*who))


def not_blocked_by_read_restrictions(principal: Principal, content_id_col) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """No ancestor-or-self has read restrictions that leave the principal out."""
    if principal.is_admin:
        return true()
    closure = aliased(ContentAncestor)
    restriction = aliased(ContentRestriction)
    return ~exists().where(
        closure.descendant_id == content_id_col,
        restriction.content_id == closure.ancestor_id,
        restriction.operation == "read",
        ~restriction_admits(principal, closure.ancestor_id, "read"),
    )


def content_is_visible(principal: Principal, content: type[Content] = Content) -> ColumnElement[bool]:
    """The WHERE clause that every content read starts from."""
    own_drafts = or_(content.status != "draft", content.creator_id == principal.user_id)
    if principal.is_admin:
        return own_drafts if not principal.is_anonymous else true()
    return and_(
        space_is_readable(principal, content.space_id),
        not_blocked_by_read_restrictions(principal, content.id),
        own_drafts,
    )


def visible_content(principal: Principal) -> Select[tuple[Content]]:
    return select(Content).where(content_is_visible(principal))


def is_content_visible(session: Session, principal: Principal, content_id: int) -> bool:
    return session.scalar(select(Content.id).where(Content.id == content_id, content_is_visible(principal))) is not None


def can_read_space(session: Session, principal: Principal, space_id: int) -> bool:
    if principal.is_admin:
        return True
    found = session.scalar(readable_space_ids(principal).where(SpacePermission.space_id == space_id).limit(1))
    return found is not None
