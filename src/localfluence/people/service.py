"""Rules for users, tokens and groups (used by the API, the CLI and first-start bootstrap)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence.auth.credentials import ADMIN_GROUP, USERS_GROUP
from localfluence.auth.secrets import hash_password, new_token, token_digest
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.clock import clock
from localfluence.models import ApiToken, Group, GroupMember, SitePermission, User

DEFAULT_GROUPS = (USERS_GROUP, ADMIN_GROUP)


def new_account_id() -> str:
    # Cloud account ids look like "557058:<uuid>".
    return f"557058:{uuid.uuid4()}"


def ensure_default_groups(session: Session) -> dict[str, Group]:
    groups = {g.name: g for g in session.scalars(select(Group).where(Group.name.in_(DEFAULT_GROUPS)))}
    for name in DEFAULT_GROUPS:
        if name not in groups:
            group = Group(id=str(uuid.uuid4()), name=name, created_at=clock.now())
            session.add(group)
            groups[name] = group
    session.flush()
    has_use = session.scalar(
        select(SitePermission.id).where(
            SitePermission.permission == "use", SitePermission.group_id == groups[USERS_GROUP].id
        )
    )
    if has_use is None:
        for permission in ("use", "createspace"):
            session.add(SitePermission(permission=permission, subject_type="group", group_id=groups[USERS_GROUP].id))
        session.add(SitePermission(permission="administer", subject_type="group", group_id=groups[ADMIN_GROUP].id))
    return groups


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    admin: bool = False,
    password: str | None = None,
    username: str | None = None,
) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 255:
        raise BadRequest(f"Invalid email address: {email}")
    if not display_name.strip():
        raise BadRequest("A user needs a display name")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise BadRequest(f"A user with this email already exists: {email}")
    username = username or email
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise BadRequest(f"A user with this username already exists: {username}")
    user = User(
        account_id=new_account_id(),
        email=email,
        username=username,
        display_name=display_name.strip(),
        public_name=display_name.strip(),
        password_hash=hash_password(password) if password else None,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    groups = ensure_default_groups(session)
    session.add(GroupMember(group_id=groups[USERS_GROUP].id, user_id=user.id))
    if admin:
        session.add(GroupMember(group_id=groups[ADMIN_GROUP].id, user_id=user.id))
    session.flush()
    return user


def create_token(
    session: Session, user: User, *, token: str | None = None, label: str = "", scopes: list[str] | None = None
) -> str:
    """Store a new API token for the user; the plain token is returned once and never stored."""
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
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"No user with email {email}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))
