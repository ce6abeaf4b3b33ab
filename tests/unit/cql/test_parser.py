"""The CQL parser: Atlassian's documented examples parse, the AST is what it should be, and no
input whatever makes it raise anything but a 400."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localfluence.cql.ast import And, Call, Clause, Field, Literal, Not, Or, Query, Sort
from localfluence.cql.parser import CqlSyntaxError, parse

ACCOUNT = "99:27935d01-XXXX-XXXX-XXXX-a9b8d3b2ae2e"

# Example queries from Atlassian's CQL pages: cql-fields, cql-operators, cql-keywords,
# cql-functions and advanced-searching-using-cql (Cloud and Data Center editions).
DOCUMENTED = [
    # fields
    "ancestor = 123",
    "ancestor in (123, 456, 789)",
    "container = 123 and type = attachment",
    "container in (123, 223, 323)",
    "content = 123",
    "content in (123, 223, 323)",
    "created > 2014/09/01",
    'created >= now("-4w")',
    "created > startOfYear()",
    f'creator = "{ACCOUNT}"',
    "creator = currentUser()",
    f'creator != "{ACCOUNT}"',
    f'creator in ("{ACCOUNT}", "99:27935d01-YYYY-YYYY-YYYY-a9b8d3b2ae2e")',
    "creator = jsmith",
    "creator in (john, jack)",
    f'contributor = "{ACCOUNT}"',
    "contributor = jsmith",
    "contributor in (john, jack)",
    "favourite = currentUser()",
    f'favourite = "{ACCOUNT}"',
    "favorite = jsmith",
    "id = 123",
    "id in (123, 223, 323)",
    "label = finished",
    'label in ("finished", "review")',
    "label = finished and label = review",
    "lastmodified > startOfWeek()",
    'lastmodified >= "2015-01-01"',
    'lastModified > now("-1w")',
    "macro = toc",
    "macro in (toc, jira)",
    f'mention = "{ACCOUNT}"',
    "mention = currentUser()",
    "mention in (jsmith, jbrown)",
    "parent = 123",
    "parent in (123, 223, 323)",
    "parent = currentContent()",
    "space = DEV",
    "space in (DEV, TEST, PROD)",
    "space = currentSpace()",
    "space.key = DEV",
    'space.title ~ "Development Team"',
    'space.title = "Development Team"',
    "space.type = personal",
    "space.type = global",
    "space.type = favourite",
    "space.category = development",
    'text ~ "Confluence"',
    'text ~ "\\"Confluence Query Language\\""',
    "text ~ advanced",
    'title ~ "win*"',
    'title ~ "Advanced"',
    'title = "\\"Advanced Searching\\""',
    "type = page",
    "type in (blogpost, page)",
    "type = attachment",
    f'watcher = "{ACCOUNT}"',
    "watcher = currentUser()",
    "watcher in (jsmith, jbrown)",
    "content.property[attachments].count > 3",
    'content.property[metadata].editor = "v2"',
    'content.property[sp.info].status ~ "done"',
    # operators
    'title = "\\"Advanced Searching\\""',
    f'creator != "{ACCOUNT}"',
    "type != page",
    'created > "2015/01/01"',
    'created >= "2008/12/31"',
    'created < "2016-01-01"',
    'created <= "-4w"',
    'created < "2015/01/01 12:00"',
    f'creator in ("{ACCOUNT}", "99:27935d01-ZZZZ")',
    'title in ("Advanced Searching", "Confluence Query Language")',
    "space not in (DEV, SUP)",
    f'creator not in ("{ACCOUNT}")',
    'title ~ "win*"',
    'text ~ "advanced search"',
    "title !~ run",
    'title !~ "run*"',
    # keywords
    'label = "performance" and type = "blogpost"',
    f'type = page and creator = "{ACCOUNT}" and space = DEV',
    f'mention = "{ACCOUNT}" and creator != "{ACCOUNT}"',
    "space = IDEAS or label = idea",
    'lastmodified < startOfYear() or creator = "99:27935d01-AAAA"',
    f'label = "performance" and not creator = "{ACCOUNT}"',
    'space = DEV and not label = "draft"',
    "space = DEV order by created",
    "space = DEV order by created asc",
    "space = DEV order by created desc, title",
    "space = DEV order by created, title desc",
    "type = page order by lastmodified desc",
    "(label = performance or label = performance-test) and type = blogpost",
    "space in (DEV, TEST) and (label = release or title ~ release)",
    # functions
    "mention = currentUser() and creator != currentUser()",
    "created > endOfDay()",
    'created > endOfDay("-1d")',
    'created < endOfDay("+1")',
    "created > endOfMonth()",
    'created > endOfMonth("-1M")',
    "created > endOfWeek()",
    'created > endOfWeek("-1w")',
    "created > endOfYear()",
    'created > endOfYear("-1y")',
    "created > startOfDay()",
    'created > startOfDay("-7d")',
    "created > startOfMonth()",
    'created > startOfMonth("-1M")',
    'created > startOfMonth("+14d")',
    "created > startOfWeek()",
    'created > startOfWeek("-1w")',
    "created > startOfYear()",
    'created > startOfYear("-1y")',
    'lastmodified > now("-4w 2d")',
    "space in favouriteSpaces()",
    "space in (favouriteSpaces(), 'FS', 'TS')",
    "space in (favouriteSpaces(), FS, TS)",
    "id in recentlyViewedContent(10)",
    "id in recentlyViewedContent(10, 20)",
    "ancestor in recentlyViewedContent(10)",
    "space in recentlyViewedSpaces(10)",
    "space in (recentlyViewedSpaces(10), FS)",
    "ancestor = currentContent()",
    "space = currentSpace() and type = page",
    # advanced searching
    'space = "TEST"',
    'space = "TEST" and label = "beta"',
    "type = page and space = TEST order by title",
    # users (/search/user)
    "type = user",
    'user = "1234"',
    'user IN ("12", "34")',
    "user.fullname ~ jo",
    'user.accountid = "123"',
    # personal space keys must be quoted
    'space = "~5570581234"',
]


@pytest.mark.parametrize("query", DOCUMENTED)
def test_documented_examples_parse(query: str) -> None:
    assert isinstance(parse(query), Query)


def test_and_binds_tighter_than_or() -> None:
    assert parse("a = 1 or b = 2 and c = 3").where == Or(
        (
            Clause(Field("a"), "=", Literal("1")),
            And((Clause(Field("b"), "=", Literal("2")), Clause(Field("c"), "=", Literal("3")))),
        )
    )


def test_keywords_and_fields_are_case_insensitive() -> None:
    assert parse("lastModified > 1 AND Space = X Order By Created DESC") == parse(
        "lastmodified > 1 and space = X order by created desc"
    )


def test_in_not_in_and_functions() -> None:
    query = parse('space not in (favouriteSpaces(), "DEV") and creator = currentUser()')
    assert query.where == And(
        (
            Clause(Field("space"), "not in", (Call("favouritespaces"), Literal("DEV", quoted=True))),
            Clause(Field("creator"), "=", Call("currentuser")),
        )
    )


def test_not_and_parentheses() -> None:
    assert parse("not (a = 1 or b = 2)").where == Not(
        Or((Clause(Field("a"), "=", Literal("1")), Clause(Field("b"), "=", Literal("2"))))
    )


def test_quoted_values_keep_escapes_for_text_queries() -> None:
    clause = parse(r'title ~ "say \"hi\" \\ \* done"').where
    assert clause == Clause(Field("title"), "~", Literal(r'say "hi" \ \* done', quoted=True))
    assert parse(r"label = 'it\'s'").where == Clause(Field("label"), "=", Literal("it's", quoted=True))


def test_content_property_field() -> None:
    clause = parse("content.property[sp.info].metadata.count >= 10").where
    assert clause == Clause(Field("content.property", "sp.info", ("metadata", "count")), ">=", Literal("10"))


def test_order_by_directions() -> None:
    assert parse("order by created desc, title").order_by == (
        Sort(Field("created"), descending=True, explicit=True),
        Sort(Field("title")),
    )
    assert parse("order by title").where is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("text ~ BBQ Grill", "Unexpected 'Grill' at column 12"),
        ("space = ", "Unexpected end of the query"),
        ("a == b", "at column 4; expected a quoted value, a value"),
        ("((a = b)", "expected ')'"),
        ('title ~ "open', "Unexpected"),
        ("order by", "expected a field name"),
        ("a = b order by c desc desc", "Unexpected 'desc'"),
    ],
)
def test_errors_name_position_and_expectation(query: str, expected: str) -> None:
    with pytest.raises(CqlSyntaxError) as caught:
        parse(query)
    assert caught.value.status == 400
    assert caught.value.message == f"Could not parse cql : {query}"
    assert expected in caught.value.reason


def test_deep_nesting_is_a_400() -> None:
    with pytest.raises(CqlSyntaxError):
        parse("(" * 5000 + "a = b" + ")" * 5000)


def test_overlong_query_is_a_400() -> None:
    with pytest.raises(CqlSyntaxError):
        parse("a = b or " * 3000 + "a = b")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0x2FFF), max_size=80))
def test_random_input_only_ever_fails_with_a_400(text: str) -> None:
    try:
        parse(text)
    except CqlSyntaxError as exc:
        assert exc.status == 400


TOKENS = ["space", "=", "!=", "~", "in", "not", "and", "or", "(", ")", ",", '"x"', "'y'", "label", "order", "by",
          "desc", "f()", "123", "[", "]", ".", "\\", '"', "now(", "title"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14))
def test_random_token_soup_only_ever_fails_with_a_400(tokens: list[str]) -> None:
    try:
        parse(" ".join(tokens))
    except CqlSyntaxError as exc:
        assert exc.status == 400
