"""Property: whatever CQL a user writes, search returns only content that user may see, and
counts only that. Random queries over the fixed dataset, run through the search service."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from localfluence.access import visibility
from localfluence.access.visibility import content_is_visible
from localfluence.auth.credentials import principal_for
from localfluence.db.session import transaction
from localfluence.errors import BadRequest
from localfluence.kit.clock import clock
from localfluence.models import Content, User
from localfluence.search import service
from tests.api.search_dataset import NOW, Dataset, build
from tests.conftest import Person, create_page
from tests.server import RunningServer

EVERY_STATUS = '{"contentStatuses": ["current", "trashed"]}'


@pytest.fixture(scope="module")
def dataset(server: RunningServer, admin: Person) -> Iterator[Dataset]:
    data = build(server, admin)
    key = f"PV{uuid.uuid4().hex[:8].upper()}"
    assert admin.api.post("/space/_private", json={"key": key, "name": "Hidden"}).status_code == 200
    create_page(admin, key, "Hidden publishing plan", body="<p>publish the winter campaign</p>")
    clock.freeze(NOW)
    yield data
    clock.reset()
    for person in (data.alice, data.bob):
        person.api.close()
        person.server_api.close()


def clauses(data: Dataset) -> st.SearchStrategy[str]:
    ids = list(data.ids.values())
    return st.one_of(
        st.sampled_from(
            [
                "text ~ publish",
                "text ~ winter",
                'text ~ "conf*"',
                "title ~ plan",
                "text !~ campaign",
                "type = page",
                "type != comment",
                "label = guide",
                "label in (plan, release)",
                "created > 2024/02/01",
                'lastmodified < now("-1d")',
                "creator = currentUser()",
                f"space = {data.space_a}",
                f"space != {data.space_b}",
                "space.type = global",
                'title = "Hidden publishing plan"',
                "watcher = currentUser()",
            ]
        ),  # fmt: skip
        st.sampled_from(ids).map(lambda i: f"ancestor = {i}"),
        st.sampled_from(ids).map(lambda i: f"id = {i}"),
        st.sampled_from(ids).map(lambda i: f"parent != {i}"),
    )


def queries(data: Dataset) -> st.SearchStrategy[str]:
    leaf = clauses(data)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            inner.map(lambda q: f"not ({q})"),
        ),
        max_leaves=5,
    )


@pytest.mark.parametrize("who", ["bob", "alice", "anonymous"])
def test_results_are_always_a_subset_of_visible_content(server: RunningServer, dataset: Dataset, who: str) -> None:
    check_subset(server, dataset, who, examples=60)


def test_the_rule_holds_when_restricted_roots_are_too_many_to_list(
    server: RunningServer, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Search lists the restricted roots a principal is left out of in its statements; past the
    # limit the statement computes them itself. Both must give the same answers.
    monkeypatch.setattr(visibility, "MAX_LISTED_ROOTS", 0)
    check_subset(server, dataset, "bob", examples=30)


def check_subset(server: RunningServer, dataset: Dataset, who: str, *, examples: int) -> None:
    dialect = server.runtime.engine.dialect.name

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(queries(dataset))
    def check(cql: str) -> None:
        with transaction(server.runtime.sessions) as session:
            if who == "anonymous":
                from localfluence.access.principal import Principal

                principal = Principal.anonymous()
            else:
                person = getattr(dataset, who)
                principal = principal_for(
                    session, session.scalars(select(User).where(User.account_id == person.account_id)).one()
                )
            visible = set(session.scalars(select(Content.id).where(content_is_visible(principal))))
            try:
                hits = service.search(
                    session, principal, dialect=dialect, cql=cql, cqlcontext=EVERY_STATUS,
                    cursor=None, start=0, limit=1000, maximum=1000,
                )  # fmt: skip
            except BadRequest:
                return
            found = {c.id for c in hits.rows}
            assert found <= visible, cql
            assert hits.total == len(found), cql

    check()
