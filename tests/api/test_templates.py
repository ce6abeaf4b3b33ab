"""Templates (global and space), blueprint templates, creating pages from templates and
publishing blueprint drafts."""

from __future__ import annotations

import uuid

import httpx

from tests.api.spec_shapes import assert_shape
from tests.conftest import Person, create_page, unique_key

STORAGE = (
    '<h2>Agenda</h2><ac:structured-macro ac:name="info">'
    "<ac:rich-text-body><p>Hi</p></ac:rich-text-body></ac:structured-macro>"
)


def _template(name: str | None = None, space_key: str | None = None, **extra: object) -> dict:
    body: dict = {
        "name": f"Template {uuid.uuid4().hex[:6]}" if name is None else name,
        "templateType": "page",
        "body": {"storage": {"value": STORAGE, "representation": "storage"}},
        "description": "Weekly sync",
        "labels": [{"prefix": "global", "name": "meeting"}, {"name": "Weekly"}],
        **extra,
    }
    if space_key:
        body["space"] = {"key": space_key}
    return body


def _space_of(person: Person, *, private: bool = False) -> dict:
    path = "/space/_private" if private else "/space"
    response = person.api.post(path, json={"key": unique_key("TP"), "name": "Templates"})
    assert response.status_code == 200, response.text
    return response.json()


def test_global_template_create_get_update_delete(admin: Person) -> None:
    created = admin.api.post("/template", json=_template("Weekly"))
    assert created.status_code == 200, created.text
    template = created.json()
    assert_shape(template, "ContentTemplate")
    assert template["name"] == "Weekly" and template["templateType"] == "page" and "space" not in template
    assert template["body"]["storage"]["value"].startswith("<h2>Agenda</h2>")
    assert [lb["name"] for lb in template["labels"]] == ["meeting", "weekly"]
    assert template["_links"]["self"].endswith(f"/wiki/rest/api/template/{template['templateId']}")

    fetched = admin.server_api.get(f"/template/{template['templateId']}")
    assert fetched.status_code == 200
    assert_shape(fetched.json(), "ContentTemplate")
    assert fetched.json()["body"] == template["body"]
    assert fetched.json()["_links"]["self"].endswith(f"/rest/api/template/{template['templateId']}")

    update = _template("Weekly v2", templateId=template["templateId"], labels=[{"name": "sync"}])
    update["body"] = {"storage": {"value": "<p>new</p>", "representation": "storage"}}
    updated = admin.api.put("/template", json=update)
    assert updated.status_code == 200, updated.text
    assert_shape(updated.json(), "ContentTemplate")
    assert updated.json()["name"] == "Weekly v2" and [lb["name"] for lb in updated.json()["labels"]] == ["sync"]
    assert admin.api.get(f"/template/{template['templateId']}").json()["body"]["storage"]["value"] == "<p>new</p>"

    listed = admin.api.get("/template/page", params={"limit": 200}).json()
    assert_shape(listed, "ContentTemplateArray")
    mine = [t for t in listed["results"] if t["templateId"] == template["templateId"]]
    assert mine and "body" not in mine[0] and "body" in mine[0]["_expandable"]
    with_body = admin.api.get("/template/page", params={"limit": 200, "expand": "body"}).json()
    assert all("body" in t for t in with_body["results"])

    assert admin.api.delete(f"/template/{template['templateId']}").status_code == 204
    assert admin.api.get(f"/template/{template['templateId']}").status_code == 403
    assert admin.api.delete(f"/template/{template['templateId']}").status_code == 403


