"""Look and feel, themes, space settings and system info."""

from __future__ import annotations

import copy

import httpx

import localfluence
from tests.api.spec_shapes import assert_shape
from tests.conftest import Person, unique_key
from tests.tasks import wait_for_task

THEME = "localfluence.themes:midnight"


def _own_space(person: Person, *, private: bool = False) -> dict:
    path = "/space/_private" if private else "/space"
    response = person.api.post(path, json={"key": unique_key("AP"), "name": "Appearance"})
    assert response.status_code == 200, response.text
    return response.json()


def _look(admin: Person, space_key: str | None = None) -> dict:
    params = {"spaceKey": space_key} if space_key else {}
    response = admin.api.get("/settings/lookandfeel", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_space_look_and_feel_custom_select_reset(alice: Person, bob: Person) -> None:
    space = _own_space(alice)
    key = space["key"]
    settings = _look(alice, key)
    assert_shape(settings, "LookAndFeelSettings")
    assert settings["selected"] == "global" and "theme" not in settings
    assert settings["custom"] == settings["global"]

    custom = copy.deepcopy(settings["global"])
    custom["links"]["color"] = "#FF5630"
    saved = alice.api.post("/settings/lookandfeel/custom", params={"spaceKey": key}, json=custom)
    assert saved.status_code == 200, saved.text
    assert_shape(saved.json(), "LookAndFeelWithLinks")
    assert saved.json()["links"]["color"] == "#FF5630" and saved.json()["_links"]["self"].endswith(f"spaceKey={key}")
    assert _look(alice, key)["custom"]["links"]["color"] == "#FF5630"
    assert _look(alice, key)["selected"] == "global"

    chosen = alice.api.put("/settings/lookandfeel/selected", params={"spaceKey": key}, json="custom")
    assert chosen.status_code == 200 and chosen.json() == "custom"
    assert _look(alice, key)["selected"] == "custom"

    # Readers see the settings; only space admins change them.
    assert bob.api.get("/settings/lookandfeel", params={"spaceKey": key}).status_code == 200
    assert bob.api.put("/settings/lookandfeel/selected", params={"spaceKey": key}, json="global").status_code == 403
    assert bob.api.post("/settings/lookandfeel/custom", params={"spaceKey": key}, json=custom).status_code == 403
    assert bob.api.delete("/settings/lookandfeel/custom", params={"spaceKey": key}).status_code == 403

    assert alice.api.delete("/settings/lookandfeel/custom", params={"spaceKey": key}).status_code == 204
    after = _look(alice, key)
    assert after["selected"] == "global" and after["custom"] == after["global"]


def test_update_look_and_feel_selection_needs_a_theme(alice: Person, bob: Person) -> None:
    key = _own_space(alice)["key"]
    body = {"spaceKey": key, "lookAndFeelType": "custom"}
    assert alice.api.put("/settings/lookandfeel", json=body).status_code == 409
    assert alice.api.put("/settings/lookandfeel", json={**body, "lookAndFeelType": "theme"}).status_code == 409
    assert alice.api.put("/settings/lookandfeel/selected", params={"spaceKey": key}, json="theme").status_code == 403
    assert alice.api.put(f"/space/{key}/theme", json={"themeKey": THEME}).status_code == 200
    chosen = alice.api.put("/settings/lookandfeel", json={**body, "lookAndFeelType": "theme"})
    assert chosen.status_code == 200, chosen.text
    assert_shape(chosen.json(), "LookAndFeelSelection")
    assert chosen.json() == {"spaceKey": key, "lookAndFeelType": "theme"}
    settings = _look(alice, key)
    assert settings["selected"] == "theme" and settings["theme"]["header"]["backgroundColor"] == "#172B4D"
    assert bob.api.put("/settings/lookandfeel", json={**body, "lookAndFeelType": "global"}).status_code == 403
    # Resetting the theme falls back to the global look and feel.
    assert alice.api.delete(f"/space/{key}/theme").status_code == 204
    assert _look(alice, key)["selected"] == "global"


def test_site_look_and_feel_is_for_site_admins(admin: Person, alice: Person, anonymous: httpx.Client) -> None:
    site = _look(alice)
    assert_shape(site, "LookAndFeelSettings")
    assert site["theme"]  # the site always has a theme: the default one
    custom = copy.deepcopy(site["global"])
    custom["headings"]["color"] = "#00875A"
    assert alice.api.post("/settings/lookandfeel/custom", json=custom).status_code == 403
    assert anonymous.post("/settings/lookandfeel/custom", json=custom).status_code == 401
    assert alice.api.put("/settings/lookandfeel/selected", json="custom").status_code == 403
    assert admin.api.post("/settings/lookandfeel/custom", json=custom).status_code == 200
    try:
        assert admin.api.put("/settings/lookandfeel/selected", json="custom").json() == "custom"
        # Spaces inherit the site's look and feel as their "global".
        key = _own_space(alice)["key"]
        assert _look(alice, key)["global"]["headings"]["color"] == "#00875A"
    finally:
        assert admin.api.delete("/settings/lookandfeel/custom").status_code == 204
    assert _look(admin)["selected"] == "global"


def test_look_and_feel_bad_input(admin: Person, alice: Person) -> None:
    key = _own_space(alice)["key"]
    good = _look(alice, key)["global"]
    assert admin.api.get("/settings/lookandfeel", params={"spaceKey": "bad key!"}).status_code == 400
    assert admin.api.get("/settings/lookandfeel", params={"spaceKey": "NOSUCHSPACE1"}).status_code == 404
    hidden = _own_space(alice, private=True)["key"]
    assert admin.api.get("/settings/lookandfeel", params={"spaceKey": hidden}).status_code == 200
    assert alice.api.put("/settings/lookandfeel", json={"spaceKey": key, "lookAndFeelType": "pink"}).status_code == 400
    assert alice.api.put("/settings/lookandfeel", json={"lookAndFeelType": "global"}).status_code == 400
    assert (
        alice.api.put("/settings/lookandfeel", json={"spaceKey": "NOSUCH1", "lookAndFeelType": "global"}).status_code
        == 404
    )
    assert alice.api.put("/settings/lookandfeel/selected", params={"spaceKey": key}, json="pink").status_code == 400
    assert alice.api.put("/settings/lookandfeel/selected", params={"spaceKey": key}, json=3).status_code == 400
    assert (
        alice.api.put("/settings/lookandfeel/selected", params={"spaceKey": "bad key"}, json="global").status_code
        == 400
    )
    assert (
        alice.api.put("/settings/lookandfeel/selected", params={"spaceKey": "NOSUCH1"}, json="global").status_code
        == 404
    )
    missing = {k: v for k, v in good.items() if k != "header"}
    assert alice.api.post("/settings/lookandfeel/custom", params={"spaceKey": key}, json=missing).status_code == 400
    wrong = copy.deepcopy(good)
    wrong["links"]["color"] = 5
    assert alice.api.post("/settings/lookandfeel/custom", params={"spaceKey": key}, json=wrong).status_code == 400
    assert alice.api.post("/settings/lookandfeel/custom", params={"spaceKey": key}, json=[1]).status_code == 400
    assert alice.api.post("/settings/lookandfeel/custom", params={"spaceKey": "NOSUCH1"}, json=good).status_code == 404
    assert alice.api.delete("/settings/lookandfeel/custom", params={"spaceKey": "NOSUCH1"}).status_code == 404
    assert alice.api.delete("/settings/lookandfeel/custom", params={"spaceKey": "a b"}).status_code == 400
    # Nothing was stored by the refused requests.
    assert _look(alice, key)["custom"] == _look(alice, key)["global"]


def test_themes(admin: Person, alice: Person, bob: Person, anonymous: httpx.Client) -> None:
    listed = alice.api.get("/settings/theme")
    assert listed.status_code == 200
    assert_shape(listed.json(), "ThemeArray")
    keys = [t["themeKey"] for t in listed.json()["results"]]
    assert THEME in keys and len(keys) >= 3
    paged = alice.api.get("/settings/theme", params={"limit": 1, "start": 1}).json()
    assert paged["size"] == 1 and paged["results"][0]["themeKey"] == keys[1] and "next" in paged["_links"]
    assert alice.api.get("/settings/theme", params={"limit": -1}).status_code == 400

    one = alice.server_api.get(f"/settings/theme/{THEME}")
    assert one.status_code == 200
    assert_shape(one.json(), "Theme")
    assert one.json()["_links"]["self"].endswith(f"/rest/api/settings/theme/{THEME}")
    assert alice.api.get("/settings/theme/no.such:theme").status_code == 404
    selected = alice.api.get("/settings/theme/selected")
    assert selected.status_code == 200 and selected.json()["icon"]["isDefault"] is True
    assert_shape(selected.json(), "Theme")

    space = _own_space(alice)
    key = space["key"]
    assert alice.api.get(f"/space/{key}/theme").status_code == 404
    set_theme = alice.api.put(f"/space/{key}/theme", json={"themeKey": THEME})
    assert set_theme.status_code == 200
    assert_shape(set_theme.json(), "Theme")
    got = bob.api.get(f"/space/{key}/theme")
    assert got.status_code == 200 and got.json()["themeKey"] == THEME
    assert bob.api.put(f"/space/{key}/theme", json={"themeKey": THEME}).status_code == 403
    assert bob.api.delete(f"/space/{key}/theme").status_code == 403
    assert anonymous.delete(f"/space/{key}/theme").status_code == 401
    assert alice.api.put(f"/space/{key}/theme", json={"themeKey": "no.such:theme"}).status_code == 403
    assert alice.api.put(f"/space/{key}/theme", json={}).status_code == 400
    assert alice.api.put("/space/NOSUCH1/theme", json={"themeKey": THEME}).status_code == 404
    assert alice.api.delete("/space/NOSUCH1/theme").status_code == 404
    assert alice.api.get("/space/NOSUCH1/theme").status_code == 404
    assert alice.api.delete(f"/space/{key}/theme").status_code == 204
    assert alice.api.get(f"/space/{key}/theme").status_code == 404
    # A private space's theme is as invisible as the space.
    hidden = _own_space(alice, private=True)["key"]
    assert alice.api.put(f"/space/{hidden}/theme", json={"themeKey": THEME}).status_code == 200
    assert bob.api.get(f"/space/{hidden}/theme").status_code == 404
    assert admin.api.get(f"/space/{hidden}/theme").status_code == 200


def test_space_settings(alice: Person, bob: Person, anonymous: httpx.Client) -> None:
    key = _own_space(alice)["key"]
    got = bob.api.get(f"/space/{key}/settings")
    assert got.status_code == 200
    assert_shape(got.json(), "SpaceSettings")
    assert got.json()["routeOverrideEnabled"] is False and got.json()["editor"]["page"] == "v2"
    assert got.json()["spaceKey"] == key
    updated = alice.api.put(f"/space/{key}/settings", json={"routeOverrideEnabled": True})
    assert updated.status_code == 200
    assert_shape(updated.json(), "SpaceSettings")
    assert updated.json()["routeOverrideEnabled"] is True
    assert alice.server_api.get(f"/space/{key}/settings").json()["routeOverrideEnabled"] is True
    # An empty update changes nothing.
    assert alice.api.put(f"/space/{key}/settings", json={}).json()["routeOverrideEnabled"] is True
    # Spec (updateSpaceSettings): a caller who may not update the space gets 404; anonymous 401.
    assert bob.api.put(f"/space/{key}/settings", json={"routeOverrideEnabled": False}).status_code == 404
    assert anonymous.put(f"/space/{key}/settings", json={"routeOverrideEnabled": False}).status_code == 401
    assert alice.api.put(f"/space/{key}/settings", json={"routeOverrideEnabled": "yes"}).status_code == 400
    assert alice.api.put(f"/space/{key}/settings", json=[True]).status_code == 400
    assert alice.api.put("/space/NOSUCH1/settings", json={"routeOverrideEnabled": True}).status_code == 404
    assert alice.api.get("/space/NOSUCH1/settings").status_code == 404
    hidden = _own_space(alice, private=True)["key"]
    assert bob.api.get(f"/space/{hidden}/settings").status_code == 404
    assert alice.api.get(f"/space/{key}/settings").json()["routeOverrideEnabled"] is True


def test_system_info(admin: Person, alice: Person, anonymous: httpx.Client) -> None:
    info = alice.api.get("/settings/systemInfo")
    assert info.status_code == 200
    assert_shape(info.json(), "SystemInfoEntity")
    assert info.json()["version"] == localfluence.__version__
    assert localfluence.__version__ in info.json()["commitHash"]
    assert info.json()["cloudId"] == admin.api.get("/settings/systemInfo").json()["cloudId"]
    assert info.json()["baseUrl"].endswith("/wiki")
    assert anonymous.get("/settings/systemInfo").status_code == 403


def test_space_deletion_takes_its_appearance_and_templates(admin: Person, alice: Person) -> None:
    key = _own_space(alice)["key"]
    assert alice.api.put(f"/space/{key}/theme", json={"themeKey": THEME}).status_code == 200
    assert alice.api.put(f"/space/{key}/settings", json={"routeOverrideEnabled": True}).status_code == 200
    template = alice.api.post(
        "/template",
        json={
            "name": "Doomed",
            "templateType": "page",
            "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
            "space": {"key": key},
        },
    ).json()
    deleted = admin.api.delete(f"/space/{key}")
    assert deleted.status_code == 202
    assert wait_for_task(admin.api, deleted.json()["id"])["successful"]
    assert admin.api.get(f"/template/{template['templateId']}").status_code == 403
    assert admin.api.get(f"/space/{key}/theme").status_code == 404
    # A new space with the same key starts from the defaults.
    assert admin.api.post("/space", json={"key": key, "name": "Again"}).status_code == 200
    assert admin.api.get(f"/space/{key}/theme").status_code == 404
    assert admin.api.get(f"/space/{key}/settings").json()["routeOverrideEnabled"] is False
