"""Audit (tag "Audit"): records from administrative changes, POST, filters, since, export, retention."""

from __future__ import annotations

import csv
import io
import time
import uuid
import zipfile
from collections.abc import Iterator

import pytest

from tests.api.pages import assert_error
from tests.api.shapes import assert_shape
from tests.conftest import Person


@pytest.fixture
def forever(admin: Person) -> Iterator[None]:
    yield
    assert admin.api.put("/audit/retention", json={"number": 3, "units": "YEARS"}).status_code == 200


def test_administrative_changes_are_audited(admin: Person) -> None:
    key = "AU" + uuid.uuid4().hex[:8].upper()
    assert admin.api.post("/space", json={"key": key, "name": "Audited"}).status_code == 200
    group = "auditors-" + uuid.uuid4().hex[:6]
    assert admin.api.post("/group", json={"name": group}).status_code in (200, 201)
    listing = admin.api.get("/audit", params={"searchString": key}).json()
    assert_shape(listing, "AuditRecordArray")
    record = listing["results"][0]
    assert_shape(record, "AuditRecord")
    assert (record["summary"], record["category"]) == ("Space created", "Spaces")
    assert record["affectedObject"] == {"name": key, "objectType": "Space"}
    assert record["author"]["accountId"] == admin.account_id and record["remoteAddress"] == "127.0.0.1"
    groups = admin.api.get("/audit", params={"searchString": group}).json()["results"]
    assert [r["summary"] for r in groups] == ["Group created"]


def test_create_filter_and_since(admin: Person) -> None:
    marker = uuid.uuid4().hex
    now = int(time.time() * 1000)
    body = {
        "remoteAddress": "10.0.0.9",
        "author": {"type": "user", "displayName": "Importer"},
        "summary": f"Imported {marker}",
        "category": "Import",
        "creationDate": now - 2 * 86_400_000,
        "affectedObject": {"name": "Site", "objectType": "Global"},
        "changedValues": [{"name": "mode", "oldValue": "a", "newValue": "b"}],
    }
    created = admin.api.post("/audit", json=body)
    assert created.status_code == 200, created.text
    assert_shape(created.json(), "AuditRecord")
    assert created.json()["author"]["displayName"] == "Importer"
    assert created.json()["creationDate"] == now - 2 * 86_400_000
    found = admin.api.get("/audit", params={"searchString": marker}).json()["results"]
    assert [r["summary"] for r in found] == [f"Imported {marker}"]
    window = {"searchString": marker, "startDate": str(now - 3 * 86_400_000), "endDate": str(now - 86_400_000)}
    assert len(admin.api.get("/audit", params=window).json()["results"]) == 1
    window["startDate"] = str(now - 86_400_000)
    assert admin.api.get("/audit", params=window).json()["results"] == []
    day = admin.api.get("/audit/since", params={"number": 1, "units": "DAYS", "searchString": marker}).json()
    assert day["results"] == []
    week = admin.api.get("/audit/since", params={"number": 1, "units": "WEEKS", "searchString": marker}).json()
    assert_shape(week, "AuditRecordArray")
    assert len(week["results"]) == 1
    assert admin.api.get("/audit", params={"limit": 1}).json()["size"] == 1


def test_export_csv_and_zip(admin: Person) -> None:
    marker = uuid.uuid4().hex
    admin.api.post("/audit", json={"remoteAddress": "1.2.3.4", "summary": f"Export {marker}", "category": "X"})
    response = admin.api.get("/audit/export", params={"searchString": marker})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][0] == "Date" and len(rows) == 2 and rows[1][5] == f"Export {marker}"
    zipped = admin.api.get("/audit/export", params={"searchString": marker, "format": "zip"})
    assert zipped.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert archive.read(archive.namelist()[0]).decode() == response.text
    assert_error(admin.api.get("/audit/export", params={"format": "pdf"}), 400)


def test_retention_is_enforced(admin: Person, forever: None) -> None:
    assert admin.api.get("/audit/retention").json() == {"number": 3, "units": "YEARS"}
    marker = uuid.uuid4().hex
    old = int(time.time() * 1000) - 10 * 86_400_000
    admin.api.post("/audit", json={"remoteAddress": "1.1.1.1", "summary": f"Old {marker}", "creationDate": old})
    admin.api.post("/audit", json={"remoteAddress": "1.1.1.1", "summary": f"New {marker}"})
    assert len(admin.api.get("/audit", params={"searchString": marker}).json()["results"]) == 2
    response = admin.api.put("/audit/retention", json={"number": 5, "units": "DAYS"})
    assert response.status_code == 200
    assert_shape(response.json(), "RetentionPeriod")
    assert admin.api.get("/audit/retention").json() == {"number": 5, "units": "DAYS"}
    # The old record is gone, not hidden: a longer retention does not bring it back.
    admin.api.put("/audit/retention", json={"number": 1, "units": "FOREVER"})
    found = admin.api.get("/audit", params={"searchString": marker}).json()["results"]
    assert [r["summary"] for r in found] == [f"New {marker}"]


def test_bad_input_and_access(admin: Person, alice: Person, anonymous) -> None:  # type: ignore[no-untyped-def]
    assert_error(admin.api.get("/audit", params={"startDate": "yesterday"}), 400)
    assert_error(admin.api.get("/audit/since", params={"units": "FORTNIGHTS"}), 400)
    assert_error(admin.api.put("/audit/retention", json={"number": 1, "units": "AEONS"}), 400)
    assert_error(admin.api.put("/audit/retention", json={"number": -1, "units": "DAYS"}), 400)
    assert_error(admin.api.post("/audit", json={"summary": "no address"}), 400)
    for method, path in [
        ("GET", "/audit"),
        ("GET", "/audit/since"),
        ("GET", "/audit/export"),
        ("GET", "/audit/retention"),
    ]:
        assert_error(alice.api.request(method, path), 403)
        assert_error(anonymous.request(method, path), 401)
    assert_error(alice.api.post("/audit", json={"remoteAddress": "1.1.1.1"}), 403)
    assert_error(alice.api.put("/audit/retention", json={"number": 1, "units": "DAYS"}), 403)


def test_nul_characters_are_400_on_every_database(admin: Person) -> None:
    # PostgreSQL cannot store NUL in text; SQLite could, so the body model refuses it up front.
    response = admin.api.post("/audit", json={"remoteAddress": "1.2.3.4", "summary": "a\x00b"})
    assert_error(response, 400)
    nested = {"remoteAddress": "1.2.3.4", "summary": "ok", "affectedObject": {"name": "x\x00", "objectType": "Page"}}
    assert_error(admin.api.post("/audit", json=nested), 400)


def test_search_string_wildcards_match_literally(admin: Person) -> None:
    marker = uuid.uuid4().hex[:12]
    for summary in (f"{marker} 100% done", f"{marker} 100 done", f"{marker}_x", f"{marker}ax"):
        created = admin.api.post("/audit", json={"summary": summary, "category": "Import", "remoteAddress": "10.0.0.1"})
        assert created.status_code == 200, created.text

    def found(search: str) -> list[str]:
        return sorted(r["summary"] for r in admin.api.get("/audit", params={"searchString": search}).json()["results"])

    assert found(f"{marker} 100%") == [f"{marker} 100% done"]
    assert found(f"{marker}_") == [f"{marker}_x"]
    assert len(found(marker)) == 4
