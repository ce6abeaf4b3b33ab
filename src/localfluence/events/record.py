"""events.record(session, type, payload) and the helpers services call with their own rows.

Event types are Confluence Cloud's webhook event names (page_created, blog_updated,
comment_removed, attachment_created, label_added, space_created, user_created, group_created, ...);
payloads keep the ids and fields the webhook payload needs, as they were at the change."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from localfluence.kit.clock import clock
from localfluence.models import Event, Space, User

if TYPE_CHECKING:
    from localfluence.models import Content, Group

# session.info key: the account id of whoever the transaction acts for (request or task worker).
ACTOR = "localfluence.actor"
# session.info key: the client address of the request (for the audit log).
REMOTE_ADDRESS = "localfluence.remote_address"

# Confluence names blog posts "blog" in event names.
PREFIX = {"page": "page", "blogpost": "blog", "comment": "comment", "attachment": "attachment"}

# session.info key: account ids of users the transaction already knows (user id -> account id).
_ACCOUNTS = "localfluence.known_accounts"


@dataclass(frozen=True, slots=True)
class Recorded:
    """An outbox row as record() wrote it (the columns of models.Event), for the listeners: the row is
    never changed in the transaction that writes it, and a plain copy costs a fraction of an ORM one."""

    id: int
    type: str
    payload: str
    actor_account_id: str | None
    created_at: datetime
    recorded_at: datetime


EventListener = Callable[[Session, Recorded], None]
_listeners: list[EventListener] = []
_loaded = False


def on_event(listener: EventListener) -> EventListener:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def _load_listeners() -> None:
    # Listeners live in the packages that own them; importing them registers them.
    global _loaded
    import localfluence.audit.service  # noqa: F401
    import localfluence.webhooks.service  # noqa: F401

    _loaded = True


_INSERT = insert(Event.__table__).returning(Event.__table__.c.id)


def record(session: Session, type: str, payload: dict[str, Any]) -> Recorded:
    if not _loaded:
        _load_listeners()
    values = {
        "type": type,
        "payload": json.dumps(payload, separators=(",", ":"), default=str),
        "actor_account_id": session.info.get(ACTOR),
        "created_at": clock.now(),
        "recorded_at": datetime.now(UTC),
    }
    # Whatever the change left pending goes first, as a flush of the event itself would do.
    session.flush()
    # A plain insert, and the listeners get a plain copy of the row (Recorded).
    event = Recorded(session.execute(_INSERT, values).scalar_one(), **values)
    for listener in _listeners:
        listener(session, event)
    return event


def _ms(dt: datetime | None) -> int | None:
    if dt is None:
        return None
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


_ACCOUNT_ID = select(User.account_id).where(User.id == bindparam("user_id"))


def known_user(session: Session, user_id: int | None, account_id: str) -> None:
    """The caller has this user's account id at hand (the principal acting): events that name the
    user (a content's creator, usually whoever writes it) need not look it up."""
    if user_id is not None:
        session.info.setdefault(_ACCOUNTS, {})[user_id] = account_id


@event.listens_for(Session, "after_transaction_end")
def _forget_known_users(session: Session, transaction: SessionTransaction) -> None:
    # Ids are reused once a user is deleted (SQLite), so nothing is known beyond the transaction.
    if transaction.parent is None:
        session.info.pop(_ACCOUNTS, None)


def _account_id(session: Session, user_id: int | None) -> str | None:
    # One column, by a statement built once: every content event names its creator.
    if user_id is None:
        return None
    known = session.info.get(_ACCOUNTS)
    if known is not None and user_id in known:
        return known[user_id]  # type: ignore[no-any-return]
    loaded = session.identity_map.get(session.identity_key(User, user_id))
    if loaded is not None:
        return loaded.account_id  # type: ignore[no-any-return]
    return session.scalar(_ACCOUNT_ID, {"user_id": user_id})


def content_payload(session: Session, content: Content, space_key: str | None = None) -> dict[str, Any]:
    """`space_key`: the content's space key when the caller has it at hand."""
    if space_key is None:
        space = session.get(Space, content.space_id)
        space_key = space.key if space is not None else None
    return {
        "id": content.id,
        "type": content.type,
        "status": content.status,
        "title": content.title,
        "spaceKey": space_key,
        "parentId": content.parent_id,
        "version": content.version,
        "creatorAccountId": _account_id(session, content.creator_id),
        "creationDate": _ms(content.created_at),
    }


def content_event(
    session: Session, verb: str, content: Content, *, space_key: str | None = None, **extra: Any
) -> Recorded | None:
    """`verb` is created, updated, trashed, restored, removed, moved, archived, ...; `space_key`: the
    content's space key when the caller has it at hand; `extra`: more payload."""
    prefix = PREFIX.get(content.type)
    if prefix is None:
        return None
    return record(session, f"{prefix}_{verb}", {"content": content_payload(session, content, space_key), **extra})


def contents_event(session: Session, verb: str, contents: Iterable[Content]) -> None:
    for content in contents:
        content_event(session, verb, content)


def space_event(session: Session, verb: str, space: Space) -> Recorded:
    creator = session.get(User, space.creator_id) if space.creator_id is not None else None
    payload = {
        "id": space.id,
        "key": space.key,
        "name": space.name,
        "type": space.type,
        "creatorAccountId": creator.account_id if creator is not None else None,
        "creationDate": _ms(space.created_at),
    }
    return record(session, f"space_{verb}", {"space": payload})


def user_event(session: Session, verb: str, user: User) -> Recorded:
    payload = {"accountId": user.account_id, "displayName": user.display_name, "accountType": user.account_type}
    return record(session, f"user_{verb}", {"user": payload})


def group_event(session: Session, verb: str, group: Group, user: User | None = None) -> Recorded:
    payload: dict[str, Any] = {"group": {"id": group.id, "name": group.name}}
    if user is not None:
        payload["user"] = {"accountId": user.account_id, "displayName": user.display_name}
    return record(session, f"group_{verb}", payload)


def label_event(session: Session, verb: str, content: Content | None, labels: Iterable[tuple[str | None, str]]) -> None:
    """label_added / label_removed, one event per label, as Confluence sends them."""
    labelled = content_payload(session, content) if content is not None else None
    for prefix, name in labels:
        record(session, f"label_{verb}", {"label": {"prefix": prefix or "global", "name": name}, "content": labelled})
