"""Seeding: the format, idempotency, errors that name the line and field, CLI and HTTP."""

from __future__ import annotations

import textwrap
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from localfluence.cli.main import app as cli
from localfluence.seeding import SeedError, parse_seed
from localfluence.testing.server import LocalfluenceServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SEED = """\
users:
  - email: ann@example.com
    displayName: Ann
    token: ann-seed-token
  - email: ben@example.com
    displayName: Ben
    token: ben-seed-token
groups:
  - name: writers
    members: [ann@example.com]
spaces:
  - key: DOCS
    name: Documentation
    description: All the docs
    homepage:
      body: <p>Home</p>
      children:
        - title: Guide
          body: <p>Guide v1</p>
          labels: [guide, team:docs]
          children:
            - title: Installing
              author: ann@example.com
              body: <p>pip install</p>
        - title: Secret
          body: <p>hush</p>
          restrictions:
            read: {users: [ann@example.com]}
    blogposts:
      - title: Hello
        body: <p>First post</p>
"""


def as_user(lf: LocalfluenceServer, email: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=lf.api_url, auth=(email, token))


def content(api: httpx.Client, key: str, title: str, expand: str = "", type: str = "page") -> dict:
    params = {"spaceKey": key, "title": title, "expand": expand, "type": type}
    found = api.get("/content", params=params).json()["results"]
    assert len(found) == 1, found
    return found[0]


def test_seed_builds_the_site(lf: LocalfluenceServer, api: httpx.Client) -> None:
    report = lf.admin.seed(SEED)
    assert report["users"]["created"] == 2 and report["spaces"]["created"] == 1
    assert report["pages"]["created"] == 3 and report["blogposts"]["created"] == 1

    space = api.get("/space/DOCS", params={"expand": "homepage,description.plain"}).json()
    assert space["name"] == "Documentation" and space["description"]["plain"]["value"] == "All the docs"
    guide = content(api, "DOCS", "Guide", "ancestors,body.storage,metadata.labels")
    assert [a["id"] for a in guide["ancestors"]] == [space["homepage"]["id"]]
    assert guide["body"]["storage"]["value"] == "<p>Guide v1</p>"
    labels = {(label["prefix"], label["name"]) for label in guide["metadata"]["labels"]["results"]}
    assert labels == {("global", "guide"), ("team", "docs")}
    # Seeded labels are searchable as text, as labels added through the API are.
    found = api.get("/search", params={"cql": 'space = DOCS and text ~ "docs"'}).json()["results"]
    assert guide["id"] in {r["content"]["id"] for r in found}
    installing = content(api, "DOCS", "Installing", "ancestors,history")
    assert installing["ancestors"][-1]["id"] == guide["id"]
    assert (
        installing["history"]["createdBy"]["email"] == "ann@example.com"
        or installing["history"]["createdBy"]["displayName"] == "Ann"
    )
    assert content(api, "DOCS", "Hello", type="blogpost")["type"] == "blogpost"

    # Seeded users log in with their tokens; the read restriction keeps Ben out.
    secret = content(api, "DOCS", "Secret")
    with (
        as_user(lf, "ann@example.com", "ann-seed-token") as ann,
        as_user(lf, "ben@example.com", "ben-seed-token") as ben,
    ):
        assert ann.get(f"/content/{secret['id']}").status_code == 200
        assert ben.get(f"/content/{secret['id']}").status_code == 404


def test_seeding_twice_changes_nothing(lf: LocalfluenceServer, api: httpx.Client) -> None:
    lf.admin.seed(SEED)
    before = api.get("/content", params={"spaceKey": "DOCS", "limit": 100}).json()["size"]
    again = lf.admin.seed(SEED)
    for kind, counts in again.items():
        if isinstance(counts, dict):
            assert counts["created"] == 0 and counts["updated"] == 0, (kind, counts)
    assert api.get("/content", params={"spaceKey": "DOCS", "limit": 100}).json()["size"] == before
    assert content(api, "DOCS", "Guide", "version")["version"]["number"] == 1


def test_seeding_an_edited_file_converges(lf: LocalfluenceServer, api: httpx.Client) -> None:
    lf.admin.seed(SEED)
    edited = SEED.replace("<p>Guide v1</p>", "<p>Guide v2</p>").replace("[guide, team:docs]", "[guide, team:docs, new]")
    report = lf.admin.seed(edited)
    assert report["pages"] == {"created": 0, "updated": 1, "unchanged": 2}
    guide = content(api, "DOCS", "Guide", "version,body.storage,metadata.labels")
    assert guide["version"]["number"] == 2 and guide["body"]["storage"]["value"] == "<p>Guide v2</p>"
    assert "new" in {label["name"] for label in guide["metadata"]["labels"]["results"]}


def problems(text: str) -> list[str]:
    with pytest.raises(SeedError) as caught:
        parse_seed(textwrap.dedent(text), source="seed.yaml")
    return [str(p) for p in caught.value.problems]


