"""A fixed dataset for CQL tests: two spaces, pages in a tree, a blog post, a comment, labels, a
trashed page and a restricted page, each created at a fixed time by a fixed person. Searches run
with the clock frozen at NOW so date functions give fixed answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import ContentRestriction, User
from tests.conftest import Person, create_page, make_person
from tests.server import RunningServer

NOW = datetime(2024, 3, 20, 12, 0, tzinfo=UTC)


@dataclass
class Dataset:
    space_a: str
    space_b: str
    alice: Person
    bob: Person
    admin: Person
    ids: dict[str, str] = field(default_factory=dict)

    def name_of(self, content_id: str) -> str:
        reverse = {v: k for k, v in self.ids.items()}
        return reverse.get(content_id, f"?{content_id}")


def _at(day: str, hour: int = 9) -> None:
    y, m, d = (int(p) for p in day.split("-"))
    clock.freeze(datetime(y, m, d, hour, tzinfo=UTC))


def _labels(*names: str) -> dict:
    return {"metadata": {"labels": [{"prefix": "global", "name": n} for n in names]}}


def build(server: RunningServer, admin: Person) -> Dataset:
    alice = make_person(server, "Alice Corpus")
    bob = make_person(server, "Bob Corpus")
    suffix = uuid.uuid4().hex[:6].upper()
    data = Dataset(space_a=f"ENG{suffix}", space_b=f"MKT{suffix}", alice=alice, bob=bob, admin=admin)
    try:
        _at("2024-01-01", 8)
        for key, name in ((data.space_a, "Corpus Engineering"), (data.space_b, "Corpus Marketing")):
            response = admin.api.post("/space", json={"key": key, "name": f"{name} {suffix}"})
            assert response.status_code == 200, response.text
            home = admin.api.get(f"/space/{key}", params={"expand": "homepage"}).json()["homepage"]
            data.ids[f"home{key[:3]}"] = home["id"]
        ids = data.ids
        a, b = data.space_a, data.space_b

        def page(name: str, person: Person, space: str, title: str, body: str, day: str, **extra: object) -> None:
            _at(day)
            ids[name] = create_page(person, space, title, body=f"<p>{body}</p>", **extra)["id"]  # type: ignore[arg-type]

        page(
            "restricted",
            admin,
            a,
            "Restricted roadmap",
            "confidential roadmap publishing",
            "2024-01-05",
            **_labels("guide"),
        )
        page(
            "deploy",
            admin,
            a,
            "Publishing guide",
            "How we publish the configuration service to production. Updates happen on Mondays.",
            "2024-01-10",
            **_labels("ops", "guide"),
        )
        page(
            "release",
            alice,
            a,
            "Release notes 2024",
            "Release notes for the winter release. Includes configuration fixes.",
            "2024-02-05",
            parent=ids["deploy"],
            **_labels("release"),
        )
        page(
            "winning",
            bob,
            a,
            "Winning strategies",
            "The team wins by shipping small changes.",
            "2024-03-01",
            **_labels("strategy"),
        )
        page(
            "advanced",
            admin,
            a,
            "Advanced Searching",
            "Confluence query language lets you search advanced content",
            "2024-03-10",
            parent=ids["deploy"],
            **_labels("guide", "search"),
        )
        page(
            "nested",
            admin,
            a,
            "Nested child",
            "grandchild of the publishing guide",
            "2024-03-12",
            parent=ids["release"],
        )
        page(
            "blog",
            alice,
            a,
            "Search service launch",
            "This week we published the search service",
            "2024-03-14",
            type="blogpost",
            **_labels("news"),
        )
        _at("2024-03-14", 10)
        comment = admin.api.post(
            "/content",
            json={
                "type": "comment",
                "container": {"id": ids["deploy"], "type": "page"},
                "body": {"storage": {"value": "<p>Great guide about publishing</p>", "representation": "storage"}},
            },
        )
        assert comment.status_code == 200, comment.text
        ids["comment"] = comment.json()["id"]
        page("plan", bob, b, "Marketing plan", "Plan for the spring campaign", "2024-01-20", **_labels("plan"))
        page(
            "results",
            admin,
            b,
            "Campaign results",
            "Results of the winter campaign, configuration of ads",
            "2024-02-20",
            **_labels("release", "plan"),
        )
        page("trashed", admin, b, "Draft ideas", "secret trashed words", "2024-02-25")
        assert admin.api.delete(f"/content/{ids['trashed']}").status_code == 204
        _at("2024-03-15")
        current = admin.api.get(f"/content/{ids['winning']}").json()
        update = alice.api.put(
            f"/content/{ids['winning']}",
            json={
                "type": "page",
                "title": "Winning strategies",
                "version": {"number": current["version"]["number"] + 1},
                "body": {
                    "storage": {
                        "value": "<p>The team wins by shipping small changes often.</p>",
                        "representation": "storage",
                    }
                },
            },
        )
        assert update.status_code == 200, update.text
    finally:
        clock.reset()
    with transaction(server.runtime.sessions, write=True) as session:
        admin_id = session.scalar(select(User.id).where(User.email == admin.email))
        session.add(ContentRestriction(content_id=int(ids["restricted"]), operation="read", user_id=admin_id))
    return data
