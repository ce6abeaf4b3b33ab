"""A corpus of CQL queries with expected result sets on the fixed dataset (search_dataset.py),
run as a space member over HTTP. The same expectations hold on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from localfluence.kit.clock import clock
from tests.api.search_dataset import NOW, Dataset, build
from tests.conftest import Person
from tests.server import RunningServer

HOMES = {"homeENG", "homeMKT"}
SPACE_A = {"homeENG", "deploy", "release", "winning", "advanced", "nested", "blog", "comment"}
SPACE_B = {"homeMKT", "plan", "results"}
ALL = SPACE_A | SPACE_B
PAGES = ALL - {"blog", "comment"}

# (cql, expected): a set, or a list when the query orders its results.
CORPUS: list[tuple[str, set[str] | list[str]]] = [
    ("type = page", PAGES),
    ("type = blogpost", {"blog"}),
    ("type = comment", {"comment"}),
    ("type in (page, blogpost)", PAGES | {"blog"}),
    ("type != page", {"blog", "comment"}),
    ("type not in (page, comment)", {"blog"}),
    ("type = attachment", set()),
    ("space = {A}", SPACE_A),
    ('space = "{B}"', SPACE_B),
    ("space.key = {B}", SPACE_B),
    ("space in ({A}, {B})", ALL),
    ("space != {A}", SPACE_B),
    ("space not in ({B})", SPACE_A),
    ("space = NOSUCHSPACE", set()),
    ("space.title ~ Marketing", SPACE_B),
    ('space.title ~ "corpus engineering"', SPACE_A),
    ("space.type = global", ALL),
    ("space.type = personal", set()),
    ("label = guide", {"deploy", "advanced"}),
    ("label = GUIDE", {"deploy", "advanced"}),
    ("label in (release, plan)", {"release", "results", "plan"}),
    ("label = release and label = plan", {"results"}),
    ("label != guide", ALL - {"deploy", "advanced"}),
    ("label not in (guide, plan, release)", ALL - {"deploy", "advanced", "release", "results", "plan"}),
    ("label = nosuch", set()),
    ('label = "global:ops"', {"deploy"}),
    ("ancestor = {id:deploy}", {"release", "advanced", "nested"}),
    ("ancestor = {id:deploy} and type = page", {"release", "advanced", "nested"}),
    ("ancestor in ({id:release}, {id:advanced})", {"nested"}),
    ("ancestor != {id:deploy}", ALL - {"release", "advanced", "nested"}),
    ("parent = {id:deploy}", {"release", "advanced"}),
    ("parent = {id:release}", {"nested"}),
    ("parent in ({id:deploy}, {id:release})", {"release", "advanced", "nested"}),
    ("container = {id:deploy}", {"comment"}),
    ("id = {id:deploy}", {"deploy"}),
    ("content in ({id:deploy}, {id:plan})", {"deploy", "plan"}),
    ("id = {id:restricted}", set()),
    ("id = {id:trashed}", set()),
    ("id != {id:deploy}", ALL - {"deploy"}),
    ('creator = "{alice}"', {"release", "blog"}),
    ("creator = currentUser()", {"release", "blog"}),
    ('creator = "{bob}"', {"winning", "plan"}),
    ('creator in ("{alice}", "{bob}")', {"release", "blog", "winning", "plan"}),
    ("creator != currentUser()", ALL - {"release", "blog"}),
    ('contributor = "{alice}"', {"release", "blog", "winning"}),
    ('contributor = "{bob}"', {"winning", "plan"}),
    ("contributor = currentUser() and creator != currentUser()", {"winning"}),
    ("creator = nosuchuser", set()),
    ("mention = currentUser()", set()),
    ("watcher = currentUser()", set()),
    ("favourite = currentUser()", set()),
    ("macro = toc", set()),
    ("title ~ guide", {"deploy"}),
    ('title ~ "publ*"', {"deploy"}),
    ("title ~ win*", {"winning"}),
    ('title ~ "advanced searching"', {"advanced"}),
    ('title ~ "\\"release notes\\""', {"release"}),
    ("title !~ guide", ALL - {"deploy"}),
    ('title = "Publishing guide"', {"deploy"}),
    ('title = "publishing GUIDE"', {"deploy"}),
    ('title = "\\"Advanced Searching\\""', {"advanced"}),
    ('title in ("Marketing plan", "Campaign results")', {"plan", "results"}),
    ('title != "Marketing plan" and space = {B}', {"homeMKT", "results"}),
    ("text ~ publish", {"deploy", "nested", "blog", "comment"}),
    ("text ~ publishing", {"deploy", "nested", "blog", "comment"}),
    ('text ~ "publ*"', {"deploy", "nested", "blog", "comment"}),
    ("text ~ configuration", {"deploy", "release", "results"}),
    ('text ~ "conf*"', {"deploy", "release", "results", "advanced"}),
    ('text ~ "configuration service"', {"deploy"}),
    ('text ~ "\\"configuration service\\""', {"deploy"}),
    ('text ~ "\\"service configuration\\""', set()),
    ("text ~ winter", {"release", "results"}),
    ('text ~ "win*"', {"winning", "release", "results"}),
    ("text ~ wins", {"winning"}),
    ('text ~ "winter OR spring"', {"release", "results", "plan"}),
    ('text ~ "campaign -spring"', {"results"}),
    ("text ~ release", {"release", "results"}),
    ("text ~ guide", {"deploy", "advanced", "nested", "comment"}),
    ("text ~ roadmap", set()),
    ("text ~ confidential", set()),
    ("text ~ secret", set()),
    ("text !~ published and space = {A}", {"homeENG", "release", "winning", "advanced"}),
    ('text ~ "the"', {"deploy", "nested", "winning", "results", "plan", "release", "blog"}),
    ('text ~ "query language"', {"advanced"}),
    ("text ~ ads", {"results"}),
    ('text ~ "!!!"', set()),
    ("siteSearch ~ campaign", {"plan", "results"}),
    ("text ~ search and type = blogpost", {"blog"}),
    ("text ~ search", {"advanced", "blog"}),
    ("text ~ publish and space = {A}", {"deploy", "nested", "blog", "comment"}),
    ("text ~ configuration and space = {B}", {"results"}),
    ("text ~ configuration and space in ({A}, NOSUCH)", {"deploy", "release"}),
    ("created > 2024/03/01", {"advanced", "nested", "blog", "comment"}),
    ("created >= 2024-03-01", {"winning", "advanced", "nested", "blog", "comment"}),
    ("created = 2024-03-14", {"blog", "comment"}),
    ("created != 2024-03-14", ALL - {"blog", "comment"}),
    ('created < "2024/01/15"', {"homeENG", "homeMKT", "deploy"}),
    ("created <= 2024-01-10", {"homeENG", "homeMKT", "deploy"}),
    ('created > "2024-03-14 09:30"', {"comment"}),
    ('created > now("-1w")', {"blog", "comment"}),
    ("created >= startOfMonth()", {"winning", "advanced", "nested", "blog", "comment"}),
    ("created < startOfYear()", set()),
    ('created > endOfMonth("-2M")', {"release", "results", "winning", "advanced", "nested", "blog", "comment"}),
    ("lastmodified >= 2024-03-15", {"winning"}),
    ('lastModified > startOfWeek("-1w")', {"nested", "blog", "comment", "winning"}),
    ("lastmodified < 2024-02-01", {"homeENG", "homeMKT", "deploy", "plan"}),
    ('created > "-2w"', {"advanced", "nested", "blog", "comment"}),
    ('created >= startOfDay("-6d")', {"blog", "comment"}),
    ("space = {A} and (label = guide or label = release)", {"deploy", "advanced", "release"}),
    ("(space = {B} or label = strategy) and not label = plan", {"homeMKT", "winning"}),
    ("not space = {A}", SPACE_B),
    ("label = guide or text ~ campaign", {"deploy", "advanced", "plan", "results"}),
    (
        "type = page and space = {A} and creator != currentUser()",
        {"homeENG", "deploy", "winning", "advanced", "nested"},
    ),
    ("type = page and space = {B} order by title", ["results", "homeMKT", "plan"]),
    (
        "space = {A} and type = page order by created desc",
        ["nested", "advanced", "winning", "release", "deploy", "homeENG"],
    ),
    ("space = {A} and type = page order by created", ["nested", "advanced", "winning", "release", "deploy", "homeENG"]),
    (
        "space = {A} and type = page order by created asc",
        ["homeENG", "deploy", "release", "winning", "advanced", "nested"],
    ),
    (
        "space = {A} and type = page order by lastmodified desc, title",
        ["winning", "nested", "advanced", "release", "deploy", "homeENG"],
    ),
    ("label in (guide, plan, release) order by title desc", ["release", "deploy", "plan", "results", "advanced"]),
    (
        "type = page order by space, title",
        ["advanced", "homeENG", "nested", "deploy", "release", "winning", "results", "homeMKT", "plan"],
    ),
    ("text ~ configuration order by created", ["results", "release", "deploy"]),
    ("type = blogpost order by lastModified", ["blog"]),
]

# (cql, cqlcontext, expected)
WITH_CONTEXT: list[tuple[str, dict[str, object], set[str]]] = [
    ("space = currentSpace()", {"spaceKey": "{B}"}, SPACE_B),
    ("ancestor = currentContent()", {"contentId": "{id:deploy}"}, {"release", "advanced", "nested"}),
    ("space = {B}", {"contentStatuses": ["trashed"]}, {"trashed"}),
    ("text ~ secret", {"contentStatuses": ["current", "trashed"]}, {"trashed"}),
    (
        "type = page and space = {B}",
        {"contentStatuses": ["current", "trashed"]},
        {"homeMKT", "plan", "results", "trashed"},
    ),
]


@pytest.fixture(scope="module")
def dataset(server: RunningServer, admin: Person) -> Iterator[Dataset]:
    data = build(server, admin)
    clock.freeze(NOW)
    yield data
    clock.reset()
    for person in (data.alice, data.bob):
        person.api.close()
        person.server_api.close()


def fill(text: str, data: Dataset) -> str:
    text = text.replace("{A}", data.space_a).replace("{B}", data.space_b)
    text = text.replace("{alice}", data.alice.account_id).replace("{bob}", data.bob.account_id)
    for name, content_id in data.ids.items():
        text = text.replace("{id:" + name + "}", content_id)
    return text


def scoped(cql: str, data: Dataset) -> str:
    """Limit the query to the dataset's spaces (other tests share the server)."""
    where, _, order = cql.partition(" order by ")
    out = f"({fill(where, data)}) and space in ({data.space_a}, {data.space_b})"
    return out + (f" order by {order}" if order else "")


