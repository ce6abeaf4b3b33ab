"""Search rules: parse and compile CQL, apply cqlcontext and paging limits, run the query."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.cql import ast
from localfluence.cql.compiler import Compiled, compile_content, compile_entity, entity_of, space_keys
from localfluence.cql.fields import SPACE_FIELDS, SPACE_SORTS, USER_FIELDS, USER_SORTS, CompileContext, CqlError
from localfluence.cql.parser import CqlSyntaxError, parse
from localfluence.cql.textquery import TextQuery
from localfluence.errors import BadRequest, NotAuthenticated
from localfluence.kit.clock import clock
from localfluence.models import Content, Space, User
from localfluence.search import cursor as cursors
from localfluence.search import repository as repo

STATUSES = ("current", "draft", "trashed", "archived", "historical")


@dataclass(frozen=True)
class CqlContext:
    space_key: str | None = None
    content_id: int | None = None
    statuses: tuple[str, ...] = ("current",)


@dataclass(frozen=True)
class Paging:
    offset: int
    limit: int


@dataclass
class Hits:
    entity: str
    rows: list[Any]
    scores: list[float]
    total: int | None
    paging: Paging
    has_more: bool
    fingerprint: str
    texts: list[TextQuery] = field(default_factory=list)


def parse_cqlcontext(raw: str | None) -> CqlContext:
    if not raw:
        return CqlContext()
    try:
        data = json.loads(raw)
    except ValueError:
        raise BadRequest(f"cqlcontext is not valid JSON: {raw[:200]}") from None
    if not isinstance(data, dict):
        raise BadRequest("cqlcontext must be a JSON object")
    space_key = data.get("spaceKey")
    content_id = data.get("contentId")
    statuses = data.get("contentStatuses") or ["current"]
    if space_key is not None and not isinstance(space_key, str):
        raise BadRequest("cqlcontext.spaceKey must be a string")
    if content_id is not None:
        try:
            content_id = int(content_id)
        except (TypeError, ValueError):
            raise BadRequest(f"cqlcontext.contentId is not a content id: {content_id}") from None
    if not isinstance(statuses, list) or not all(isinstance(s, str) and s in STATUSES for s in statuses):
        raise BadRequest(f"cqlcontext.contentStatuses must list statuses among {', '.join(STATUSES)}")
    return CqlContext(space_key=space_key, content_id=content_id, statuses=tuple(statuses))


def parse_cql(cql: str | None) -> ast.Query:
    if cql is None or not cql.strip():
        raise BadRequest("The CQL query (cql) is required")
    return parse(cql)


def paging(
    session_fingerprint: str, cursor: str | None, start: int | None, limit: int | None, *, default: int, maximum: int
) -> Paging:
    if limit is not None and limit < 0:
        raise BadRequest("limit must be zero or a positive number")
    if start is not None and start < 0:
        raise BadRequest("start must be zero or a positive number")
    offset = cursors.decode(cursor, session_fingerprint) if cursor else (start or 0)
    # Confluence caps an over-large limit at the endpoint's maximum, silently.
    return Paging(offset=min(offset, cursors.MAX_OFFSET), limit=min(default if limit is None else limit, maximum))


def compile_context(
    session: Session, principal: Principal, dialect: str, query: ast.Query, context: CqlContext
) -> CompileContext:
    def zone() -> ZoneInfo:
        try:
            return ZoneInfo(repo.user_time_zone(session, principal))
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    return CompileContext(
        principal=principal,
        dialect=dialect,
        now=clock.now(),
        zone=zone,
        space_ids=repo.resolve_space_ids(session, space_keys(query)),
        content_id=context.content_id,
        space_key=context.space_key,
    )


def _compiled(cql: str, build: Any) -> Compiled:
    try:
        return build()  # type: ignore[no-any-return]
    except CqlError as exc:
        raise CqlSyntaxError(cql, exc.message) from None


def search(
    session: Session,
    principal: Principal,
    *,
    dialect: str,
    cql: str | None,
    cqlcontext: str | None,
    cursor: str | None,
    start: int | None,
    limit: int | None,
    maximum: int,
    include_archived: bool = False,
    only_archived: bool = False,
    entities: tuple[str, ...] = ("content", "space"),
    count: bool = True,
) -> Hits:
    query = parse_cql(cql)
    context = parse_cqlcontext(cqlcontext)
    assert cql is not None
    entity = entity_of(query)
    if entity not in entities:
        # Spec (searchByCQL): user fields moved to /search/user.
        entity = "content"
    fingerprint = cursors.fingerprint(entity, cql, cqlcontext, include_archived, only_archived)
    page = paging(fingerprint, cursor, start, limit, default=25, maximum=maximum)
    ctx = compile_context(session, principal, dialect, query, context)
    if entity == "space":
        compiled = _compiled(cql, lambda: compile_entity(query, ctx, SPACE_FIELDS, SPACE_SORTS, Space.id))
        spaces, total = repo.search_spaces(
            session, principal, compiled, include_archived=include_archived, offset=page.offset, limit=page.limit
        )
        return Hits(entity, spaces[: page.limit], [0.0] * min(len(spaces), page.limit), total, page,
                    len(spaces) > page.limit, fingerprint, compiled.texts)  # fmt: skip
    compiled = _compiled(cql, lambda: compile_content(query, ctx))
    rows, total = repo.search_content(
        session,
        principal,
        compiled,
        statuses=context.statuses,
        include_archived=include_archived,
        only_archived=only_archived,
        offset=page.offset,
        limit=page.limit,
        count=count,
    )
    kept = rows[: page.limit]
    return Hits(
        "content", [c for c, _ in kept], [s for _, s in kept], total, page, len(rows) > page.limit, fingerprint,
        compiled.texts,
    )  # fmt: skip


def search_users(
    session: Session, principal: Principal, *, dialect: str, cql: str | None, start: int | None, limit: int | None
) -> Hits:
    if principal.is_anonymous:
        raise NotAuthenticated("Authentication is required to search for users")
    query = parse_cql(cql)
    assert cql is not None
    fingerprint = cursors.fingerprint("user", cql)
    page = paging(fingerprint, None, start, limit, default=25, maximum=1000)
    ctx = compile_context(session, principal, dialect, query, CqlContext())
    compiled = _compiled(cql, lambda: compile_entity(query, ctx, USER_FIELDS, USER_SORTS, User.id))
    users, total = repo.search_users(session, compiled, offset=page.offset, limit=page.limit)
    kept = users[: page.limit]
    return Hits("user", kept, [0.0] * len(kept), total, page, len(users) > page.limit, fingerprint, compiled.texts)


__all__ = ["Content", "Hits", "search", "search_users"]
