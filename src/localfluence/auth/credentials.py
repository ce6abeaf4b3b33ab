"""Turn an Authorization header into a Principal (Basic email/username + token or password,
Bearer token), or raise NotAuthenticated."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.auth.secrets import token_digest, verify_password
from localfluence.errors import NotAuthenticated
from localfluence.models import ApiToken, Group, GroupMember, SiteSetting, User

ADMIN_GROUP = "confluence-administrators"
USERS_GROUP = "confluence-users"
ANONYMOUS_ACCESS_SETTING = "anonymous_access"


def authenticate(session: Session, authorization: str | None) -> Principal:
    if not authorization:
        return Principal.anonymous(anonymous_access=anonymous_access_enabled(session))
    scheme, _, value = authorization.strip().partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "basic":
        user, scopes = _basic(session, value)
    elif scheme == "bearer":
        user, scopes = _by_token(session, value, None)
    else:
        raise NotAuthenticated("Unsupported authorization scheme")
    if user is None or not user.active:
        raise NotAuthenticated("Basic authentication with passwords is deprecated or the credentials are invalid")
    return principal_for(session, user, scopes)


def principal_for(session: Session, user: User, scopes: str | None = None) -> Principal:
    rows = session.execute(
        select(Group.id, Group.name)
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.user_id == user.id)
    ).all()
    return Principal(
        user_id=user.id,
        account_id=user.account_id,
        group_ids=frozenset(r.id for r in rows),
        is_admin=any(r.name == ADMIN_GROUP for r in rows),
        scopes=frozenset(scopes.split()) if scopes is not None else None,
    )


def anonymous_access_enabled(session: Session) -> bool:
    value = session.scalar(select(SiteSetting.value).where(SiteSetting.key == ANONYMOUS_ACCESS_SETTING))
    return value == "true"


def _basic(session: Session, value: str) -> tuple[User | None, str | None]:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated("Malformed Basic authorization header") from None
    login, sep, secret = decoded.partition(":")
    if not sep or not login or not secret:
        raise NotAuthenticated("Malformed Basic authorization header")
    user = session.scalar(select(User).where((User.email == login.lower()) | (User.username == login)))
    if user is None:
        return None, None
    found, scopes = _by_token(session, secret, user.id)
    if found is not None:
        return found, scopes
    # Server-style username + password; argon2 is slow on purpose, so only reached without a token.
    if user.password_hash and verify_password(user.password_hash, secret):
        return user, None
    return None, None


def _by_token(session: Session, token: str, user_id: int | None) -> tuple[User | None, str | None]:
    # The lookup is by digest in a unique index: equal digests are the only match, so no
    # timing signal about other tokens leaks from the comparison.
    query = (
        select(User, ApiToken.scopes)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.digest == token_digest(token))
    )
    if user_id is not None:
        query = query.where(User.id == user_id)
    row = session.execute(query).first()
    if row is None:
        return None, None
    return row[0], row[1]