def test_errors_name_the_line_and_the_field() -> None:
    assert problems(
        """\
        spaces:
          - key: A
            name: A
            pages:
              - title: Fine
              - body: <p>no title</p>
              - title: Typo
                lables: [x]
        """
    ) == [
        "seed.yaml:6: spaces[0].pages[1].title: Field required",
        "seed.yaml:8: spaces[0].pages[2].lables: unknown field",
    ]
    assert problems("users:\n  - email: a@example.com\n    admin: maybe\n") == [
        "seed.yaml:3: users[0].admin: Input should be a valid boolean, unable to interpret input"
    ]
    assert problems("spaces: [{key: A, name: A, permissions: [{operations: [read/space]}]}]\n") == [
        "seed.yaml:1: spaces[0].permissions[0]: give exactly one of user, group or anonymous: true"
    ]


def test_yaml_and_json_syntax_errors_name_the_line() -> None:
    [message] = problems("users:\n  - email: a@example.com\n   displayName: x\n")
    assert message.startswith("seed.yaml:3: not valid YAML or JSON")
    [message] = problems('{"users": [\n  {"email": "a@example.com" "x": 1}\n]}\n')
    assert message.startswith("seed.yaml:2: not valid YAML or JSON") or message.startswith("seed.yaml:3:")
    assert problems("users: []\nusers: []\n") == ["seed.yaml:2: users: duplicate field"]
    assert problems("- just\n- a list\n") == ["seed.yaml:1: a seed file is a mapping with users, groups and spaces"]


def test_aliases_deep_nesting_and_odd_keys_are_seed_errors() -> None:
    laughs = "x0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 8)
    )
    assert problems(laughs) == ["seed.yaml: the seed expands to more than 1,000,000 values"]
    assert problems("users: &a [*a]\n") == ["seed.yaml:1: users[0]: an alias refers to a value that contains it"]
    assert problems("users: " + "[" * 1000 + "]" * 1000 + "\n") == ["seed.yaml: the seed is nested too deeply"]
    assert problems("? [a]\n: 1\n") == ["seed.yaml:1: a field name is text, not a list or a mapping"]
    # Aliases that expand modestly still work.
    seed = parse_seed("groups: [{name: g, members: &m [a@example.com]}, {name: h, members: *m}]\n")
    assert [g.members for g in seed.document.groups] == [["a@example.com"], ["a@example.com"]]


def test_json_seeds_work_too() -> None:
    seed = parse_seed('{"spaces": [{"key": "J", "name": "Json"}]}', source="seed.json")
    assert seed.document.spaces[0].key == "J"


