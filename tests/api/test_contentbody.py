"""Body representations through the API: what is stored, how it renders for each viewer, the
conversion routes (sync and async) and macro bodies (tags "Content body", "Content - macro body")."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from localfluence.contentbody import cache
from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import ContentDigest, ContentLink, ContentMacro, ContentMention
from tests.api.bodies import add_attachment, restrict, user_id
from tests.api.spec import assert_schema
from tests.conftest import Person, create_page
from tests.server import RunningServer
from tests.tasks import wait_for_conversion

RENDERED = ("view", "export_view", "styled_view", "anonymous_export_view")


def body_of(person: Person, page_id: str, representation: str) -> str:
    response = person.api.get(f"/content/{page_id}", params={"expand": f"body.{representation}"})
    assert response.status_code == 200, response.text
    body = response.json()["body"][representation]
    assert body["representation"] == representation
    return body["value"]


def create(person: Person, space_key: str, representation: str, value: str, title: str | None = None) -> dict:
    payload = {
        "type": "page",
        "title": title or f"Page {uuid.uuid4().hex[:8]}",
        "space": {"key": space_key},
        "body": {representation: {"value": value, "representation": representation}},
    }
    return person.api.post("/content", json=payload)


# --- writing bodies ---------------------------------------------------------------------------


def test_wiki_body_is_stored_as_storage(admin: Person, space: dict) -> None:
    response = create(admin, space["key"], "wiki", "h1. Plan\n* *bold* item\n* [Other Page]")
    assert response.status_code == 200, response.text
    storage = body_of(admin, response.json()["id"], "storage")
    assert "<h1>Plan</h1>" in storage
    assert "<ul><li><strong>bold</strong> item</li>" in storage
    assert '<ri:page ri:content-title="Other Page"' in storage


def test_atlas_doc_format_and_editor_bodies_are_stored_as_storage(admin: Person, space: dict) -> None:
    adf = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "From ADF"}]},
            {"type": "panel", "attrs": {"panelType": "info"}, "content": [{"type": "paragraph", "content": []}]},
        ],
    }
    response = create(admin, space["key"], "atlas_doc_format", json.dumps(adf))
    assert response.status_code == 200, response.text
    storage = body_of(admin, response.json()["id"], "storage")
    assert "<h2>From ADF</h2>" in storage
    assert 'ac:name="info"' in storage

    editor = (
        '<p>From the <b>editor</b></p><table class="wysiwyg-macro" data-macro-name="note" '
        'data-macro-body-type="RICH_TEXT"><tbody><tr><td class="wysiwyg-macro-body"><p>n</p></td></tr></tbody></table>'
    )
    response = create(admin, space["key"], "editor", editor)
    assert response.status_code == 200, response.text
    storage = body_of(admin, response.json()["id"], "storage")
    assert "<p>From the <b>editor</b></p>" in storage
    assert 'ac:name="note"' in storage


def test_malformed_storage_is_a_400_with_the_position_and_nothing_is_saved(admin: Person, space: dict) -> None:
    title = f"Broken {uuid.uuid4().hex[:8]}"
    response = create(admin, space["key"], "storage", "<p>fine</p>\n<p>broken <br></p>", title)
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("Error parsing xhtml: Unexpected close tag </p>; expected </br>.")
    assert "at [row,col {unknown-source}]: [2," in message
    found = admin.api.get("/content", params={"spaceKey": space["key"], "title": title}).json()
    assert found["size"] == 0


def test_malformed_storage_on_update_leaves_the_page_unchanged(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], body="<p>v1</p>")
    response = admin.api.put(
        f"/content/{page['id']}",
        json={
            "type": "page",
            "title": page["title"],
            "version": {"number": 2},
            "body": {
                "storage": {"value": '<p><a href="x?a=1&b=2">bare ampersand</a></p>', "representation": "storage"}
            },
        },
    )
    assert response.status_code == 400
    assert "Error parsing xhtml" in response.json()["message"]
    again = admin.api.get(f"/content/{page['id']}", params={"expand": "body.storage,version"}).json()
    assert again["version"]["number"] == 1
    assert again["body"]["storage"]["value"] == "<p>v1</p>"


def test_invalid_adf_is_a_400(admin: Person, space: dict) -> None:
    assert create(admin, space["key"], "atlas_doc_format", "{not json").status_code == 400
    assert create(admin, space["key"], "atlas_doc_format", '{"type": "paragraph"}').status_code == 400


def test_macros_and_tasks_get_ids_on_save(admin: Person, space: dict) -> None:
    body = (
        '<ac:structured-macro ac:name="toc" />'
        '<ac:structured-macro ac:name="info" ac:macro-id="keep-me"><ac:rich-text-body><p>i</p></ac:rich-text-body>'
        "</ac:structured-macro><ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status>"
        "<ac:task-body>a</ac:task-body></ac:task><ac:task><ac:task-status>complete</ac:task-status>"
        "<ac:task-body>b</ac:task-body></ac:task></ac:task-list>"
    )
    page = create_page(admin, space["key"], body=body)
    storage = body_of(admin, page["id"], "storage")
    assert 'ac:macro-id="keep-me"' in storage
    assert storage.count("ac:macro-id=") == 2
    assert "<ac:task-id>1</ac:task-id>" in storage and "<ac:task-id>2</ac:task-id>" in storage


def test_storage_without_macros_is_kept_byte_for_byte(admin: Person, space: dict) -> None:
    body = "<p>a&nbsp;b</p>\n\n<p title='single quotes'>c</p>"
    page = create_page(admin, space["key"], body=body)
    assert body_of(admin, page["id"], "storage") == body


# --- reading representations ------------------------------------------------------------------


def test_every_representation_expands(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], body='<h1>Hi</h1><ac:structured-macro ac:name="toc"/>')
    expand = ",".join(f"body.{r}" for r in (*RENDERED, "editor", "atlas_doc_format", "storage"))
    content = admin.api.get(f"/content/{page['id']}", params={"expand": expand}).json()
    assert_schema(content, "Content")
    body = content["body"]
    for name in (*RENDERED, "editor", "atlas_doc_format", "storage"):
        assert body[name]["representation"] == name
        assert body[name]["value"]
        assert name not in body["_expandable"]
    assert json.loads(body["atlas_doc_format"]["value"])["type"] == "doc"
    assert body["styled_view"]["value"].startswith("<!DOCTYPE html>")
    assert 'data-macro-name="toc"' in body["editor"]["value"]
    assert 'href="#' in body["view"]["value"]


def test_view_resolves_pages_attachments_users_and_spaces(
    server: RunningServer, admin: Person, alice: Person, space: dict
) -> None:
    key = space["key"]
    target = create_page(admin, key, "Target Page")
    body = (
        '<p><ac:link><ri:page ri:content-title="Target Page"/></ac:link> '
        '<ac:link><ri:page ri:content-title="No Such Page"/></ac:link> '
        f'<ac:link><ri:user ri:account-id="{alice.account_id}"/></ac:link> '
        f'<ac:link><ri:space ri:space-key="{key}"/></ac:link> '
        '<ac:link><ri:attachment ri:filename="report.pdf"/></ac:link></p>'
        '<ac:image ac:width="300"><ri:attachment ri:filename="chart.png"/></ac:image>'
        '<ac:image><ri:attachment ri:filename="logo.png"><ri:page ri:content-title="Target Page"/></ri:attachment>'
        "</ac:image>"
    )
    page = create_page(admin, key, body=body)
    add_attachment(server, page["id"], "report.pdf")
    chart = add_attachment(server, page["id"], "chart.png")
    add_attachment(server, target["id"], "logo.png")
    html = body_of(admin, page["id"], "view")
    assert f'href="/wiki/spaces/{key}/pages/{target["id"]}/Target+Page"' in html
    assert "createlink" in html and "title=No%20Such%20Page" in html
    assert ">Alice</a>" in html and f"/wiki/people/{alice.account_id}" in html
    assert f'href="/wiki/spaces/{key}"' in html
    assert f'src="/wiki/download/attachments/{page["id"]}/chart.png?version=1&amp;api=v2"' in html
    assert f'data-linked-resource-id="{chart}"' in html
    assert f"/wiki/download/attachments/{target['id']}/logo.png" in html
    assert f"/wiki/download/attachments/{page['id']}/report.pdf" in html
    export = body_of(admin, page["id"], "export_view")
    assert f'href="{admin.api.base_url.scheme}://' in export
    # Server-style clients see links without the /wiki context.
    server_view = admin.server_api.get(f"/content/{page['id']}", params={"expand": "body.view"}).json()
    assert f'href="/spaces/{key}/pages/{target["id"]}/Target+Page"' in server_view["body"]["view"]["value"]


def test_links_to_invisible_pages_do_not_leak(server: RunningServer, admin: Person, bob: Person, space: dict) -> None:
    key = space["key"]
    secret_title = f"Secret {uuid.uuid4().hex[:6]}"
    secret = create_page(admin, key, secret_title, body="<p>CLASSIFIED-BODY</p>")
    restrict(server, secret["id"], "read", admin.account_id)
    body = (
        f'<p><ac:link><ri:content-entity ri:content-id="{secret["id"]}"/></ac:link></p>'
        f'<p><ac:link><ri:page ri:content-title="{secret_title}"/><ac:plain-text-link-body>'
        "<![CDATA[by title]]></ac:plain-text-link-body></ac:link></p>"
        f'<ac:structured-macro ac:name="include"><ac:parameter ac:name=""><ac:link>'
        f'<ri:page ri:content-title="{secret_title}"/></ac:link></ac:parameter></ac:structured-macro>'
        '<ac:structured-macro ac:name="children"/>'
    )
    page = create_page(admin, key, body=body)
    admin.api.post(
        "/content",
        json={
            "type": "page",
            "title": f"Child {secret_title}",
            "space": {"key": key},
            "ancestors": [{"id": page["id"]}],
        },
    )
    restricted_child = admin.api.get("/content", params={"spaceKey": key, "title": f"Child {secret_title}"}).json()
    restrict(server, restricted_child["results"][0]["id"], "read", admin.account_id)
    for representation in ("view", "export_view", "styled_view", "editor", "atlas_doc_format"):
        seen_by_bob = body_of(bob, page["id"], representation)
        assert "CLASSIFIED-BODY" not in seen_by_bob
        assert f"Child {secret_title}" not in seen_by_bob
        assert f"/pages/{secret['id']}/" not in seen_by_bob
    bob_view = body_of(bob, page["id"], "view")
    assert "createlink" in bob_view
    admin_view = body_of(admin, page["id"], "view")
    assert "CLASSIFIED-BODY" in admin_view
    assert f"Child {secret_title}" in admin_view
    assert admin_view.count(f"/pages/{secret['id']}/") == 2
    # The anonymous export renders as nobody, even when asked for by the admin.
    assert "CLASSIFIED-BODY" not in body_of(admin, page["id"], "anonymous_export_view")


def test_rendered_views_change_when_what_they_show_changes(admin: Person, space: dict) -> None:
    key = space["key"]
    target = create_page(admin, key, "Renamed Soon")
    page = create_page(admin, key, body='<p><ac:link><ri:page ri:content-title="Renamed Soon"/></ac:link></p>')
    assert f"/pages/{target['id']}/" in body_of(admin, page["id"], "view")
    admin.api.put(
        f"/content/{target['id']}",
        json={"type": "page", "title": "Renamed Now", "version": {"number": 2}},
    )
    # The same body now points at a missing page: the cached rendering must not be reused.
    assert "createlink" in body_of(admin, page["id"], "view")


def test_script_injection_never_reaches_rendered_output(admin: Person, anonymous, space: dict) -> None:
    body = (
        "<p onclick=\"alert('p')\">x<script>alert('s')</script></p>"
        '<p><a href="javascript:alert(1)">js</a><img src="x" onerror="alert(2)"/></p>'
        '<ac:image><ri:url ri:value="javascript:alert(3)"/></ac:image>'
        '<ac:link><ri:url ri:value="javascript:alert(4)"/></ac:link>'
        '<ac:structured-macro ac:name="panel"><ac:parameter ac:name="bgColor">red;background:url(javascript:x)'
        "</ac:parameter><ac:rich-text-body><p>p</p></ac:rich-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[<script>alert(5)</script>]]>'
        '</ac:plain-text-body></ac:structured-macro><iframe src="https://evil.example"></iframe>'
        '<svg onload="alert(6)"><circle/></svg><style>body{display:none}</style>'
    )
    page = create_page(admin, space["key"], body=body)
    for representation in RENDERED:
        html = body_of(admin, page["id"], representation).lower()
        assert "<script" not in html
        assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", html)
        assert "onerror" not in html and "onclick" not in html and "onload" not in html
        assert "<iframe" not in html and "<svg" not in html
        assert "display:none" not in html
        # The code sample is shown as text.
        assert "&lt;script&gt;alert(5)" in html


# --- POST /contentbody/convert ----------------------------------------------------------------


def test_convert_wiki_to_storage_and_back_out(admin: Person) -> None:
    response = admin.api.post(
        "/contentbody/convert/storage", json={"value": "h2. Hi\n{info}x{info}", "representation": "wiki"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert_schema(body, "ContentBody")
    assert body["representation"] == "storage"
    assert body["value"].startswith("<h2>Hi</h2>")
    assert body["_links"]["base"].endswith("/wiki")
    for to in (*RENDERED, "editor", "atlas_doc_format"):
        converted = admin.api.post(
            f"/contentbody/convert/{to}", json={"value": body["value"], "representation": "storage"}
        )
        assert converted.status_code == 200, (to, converted.text)
        assert converted.json()["representation"] == to
        assert "Hi" in converted.json()["value"]


def test_convert_editor_and_adf_to_storage(admin: Person) -> None:
    editor = admin.api.post(
        "/contentbody/convert/editor", json={"value": "<p>x</p>", "representation": "storage"}
    ).json()
    back = admin.api.post("/contentbody/convert/storage", json={"value": editor["value"], "representation": "editor"})
    assert back.json()["value"] == "<p>x</p>"
    adf = '{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"y"}]}]}'
    back = admin.api.post("/contentbody/convert/storage", json={"value": adf, "representation": "atlas_doc_format"})
    assert back.json()["value"] == "<p>y</p>"


def test_convert_uses_the_space_or_content_context(
    admin: Person, bob: Person, server: RunningServer, space: dict
) -> None:
    key = space["key"]
    target = create_page(admin, key, "Context Target")
    storage = '<p><ac:link><ri:page ri:content-title="Context Target"/></ac:link></p>'
    plain = admin.api.post("/contentbody/convert/view", json={"value": storage, "representation": "storage"}).json()
    assert "createlink" in plain["value"]
    in_space = admin.api.post(
        "/contentbody/convert/view",
        params={"spaceKeyContext": key},
        json={"value": storage, "representation": "storage"},
    ).json()
    assert f"/pages/{target['id']}/" in in_space["value"]
    in_content = admin.api.post(
        "/contentbody/convert/view",
        params={"contentIdContext": target["id"]},
        json={"value": storage, "representation": "storage"},
    ).json()
    assert f"/pages/{target['id']}/" in in_content["value"]
    restrict(server, target["id"], "read", admin.account_id)
    hidden = bob.api.post(
        "/contentbody/convert/view",
        params={"contentIdContext": target["id"]},
        json={"value": storage, "representation": "storage"},
    )
    assert hidden.status_code == 404
    missing_space = admin.api.post(
        "/contentbody/convert/view",
        params={"spaceKeyContext": "NOPE404"},
        json={"value": "<p/>", "representation": "storage"},
    )
    assert missing_space.status_code == 404


@pytest.mark.parametrize(
    ("to", "value", "representation"),
    [
        ("view", "<p>unclosed", "storage"),
        ("nonsense", "<p/>", "storage"),
        ("view", "<p/>", "view"),
        ("wiki", "<p/>", "storage"),
    ],
)
def test_convert_refuses_bad_input_with_400(admin: Person, to: str, value: str, representation: str) -> None:
    response = admin.api.post(f"/contentbody/convert/{to}", json={"value": value, "representation": representation})
    assert response.status_code == 400, response.text
    assert response.json()["statusCode"] == 400


def test_convert_missing_fields_is_400(admin: Person) -> None:
    assert admin.api.post("/contentbody/convert/view", json={"value": "<p/>"}).status_code == 400


def test_convert_expand_webresource(admin: Person) -> None:
    body = admin.api.post(
        "/contentbody/convert/view",
        params={"expand": "webresource,embeddedContent"},
        json={"value": "<p/>", "representation": "storage"},
    ).json()
    assert body["webresource"]["uris"]["js"] == []
    assert "webresource" not in body["_expandable"]
    assert body["embeddedContent"] == []


def test_convert_on_the_server_prefix(admin: Person) -> None:
    response = admin.server_api.post("/contentbody/convert/storage", json={"value": "*b*", "representation": "wiki"})
    assert response.status_code == 200
    assert response.json()["value"] == "<p><strong>b</strong></p>"


# --- async conversion -------------------------------------------------------------------------


def test_async_conversion_keeps_its_result_for_five_minutes(admin: Person, alice: Person) -> None:
    started = admin.api.post(
        "/contentbody/convert/async/export_view", json={"value": "<h1>Async</h1>", "representation": "storage"}
    )
    assert started.status_code == 200, started.text
    assert_schema(started.json(), "AsyncId")
    async_id = started.json()["asyncId"]
    result = wait_for_conversion(admin.api, async_id)
    assert_schema(result, "AsyncContentBody")
    assert result["status"] == "COMPLETED"
    assert result["representation"] == "export_view"
    assert "Async" in result["value"]
    assert result["renderTaskId"] == async_id
    assert alice.api.get(f"/contentbody/convert/async/{async_id}").status_code == 403
    clock.advance(timedelta(minutes=6))
    try:
        assert admin.api.get(f"/contentbody/convert/async/{async_id}").status_code == 404
    finally:
        clock.reset()


def test_async_conversion_failures_and_refusals(admin: Person) -> None:
    failed = admin.api.post(
        "/contentbody/convert/async/export_view", json={"value": "<p>broken", "representation": "storage"}
    ).json()
    result = wait_for_conversion(admin.api, failed["asyncId"])
    assert_schema(result, "AsyncContentBody")
    assert result["status"] == "FAILED"
    assert "Error parsing xhtml" in result["error"]
    refused = admin.api.post("/contentbody/convert/async/view", json={"value": "<p/>", "representation": "storage"})
    assert refused.status_code == 400
    assert admin.api.get("/contentbody/convert/async/no-such-id").status_code == 404
    assert admin.api.get("/contentbody/convert/async/bad%20id!").status_code == 400


# --- macro bodies -----------------------------------------------------------------------------

MACRO_PAGE = (
    '<ac:structured-macro ac:name="code" ac:macro-id="code-1"><ac:parameter ac:name="language">java</ac:parameter>'
    "<ac:plain-text-body><![CDATA[int a = 1 < 2;]]></ac:plain-text-body></ac:structured-macro>"
    '<ac:structured-macro ac:name="expand" ac:macro-id="expand-1"><ac:parameter ac:name="title">More</ac:parameter>'
    "<ac:rich-text-body><p>Inside <strong>expand</strong></p></ac:rich-text-body></ac:structured-macro>"
)


def test_macro_body_by_macro_id(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], body=MACRO_PAGE)
    code = admin.api.get(f"/content/{page['id']}/history/1/macro/id/code-1")
    assert code.status_code == 200, code.text
    assert_schema(code.json(), "MacroInstance")
    assert code.json()["name"] == "code"
    assert code.json()["body"] == "int a = 1 < 2;"
    assert code.json()["parameters"] == {"language": "java"}
    expand = admin.api.get(f"/content/{page['id']}/history/1/macro/id/expand-1").json()
    assert expand["body"] == "<p>Inside <strong>expand</strong></p>"
    assert admin.api.get(f"/content/{page['id']}/history/1/macro/id/nope").status_code == 404
    assert admin.api.get(f"/content/{page['id']}/history/9/macro/id/code-1").status_code == 404


def test_macro_body_conversions(admin: Person, bob: Person, server: RunningServer, space: dict) -> None:
    page = create_page(admin, space["key"], body=MACRO_PAGE)
    view = admin.api.get(f"/content/{page['id']}/history/1/macro/id/expand-1/convert/view")
    assert view.status_code == 200, view.text
    assert view.json()["representation"] == "view"
    assert "<strong>expand</strong>" in view.json()["value"]
    code = admin.api.get(f"/content/{page['id']}/history/1/macro/id/code-1/convert/view").json()
    assert "1 &lt; 2" in code["value"]
    started = admin.api.get(f"/content/{page['id']}/history/1/macro/id/expand-1/convert/async/styled_view")
    assert started.status_code == 200, started.text
    result = wait_for_conversion(admin.api, started.json()["asyncId"])
    assert result["status"] == "COMPLETED"
    assert "<strong>expand</strong>" in result["value"]
    assert admin.api.get(f"/content/{page['id']}/history/1/macro/id/expand-1/convert/async/editor").status_code == 400
    restrict(server, page["id"], "read", admin.account_id)
    assert bob.api.get(f"/content/{page['id']}/history/1/macro/id/code-1").status_code == 404


# --- extraction on save -----------------------------------------------------------------------


def test_save_extracts_mentions_links_macros_and_excerpt(
    server: RunningServer, admin: Person, alice: Person, space: dict
) -> None:
    key = space["key"]
    body = (
        '<ac:structured-macro ac:name="excerpt"><ac:rich-text-body><p>Short summary.</p></ac:rich-text-body>'
        f'</ac:structured-macro><p>Hi <ac:link><ri:user ri:account-id="{alice.account_id}"/></ac:link>, see '
        '<ac:link><ri:page ri:space-key="OTHER" ri:content-title="Elsewhere"/></ac:link> and '
        '<ac:link><ri:attachment ri:filename="a.pdf"/></ac:link>.</p><ac:structured-macro ac:name="toc"/>'
    )
    page = create_page(admin, key, body=body)
    page_id = int(page["id"])
    with transaction(server.runtime.sessions) as session:
        mentions = session.scalars(select(ContentMention.user_id).where(ContentMention.content_id == page_id)).all()
        assert mentions == [user_id(server, alice.account_id)]
        macros = set(session.scalars(select(ContentMacro.name).where(ContentMacro.content_id == page_id)))
        assert macros == {"excerpt", "toc"}
        links = {
            (link.kind, link.space_key, link.title, link.filename)
            for link in session.scalars(select(ContentLink).where(ContentLink.content_id == page_id))
        }
        assert links == {("page", "OTHER", "Elsewhere", None), ("attachment", None, None, "a.pdf")}
        digest = session.get(ContentDigest, page_id)
        assert digest is not None and digest.excerpt == "Short summary."
    admin.api.put(
        f"/content/{page_id}",
        json={
            "type": "page",
            "title": page["title"],
            "version": {"number": 2},
            "body": {"storage": {"value": "<p>gone</p>", "representation": "storage"}},
        },
    )
    with transaction(server.runtime.sessions) as session:
        assert session.scalars(select(ContentMention).where(ContentMention.content_id == page_id)).all() == []
        assert session.scalars(select(ContentMacro).where(ContentMacro.content_id == page_id)).all() == []
        assert session.scalars(select(ContentLink).where(ContentLink.content_id == page_id)).all() == []


def test_derived_cache_is_used_and_bounded(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], body="<p>cached</p>")
    body_of(admin, page["id"], "view")
    hits = cache.derived.hits
    body_of(admin, page["id"], "view")
    assert cache.derived.hits == hits + 1
    assert cache.derived._bytes <= cache.derived.max_bytes


def test_a_sphinx_published_page_renders_with_images_and_links_resolved(
    server: RunningServer, admin: Person, space: dict
) -> None:
    """sphinxcontrib-confluencebuilder's storage (tests/unit/xhtml/corpus) as it publishes it."""
    from tests.unit.xhtml.corpus import document

    key = space["key"]
    reference = create_page(admin, key, "API reference", body="<p>API</p>")
    add_attachment(server, reference["id"], "logo.png")
    guide = create_page(admin, key, "User guide", body=document("sphinx-confluencebuilder"))
    add_attachment(server, guide["id"], "architecture.png")
    add_attachment(server, guide["id"], "example.pdf")
    html = body_of(admin, guide["id"], "view")
    assert f'src="/wiki/download/attachments/{guide["id"]}/architecture.png?version=1&amp;api=v2"' in html
    assert 'alt="architecture"' in html and 'width="200"' in html
    assert f'src="/wiki/download/attachments/{reference["id"]}/logo.png?version=1&amp;api=v2"' in html
    assert 'src="https://www.example.com/image.png"' in html
    assert f'href="/wiki/spaces/{key}/pages/{reference["id"]}/API+reference"' in html
    assert f'href="/wiki/spaces/{key}/pages/{guide["id"]}/User+guide#Userguide-installation"' in html
    assert f'href="/wiki/download/attachments/{guide["id"]}/example.pdf?version=1&amp;api=v2"' in html
    assert '<span class="confluence-anchor-link" id="Userguide-installation"></span>' in html
    assert "brush: python; gutter: true" in html and "brush: bash; gutter: false" in html
    assert "]]&gt; in it" in html
    assert "confluence-information-macro-information" in html and ">Note</p>" in html
    assert 'href="#Userguide-Installation"' in html  # the table of contents
    assert "createlink" not in html and "unresolved" not in html


def test_content_ids_in_conversion_routes_are_checked_like_content_ids(admin: Person) -> None:
    """A content id past what a long holds is a 400 (not the database's overflow), one past what is
    stored a 404, as for /content/{id}."""
    body = {"value": "<p>x</p>", "representation": "storage"}
    for bad in ("99999999999999999999999", "-1", "1_0", "abc"):
        assert (
            admin.api.post("/contentbody/convert/view", params={"contentIdContext": bad}, json=body).status_code == 400
        )
        assert admin.api.get(f"/content/{bad}/history/1/macro/id/x").status_code == 400
    assert (
        admin.api.post("/contentbody/convert/view", params={"contentIdContext": "99999999999"}, json=body).status_code
        == 404
    )
    assert admin.api.get("/content/99999999999/history/1/macro/id/x").status_code == 404
