"""Audit routes (tag "Audit"); site admins only, as in Confluence."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.audit import service
from localfluence.audit.serialize import export_csv, export_zip, serialize_records
from localfluence.audit.service import AuditRecordCreate, RetentionPeriod
from localfluence.context import Ctx
from localfluence.errors import BadRequest

router = APIRouter(tags=["Audit"])
MAX_LIMIT = 1000
Start = Annotated[int | None, Query(ge=0, le=2**31 - 1)]
Limit = Annotated[int | None, Query(ge=0, le=2**31 - 1)]


def _page(
    ctx: Ctx,
    start_date: datetime | None,
    end_date: datetime | None,
    search: str | None,
    start: int | None,
    limit: int | None,
) -> dict[str, Any]:
    first, count = start or 0, min(MAX_LIMIT, MAX_LIMIT if limit is None else limit)
    rows = service.find_records(
        ctx.session, ctx.principal, start_date=start_date, end_date=end_date, search=search, start=first, limit=count
    )
    results = serialize_records(ctx.session, rows[:count])
    return {
        "results": results,
        "start": first,
        "limit": count,
        "size": len(results),
        "_links": ctx.links.top(),
    }


@router.get("/audit", operation_id="getAuditRecords")
async def get_audit_records(
    ctx: Context,
    startDate: str | None = None,
    endDate: str | None = None,
    searchString: str | None = None,
    start: Start = None,
    limit: Limit = None,
) -> Response:
    start_date, end_date = service.parse_epoch(startDate, "startDate"), service.parse_epoch(endDate, "endDate")
    return ok(_page(ctx, start_date, end_date, searchString, start, limit))


@router.post("/audit", operation_id="createAuditRecord")
async def create_audit_record(ctx: Context, body: AuditRecordCreate) -> Response:
    record = service.create_record(ctx.session, ctx.principal, body)
    return ok(serialize_records(ctx.session, [record])[0])


@router.get("/audit/since", operation_id="getAuditRecordsForTimePeriod")
async def get_audit_records_for_time_period(
    ctx: Context,
    number: Annotated[int, Query(ge=0, le=2**62)] = 3,
    units: str = "MONTHS",
    searchString: str | None = None,
    start: Start = None,
    limit: Limit = None,
) -> Response:
    return ok(_page(ctx, service.since(number, units), None, searchString, start, limit))


@router.get("/audit/export", operation_id="exportAuditRecords")
async def export_audit_records(
    ctx: Context,
    startDate: str | None = None,
    endDate: str | None = None,
    searchString: str | None = None,
    format: str = "csv",
) -> Response:
    if format not in ("csv", "zip"):
        raise BadRequest(f"Invalid format: {format}; use csv or zip")
    rows = service.find_records(
        ctx.session,
        ctx.principal,
        start_date=service.parse_epoch(startDate, "startDate"),
        end_date=service.parse_epoch(endDate, "endDate"),
        search=searchString,
        start=0,
        limit=None,
    )
    data = export_csv(ctx.session, rows)
    if format == "zip":
        return Response(
            export_zip(data),
            media_type="application/zip",
            headers={"Content-Disposition": 'attachment; filename="audit-records.zip"'},
        )
    return Response(
        data, media_type="text/csv", headers={"Content-Disposition": 'attachment; filename="audit-records.csv"'}
    )


@router.get("/audit/retention", operation_id="getRetentionPeriod")
async def get_retention_period(ctx: Context) -> Response:
    return ok(service.get_retention(ctx.session, ctx.principal))


@router.put("/audit/retention", operation_id="setRetentionPeriod")
async def set_retention_period(ctx: Context, body: RetentionPeriod) -> Response:
    return ok(service.set_retention(ctx.session, ctx.principal, body))
