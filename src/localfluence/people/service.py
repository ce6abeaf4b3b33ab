"""Rules for users and their API tokens (used by the API, the CLI and first-start bootstrap):
creation, lookups, and the admin's deactivate / reactivate / delete."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localfluence import events
from localfluence.access.checks import require_site_permission
from localfluence.access.principal import Principal
from localfluence.auth.credentials import ADMIN_GROUP, USERS_GROUP
from localfluence.auth.scopes import normalize_scopes
from localfluence.auth.secrets import hash_password, new_token, token_digest
from localfluence.errors import BadRequest, NotFound
from localfluence.groups import service as groups
from localfluence.kit.clock import clock
from localfluence.models import ApiToken, Group, GroupMember, User
from localfluence.people import repository
from localfluence.people.serialize import FORMER_USER_NAME

# Re-exported: bootstrap and older callers create the default groups through this module.
ensure_default_groups = groups.ensure_default_groups
DEFAULT_GROUPS = groups.DEFAULT_GROUPS


def new_account_id() -> str:
    # Cloud account ids look like "557058:<uuid>".
    return f"557058:{uuid.uuid4()}"


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    admin: bool = False,
    password: str | None = None,
    username: str | None = None,
) -> User:
    email = (email or "").strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or not domain or len(email) > 255 or any(c.isspace() for c in email):
        raise BadRequest(f"Invalid email address: {email}")
    display_name = (display_name or "").strip()
    if not display_name:
        raise BadRequest("A user needs a display name")
    if len(display_name) > 255:
        raise BadRequest("A display name can have at most 255 characters")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise BadRequest(f"A user with this email already exists: {email}")
    username = username or email
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise BadRequest(f"A user with this username already exists: {username}")
    user = User(
        account_id=new_account_id(),
        email=email,
        username=username,
        display_name=display_name,
        public_name=display_name,
        password_hash=hash_password(password) if password else None,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    default_groups = ensure_default_groups(session)
    session.add(GroupMember(group_id=default_groups[USERS_GROUP].id, user_id=user.id))
    if admin:
        session.add(GroupMember(group_id=default_groups[ADMIN_GROUP].id, user_id=user.id))
    session.flush()
    events.user_event(session, "created", user)
    return user


def create_token(
    session: Session, user: User, *, token: str | None = None, label: str = "", scopes: list[str] | None = None
) -> str:
    """Store a new API token for the user; the plain token is returned once and never stored.

    With scopes, the token may only call the operations they cover (auth/scopes.py)."""
    if user.deleted_at is not None:
        raise NotFound(f"No user found with accountId: {user.account_id}")
    scopes = normalize_scopes(scopes)
    token = token or new_token()
    digest = token_digest(token)
    if session.scalar(select(ApiToken.id).where(ApiToken.digest == digest)) is not None:
        raise BadRequest("This token is already in use")
    session.add(
        ApiToken(
            user_id=user.id,
            digest=digest,
            label=label,
            scopes=" ".join(scopes) if scopes else None,
            created_at=clock.now(),
        )
    )
    session.flush()
    return token


def get_user_by_email(session: Session, email: str) -> User:
    user = repository.find_user_by_email(session, email)
    if user is None:
        raise NotFound(f"No user with email {email}")
    return user


def list_users(session: Session) -> list[User]:
    return repository.list_users(session)


def lookup_user(
    session: Session,
    principal: Principal,
    *,
    account_id: str | None = None,
    username: str | None = None,
    key: str | None = None,
) -> User:
    """GET /user: by accountId (Cloud) or the deprecated username / key (Server-style clients).
    A deleted account still resolves, as a former user, so authors of old content can be shown."""
    require_site_permission(session, principal, "use")
    if account_id:
        return repository.get_user_by_account_id(session, account_id, include_deleted=True)
    if username:
        user = repository.find_user_by_username(session, username)
        if user is None:
            raise NotFound(f"No user found with username: {username}")
        return user
    if key:
        # Our userKey is the account id, as on migrated Cloud sites.
        return repository.get_user_by_account_id(session, key, include_deleted=True)
    raise BadRequest("The accountId query parameter is required")


def get_user_for_reading(session: Session, principal: Principal, account_id: str) -> User:
    require_site_permission(session, principal, "use")
    return repository.get_user_by_account_id(session, account_id)


def bulk_lookup(session: Session, principal: Principal, account_ids: list[str]) -> list[User]:
    require_site_permission(session, principal, "use")
    return repository.users_by_account_ids(session, account_ids)


def email_address(session: Session, principal: Principal, account_id: str) -> User:
    """The privacy-unsafe email lookup. Cloud answers 400 to callers not approved for it; here
    that is everyone but site admins and the user themselves (the rule of the email field)."""
    user = get_user_for_reading(session, principal, account_id)
    if not (principal.is_admin or principal.user_id == user.id):
        raise BadRequest("Only site administrators and the user themselves may read this email address")
    return user


def email_addresses(session: Session, principal: Principal, account_ids: list[str]) -> list[User]:
    """Accounts whose email the caller may not read are left out, like unknown ones (spec)."""
    users = bulk_lookup(session, principal, account_ids)
    return [u for u in users if u.deleted_at is None and (principal.is_admin or principal.user_id == u.id)]


def deactivate_user(session: Session, user: User) -> User:
    """A deactivated user keeps content, groups and grants but can no longer authenticate."""
    _require_not_deleted(user)
    groups.require_admins_remain(session, user, f"Cannot deactivate {user.email}")
    user.active = False
    session.flush()
    events.user_event(session, "deactivated", user)
    return user


def activate_user(session: Session, user: User) -> User:
    _require_not_deleted(user)
    user.active = True
    session.flush()
    events.user_event(session, "reactivated", user)
    return user


def delete_user(session: Session, user: User) -> None:
    """Erase the person but keep the account id: their pages, versions and comments stay and show
    a former user as author. Tokens and memberships go; the email and username become free.

    Space permissions and content restrictions naming the account stay: removing a read
    restriction entry could open a page to everyone, and the account can no longer sign in."""
    _require_not_deleted(user)
    groups.require_admins_remain(session, user, f"Cannot delete {user.email}")
    events.user_event(session, "removed", user)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.execute(delete(GroupMember).where(GroupMember.user_id == user.id))
    user.active = False
    user.deleted_at = clock.now()
    user.email = f"deleted-{user.id}@localfluence.invalid"
    user.username = f"deleted-{user.id}"
    user.display_name = FORMER_USER_NAME
    user.public_name = FORMER_USER_NAME
    user.password_hash = None
    session.flush()


def _require_not_deleted(user: User) -> None:
    if user.deleted_at is not None:
        raise NotFound(f"No user found with accountId: {user.account_id}")


def group_names_of(session: Session, user: User) -> list[str]:
    return list(
        session.scalars(
            select(Group.name)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .where(GroupMember.user_id == user.id, Group.deleted_at.is_(None))
            .order_by(Group.name)
        )
    )
