"""The global "can use" permission: a signed-in user without it may only ask who they are."""

from __future__ import annotations

from sqlalchemy.orm import Session

from localfluence.access.checks import has_site_permission
from localfluence.access.principal import Principal
from localfluence.errors import Forbidden

# Confluence still answers "who am I" for users who may not use the site, so clients can say why.
_OPEN_PATHS = ("/rest/api/user/current",)


def can_use(session: Session, principal: Principal) -> bool:
    """Anonymous callers are governed by the site's anonymous access (and the space grants);
    site admins always may."""
    if principal.is_anonymous:
        return principal.anonymous_access
    return has_site_permission(session, principal, "use")


def admit(principal: Principal, usable: bool, path: str) -> None:
    """Refuse every request but the open ones from a user who lacks "can use" (403).

    Anonymous callers pass: with anonymous access off they simply see nothing (the visibility rule)
    and every write answers 401."""
    if principal.is_anonymous or principal.is_admin:
        return
    if path.rstrip("/").endswith(_OPEN_PATHS):
        return
    if not usable:
        raise Forbidden("User is not permitted to use Confluence")
