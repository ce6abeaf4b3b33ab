"""The committed operation → scopes mapping: up to date with the spec, and read the way Atlassian
means it (every scope of one set)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from localfluence.access.principal import Principal
from localfluence.auth.scopes import (
    ScopeMismatch,
    known_scopes,
    normalize_scopes,
    operation_scope_sets,
    require_scopes,
    scopes_admit,
)
from localfluence.errors import BadRequest

ROOT = Path(__file__).resolve().parents[2]


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "generate_operation_scopes", ROOT / "scripts/generate_operation_scopes.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_mapping_matches_the_spec() -> None:
    generator = _generator()
    spec_path = next((p for p in generator.SPEC_CANDIDATES if p.exists()), None)
    if spec_path is None:
        pytest.skip("the Confluence spec (../shared/spec) is not beside this checkout")
    expected = generator.render(generator.build(json.loads(spec_path.read_text())))
    committed = (ROOT / "src/localfluence/auth/operation_scopes.json").read_text()
    assert committed == expected, "run scripts/generate_operation_scopes.py"


def test_spec_operations_and_their_sets() -> None:
    assert operation_scope_sets("getGroups") == [
        frozenset({"read:confluence-groups"}),
        frozenset({"read:group:confluence"}),
    ]
    # Deprecated aliases the spec left without scopes take their successor's.
    assert operation_scope_sets("getGroupByName") == operation_scope_sets("getGroupByQueryParam")
    assert operation_scope_sets("getGroupMembers") == operation_scope_sets("getMembersByQueryParam")
    # Left out on purpose: the privacy-unsafe email lookups and anything not in the spec.
    assert operation_scope_sets("getPrivacyUnsafeUserEmail") == []
    assert operation_scope_sets("localfluenceListUsers") == []


def test_a_set_admits_only_when_held_entirely() -> None:
    members = "getMembersByQueryParam"
    assert scopes_admit(frozenset({"read:confluence-groups"}), members)
    assert scopes_admit(frozenset({"read:group:confluence", "read:user:confluence"}), members)
    assert not scopes_admit(frozenset({"read:group:confluence"}), members)
    assert not scopes_admit(frozenset(), members)
    assert not scopes_admit(frozenset({"read:confluence-groups"}), None)


def test_require_scopes() -> None:
    unscoped = Principal(user_id=1, account_id="a")
    require_scopes(unscoped, "localfluenceListUsers")
    require_scopes(Principal.anonymous(), "getGroups")
    scoped = Principal(user_id=1, account_id="a", scopes=frozenset({"read:confluence-user"}))
    require_scopes(scoped, "getCurrentUser")
    with pytest.raises(ScopeMismatch) as refused:
        require_scopes(scoped, "getGroups")
    assert refused.value.status == 401
    assert refused.value.body() == {"code": 401, "message": "Unauthorized; scope does not match"}


def test_normalize_scopes() -> None:
    assert normalize_scopes(None) is None
    assert normalize_scopes([]) is None
    assert normalize_scopes(["read:confluence-user, read:confluence-groups", "read:confluence-user"]) == [
        "read:confluence-user",
        "read:confluence-groups",
    ]
    with pytest.raises(BadRequest):
        normalize_scopes(["read:everything"])
    with pytest.raises(BadRequest):
        normalize_scopes([" ", ","])
    assert {"read:confluence-content.all", "read:page:confluence", "write:confluence-groups"} <= known_scopes()
