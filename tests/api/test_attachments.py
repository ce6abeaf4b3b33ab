"""Content - attachments: upload, versions, properties, listing, downloads, permissions, cleanup."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from localfluence.db.session import transaction
from localfluence.models import ContentRestriction, User
from tests.api.attachments_support import (
    XSRF,
    blob_count,
    blob_key,
    download_url,
    drop_mid_upload,
    temp_files,
    upload,
    uploaded,
    wait_until,
)
from tests.conftest import Person, create_page, make_person
from tests.server import RunningServer
from tests.tasks import wait_for_task


@pytest.fixture
def page(admin: Person, space: dict) -> dict:
    return create_page(admin, space["key"])


@pytest.fixture
def alice(server: RunningServer) -> Iterator[Person]:
    yield from _person(server, "Alice")


@pytest.fixture
def bob(server: RunningServer) -> Iterator[Person]:
    yield from _person(server, "Bob")


def _person(server: RunningServer, name: str) -> Iterator[Person]:
    person = make_person(server, name)
    yield person
    person.api.close()
    person.server_api.close()


def restrict(server: RunningServer, content_id: str, operation: str, person: Person) -> None:
    with transaction(server.runtime.sessions, write=True) as session:
        user_id = session.scalar(select(User.id).where(User.account_id == person.account_id))
        session.add(ContentRestriction(content_id=int(content_id), operation=operation, user_id=user_id))


# --- upload ------------------------------------------------------------------------------------


def test_upload_answers_a_content_array_of_attachments(server: RunningServer, admin: Person, page: dict) -> None:
    response = upload(admin.api, page["id"], "report.txt", b"twelve bytes", comment="first cut", minor=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["size"] == 1
    attachment = body["results"][0]
    assert attachment["type"] == "attachment"
    assert attachment["status"] == "current"
    assert attachment["title"] == "report.txt"
    assert attachment["extensions"] == {
        "mediaType": "text/plain",
        "fileSize": 12,
        "comment": "first cut",
        "mediaTypeDescription": "Text File",
        "fileId": attachment["extensions"]["fileId"],
        "collectionName": f"contentId-{page['id']}",
    }
    assert attachment["version"]["number"] == 1
    assert attachment["version"]["minorEdit"] is True
    assert attachment["version"]["message"] == "first cut"
    assert attachment["container"]["id"] == page["id"]
    assert attachment["metadata"]["mediaType"] == "text/plain"
    download = attachment["_links"]["download"]
    assert download.startswith(f"/download/attachments/{page['id']}/report.txt?version=1&modificationDate=")
    assert download.endswith("&api=v2")
    assert "thumbnail" not in attachment["_links"]


def test_both_prefixes_and_both_xsrf_spellings(admin: Person, page: dict) -> None:
    a = upload(admin.api, page["id"], "a.txt", headers={"X-Atlassian-Token": "nocheck"})
    b = upload(admin.server_api, page["id"], "b.txt", headers={"X-Atlassian-Token": "no-check"})
    assert a.status_code == 200, a.text
    assert b.status_code == 200, b.text
    assert b.json()["_links"]["context"] == ""


@pytest.mark.parametrize("headers", [{}, {"X-Atlassian-Token": "check"}])
def test_missing_xsrf_header_is_403(server: RunningServer, admin: Person, page: dict, headers: dict) -> None:
    before = blob_count(server)
    response = upload(admin.api, page["id"], headers=headers)
    assert response.status_code == 403
    assert response.json()["message"] == "XSRF check failed"
    assert blob_count(server) == before
    assert temp_files(server) == []


def test_image_gets_a_thumbnail_link_and_a_guessed_media_type(server: RunningServer, admin: Person, page: dict) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    attachment = uploaded(admin.api, page["id"], "diagram.png", png, media_type="application/octet-stream")
    assert attachment["extensions"]["mediaType"] == "image/png"
    assert attachment["extensions"]["mediaTypeDescription"] == "PNG Image"
    thumbnail = attachment["_links"]["thumbnail"]
    assert thumbnail.startswith(f"/download/thumbnails/{page['id']}/diagram.png?version=1")
    response = httpx.get(server.url + "/wiki" + thumbnail, auth=(admin.email, admin.token))
    assert response.status_code == 200
    assert response.content == png
    assert response.headers["content-disposition"].startswith("inline;")


def test_several_files_with_comments_in_one_request(admin: Person, page: dict) -> None:
    response = admin.api.post(
        f"/content/{page['id']}/child/attachment",
        files=[("file", ("one.txt", b"1", "text/plain")), ("file", ("two.txt", b"22", "text/plain"))],
        data={"comment": ["first", "second"]},
        headers=XSRF,
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["title"], r["extensions"]["comment"], r["extensions"]["fileSize"]) for r in results] == [
        ("one.txt", "first", 1),
        ("two.txt", "second", 2),
    ]


def test_comments_must_match_the_files(server: RunningServer, admin: Person, page: dict) -> None:
    response = admin.api.post(
        f"/content/{page['id']}/child/attachment",
        files=[("file", ("one.txt", b"1", "text/plain")), ("file", ("two.txt", b"2", "text/plain"))],
        data={"comment": "only one"},
        headers=XSRF,
    )
    assert response.status_code == 400
    assert admin.api.get(f"/content/{page['id']}/child/attachment").json()["size"] == 0


def test_post_with_an_existing_name_is_400_and_leaves_nothing(server: RunningServer, admin: Person, page: dict) -> None:
    uploaded(admin.api, page["id"], "same.txt", b"v1")
    new_bytes = b"bytes that must not be kept " + page["id"].encode()
    response = upload(admin.api, page["id"], "SAME.txt", new_bytes)
    assert response.status_code == 400
    assert "same file name" in response.json()["message"]
    assert blob_key(server, new_bytes) is None
    assert temp_files(server) == []


def test_put_creates_then_adds_versions(server: RunningServer, admin: Person, page: dict) -> None:
    first = upload(admin.api, page["id"], "notes.md", b"version one", method="PUT", media_type="text/markdown")
    assert first.status_code == 200, first.text
    second = upload(admin.api, page["id"], "notes.md", b"version two!", method="PUT", comment="again")
    assert second.status_code == 200, second.text
    one, two = first.json()["results"][0], second.json()["results"][0]
    assert one["id"] == two["id"]
    assert two["version"]["number"] == 2
    assert two["extensions"]["fileSize"] == 12
    latest = httpx.get(download_url(server, two), auth=(admin.email, admin.token))
    older = httpx.get(download_url(server, one), auth=(admin.email, admin.token))
    assert latest.content == b"version two!"
    assert older.content == b"version one"
    versions = admin.api.get(f"/content/{two['id']}/version").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]


def test_update_attachment_data(server: RunningServer, admin: Person, space: dict, page: dict) -> None:
    attachment = uploaded(admin.api, page["id"], "data.bin", b"old", media_type="application/octet-stream")
    path = f"/content/{page['id']}/child/attachment/{attachment['id']}/data"
    response = upload(
        admin.api, page["id"], "ignored-name.csv", b"a,b\n1,2\n", path=path, comment="csv now", media_type="text/csv"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == attachment["id"]
    assert body["title"] == "data.bin"
    assert body["version"]["number"] == 2
    assert body["extensions"]["mediaType"] == "text/csv"
    assert body["extensions"]["comment"] == "csv now"
    assert httpx.get(download_url(server, body), auth=(admin.email, admin.token)).content == b"a,b\n1,2\n"
    # The attachment must live below the container named in the path.
    other = create_page(admin, space["key"])
    wrong = upload(
        admin.api, other["id"], "x", b"x", path=f"/content/{other['id']}/child/attachment/{attachment['id']}/data"
    )
    assert wrong.status_code == 404
    no_header = upload(admin.api, page["id"], "x", b"x", path=path, headers={})
    assert no_header.status_code == 403


def test_att_prefixed_ids_are_accepted(admin: Person, page: dict) -> None:
    attachment = uploaded(admin.api, page["id"])
    response = admin.api.get(f"/content/{page['id']}/child/attachment/att{attachment['id']}/download")
    assert response.status_code == 302


# --- bad input -----------------------------------------------------------------------------------


def test_unknown_and_invalid_ids(admin: Person, page: dict) -> None:
    assert upload(admin.api, "999999999").status_code == 404
    assert upload(admin.api, "abc").status_code == 400
    assert admin.api.get("/content/999999999/child/attachment").status_code == 404
    assert admin.api.get(f"/content/{page['id']}/child/attachment/999999999/download").status_code == 404
    data_path = f"/content/{page['id']}/child/attachment/999999999/data"
    assert upload(admin.api, page["id"], path=data_path).status_code == 404


def test_missing_file_part(admin: Person, page: dict) -> None:
    response = admin.api.post(
        f"/content/{page['id']}/child/attachment",
        files=[("comment", (None, "no file")), ("minorEdit", (None, "true"))],
        headers=XSRF,
    )
    assert response.status_code == 400
    assert "file" in response.json()["message"]


def test_not_multipart(admin: Person, page: dict) -> None:
    response = admin.api.post(f"/content/{page['id']}/child/attachment", json={"file": "x"}, headers=XSRF)
    assert response.status_code == 415


def test_malformed_multipart(admin: Person, page: dict) -> None:
    response = admin.api.post(
        f"/content/{page['id']}/child/attachment",
        content=b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
        headers={**XSRF, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400


def test_oversized_part_headers_are_400(admin: Person, page: dict) -> None:
    response = admin.api.post(
        f"/content/{page['id']}/child/attachment",
        content=b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\nX-Filler: '
        + b"y" * 100_000
        + b"\r\n\r\nabc\r\n--b--\r\n",
        headers={**XSRF, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400
    assert "Malformed multipart body" in response.json()["message"]


@pytest.mark.parametrize("name", ["", "..", "dir/", "x" * 256])
def test_bad_file_names(server: RunningServer, admin: Person, page: dict, name: str) -> None:
    response = upload(admin.api, page["id"], name, b"nameless")
    assert response.status_code == 400
    assert temp_files(server) == []


@pytest.mark.parametrize(("raw", "title"), [("../../../../etc/passwd", "passwd"), ("C:\\temp\\win.txt", "win.txt")])
def test_paths_in_file_names_keep_only_the_base_name(
    server: RunningServer, admin: Person, page: dict, raw: str, title: str
) -> None:
    attachment = uploaded(admin.api, page["id"], raw, b"contained")
    assert attachment["title"] == title
    response = httpx.get(download_url(server, attachment), auth=(admin.email, admin.token))
    assert response.content == b"contained"
    blob_dir = server.runtime.blobs.root  # type: ignore[attr-defined]
    key = blob_key(server, b"contained")
    assert key is not None
    assert (blob_dir / key).resolve().is_relative_to(blob_dir.resolve())


@pytest.fixture
def small_limit(server: RunningServer) -> Iterator[int]:
    before = server.settings.max_attachment_bytes
    server.settings.max_attachment_bytes = 1000
    yield 1000
    server.settings.max_attachment_bytes = before


def test_oversize_upload_is_413_and_leaves_nothing(
    server: RunningServer, admin: Person, page: dict, small_limit: int
) -> None:
    before = blob_count(server)
    response = upload(admin.api, page["id"], "big.bin", b"x" * (small_limit + 1))
    assert response.status_code == 413
    assert response.json()["statusCode"] == 413
    assert blob_count(server) == before
    assert temp_files(server) == []
    assert upload(admin.api, page["id"], "fits.bin", b"x" * small_limit).status_code == 200


def test_a_dropped_connection_mid_upload_leaves_nothing(server: RunningServer, admin: Person, page: dict) -> None:
    before = blob_count(server)
    drop_mid_upload(server, admin.email, admin.token, page["id"], sent=3 * 1024 * 1024)
    wait_until(lambda: temp_files(server) == [])
    assert blob_count(server) == before
    assert admin.api.get(f"/content/{page['id']}/child/attachment").json()["size"] == 0


# --- listing -------------------------------------------------------------------------------------


def test_list_filters_and_paging(server: RunningServer, admin: Person, page: dict) -> None:
    uploaded(admin.api, page["id"], "a.txt", b"a")
    uploaded(admin.api, page["id"], "b.png", b"b", media_type="image/png")
    uploaded(admin.api, page["id"], "c.txt", b"c")
    everything = admin.api.get(f"/content/{page['id']}/child/attachment").json()
    assert [r["title"] for r in everything["results"]] == ["a.txt", "b.png", "c.txt"]
    assert everything["results"][0]["metadata"]["mediaType"] == "text/plain"
    by_name = admin.api.get(f"/content/{page['id']}/child/attachment", params={"filename": "c.txt"}).json()
    assert [r["title"] for r in by_name["results"]] == ["c.txt"]
    by_type = admin.api.get(f"/content/{page['id']}/child/attachment", params={"mediaType": "image/png"}).json()
    assert [r["title"] for r in by_type["results"]] == ["b.png"]
    first = admin.api.get(f"/content/{page['id']}/child/attachment", params={"limit": 2}).json()
    assert first["size"] == 2
    assert "next" in first["_links"]
    rest = admin.api.get(server.url + "/wiki" + first["_links"]["next"]).json()
    assert [r["title"] for r in rest["results"]] == ["c.txt"]
    assert "next" not in rest["_links"]
    with_version = admin.api.get(f"/content/{page['id']}/child/attachment", params={"expand": "version"}).json()
    assert with_version["results"][0]["version"]["number"] == 1


def test_attachments_are_content(server: RunningServer, admin: Person, page: dict) -> None:
    attachment = uploaded(admin.api, page["id"], "thing.txt", b"thing")
    single = admin.api.get(f"/content/{attachment['id']}", params={"expand": "container,version"}).json()
    assert single["type"] == "attachment"
    assert single["extensions"]["fileSize"] == 5
    assert single["container"]["id"] == page["id"]
    assert single["_links"]["download"].startswith(f"/download/attachments/{page['id']}/thing.txt")
    children = admin.api.get(f"/content/{page['id']}", params={"expand": "children.attachment"}).json()
    listed = children["children"]["attachment"]["results"]
    assert [a["title"] for a in listed] == ["thing.txt"]
    assert listed[0]["extensions"]["mediaType"] == "text/plain"
    types = admin.api.get(f"/content/{page['id']}", params={"expand": "childTypes.attachment"}).json()
    assert types["childTypes"]["attachment"]["value"] is True


def test_renaming_through_the_content_api_keeps_the_bytes(server: RunningServer, admin: Person, page: dict) -> None:
    attachment = uploaded(admin.api, page["id"], "before.txt", b"kept bytes")
    response = admin.api.put(
        f"/content/{attachment['id']}", json={"type": "attachment", "title": "after.txt", "version": {"number": 2}}
    )
    assert response.status_code == 200, response.text
    listed = admin.api.get(f"/content/{page['id']}/child/attachment").json()["results"]
    assert listed[0]["title"] == "after.txt"
    assert listed[0]["extensions"]["fileSize"] == 10
    assert httpx.get(download_url(server, listed[0]), auth=(admin.email, admin.token)).content == b"kept bytes"


# --- downloads -----------------------------------------------------------------------------------


def test_download_headers_with_any_accept(server: RunningServer, admin: Person, page: dict) -> None:
    data = "ünïcode ✓".encode()
    attachment = uploaded(admin.api, page["id"], "naïve file.txt", data)
    for prefix in ("/wiki", ""):
        response = httpx.get(
            download_url(server, attachment, prefix),
            auth=(admin.email, admin.token),
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200
        assert response.content == data
        assert response.headers["content-type"].startswith("text/plain")
        assert response.headers["content-length"] == str(len(data))
        assert response.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
        assert response.headers["accept-ranges"] == "bytes"
        assert "filename*=UTF-8''na%C3%AFve%20file.txt" in response.headers["content-disposition"]
    head = httpx.head(download_url(server, attachment), auth=(admin.email, admin.token))
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(data))
    assert head.content == b""
    cached = httpx.get(
        download_url(server, attachment),
        auth=(admin.email, admin.token),
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert cached.status_code == 304


def test_ranges(server: RunningServer, admin: Person, page: dict) -> None:
    data = bytes(range(256)) * 4
    attachment = uploaded(admin.api, page["id"], "range.bin", data, media_type="application/octet-stream")
    url = download_url(server, attachment)
    auth = (admin.email, admin.token)

    def get(value: str, **headers: str) -> httpx.Response:
        return httpx.get(url, auth=auth, headers={"Range": value, **headers})

    part = get("bytes=10-19")
    assert part.status_code == 206
    assert part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    assert part.headers["content-length"] == "10"
    assert get("bytes=-5").content == data[-5:]
    assert get("bytes=1000-").content == data[1000:]
    unsatisfiable = get(f"bytes={len(data)}-")
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["content-range"] == f"bytes */{len(data)}"
    assert get("bytes=0-1,5-6").status_code == 200
    assert get("nonsense").content == data
    assert get("bytes=0-3", **{"If-Range": '"stale"'}).status_code == 200
    etag = part.headers["etag"]
    assert get("bytes=0-3", **{"If-Range": etag}).status_code == 206


def test_download_of_a_given_version_and_missing_versions(server: RunningServer, admin: Person, page: dict) -> None:
    one = uploaded(admin.api, page["id"], "v.txt", b"one")
    uploaded(admin.api, page["id"], "v.txt", b"two", method="PUT")
    base = f"{server.url}/wiki/download/attachments/{page['id']}/v.txt"
    auth = (admin.email, admin.token)
    assert httpx.get(base, auth=auth).content == b"two"
    assert httpx.get(base, params={"version": 1}, auth=auth).content == b"one"
    assert httpx.get(base, params={"version": 3}, auth=auth).status_code == 404
    assert httpx.get(base, params={"version": "x"}, auth=auth).status_code == 404
    assert httpx.get(f"{server.url}/wiki/download/attachments/{page['id']}/nope.txt", auth=auth).status_code == 404
    rest = f"/content/{page['id']}/child/attachment/{one['id']}/download"
    redirect = admin.api.get(rest, params={"version": 1})
    assert redirect.status_code == 302
    assert redirect.headers["location"].startswith(
        f"{server.url}/wiki/download/attachments/{page['id']}/v.txt?version=1"
    )
    assert admin.api.get(rest, params={"version": 1}, follow_redirects=True).content == b"one"
    assert admin.api.get(rest, params={"version": 3}).status_code == 400


def test_empty_file(server: RunningServer, admin: Person, page: dict) -> None:
    attachment = uploaded(admin.api, page["id"], "empty.txt", b"")
    assert attachment["extensions"]["fileSize"] == 0
    response = httpx.get(download_url(server, attachment), auth=(admin.email, admin.token))
    assert response.status_code == 200
    assert response.content == b""


# --- properties ----------------------------------------------------------------------------------


def _properties(admin: Person, page_id: str, attachment_id: str, **body: object) -> httpx.Response:
    return admin.api.put(
        f"/content/{page_id}/child/attachment/{attachment_id}",
        json={"id": attachment_id, "type": "attachment", **body},
    )


def test_update_properties(server: RunningServer, admin: Person, page: dict) -> None:
    attachment = uploaded(admin.api, page["id"], "old-name.txt", b"props", comment="c1")
    response = _properties(
        admin,
        page["id"],
        attachment["id"],
        title="new-name.log",
        version={"number": 2},
        metadata={"mediaType": "text/x-log", "comment": "c2"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "new-name.log"
    assert body["version"]["number"] == 2
    assert body["extensions"]["mediaType"] == "text/x-log"
    assert body["extensions"]["comment"] == "c2"
    assert body["extensions"]["fileSize"] == 5
    fetched = httpx.get(download_url(server, body), auth=(admin.email, admin.token))
    assert fetched.content == b"props"
    assert fetched.headers["content-type"].startswith("text/x-log")
    stale = _properties(admin, page["id"], attachment["id"], title="x.txt", version={"number": 2})
    assert stale.status_code == 409
    bad_type = admin.api.put(
        f"/content/{page['id']}/child/attachment/{attachment['id']}",
        json={"id": attachment["id"], "type": "page", "version": {"number": 3}},
    )
    assert bad_type.status_code == 400
    missing_version = admin.api.put(
        f"/content/{page['id']}/child/attachment/{attachment['id']}",
        json={"id": attachment["id"], "type": "attachment"},
    )
    assert missing_version.status_code == 400
    bad_media = _properties(admin, page["id"], attachment["id"], version={"number": 3}, metadata={"mediaType": "no"})
    assert bad_media.status_code == 400


def test_move_to_another_container(server: RunningServer, admin: Person, space: dict, page: dict) -> None:
    other = create_page(admin, space["key"])
    attachment = uploaded(admin.api, page["id"], "moving.txt", b"moving")
    uploaded(admin.api, other["id"], "taken.txt", b"taken")
    clash = _properties(
        admin,
        page["id"],
        attachment["id"],
        title="taken.txt",
        version={"number": 2},
        container={"id": other["id"], "type": "page"},
    )
    assert clash.status_code == 400
    moved = _properties(
        admin, page["id"], attachment["id"], version={"number": 2}, container={"id": other["id"], "type": "page"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["container"]["id"] == other["id"]
    assert admin.api.get(f"/content/{page['id']}/child/attachment").json()["size"] == 0
    assert [a["title"] for a in admin.api.get(f"/content/{other['id']}/child/attachment").json()["results"]] == [
        "taken.txt",
        "moving.txt",
    ]
    url = f"{server.url}/wiki/download/attachments/{other['id']}/moving.txt"
    assert httpx.get(url, auth=(admin.email, admin.token)).content == b"moving"
    comment = admin.api.post(
        "/content",
        json={
            "type": "comment",
            "container": {"id": other["id"], "type": "page"},
            "body": {"storage": {"value": "<p>c</p>", "representation": "storage"}},
        },
    )
    assert comment.status_code == 200, comment.text
    to_comment = _properties(
        admin,
        other["id"],
        attachment["id"],
        version={"number": 3},
        container={"id": comment.json()["id"], "type": "comment"},
    )
    assert to_comment.status_code == 403


# --- permissions ---------------------------------------------------------------------------------


def test_anonymous_cannot_upload(anonymous: httpx.Client, page: dict) -> None:
    response = upload(anonymous, page["id"])
    assert response.status_code in (401, 404)


def test_update_restriction_forbids_upload(
    server: RunningServer, admin: Person, alice: Person, bob: Person, page: dict
) -> None:
    restrict(server, page["id"], "update", alice)
    assert upload(bob.api, page["id"], "bob.txt").status_code == 403
    assert upload(alice.api, page["id"], "alice.txt").status_code == 200


def test_read_restriction_hides_attachments(
    server: RunningServer, admin: Person, alice: Person, bob: Person, page: dict
) -> None:
    attachment = uploaded(admin.api, page["id"], "secret.txt", b"secret")
    restrict(server, page["id"], "read", alice)
    url = download_url(server, attachment)
    assert httpx.get(url, auth=(alice.email, alice.token)).content == b"secret"
    assert httpx.get(url, auth=(bob.email, bob.token)).status_code == 404
    assert bob.api.get(f"/content/{page['id']}/child/attachment").status_code == 404
    assert bob.api.get(f"/content/{attachment['id']}").status_code == 404
    assert bob.api.get(f"/content/{page['id']}/child/attachment/{attachment['id']}/download").status_code == 404
    assert upload(bob.api, page["id"], "x.txt").status_code == 404
    assert httpx.get(url).status_code == 404


# --- cleanup -------------------------------------------------------------------------------------


def _blob_file_exists(server: RunningServer, data: bytes) -> bool:
    key = blob_key(server, data)
    return key is not None and server.runtime.blobs.exists(key)


def test_purging_an_attachment_deletes_its_bytes(server: RunningServer, admin: Person, page: dict) -> None:
    data = b"purge me " + page["id"].encode()
    attachment = uploaded(admin.api, page["id"], "gone.txt", data)
    uploaded(admin.api, page["id"], "gone.txt", data + b" v2", method="PUT")
    key = blob_key(server, data)
    assert key is not None and server.runtime.blobs.exists(key)
    assert admin.api.delete(f"/content/{attachment['id']}").status_code == 204
    assert blob_key(server, data) is None
    assert blob_key(server, data + b" v2") is None
    assert not server.runtime.blobs.exists(key)


def test_shared_bytes_live_until_the_last_reference_goes(server: RunningServer, admin: Person, page: dict) -> None:
    data = b"shared " + page["id"].encode()
    a = uploaded(admin.api, page["id"], "a.txt", data)
    b = uploaded(admin.api, page["id"], "b.txt", data)
    assert admin.api.delete(f"/content/{a['id']}").status_code == 204
    assert _blob_file_exists(server, data)
    assert httpx.get(download_url(server, b), auth=(admin.email, admin.token)).content == data
    assert admin.api.delete(f"/content/{b['id']}").status_code == 204
    assert blob_key(server, data) is None


def test_purging_the_container_deletes_its_attachments_bytes(server: RunningServer, admin: Person, page: dict) -> None:
    data = b"in a page " + page["id"].encode()
    uploaded(admin.api, page["id"], "inside.txt", data)
    key = blob_key(server, data)
    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    assert _blob_file_exists(server, data)  # trashed, not purged
    assert admin.api.delete(f"/content/{page['id']}", params={"status": "trashed"}).status_code == 204
    assert blob_key(server, data) is None
    assert key is not None and not server.runtime.blobs.exists(key)


def test_deleting_the_space_deletes_the_bytes(server: RunningServer, admin: Person, space: dict, page: dict) -> None:
    data = b"in a space " + page["id"].encode()
    uploaded(admin.api, page["id"], "space.txt", data)
    key = blob_key(server, data)
    response = admin.api.delete(f"/space/{space['key']}")
    assert response.status_code in (200, 202, 204), response.text
    assert wait_for_task(admin.api, response.json()["id"])["successful"] is True
    # The worker deletes unreferenced bytes right after the task's transaction commits, which is
    # also when the task reads as successful: give it that moment.
    deadline = time.monotonic() + 10
    while blob_key(server, data) is not None:
        assert time.monotonic() < deadline, "the space's attachment bytes were not deleted"
        time.sleep(0.02)
    assert key is not None and not server.runtime.blobs.exists(key)


def test_deleting_an_old_version_deletes_bytes_only_it_used(server: RunningServer, admin: Person, page: dict) -> None:
    v1 = b"first version " + page["id"].encode()
    attachment = uploaded(admin.api, page["id"], "history.txt", v1)
    uploaded(admin.api, page["id"], "history.txt", b"second version " + page["id"].encode(), method="PUT")
    assert admin.api.delete(f"/content/{attachment['id']}/version/1").status_code == 204
    assert blob_key(server, v1) is None


def test_copy_attachments_shares_the_bytes(server: RunningServer, admin: Person, space: dict, page: dict) -> None:
    # content.copying can call this for copyPage's copyAttachments; driven directly here.
    from localfluence.access.principal import Principal
    from localfluence.attachments.service import copy_attachments

    data = b"copied " + page["id"].encode()
    uploaded(admin.api, page["id"], "copied.txt", data, comment="original")
    target = create_page(admin, space["key"])
    with transaction(server.runtime.sessions, write=True) as session:
        admin_id = session.scalar(select(User.id).where(User.account_id == admin.account_id))
        principal = Principal(user_id=admin_id, account_id=admin.account_id, is_admin=True)
        assert len(copy_attachments(session, principal, int(page["id"]), int(target["id"]))) == 1
    listed = admin.api.get(f"/content/{target['id']}/child/attachment").json()["results"]
    assert [(a["title"], a["extensions"]["comment"]) for a in listed] == [("copied.txt", "original")]
    assert httpx.get(download_url(server, listed[0]), auth=(admin.email, admin.token)).content == data
    assert admin.api.delete(f"/content/{listed[0]['id']}").status_code == 204
    assert _blob_file_exists(server, data)
