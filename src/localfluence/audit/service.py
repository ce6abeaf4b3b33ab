"""Audit records: written from outbox events (same transaction), created through the API, read
with filters, and kept no longer than the retention period."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field
from sqlalchemy import String, and_, cast, delete, or_, select
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.errors import BadRequest
from localfluence.events.record import REMOTE_ADDRESS, Recorded, on_event
from localfluence.kit.clock import clock
from localfluence.kit.requestbody import RequestBody
from localfluence.models import AuditRecord, SiteSetting

RETENTION_SETTING = "audit.retention"
DEFAULT_RETENTION = {"number": 3, "units": "YEARS"}
# Java's ChronoUnit durations (MONTHS, YEARS, ... are its estimated lengths), as Confluence uses.
UNIT_SECONDS: dict[str, float] = {
    "NANOS": 1e-9,
    "MICROS": 1e-6,
    "MILLIS": 1e-3,
    "SECONDS": 1,
    "MINUTES": 60,
    "HOURS": 3600,
    "HALF_DAYS": 43200,
    "DAYS": 86400,
    "WEEKS": 7 * 86400,
    "MONTHS": 31556952 / 12,
    "YEARS": 31556952,
    "DECADES": 31556952 * 10,
    "CENTURIES": 31556952 * 100,
    "MILLENNIA": 31556952 * 1000,
    "ERAS": 31556952 * 1_000_000_000,
}
# What an event says in the audit log: (category, summary).
AUDITED = {
    "space_created": ("Spaces", "Space created"),
    "space_updated": ("Spaces", "Space details updated"),
    "space_removed": ("Spaces", "Space deleted"),
    "space_permissions_updated": ("Permissions", "Space permissions changed"),
    "page_permissions_updated": ("Permissions", "Page restrictions changed"),
    "blog_permissions_updated": ("Permissions", "Blog post restrictions changed"),
    "global_permissions_updated": ("Permissions", "Global permissions changed"),
    "user_created": ("Users and groups", "User created"),
    "user_deactivated": ("Users and groups", "User deactivated"),
    "user_reactivated": ("Users and groups", "User reactivated"),
    "user_removed": ("Users and groups", "User deleted"),
    "group_created": ("Users and groups", "Group created"),
    "group_removed": ("Users and groups", "Group deleted"),
    "group_member_added": ("Users and groups", "User added to group"),
    "group_member_removed": ("Users and groups", "User removed from group"),
}


class AffectedObjectIn(RequestBody):
    name: str = Field(default="", max_length=1000)
    objectType: str = Field(default="", max_length=255)


class ChangedValueIn(RequestBody):
    name: str = Field(default="", max_length=1000)
    oldValue: str = ""
    newValue: str = ""


class AuthorIn(RequestBody):
    type: str = "user"
    displayName: str | None = None


class AuditRecordCreate(RequestBody):
    author: AuthorIn | None = None
    remoteAddress: str = Field(max_length=64)
    creationDate: int | None = Field(default=None, ge=0, le=253402300799999)
    summary: str = Field(default="", max_length=10_000)
    description: str = Field(default="", max_length=100_000)
    category: str = Field(default="", max_length=255)
    sysAdmin: bool = False
    affectedObject: AffectedObjectIn | None = None
    changedValues: list[ChangedValueIn] = Field(default_factory=list, max_length=1000)
    associatedObjects: list[AffectedObjectIn] = Field(default_factory=list, max_length=1000)


class RetentionPeriod(RequestBody):
    number: int = Field(ge=0, le=2**31 - 1)
    units: str


# --- writing ----------------------------------------------------------------------------------


@on_event
def audit_event(session: Session, event: Recorded) -> None:
    described = AUDITED.get(event.type)
    if described is None:
        return
    category, summary = described
    payload = json.loads(event.payload)
    affected, associated = _objects(payload)
    session.add(
        AuditRecord(
            author_account_id=event.actor_account_id,
            remote_address=session.info.get(REMOTE_ADDRESS, ""),
            created_at=event.created_at,
            summary=summary,
            description=json.dumps(payload, separators=(",", ":"))[:10_000],
            category=category,
            sys_admin=False,
            affected_object=json.dumps(affected),
            changed_values="[]",
            associated_objects=json.dumps(associated),
        )
    )
    _enforce_retention(session)


def _objects(payload: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    for key, kind in (("content", "Page"), ("space", "Space"), ("user", "User"), ("group", "Group")):
        item = payload.get(key)
        if isinstance(item, dict):
            name = item.get("title") or item.get("key") or item.get("name") or item.get("displayName") or ""
            affected = {"name": str(name), "objectType": kind}
            associated = []
            if key == "content" and item.get("spaceKey"):
                associated.append({"name": str(item["spaceKey"]), "objectType": "Space"})
            if key == "group" and isinstance(payload.get("user"), dict):
                associated.append({"name": payload["user"].get("displayName", ""), "objectType": "User"})
            return affected, associated
    return {"name": "Site", "objectType": "Global"}, []


def create_record(session: Session, principal: Principal, data: AuditRecordCreate) -> AuditRecord:
    checks.require_admin(principal)
    when = datetime.fromtimestamp(data.creationDate / 1000, UTC) if data.creationDate is not None else clock.now()
    record = AuditRecord(
        # Spec (createAuditRecord): without an author, the author's properties are empty.
        author_account_id=None,
        author_name=(data.author.displayName or "") if data.author is not None else "",
        remote_address=data.remoteAddress,
        created_at=when,
        summary=data.summary,
        description=data.description,
        category=data.category,
        sys_admin=data.sysAdmin,
        affected_object=json.dumps((data.affectedObject or AffectedObjectIn()).model_dump()),
        changed_values=json.dumps([c.model_dump() for c in data.changedValues]),
        associated_objects=json.dumps([a.model_dump() for a in data.associatedObjects]),
    )
    session.add(record)
    session.flush()
    _enforce_retention(session)
    return record


# --- retention --------------------------------------------------------------------------------


def get_retention(session: Session, principal: Principal) -> dict[str, Any]:
    checks.require_admin(principal)
    return _retention(session)


def set_retention(session: Session, principal: Principal, data: RetentionPeriod) -> dict[str, Any]:
    checks.require_admin(principal)
    if data.units not in UNIT_SECONDS and data.units != "FOREVER":
        raise BadRequest(f"Invalid units: {data.units}; use one of {', '.join([*UNIT_SECONDS, 'FOREVER'])}")
    value = {"number": data.number, "units": data.units}
    setting = session.get(SiteSetting, RETENTION_SETTING)
    if setting is None:
        session.add(SiteSetting(key=RETENTION_SETTING, value=json.dumps(value)))
    else:
        setting.value = json.dumps(value)
    session.flush()
    _enforce_retention(session)
    return value


def _retention(session: Session) -> dict[str, Any]:
    value = session.scalar(select(SiteSetting.value).where(SiteSetting.key == RETENTION_SETTING))
    return json.loads(value) if value else dict(DEFAULT_RETENTION)


def _cutoff(session: Session) -> datetime | None:
    retention = _retention(session)
    if retention["units"] == "FOREVER":
        return None
    seconds = retention["number"] * UNIT_SECONDS[retention["units"]]
    try:
        return clock.now() - timedelta(seconds=seconds)
    except OverflowError:
        return None


def _enforce_retention(session: Session) -> None:
    cutoff = _cutoff(session)
    if cutoff is not None:
        session.execute(delete(AuditRecord).where(AuditRecord.created_at < cutoff))


# --- reading ----------------------------------------------------------------------------------


def parse_epoch(value: str | None, name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not (value.isascii() and value.lstrip("-").isdigit()) or len(value) > 16:
        raise BadRequest(f"Invalid {name}: {value}; give epoch milliseconds")
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise BadRequest(f"Invalid {name}: {value}") from None


def since(number: int, units: str) -> datetime:
    if units not in UNIT_SECONDS:
        raise BadRequest(f"Invalid units: {units}")
    if number < 0:
        raise BadRequest("number must not be negative")
    try:
        return clock.now() - timedelta(seconds=number * UNIT_SECONDS[units])
    except OverflowError:
        return datetime(1, 1, 1, tzinfo=UTC)


def find_records(
    session: Session,
    principal: Principal,
    *,
    start_date: datetime | None,
    end_date: datetime | None,
    search: str | None,
    start: int,
    limit: int | None,
) -> Sequence[AuditRecord]:
    checks.require_admin(principal)
    query = select(AuditRecord).order_by(AuditRecord.created_at.desc(), AuditRecord.id.desc())
    conditions = []
    cutoff = _cutoff(session)
    if cutoff is not None:
        conditions.append(AuditRecord.created_at >= cutoff)
    if start_date is not None:
        conditions.append(AuditRecord.created_at >= start_date)
    if end_date is not None:
        conditions.append(AuditRecord.created_at <= end_date)
    if search:
        fields = (
            AuditRecord.summary,
            AuditRecord.description,
            AuditRecord.category,
            AuditRecord.affected_object,
            AuditRecord.associated_objects,
            AuditRecord.changed_values,
            cast(AuditRecord.author_account_id, String),
            AuditRecord.remote_address,
        )
        conditions.append(or_(*(f.is_not(None) & f.icontains(search, autoescape=True) for f in fields)))
    if conditions:
        query = query.where(and_(*conditions))
    query = query.offset(start)
    if limit is not None:
        query = query.limit(limit + 1)
    return list(session.scalars(query))
