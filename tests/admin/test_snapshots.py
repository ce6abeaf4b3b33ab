"""Snapshots: save, list, restore, delete; atomic saves, all-or-nothing loads, refused versions."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import httpx
import orjson
import pytest

from localfluence.admin import snapshot as snapshot_module
from localfluence.testing.client import AdminError
from localfluence.testing.server import LocalfluenceServer
from tests.admin.conftest import make_page, make_space, make_user


def snapshot_file(lf: LocalfluenceServer, name: str) -> Path:
    return lf.settings.data_dir / "snapshots" / f"{name}.jsonl.gz"


def titles(api: httpx.Client, key: str) -> set[str]:
    response = api.get("/content", params={"spaceKey": key, "limit": 100})
    return {c["title"] for c in response.json()["results"]}


def test_save_and_restore_round_trip(lf: LocalfluenceServer, api: httpx.Client) -> None:
    space = make_space(api, "SNAP")
    later = make_page(api, "SNAP", "Later")
    parent = make_page(api, "SNAP", "Parent", parent=later["id"])
    edited = api.put(
        f"/content/{parent['id']}",
        json={
            "version": {"number": 2},
            "title": "Parent",
            "type": "page",
            "body": {"storage": {"value": "<p>2</p>", "representation": "storage"}},
        },
    )
    assert edited.status_code == 200, edited.text
    labelled = api.put(
        f"/content/{later['id']}",
        json={"version": {"number": 2}, "title": "Later", "type": "page", "metadata": {"labels": [{"name": "kept"}]}},
    )
    assert labelled.status_code == 200, labelled.text
    user = make_user(lf, "snap-user@example.com", "snap-user-token")

    saved = lf.admin.save_snapshot("round-trip")
    assert saved["name"] == "round-trip" and saved["rows"] > 0 and saved["formatVersion"] == 1

    lf.admin.reset()
    assert api.get("/space/SNAP").status_code == 404
    loaded = lf.admin.restore_snapshot("round-trip")
    assert loaded["rows"] == saved["rows"]

    assert titles(api, "SNAP") == {"Space Home", "Parent", "Later"}
    restored = api.get(f"/content/{parent['id']}", params={"expand": "ancestors,version,body.storage"}).json()
    assert [a["id"] for a in restored["ancestors"]] == [later["id"]]
    assert restored["version"]["number"] == 2
    assert api.get("/space/SNAP", params={"expand": "homepage"}).json()["homepage"]["id"] == space["homepage"]["id"]
    labels = api.get(f"/content/{later['id']}", params={"expand": "metadata.labels"}).json()["metadata"]["labels"][
        "results"
    ]
    assert [label["name"] for label in labels] == ["kept"]
    assert httpx.get(lf.api_url + "/space", auth=user).status_code == 200
    # Ids continue after the restored ones.
    newer = make_page(api, "SNAP", "Newer")
    assert int(newer["id"]) > int(later["id"])


def test_list_get_and_delete(lf: LocalfluenceServer) -> None:
    lf.admin.save_snapshot("listed")
    names = {s["name"]: s for s in lf.admin.list_snapshots()}
    assert names["listed"]["compatible"] is True
    assert names["listed"]["alembicRevision"]
    assert lf.admin.call("GET", "/snapshots/listed")["name"] == "listed"
    lf.admin.delete_snapshot("listed")
    assert "listed" not in {s["name"] for s in lf.admin.list_snapshots()}
    with pytest.raises(AdminError) as missing:
        lf.admin.restore_snapshot("listed")
    assert missing.value.status_code == 404


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", "x" * 101, "sp ace"])
def test_names_are_checked(lf: LocalfluenceServer, name: str) -> None:
    response = lf.admin.http.put(f"/snapshots/{name}")
    assert response.status_code in (400, 404)
    assert not list((lf.settings.data_dir).rglob("escape*"))


def test_a_failed_save_leaves_the_previous_snapshot_intact(
    lf: LocalfluenceServer, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_space(api, "FIRST")
    lf.admin.save_snapshot("precious")
    before = snapshot_file(lf, "precious").read_bytes()

    make_space(api, "SECOND")
    for n in range(5):
        make_page(api, "SECOND", f"Page {n}")
    written = 0
    original = snapshot_module.encode_row

    def failing(values: tuple) -> bytes:
        nonlocal written
        written += 1
        if written > 10:
            raise OSError("disk full")
        return original(values)

    monkeypatch.setattr(snapshot_module, "encode_row", failing)
    assert lf.admin.http.put("/snapshots/precious").status_code == 500
    monkeypatch.undo()

    assert written > 10  # it failed midway, after writing rows
    assert snapshot_file(lf, "precious").read_bytes() == before
    assert not [p.name for p in snapshot_file(lf, "precious").parent.iterdir() if p.name.startswith(".")]
    lf.admin.restore_snapshot("precious")
    assert api.get("/space/FIRST").status_code == 200
    assert api.get("/space/SECOND").status_code == 404


def test_a_damaged_snapshot_is_refused_and_nothing_changes(lf: LocalfluenceServer, api: httpx.Client) -> None:
    make_space(api, "WHOLE")
    lf.admin.save_snapshot("damaged")
    path = snapshot_file(lf, "damaged")
    lines = gzip.decompress(path.read_bytes()).splitlines(keepends=True)
    # Drop the end marker and the last rows, as a copy cut short would.
    path.write_bytes(gzip.compress(b"".join(lines[:-3])))
    make_space(api, "AFTER")

    response = lf.admin.http.post("/snapshots/damaged/restore")

    assert response.status_code == 400
    assert "damaged or incomplete" in response.json()["message"]
    assert api.get("/space/AFTER").status_code == 200
    assert api.get("/space/WHOLE").status_code == 200

    path.write_bytes(b"not gzip at all")
    assert lf.admin.http.post("/snapshots/damaged/restore").status_code == 400
    assert api.get("/space/AFTER").status_code == 200


def rewrite_header(path: Path, **changes: object) -> None:
    lines = gzip.decompress(path.read_bytes()).splitlines(keepends=True)
    header = orjson.loads(lines[0])
    header.update(changes)
    path.write_bytes(gzip.compress(orjson.dumps(header) + b"\n" + b"".join(lines[1:])))


def test_other_format_versions_are_refused(lf: LocalfluenceServer) -> None:
    lf.admin.save_snapshot("future")
    rewrite_header(snapshot_file(lf, "future"), formatVersion=2)
    response = lf.admin.http.post("/snapshots/future/restore")
    assert response.status_code == 400
    assert response.json()["message"].startswith(
        "Snapshot future has format version 2; this localfluence reads version 1"
    )
    assert {s["name"]: s["compatible"] for s in lf.admin.list_snapshots()}["future"] is False


def test_other_schema_revisions_are_refused(lf: LocalfluenceServer) -> None:
    lf.admin.save_snapshot("old-schema")
    rewrite_header(snapshot_file(lf, "old-schema"), alembicRevision="0000")
    response = lf.admin.http.post("/snapshots/old-schema/restore")
    assert response.status_code == 400
    assert "saved at database schema revision 0000" in response.json()["message"]


def test_reset_to_a_snapshot(lf: LocalfluenceServer, api: httpx.Client) -> None:
    make_space(api, "BASE")
    lf.admin.save_snapshot("baseline")
    make_space(api, "EXTRA")
    lf.admin.faults.add(path="/nothing", status=500)
    report = lf.admin.reset(snapshot="baseline")
    assert report["snapshot"]["name"] == "baseline"
    assert api.get("/space/BASE").status_code == 200
    assert api.get("/space/EXTRA").status_code == 404
    assert lf.admin.faults.list() == []


def test_rows_of_self_referencing_tables_load_parents_first() -> None:
    # A page moved below a newer page has a lower id than its parent; the loader reorders.
    rows = [
        {"id": 1, "parent_id": 3},
        {"id": 2, "parent_id": None},
        {"id": 3, "parent_id": 2},
        {"id": 4, "parent_id": 1},
    ]
    ordered = snapshot_module._parents_first(rows, "id", ["parent_id"])
    assert [r["id"] for r in ordered] == [2, 3, 1, 4]


def test_attachment_bytes_survive_a_purge_between_save_and_restore(lf: LocalfluenceServer, api: httpx.Client) -> None:
    """The store deletes bytes nothing refers to; a snapshot keeps its own copy and puts them back."""
    space = make_space(api, "ATT")
    home = space["homepage"]["id"]
    uploaded = api.post(
        f"/content/{home}/child/attachment",
        files=[("file", ("notes.txt", b"kept across restores", "text/plain"))],
        headers={"X-Atlassian-Token": "no-check"},
    )
    assert uploaded.status_code == 200, uploaded.text
    attachment = uploaded.json()["results"][0]
    download = lf.wiki_url + attachment["_links"]["download"]
    lf.admin.save_snapshot("with-attachment")

    key = lf.runtime.blobs.key_for(hashlib.sha256(b"kept across restores").hexdigest())
    assert lf.runtime.blobs.exists(key)
    assert api.delete(f"/content/{attachment['id']}").status_code == 204  # attachments are purged at once
    assert not lf.runtime.blobs.exists(key)  # purged: the store let the bytes go

    report = lf.admin.restore_snapshot("with-attachment")

    assert report["missingBlobs"] == 0
    fetched = httpx.get(download, auth=lf.auth, follow_redirects=True)
    assert fetched.status_code == 200 and fetched.content == b"kept across restores"


def test_search_follows_resets_and_restores(lf: LocalfluenceServer, api: httpx.Client) -> None:
    def found(word: str) -> list[str]:
        response = api.get("/search", params={"cql": f"text ~ {word}"})
        assert response.status_code == 200, response.text
        return [r["content"]["title"] for r in response.json()["results"]]

    make_space(api, "FTS")
    make_page(api, "FTS", "Searchable", body="<p>zanzibarite quokka</p>")
    assert found("zanzibarite") == ["Searchable"]
    lf.admin.save_snapshot("searchable")
    lf.admin.reset()
    assert found("zanzibarite") == []
    lf.admin.restore_snapshot("searchable")
    assert found("zanzibarite") == ["Searchable"]
    assert found("quokka") == ["Searchable"]
    make_page(api, "FTS", "Another", body="<p>zanzibarite again</p>")
    assert sorted(found("zanzibarite")) == ["Another", "Searchable"]


def test_a_snapshot_moves_between_servers_and_databases(
    lf: LocalfluenceServer, api: httpx.Client, tmp_path: Path
) -> None:
    """Saved on an SQLite server, loaded on the suite's site (PostgreSQL under --db=postgresql)."""
    import shutil

    from localfluence.testing.server import start_server

    with start_server(data_dir=tmp_path / "other", admin_token="other-admin-token") as other:
        with httpx.Client(base_url=other.api_url, auth=other.auth) as elsewhere:
            made = elsewhere.post("/space", json={"key": "MOVED", "name": "Moved"}).json()
            make_page(elsewhere, "MOVED", "Travelling page", parent=made["homepage"]["id"], body="<p>portable</p>")
        other.admin.save_snapshot("portable")
        source = other.settings.data_dir / "snapshots" / "portable.jsonl.gz"
        target = lf.settings.data_dir / "snapshots"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target / "portable.jsonl.gz")

    lf.admin.restore_snapshot("portable")

    page = api.get(
        "/content", params={"spaceKey": "MOVED", "title": "Travelling page", "expand": "version,body.storage"}
    )
    result = page.json()["results"][0]
    assert result["body"]["storage"]["value"] == "<p>portable</p>"
    assert result["version"]["when"].endswith("Z")
    # The site's own admin token still works (the snapshot came with another site's admin).
    assert api.get("/space/MOVED").status_code == 200
    make_page(api, "MOVED", "Written after the move")