def test_attachments_and_properties(lf: LocalfluenceServer, api: httpx.Client, tmp_path: Path) -> None:
    from localfluence.seeding import load_seed_file, seed_site

    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "diagram.svg").write_text("<svg/>")
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "spaces:\n"
        "  - key: ATT\n"
        "    name: Attached\n"
        "    pages:\n"
        "      - title: With files\n"
        "        properties: {build: {sha: abc, ok: true}}\n"
        "        attachments:\n"
        "          - {file: files/diagram.svg, comment: The diagram}\n"
    )
    first = seed_site(lf.runtime.sessions, lf.settings, load_seed_file(seed)).as_json()
    assert first["attachments"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert first["properties"]["created"] == 1
    page = content(api, "ATT", "With files")
    attachment = api.get(f"/content/{page['id']}/child/attachment").json()["results"][0]
    assert attachment["title"] == "diagram.svg"
    assert attachment["metadata"]["mediaType"] == "image/svg+xml"
    download = httpx.get(lf.wiki_url + attachment["_links"]["download"], auth=lf.auth, follow_redirects=True)
    assert download.content == b"<svg/>"
    assert api.get(f"/content/{page['id']}/property/build").json()["value"] == {"sha": "abc", "ok": True}

    again = seed_site(lf.runtime.sessions, lf.settings, load_seed_file(seed)).as_json()
    assert again["attachments"]["unchanged"] == 1 and again["properties"]["unchanged"] == 1

    (tmp_path / "files" / "diagram.svg").write_text("<svg>v2</svg>")
    seed.write_text(seed.read_text().replace("ok: true", "ok: false"))
    changed = seed_site(lf.runtime.sessions, lf.settings, load_seed_file(seed)).as_json()
    assert changed["attachments"]["updated"] == 1 and changed["properties"]["updated"] == 1
    versions = api.get(f"/content/{attachment['id']}/version").json()["results"]
    assert len(versions) == 2
    assert api.get(f"/content/{page['id']}/property/build").json()["version"]["number"] == 2


def test_attachments_are_not_read_for_http_callers(lf: LocalfluenceServer) -> None:
    response = lf.admin.http.post(
        "/seed",
        json={
            "spaces": [{"key": "F", "name": "F", "pages": [{"title": "P", "attachments": [{"file": "/etc/hosts"}]}]}]
        },
    )
    assert response.status_code == 400
    assert (
        "spaces[0].pages[0].attachments[0].file: attachments are read only from seed files"
        in response.json()["message"]
    )


def test_service_errors_name_the_line_and_nothing_is_written(lf: LocalfluenceServer, api: httpx.Client) -> None:
    bad = """\
spaces:
  - key: GOOD
    name: Good
  - key: NOT-VALID
    name: Bad
"""
    response = lf.admin.http.post("/seed", content=bad, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Invalid seed: request body:4: spaces[1]: Space key is invalid: 'NOT-VALID'. Use letters and numbers only."
    )
    assert response.json()["data"]["errors"][0]["line"] == 4
    assert api.get("/space/GOOD").status_code == 404  # all or nothing

    unknown = "spaces: [{key: X, name: X, pages: [{title: P, author: nobody@example.com}]}]"
    response = lf.admin.http.post("/seed", content=unknown, headers={"Content-Type": "application/yaml"})
    assert "spaces[0].pages[0]: no user with email nobody@example.com" in response.json()["message"]


def test_values_the_api_refuses_are_seed_errors_and_nothing_is_written(lf: LocalfluenceServer) -> None:
    for page in ({"title": "nul\u0000title"}, {"title": "t", "properties": {"k": {"n": 10**30}}}):
        document = {"spaces": [{"key": "BADV", "name": "Bad values", "pages": [page]}]}
        response = lf.admin.http.post("/seed", json=document)
        assert response.status_code == 400, response.text
        assert response.json()["data"]["errors"][0]["field"].startswith("spaces[0]"), response.text
    assert httpx.get(lf.api_url + "/space/BADV", auth=lf.auth).status_code == 404


def test_body_files_are_not_read_for_http_callers(lf: LocalfluenceServer) -> None:
    response = lf.admin.http.post(
        "/seed", json={"spaces": [{"key": "F", "name": "F", "pages": [{"title": "P", "bodyFile": "/etc/passwd"}]}]}
    )
    assert response.status_code == 400
    assert "bodyFile is read only from seed files" in response.json()["message"]
    assert lf.admin.http.post("/seed", content=b"x", headers={"Content-Type": "image/png"}).status_code == 415


def test_cli_seed_reads_body_files_relative_to_the_seed(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "intro.xml").write_text("<p>From a file</p>")
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "spaces:\n  - key: CLI\n    name: Cli\n    pages:\n      - title: Intro\n        bodyFile: pages/intro.xml\n"
    )
    data = tmp_path / "data"
    runner = CliRunner()

    first = runner.invoke(cli, ["seed", str(seed), "--data-dir", str(data)])
    second = runner.invoke(cli, ["seed", str(seed), "--data-dir", str(data)])

    assert first.exit_code == 0, first.output
    assert "pages: 1 created" in first.output
    assert "pages: 1 unchanged" in second.output

    seed.write_text(
        "spaces:\n  - key: CLI\n    name: Cli\n    pages:\n      - title: Intro\n        bodyFile: missing.xml\n"
    )
    failed = runner.invoke(cli, ["seed", str(seed), "--data-dir", str(data)])
    assert failed.exit_code == 1
    assert "seed.yaml:6: spaces[0].pages[0].bodyFile: cannot read" in failed.output.replace("\n", "")


def test_the_demo_seed_builds_a_site(lf: LocalfluenceServer, api: httpx.Client) -> None:
    from localfluence.seeding import load_seed_file, seed_site

    report = seed_site(lf.runtime.sessions, lf.settings, load_seed_file(EXAMPLES / "demo-seed.yaml")).as_json()
    assert report["spaces"]["created"] == 3 and report["pages"]["created"] >= 10
    incident = content(api, "ENG", "Security incident 2024-03")
    with (
        as_user(lf, "alice@example.com", "alice-demo-token") as alice,
        as_user(lf, "bob@example.com", "bob-demo-token") as bob,
    ):
        assert alice.get("/space/ENG").status_code == 200
        assert bob.get("/space/HR").status_code == 404  # private to people-ops
        assert bob.get(f"/content/{incident['id']}").status_code == 200  # engineering may read it
    again = seed_site(lf.runtime.sessions, lf.settings, load_seed_file(EXAMPLES / "demo-seed.yaml")).as_json()
    changed = {k: c for k, c in again.items() if isinstance(c, dict) and (c["created"] or c["updated"])}
    assert not changed, changed


def test_space_permissions_through_the_permission_rules(lf: LocalfluenceServer, api: httpx.Client) -> None:
    seed = """\
users:
  - {email: perm@example.com, displayName: Perm, token: perm-seed-token}
spaces:
  - key: PRIV
    name: Private
    private: true
    permissions:
      - user: perm@example.com
        operations: [create/page, read/space]
      - anonymous: true
        operations: [administer/space]
"""
    response = lf.admin.http.post("/seed", content=seed, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 400
    assert "request body:10: spaces[0].permissions[1]: Anonymous users cannot be granted" in response.json()["message"]

    report = lf.admin.seed(seed.replace("administer/space", "read/space"))
    assert report["permissions"] == {"created": 3, "updated": 0, "unchanged": 0}
    with as_user(lf, "perm@example.com", "perm-seed-token") as perm:
        assert perm.get("/space/PRIV").status_code == 200
    assert lf.admin.seed(seed.replace("administer/space", "read/space"))["permissions"]["unchanged"] == 3