def run(data: Dataset, cql: str, context: dict[str, object] | None = None) -> tuple[list[str], int]:
    params = {"cql": scoped(cql, data), "limit": 100}
    if context is not None:
        params["cqlcontext"] = fill(json.dumps(context), data)
    response = data.alice.api.get("/search", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [data.name_of(r["content"]["id"]) for r in body["results"]], body["totalSize"]


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) + len(WITH_CONTEXT) >= 100


@pytest.mark.parametrize(("cql", "expected"), CORPUS, ids=[c for c, _ in CORPUS])
def test_corpus(dataset: Dataset, cql: str, expected: set[str] | list[str]) -> None:
    names, total = run(dataset, cql)
    if isinstance(expected, list):
        assert names == expected
    else:
        assert set(names) == expected
        assert len(names) == len(expected)
    assert total == len(expected)


@pytest.mark.parametrize(("cql", "context", "expected"), WITH_CONTEXT, ids=[c for c, _, _ in WITH_CONTEXT])
def test_corpus_with_cqlcontext(dataset: Dataset, cql: str, context: dict[str, object], expected: set[str]) -> None:
    names, total = run(dataset, cql, context)
    assert set(names) == expected
    assert total == len(expected)


def test_admin_sees_the_restricted_page(dataset: Dataset) -> None:
    response = dataset.admin.api.get("/search", params={"cql": scoped("text ~ roadmap", dataset)})
    assert [r["content"]["id"] for r in response.json()["results"]] == [dataset.ids["restricted"]]


def test_title_matches_rank_above_body_matches(dataset: Dataset) -> None:
    names, _ = run(dataset, "text ~ publish and type = page")
    assert names[0] == "deploy"
