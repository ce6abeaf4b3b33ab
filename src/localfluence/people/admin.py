"""Site-admin management of users (our /_localfluence/users API and the CLI's counterpart)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from localfluence.access.checks import require_admin
from localfluence.access.principal import Principal
from localfluence.auth.scopes import normalize_scopes
from localfluence.kit.paging import Paging
from localfluence.models import User
from localfluence.people import repository, service
from localfluence.people.schemas import TokenCreate, UserCreate


def list_users(session: Session, principal: Principal, paging: Paging, *, include_deleted: bool) -> list[User]:
    require_admin(principal)
    return repository.list_users(session, start=paging.start, limit=paging.limit, include_deleted=include_deleted)


def get_user(session: Session, principal: Principal, account_id: str) -> User:
    require_admin(principal)
    return repository.get_user_by_account_id(session, account_id, include_deleted=True)


def create_user(session: Session, principal: Principal, data: UserCreate) -> User:
    require_admin(principal)
    return service.create_user(
        session, email=data.email, display_name=data.displayName, admin=data.siteAdmin, password=data.password
    )


def deactivate_user(session: Session, principal: Principal, account_id: str) -> User:
    require_admin(principal)
    return service.deactivate_user(session, repository.get_user_by_account_id(session, account_id))


def activate_user(session: Session, principal: Principal, account_id: str) -> User:
    require_admin(principal)
    return service.activate_user(session, repository.get_user_by_account_id(session, account_id))


def delete_user(session: Session, principal: Principal, account_id: str) -> None:
    require_admin(principal)
    service.delete_user(session, repository.get_user_by_account_id(session, account_id))


def create_token(session: Session, principal: Principal, account_id: str, data: TokenCreate) -> tuple[str, list[str]]:
    require_admin(principal)
    user = repository.get_user_by_account_id(session, account_id)
    scopes = normalize_scopes(data.scopes)
    return service.create_token(session, user, label=data.label, scopes=scopes), scopes or []
