"""First start on an empty database: default groups and the admin user with an API token."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence.config import Settings
from localfluence.models import User
from localfluence.people import service as people

ADMIN_TOKEN_FILE = "admin-token"


@dataclass
class BootstrapResult:
    created_admin: bool
    generated_token: str | None


def bootstrap(session: Session, settings: Settings) -> BootstrapResult:
    people.ensure_default_groups(session)
    if session.scalar(select(User.id).limit(1)) is not None:
        return BootstrapResult(created_admin=False, generated_token=None)
    admin = people.create_user(
        session, email=settings.admin_email, display_name="Administrator", admin=True, username="admin"
    )
    if settings.admin_token:
        people.create_token(session, admin, token=settings.admin_token, label="admin")
        return BootstrapResult(created_admin=True, generated_token=None)
    token = people.create_token(session, admin, label="admin")
    _write_secret(settings.data_dir / ADMIN_TOKEN_FILE, token)
    return BootstrapResult(created_admin=True, generated_token=token)


def _write_secret(path: os.PathLike[str], value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    os.chmod(path, 0o600)
