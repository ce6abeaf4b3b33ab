"""The rules behind v2's site routes (site_router.py): who may check site access or invite by
email, and who may set or reset a classification level on a site that has none."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.errors import BadRequest, NotFound
from localfluence.models import Content, Space, User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def emails_without_access(session: Session, principal: Principal, emails: list[str]) -> tuple[list[str], list[str]]:
    """(emails of no active user who may use the site, emails that are not emails)."""
    if principal.is_anonymous:
        checks.refuse(principal, "Checking site access needs a signed-in user")
    invalid = [e for e in emails if not EMAIL.match(e)]
    wanted = {e.lower() for e in emails if e not in invalid}
    usable = set()
    if wanted:
        # One statement for the whole list (at most 100, the spec's maxItems).
        email = func.lower(User.email)
        usable = set(
            session.scalars(
                select(email).where(
                    email.in_(wanted),
                    User.active.is_(True),
                    User.deleted_at.is_(None),
                    checks.user_has_site_permission(User.id, "use"),
                )
            )
        )
    without = [e for e in emails if e not in invalid and e.lower() not in usable]
    return without, invalid


def invite_by_email(principal: Principal, emails: list[str]) -> None:
    """This site sends no mail: a valid invitation is accepted and nothing else happens."""
    if principal.is_anonymous:
        checks.refuse(principal, "Inviting needs a signed-in user")
    invalid = [e for e in emails if not EMAIL.match(e)]
    if invalid:
        raise BadRequest(f"Invalid emails: {', '.join(invalid)}")


# No classification levels exist: setting one names a level that does not exist (404, once the
# caller may set levels at all), and resetting is a no-op for whoever may reset.


def _no_level(body: Any) -> NotFound:
    # The body names the level: {"id": ..., "status": ...}.
    if not isinstance(body, dict) or "id" not in body:
        raise BadRequest("A classification level id is required")
    return NotFound(f"No classification level with id {body['id']}")


def set_space_default_level(session: Session, principal: Principal, space: Space, body: Any) -> None:
    checks.require_space_permission(session, principal, space.id, "administer", "space")
    raise _no_level(body)


def reset_space_default_level(session: Session, principal: Principal, space: Space) -> None:
    checks.require_space_permission(session, principal, space.id, "administer", "space")


def set_content_level(session: Session, principal: Principal, content: Content, body: Any) -> None:
    checks.require_update_content(session, principal, content)
    raise _no_level(body)


def reset_content_level(session: Session, principal: Principal, content: Content) -> None:
    checks.require_update_content(session, principal, content)
