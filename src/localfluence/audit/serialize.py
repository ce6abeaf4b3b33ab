"""AuditRecord JSON and the CSV export."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence.models import AuditRecord, User

CSV_COLUMNS = [
    "Date",
    "Author",
    "Author account id",
    "Remote address",
    "Category",
    "Summary",
    "Affected object",
    "Description",
    "Changed values",
    "Associated objects",
]


def _ms(dt: datetime) -> int:
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _users(session: Session, records: Sequence[AuditRecord]) -> dict[str, User]:
    ids = {r.author_account_id for r in records if r.author_account_id}
    if not ids:
        return {}
    return {u.account_id: u for u in session.scalars(select(User).where(User.account_id.in_(ids)))}


def _author(record: AuditRecord, users: dict[str, User]) -> dict[str, Any]:
    user = users.get(record.author_account_id or "")
    if user is None:
        return {"type": "user", "displayName": record.author_name, "operations": None}
    return {
        "type": "user",
        "displayName": user.display_name,
        "operations": None,
        "accountId": user.account_id,
        "accountType": user.account_type,
        "publicName": user.public_name,
        "externalCollaborator": False,
        "isExternalCollaborator": False,
    }


def serialize_records(session: Session, records: Sequence[AuditRecord]) -> list[dict[str, Any]]:
    users = _users(session, records)
    return [
        {
            "author": _author(r, users),
            "remoteAddress": r.remote_address,
            "creationDate": _ms(r.created_at),
            "summary": r.summary,
            "description": r.description,
            "category": r.category,
            "sysAdmin": r.sys_admin,
            "superAdmin": False,
            "affectedObject": json.loads(r.affected_object),
            "changedValues": json.loads(r.changed_values),
            "associatedObjects": json.loads(r.associated_objects),
        }
        for r in records
    ]


def export_csv(session: Session, records: Sequence[AuditRecord]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in serialize_records(session, records):
        affected = item["affectedObject"]
        writer.writerow(
            [
                datetime.fromtimestamp(item["creationDate"] / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                item["author"]["displayName"],
                item["author"].get("accountId", ""),
                item["remoteAddress"],
                item["category"],
                item["summary"],
                f"{affected.get('name', '')} ({affected.get('objectType', '')})" if affected.get("name") else "",
                item["description"],
                "; ".join(f"{c['name']}: {c['oldValue']} -> {c['newValue']}" for c in item["changedValues"]),
                "; ".join(f"{a['name']} ({a['objectType']})" for a in item["associatedObjects"]),
            ]
        )
    return out.getvalue().encode()


def export_zip(csv_bytes: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("audit-records.csv", csv_bytes)
    return buffer.getvalue()
