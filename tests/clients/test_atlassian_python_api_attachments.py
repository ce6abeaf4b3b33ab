"""atlassian-python-api's attachment calls against a real localfluence server.

In atlassian-python-api 5.x, Confluence(cloud=True) delegates to a Cloud class that no longer has
attach_file/attach_content/get_attachments_from_content/download_attachments_from_page; those live
on the library's Server class, which speaks the same /rest/api paths. Scripts written against 4.x
(one Confluence class with cloud=True) call exactly these, so the tests drive that class with
cloud=True, and with cloud=False for the Server/Data Center flavour (which downloads through
_links.download instead of the REST download route)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from atlassian import Confluence
from atlassian.confluence import ConfluenceServer

from tests.conftest import Person, create_page
from tests.server import RunningServer


@pytest.fixture(params=[True, False], ids=["cloud", "server"])
def confluence(request: pytest.FixtureRequest, server: RunningServer, admin: Person) -> Iterator[ConfluenceServer]:
    client = ConfluenceServer(url=server.url + "/wiki", username=admin.email, password=admin.token, cloud=request.param)
    yield client
    client.close()


def test_cloud_client_class_lacks_the_attachment_helpers(server: RunningServer, admin: Person) -> None:
    # Pins the reason the tests use the Server class (see the module docstring).
    client = Confluence(url=server.url + "/wiki", username=admin.email, password=admin.token, cloud=True)
    assert not hasattr(client, "attach_file")
    assert client.get_attachments is not None


def test_attach_file_then_new_version_with_attach_content(
    confluence: ConfluenceServer, admin: Person, space: dict, tmp_path: Path
) -> None:
    page = create_page(admin, space["key"])
    source = tmp_path / "report.txt"
    source.write_bytes(b"first version")
    created = confluence.attach_file(str(source), page_id=page["id"], comment="initial")
    attachment = created["results"][0]
    assert attachment["title"] == "report.txt"
    assert attachment["extensions"]["comment"] == "initial"

    updated = confluence.attach_content(
        b"second version!", name="report.txt", content_type="text/plain", page_id=page["id"], comment="again"
    )
    assert updated["id"] == attachment["id"]
    assert updated["version"]["number"] == 2
    assert updated["extensions"]["fileSize"] == len(b"second version!")

    confluence.attach_content(b"\x89PNG\r\n\x1a\n....", name="pic.png", content_type="image/png", page_id=page["id"])
    listed = confluence.get_attachments_from_content(page["id"])
    assert sorted(a["title"] for a in listed["results"]) == ["pic.png", "report.txt"]
    only = confluence.get_attachments_from_content(page["id"], filename="pic.png")
    assert [a["title"] for a in only["results"]] == ["pic.png"]
    by_type = confluence.get_attachments_from_content(page["id"], media_type="image/png", expand="version")
    assert [a["version"]["number"] for a in by_type["results"]] == [1]


def test_download_attachments_from_page(
    confluence: ConfluenceServer, admin: Person, space: dict, tmp_path: Path
) -> None:
    page = create_page(admin, space["key"])
    files = {"a.txt": b"alpha", "b.bin": bytes(range(256)) * 1000, "c d.txt": "ünïcode".encode()}
    for name, data in files.items():
        confluence.attach_content(data, name=name, page_id=page["id"])
    in_memory = confluence.download_attachments_from_page(page["id"], to_memory=True)
    assert {name: buffer.getvalue() for name, buffer in in_memory.items()} == files
    summary = confluence.download_attachments_from_page(page["id"], path=str(tmp_path))
    assert summary["attachments_downloaded"] == 3
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files
    one = confluence.download_attachments_from_page(page["id"], filename="a.txt", to_memory=True)
    assert list(one) == ["a.txt"]


def test_paging_through_many_attachments(confluence: ConfluenceServer, admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    for i in range(7):
        confluence.attach_content(f"file {i}".encode(), name=f"f{i}.txt", page_id=page["id"])
    downloaded = confluence.download_attachments_from_page(page["id"], limit=3, to_memory=True)
    assert sorted(downloaded) == [f"f{i}.txt" for i in range(7)]
