"""Appearance rules: the site's and each space's look and feel selection, custom settings and
theme. Writes take site administration (site) or the space's "administer" permission (a space)."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.appearance import lookandfeel
from localfluence.appearance.themes import BY_KEY, DEFAULT_THEME_KEY, Theme
from localfluence.errors import BadRequest, Conflict, Forbidden, NotFound
from localfluence.models import Appearance, Space
from localfluence.spaces import repository as space_repo

SELECTIONS = ("global", "custom", "theme")
# Space keys are letters and digits; personal spaces start with "~".
SPACE_KEY = re.compile(r"^~?[A-Za-z0-9][A-Za-z0-9_:-]{0,254}$")


def space_for(session: Session, principal: Principal, space_key: str | None, *, write: bool = False) -> Space | None:
    """None is the site; an invalid key is 400, a missing or unreadable space 404. Anonymous
    writers are told to sign in (401) before anything is looked up."""
    if write and principal.is_anonymous:
        checks.refuse(principal, "You must be logged in to change appearance settings")
    if space_key is None:
        return None
    if not SPACE_KEY.match(space_key):
        raise BadRequest(f"Invalid space key: {space_key}")
    return space_repo.get_space(session, principal, space_key)


def require_system_info_reader(principal: Principal) -> None:
    # Any signed-in user may read it; anonymous callers are refused (403), not challenged.
    if principal.is_anonymous:
        raise Forbidden("You must be logged in to view the system information")


def require_admin_of(session: Session, principal: Principal, space: Space | None) -> None:
    if space is None:
        if not principal.is_admin:
            checks.refuse(principal, "Only Confluence administrators can change the site's look and feel")
    elif not checks.has_space_permission(session, principal, space.id, "administer", "space"):
        checks.refuse(principal, f"You need the space admin permission to change the appearance of space {space.key}")


def _scope(space: Space | None) -> str:
    return "site" if space is None else f"space:{space.id}"


def find(session: Session, space: Space | None) -> Appearance | None:
    return session.get(Appearance, _scope(space))


def ensure(session: Session, space: Space | None) -> Appearance:
    row = find(session, space)
    if row is None:
        row = Appearance(
            scope=_scope(space),
            space_id=space.id if space else None,
            selected="global",
            custom=None,
            theme_key=None,
            route_override_enabled=False,
        )
        session.add(row)
    return row


def theme_of(session: Session, space: Space | None) -> Theme | None:
    """A space's theme, if one is set; the site always has one (the default unless changed)."""
    row = find(session, space)
    key = row.theme_key if row else None
    if key is None and space is None:
        key = DEFAULT_THEME_KEY
    return BY_KEY.get(key) if key else None


def _custom(row: Appearance | None) -> dict[str, Any] | None:
    return json.loads(row.custom) if row is not None and row.custom else None


def effective(session: Session, space: Space | None) -> dict[str, Any]:
    """The look and feel in force: the selection's settings, falling back to the site's."""
    row = find(session, space)
    selected = row.selected if row else "global"
    if selected == "custom" and (custom := _custom(row)) is not None:
        return custom
    if selected == "theme" and (theme := theme_of(session, space)) is not None:
        return theme.look_and_feel
    return lookandfeel.DEFAULT if space is None else effective(session, None)


def settings(session: Session, space: Space | None) -> dict[str, Any]:
    """LookAndFeelSettings: for the site, "global" is Confluence's default; for a space, the site's."""
    row = find(session, space)
    inherited = lookandfeel.DEFAULT if space is None else effective(session, None)
    out: dict[str, Any] = {
        "selected": row.selected if row else "global",
        "global": inherited,
        "custom": _custom(row) or inherited,
    }
    theme = theme_of(session, space)
    if theme is not None:
        out["theme"] = theme.look_and_feel
    return out


def select(session: Session, principal: Principal, space: Space | None, selection: str, *, strict: bool) -> None:
    """strict: updateLookAndFeel, where "custom" as well as "theme" needs a theme (409)."""
    if selection not in SELECTIONS:
        raise BadRequest(f"Invalid look and feel type: {selection}. Use one of: {', '.join(SELECTIONS)}")
    require_admin_of(session, principal, space)
    has_theme = theme_of(session, space) is not None
    if selection == "theme" and not has_theme:
        if strict:
            raise Conflict("The look and feel type 'theme' needs a theme set for the space")
        # Spec (setLookAndFeelSettings): 403 when no theme is assigned.
        raise Forbidden("The look and feel type cannot be 'theme': no theme is assigned")
    if strict and selection == "custom" and not has_theme:
        raise Conflict("The look and feel type 'custom' needs a theme set for the space")
    ensure(session, space).selected = selection
    session.flush()


def save_custom(session: Session, principal: Principal, space: Space | None, value: dict[str, Any]) -> None:
    require_admin_of(session, principal, space)
    ensure(session, space).custom = json.dumps(value)
    session.flush()


def reset_custom(session: Session, principal: Principal, space: Space | None) -> None:
    require_admin_of(session, principal, space)
    row = find(session, space)
    if row is not None:
        row.custom = None
        if row.selected == "custom":
            row.selected = "global"
        session.flush()


def set_space_theme(session: Session, principal: Principal, space: Space, theme_key: str) -> Theme:
    require_admin_of(session, principal, space)
    theme = BY_KEY.get(theme_key)
    if theme is None:
        # Spec (setSpaceTheme): an invalid theme key is 403.
        raise Forbidden(f"Invalid theme key: {theme_key}")
    ensure(session, space).theme_key = theme.key
    session.flush()
    return theme


def reset_space_theme(session: Session, principal: Principal, space: Space) -> None:
    require_admin_of(session, principal, space)
    row = find(session, space)
    if row is not None:
        row.theme_key = None
        if row.selected == "theme":
            row.selected = "global"
        session.flush()


def get_theme(theme_key: str) -> Theme:
    theme = BY_KEY.get(theme_key)
    if theme is None:
        raise NotFound(f"No theme with key: {theme_key}")
    return theme


def set_route_override(session: Session, principal: Principal, space: Space, enabled: bool | None) -> Appearance:
    if not checks.has_space_permission(session, principal, space.id, "administer", "space"):
        if principal.is_anonymous:
            checks.refuse(principal, "You must be logged in to update space settings")
        # Spec (updateSpaceSettings): 404 when the caller may not update the space.
        raise NotFound(f"No space with key : {space.key}")
    row = ensure(session, space)
    if enabled is not None:
        row.route_override_enabled = enabled
    session.flush()
    return row
