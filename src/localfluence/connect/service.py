"""Dynamic module rules. A Connect app is a user whose account type is "app" (created with
`localfluence user create --app`); its username is the app key. Modules are validated as the
descriptor's modules are, and module keys are unique per app."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.kit.clock import clock
from localfluence.models import ConnectModule, User

APP_ACCOUNT_TYPE = "app"
NOT_AN_APP = "The request is not from a Connect app."
KEY = re.compile(r"^[a-zA-Z0-9-]{1,100}$")
# The module types an app descriptor may declare under "modules", with the fields each requires.
# A flat {"modules": [...]} list (the spec's schema) holds modules of unnamed type: key only.
REQUIRED: dict[str, tuple[str, ...]] = {
    "adminPages": ("key", "name", "url"),
    "generalPages": ("key", "name", "url"),
    "configurePage": ("key", "name", "url"),
    "postInstallPage": ("key", "name", "url"),
    "profilePages": ("key", "name", "url"),
    "webItems": ("key", "location", "name"),
    "webPanels": ("key", "location", "name", "url"),
    "webSections": ("key", "location", "name"),
    "dialogs": ("key", "url"),
    "dynamicContentMacros": ("key", "name", "url"),
    "staticContentMacros": ("key", "name", "url"),
    "contentBylineItems": ("key", "name", "url"),
    "customContent": ("key", "name", "apiSupport"),
    "spaceToolsTabs": ("key", "name", "url"),
    "keyboardShortcuts": ("key", "shortcut", "target"),
    "confluenceContentProperties": ("key", "name", "keyConfigurations"),
    "modules": ("key",),
}
I18N_FIELDS = ("name", "description", "tooltip")
MAX_MODULES = 100


class ModuleError(Exception):
    """A refused request, answered with the spec's DynamicModulesErrorMessage ({"message"})."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def app_key(session: Session, principal: Principal) -> str:
    if principal.user_id is None:
        raise ModuleError(401, NOT_AN_APP)
    user = session.get(User, principal.user_id)
    if user is None or user.account_type != APP_ACCOUNT_TYPE:
        raise ModuleError(401, NOT_AN_APP)
    return user.username


def list_modules(session: Session, app: str) -> list[dict[str, Any]]:
    rows = session.scalars(select(ConnectModule).where(ConnectModule.app_key == app).order_by(ConnectModule.id))
    return [json.loads(row.data) for row in rows]


def _invalid(app: str, where: str, problem: str) -> ModuleError:
    return ModuleError(400, f"Installation failed. The app {app} has an invalid module {where}: {problem}.")


def parse_modules(app: str, body: Any) -> list[tuple[str, dict[str, Any]]]:
    """(type, module) pairs from a descriptor-style {"webItems": [...], ...} or {"modules": [...]} body."""
    if not isinstance(body, dict) or not body:
        raise ModuleError(
            400, f"Installation failed. The app {app} sent no modules: expected an object of module lists."
        )
    out: list[tuple[str, dict[str, Any]]] = []
    for module_type, modules in body.items():
        if module_type not in REQUIRED:
            raise ModuleError(400, f"Installation failed. The app {app} has an unknown module type: {module_type}.")
        if not isinstance(modules, list):
            raise _invalid(app, module_type, "expected a list of modules")
        for index, module in enumerate(modules):
            where = f"{module_type}[{index}]"
            if not isinstance(module, dict):
                raise _invalid(app, where, "a module must be an object")
            missing = [f for f in REQUIRED[module_type] if f not in module or module[f] in (None, "")]
            if missing:
                raise _invalid(app, where, f"missing required properties: {', '.join(missing)}")
            key = module["key"]
            if not isinstance(key, str) or not KEY.match(key):
                raise _invalid(app, where, "key must be 1 to 100 letters, digits and dashes")
            for field in I18N_FIELDS:
                value = module.get(field)
                if value is not None and not (isinstance(value, dict) and isinstance(value.get("value"), str)):
                    raise _invalid(app, where, f'{field} must be an object with a string "value"')
            out.append((module_type, module))
    if len(out) > MAX_MODULES:
        raise ModuleError(400, f"Installation failed. The app {app} registers more than {MAX_MODULES} modules.")
    return out


def register(session: Session, app: str, body: Any) -> None:
    modules = parse_modules(app, body)
    existing = set(session.scalars(select(ConnectModule.module_key).where(ConnectModule.app_key == app)))
    seen: set[str] = set()
    duplicates: list[str] = []
    for _, module in modules:
        key = module["key"]
        if key in existing or key in seen:
            duplicates.append(key)
        seen.add(key)
    if duplicates:
        raise ModuleError(
            400,
            f"Installation failed. The app {app} has duplicate module keys: [{', '.join(duplicates)}]. "
            "Please contact the app vendor.",
        )
    now = clock.now()
    for module_type, module in modules:
        session.add(
            ConnectModule(
                app_key=app, module_type=module_type, module_key=module["key"], data=json.dumps(module), created_at=now
            )
        )
    session.flush()


def remove(session: Session, app: str, keys: list[str] | None) -> None:
    """Nonexistent keys are ignored; no keys at all removes every module of the app."""
    statement = delete(ConnectModule).where(ConnectModule.app_key == app)
    if keys:
        statement = statement.where(ConnectModule.module_key.in_(keys))
    session.execute(statement)