def test_space_templates_are_listed_by_space_and_follow_space_permissions(
    admin: Person, alice: Person, bob: Person, anonymous: httpx.Client
) -> None:
    space = _space_of(alice)
    created = alice.api.post("/template", json=_template("Alice's", space["key"]))
    assert created.status_code == 200, created.text
    template = created.json()
    assert template["space"]["key"] == space["key"]
    assert_shape(template, "ContentTemplate")

    page = alice.api.get("/template/page", params={"spaceKey": space["key"]}).json()
    assert [t["templateId"] for t in page["results"]] == [template["templateId"]]
    global_ids = [t["templateId"] for t in alice.api.get("/template/page", params={"limit": 200}).json()["results"]]
    assert template["templateId"] not in global_ids

    # alice is not a site admin: global templates are refused; bob cannot see alice's space at all.
    assert alice.api.post("/template", json=_template()).status_code == 403
    assert anonymous.post("/template", json=_template()).status_code == 401
    other = _space_of(bob)
    assert alice.api.post("/template", json=_template(space_key=other["key"])).status_code == 403
    assert alice.api.post("/template", json=_template(space_key="NOSUCHSPACE")).status_code == 403
    # Readers of the space (every user, by default) may read, but not change, its templates.
    assert bob.api.get(f"/template/{template['templateId']}").status_code == 200
    assert bob.api.delete(f"/template/{template['templateId']}").status_code == 403
    update = _template("Bob's", space["key"], templateId=template["templateId"])
    assert bob.api.put("/template", json=update).status_code == 403
    # Without read access a space template is indistinguishable from a missing one.
    lone = _space_of(alice, private=True)
    hidden = alice.api.post("/template", json=_template(space_key=lone["key"])).json()
    missing = bob.api.get(f"/template/{hidden['templateId']}")
    assert missing.status_code == 403
    assert missing.json()["message"] == bob.api.get("/template/999999").json()["message"].replace(
        "999999", hidden["templateId"]
    )
    assert bob.api.get("/template/page", params={"spaceKey": lone["key"]}).status_code == 403
    assert (
        bob.api.put("/template", json=_template(space_key=lone["key"], templateId=hidden["templateId"])).status_code
        == 404
    )
    # A template cannot move between spaces.
    moved = alice.api.put("/template", json=_template(space_key=lone["key"], templateId=template["templateId"]))
    assert moved.status_code == 400
    assert alice.api.delete(f"/template/{template['templateId']}").status_code == 204


def test_template_bad_input(admin: Person) -> None:
    assert admin.api.post("/template", json=_template(name="")).status_code == 400
    assert admin.api.post("/template", json={**_template(), "name": None}).status_code == 400
    assert admin.api.post("/template", json=_template(templateType="blogpost")).status_code == 400
    assert admin.api.post("/template", json={**_template(), "body": {}}).status_code == 400
    assert (
        admin.api.post(
            "/template", json={**_template(), "body": {"view": {"value": "x", "representation": "view"}}}
        ).status_code
        == 400
    )
    assert admin.api.post("/template", json={k: v for k, v in _template().items() if k != "body"}).status_code == 400
    assert admin.api.post("/template", json=_template(description="x" * 256)).status_code == 400
    assert admin.api.post("/template", json=_template(labels=[{"name": "bad:label"}])).status_code == 400
    assert (
        admin.api.post("/template", content=b"not json", headers={"content-type": "application/json"}).status_code
        == 400
    )
    bad = admin.api.post("/template", json=_template(name="   "))
    assert bad.status_code == 400 and bad.json()["message"] == "Template name cannot be null or empty"
    assert admin.api.put("/template", json=_template(templateId="999999")).status_code == 404
    assert admin.api.put("/template", json=_template(templateId="not-a-number")).status_code == 404
    assert admin.api.put("/template", json=_template(templateId="blueprint-decision")).status_code == 400
    assert admin.api.get("/template/abc").status_code == 403
    assert admin.api.get("/template/99999999999999999999").status_code == 403
    assert admin.api.delete("/template/blueprint-decision").status_code == 403
    assert admin.api.get("/template/page", params={"limit": -1}).status_code == 400
    assert admin.api.get("/template/page", params={"start": "x"}).status_code == 400
    assert admin.api.get("/template/page", params={"spaceKey": "NOSUCH"}).status_code == 403


def test_blueprint_templates(admin: Person, alice: Person, bob: Person) -> None:
    space = _space_of(alice, private=True)
    listed = admin.api.get("/template/blueprint")
    assert listed.status_code == 200
    assert_shape(listed.json(), "BlueprintTemplateArray")
    assert alice.api.get("/template/blueprint", params={"spaceKey": space["key"]}).status_code == 200
    names = [b["name"] for b in listed.json()["results"]]
    assert "Meeting notes" in names and "Decision" in names
    assert all("body" not in b for b in listed.json()["results"])
    paged = admin.api.get("/template/blueprint", params={"limit": 2, "expand": "body", "spaceKey": space["key"]}).json()
    assert_shape(paged, "BlueprintTemplateArray")
    assert paged["size"] == 2 and "next" in paged["_links"] and all("body" in b for b in paged["results"])
    assert paged["results"][0]["space"]["key"] == space["key"]
    second = admin.api.get("/template/blueprint", params={"limit": 2, "start": 2}).json()
    assert {b["templateId"] for b in second["results"]}.isdisjoint({b["templateId"] for b in paged["results"]})
    one = admin.api.get(f"/template/{paged['results'][0]['templateId']}")
    assert one.status_code == 200 and one.json()["body"]["storage"]["value"]
    assert_shape(one.json(), "BlueprintTemplate")
    # A space bob cannot view.
    assert bob.api.get("/template/blueprint", params={"spaceKey": space["key"]}).status_code == 403


