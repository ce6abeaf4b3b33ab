"""The compiler, without a database: both dialects, injection-proof text queries, field rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from localfluence.access.principal import Principal
from localfluence.cql import functions
from localfluence.cql.compiler import compile_content, compile_entity, entity_of, space_keys
from localfluence.cql.fields import RELATIONS, USER_FIELDS, USER_SORTS, CompileContext, CqlError
from localfluence.cql.parser import parse
from localfluence.cql.textquery import Term, parse_text
from localfluence.db.dialect import PostgresTextSearch, SqliteTextSearch
from localfluence.models import Content, User

NOW = datetime(2024, 3, 15, 10, 30, tzinfo=UTC)
DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}


def sql(cql: str, dialect: str = "sqlite", **ctx: object) -> str:
    context = CompileContext(principal=Principal(user_id=7, account_id="a"), dialect=dialect, now=NOW, **ctx)  # type: ignore[arg-type]
    compiled = compile_content(parse(cql), context)
    statement = select(Content.id).where(*compiled.conditions).order_by(*compiled.order_by)
    return str(statement.compile(dialect=DIALECTS[dialect], compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "cql",
    [
        "ancestor = 1 and parent in (2, 3) and id != 4",
        'created > now("-4w") and lastmodified <= 2024/01/05 order by lastmodified',
        "creator = currentUser() or contributor in (x, y)",
        "label in (a, b) and not space = DEV",
        'text ~ "conf* deploy" and title !~ "draft"',
        "space.title ~ team and space.type = global",
        "type in (page, blogpost) order by title desc, created",
        "watcher = currentUser() and macro = toc and mention = me and favourite = me",
        "content.property[x].y = 1",
    ],
)
def test_compiles_on_both_dialects(cql: str, dialect: str) -> None:
    assert "SELECT content.id" in sql(cql, dialect)


def test_text_is_quoted_word_by_word_on_sqlite() -> None:
    expression = SqliteTextSearch().expression(
        parse_text('NEAR(a b) col:x "{title}"'), ("title", "body", "labels"), None
    )
    # Every word reaches FTS5 as a quoted string; no operator or column filter from the user survives.
    assert expression == '{title body labels} : ("near a" AND "b" AND "col x" AND "title")'


def test_text_is_quoted_word_by_word_on_postgresql() -> None:
    expression = PostgresTextSearch().expression(parse_text('it\'s & !x | conf* "a b"'), ("title",), [3])
    assert expression == "('s3':C) & ((('it':A <-> 's':A) & 'conf':*A & ('a':A <-> 'b':A)) & !('x':A))"


def test_space_clause_narrows_text_search_inside_the_index() -> None:
    assert '"s42"' in sql("space = DEV and text ~ deploy", space_ids={"DEV": 42})
    assert "space_token" not in sql("space = DEV or text ~ deploy", space_ids={"DEV": 42})


def test_relevance_ranking_only_without_order_by() -> None:
    ctx = CompileContext(principal=Principal(user_id=1, account_id="a"))
    assert compile_content(parse("text ~ deploy"), ctx).ranked is not None
    assert compile_content(parse("text ~ deploy order by title"), ctx).ranked is None
    assert compile_content(parse("label = x"), ctx).ranked is None


@pytest.mark.parametrize(
    ("cql", "reason"),
    [
        ("text = foo", "operator '=' is not supported for the field 'text'"),
        ("nosuchfield = 1", "No field exists with the name: 'nosuchfield'"),
        ("label > a", "operator '>' is not supported"),
        ("created > yesterday", "Invalid date"),
        ("creator = now()", "cannot be used with the field 'creator'"),
        ("id = abc", "not a valid content id"),
        ("space = currentSpace()", "needs a cqlcontext"),
        ("type = page order by nosuch", "cannot be used in ORDER BY"),
        ('created > now("soon")', "Invalid date increment"),
    ],
)
def test_meaningless_queries_are_rejected(cql: str, reason: str) -> None:
    with pytest.raises(CqlError) as caught:
        sql(cql)
    assert reason in caught.value.message


def test_unwired_relations_match_nothing_and_wire_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # The registry is process-wide (the search package fills it): test both states explicitly.
    monkeypatch.delitem(RELATIONS, "watcher", raising=False)
    assert "false" in sql("watcher = currentUser()").lower() or "0 = 1" in sql("watcher = currentUser()")
    monkeypatch.setitem(RELATIONS, "watcher", lambda users: select(Content.id).where(Content.creator_id.in_(users)))
    assert "content.creator_id IN" in sql("watcher = currentUser()")


def test_entity_dispatch_and_space_keys() -> None:
    assert entity_of(parse("type = space and space.title ~ x")) == "space"
    assert entity_of(parse("type = user")) == "user"
    assert entity_of(parse("type = page or type = space")) == "content"
    assert space_keys(parse('space in (A, "B") and (space = C or x = 1)')) == ["A", "B"]


def test_user_fields_compile() -> None:
    ctx = CompileContext(principal=Principal(user_id=1, account_id="a"))
    compiled = compile_entity(parse("type = user and user.fullname ~ jo"), ctx, USER_FIELDS, USER_SORTS, User.id)
    assert len(compiled.conditions) == 2


def test_date_spans_and_functions() -> None:
    tz = ZoneInfo("UTC")
    assert functions.parse_date("2024/01/05", NOW, tz).length == timedelta(days=1)
    assert functions.parse_date("2024-01-05 10:15", NOW, tz).length == timedelta(minutes=1)
    assert functions.parse_date("-1d", NOW, tz).start == NOW - timedelta(days=1)
    assert functions.evaluate("now", ["-4w 2d"], NOW, tz) == NOW - timedelta(days=30)
    assert functions.evaluate("startofweek", [], NOW, tz) == datetime(2024, 3, 11, tzinfo=tz)
    assert functions.evaluate("endofday", ["+1"], NOW, tz) == datetime(2024, 3, 16, 23, 59, 59, 999000, tzinfo=tz)
    assert functions.evaluate("startofmonth", ["-1M"], NOW, tz) == datetime(2024, 2, 1, tzinfo=tz)
    assert functions.evaluate("endofyear", [], NOW, tz).year == 2024
    berlin = ZoneInfo("Europe/Berlin")
    assert functions.evaluate("startofday", [], NOW, berlin).utcoffset() == timedelta(hours=1)


def test_text_query_language() -> None:
    query = parse_text('"advanced search" conf* -draft foo OR bar')
    assert query.groups == (
        (Term(("advanced", "search")),),
        (Term(("conf",), prefix=True),),
        (Term(("foo",)), Term(("bar",))),
    )
    assert query.excluded == (Term(("draft",)),)
    assert parse_text("*leading").groups == ((Term(("leading",)),),)
    assert parse_text("!!!").empty


@pytest.mark.parametrize("arg", ['"²"', '"--5"', '"5x"'])
def test_function_counts_must_be_ascii_whole_numbers(arg: str) -> None:
    with pytest.raises(CqlError) as caught:
        sql(f"id in recentlyViewedContent({arg})")
    assert "takes whole numbers" in caught.value.message


def test_function_counts_clamp_without_parsing_huge_numbers() -> None:
    assert "SELECT content.id" in sql(f'id in recentlyViewedContent("{"9" * 30}", "-{"9" * 30}")')