def test_create_page_from_template(admin: Person, space: dict) -> None:
    """Confluence's template → page flow as REST clients do it: read the template's body, create the page."""
    template = admin.api.post("/template", json=_template("Minutes", space["key"])).json()
    fetched = admin.api.get(f"/template/{template['templateId']}", params={"expand": "body"}).json()
    page = create_page(admin, space["key"], "From a template", body=fetched["body"]["storage"]["value"])
    stored = admin.api.get(f"/content/{page['id']}", params={"expand": "body.storage"}).json()
    assert stored["body"]["storage"]["value"] == fetched["body"]["storage"]["value"]
    assert 'ac:name="info"' in stored["body"]["storage"]["value"]


def test_publish_blueprint_draft(admin: Person, space: dict) -> None:
    blueprint = admin.api.get("/template/blueprint-meeting-notes").json()
    parent = create_page(admin, space["key"], "Meetings")
    draft = admin.api.post(
        "/content",
        json={
            "type": "page",
            "status": "draft",
            "title": "Untitled draft",
            "space": {"key": space["key"]},
            "body": {"storage": blueprint["body"]["storage"]},
        },
    )
    assert draft.status_code == 200, draft.text
    draft_id = draft.json()["id"]
    body = {
        "version": {"number": 1},
        "title": "Standup 1",
        "type": "page",
        "status": "current",
        "space": {"key": space["key"]},
        "ancestors": [{"id": parent["id"]}],
    }
    published = admin.api.put(f"/content/blueprint/instance/{draft_id}", json=body)
    assert published.status_code == 200, published.text
    page = published.json()
    assert_shape(page, "Content")
    assert page["id"] == draft_id and page["status"] == "current" and page["title"] == "Standup 1"
    assert page["version"]["number"] == 1 and page["ancestors"][-1]["id"] == parent["id"]
    assert page["body"]["storage"]["value"] == blueprint["body"]["storage"]["value"]
    assert {"history", "space"} <= page.keys()
    # Published now: no longer a draft to publish.
    assert admin.api.put(f"/content/blueprint/instance/{draft_id}", json=body).status_code == 404

    # The legacy POST form, without a space, keeps the draft's title if asked to.
    plain = create_page(admin, space["key"], "Plain draft", status="draft")
    legacy = admin.server_api.post(
        f"/content/blueprint/instance/{plain['id']}",
        json={"version": {"number": 1}, "title": "Plain draft", "type": "page"},
        params={"expand": "version"},
    )
    assert legacy.status_code == 200, legacy.text
    assert legacy.json()["status"] == "current" and "body" not in legacy.json()
    assert_shape(legacy.json(), "Content")


def test_publish_blueprint_draft_bad_input(admin: Person, bob: Person, space: dict) -> None:
    create_page(admin, space["key"], "Taken")
    draft = create_page(admin, space["key"], "Draft", status="draft")
    url = f"/content/blueprint/instance/{draft['id']}"
    good = {"version": {"number": 1}, "title": "Fine", "type": "page"}
    assert admin.api.put(url, json={**good, "title": "Taken"}).status_code == 400
    assert admin.api.put(url, json={**good, "title": ""}).status_code == 400
    assert admin.api.put(url, json={k: v for k, v in good.items() if k != "title"}).status_code == 400
    assert admin.api.put(url, json={**good, "version": {"number": 2}}).status_code == 409
    assert admin.api.put(url, json={**good, "type": "blogpost"}).status_code == 400
    assert admin.api.put(url, json={**good, "status": "draft"}).status_code == 400
    assert admin.api.put(url, json={**good, "ancestors": [{"id": "1"}]}).status_code == 400
    assert admin.api.put(url, json={**good, "space": {"key": "ELSEWHERE"}}).status_code == 400
    assert admin.api.put(url, json=good, params={"status": "current"}).status_code == 400
    assert admin.api.put(url, json={"title": "x"}).status_code == 400
    assert admin.api.put("/content/blueprint/instance/abc", json=good).status_code == 400
    assert admin.api.put("/content/blueprint/instance/99999999", json=good).status_code == 404
    # bob cannot see the draft: the same 404 as a missing one.
    assert bob.api.post(url, json=good).status_code == 404
    published = create_page(admin, space["key"], "Live")
    assert admin.api.put(f"/content/blueprint/instance/{published['id']}", json=good).status_code == 404
    # Nothing was half-written: the draft is still a draft.
    assert admin.api.get(f"/content/{draft['id']}", params={"status": "draft"}).json()["status"] == "draft"
    assert admin.api.put(url, json=good).status_code == 200


def test_template_ids_int_cannot_read_name_nothing(admin: Person) -> None:
    # "²" is a digit to str.isdigit() but not to int(); thousands of digits are past int()'s limit.
    for template_id in ("²", "9" * 5000):
        assert admin.api.get(f"/template/{template_id}").status_code == 403
