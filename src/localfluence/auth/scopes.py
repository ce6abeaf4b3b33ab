"""OAuth-style token scopes: which scopes admit which operation, and the refusal Confluence gives.

The operation → scope sets mapping is generated from the spec by
scripts/generate_operation_scopes.py into operation_scopes.json beside this module. A token
with scopes may call an operation when it holds every scope of one of the operation's sets
(the classic set or the granular one); an operation with no sets (our own admin API, the
privacy-unsafe email lookups) is out of reach of scoped tokens. Unscoped tokens, passwords and
anonymous callers are not limited here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from localfluence.access.principal import Principal
from localfluence.errors import BadRequest, NotAuthenticated

SCOPE_MISMATCH_MESSAGE = "Unauthorized; scope does not match"


class ScopeMismatch(NotAuthenticated):
    """Atlassian's gateway answers a call outside the token's scopes with a bare
    {"code": 401, "message": "Unauthorized; scope does not match"}, not the usual envelope
    (reported by clients in sooperset/mcp-atlassian#1323)."""

    def __init__(self) -> None:
        super().__init__(SCOPE_MISMATCH_MESSAGE)

    def body(self) -> dict[str, Any]:
        return {"code": 401, "message": SCOPE_MISMATCH_MESSAGE}


@cache
def _mapping() -> dict[str, Any]:
    text = resources.files("localfluence.auth").joinpath("operation_scopes.json").read_text("utf-8")
    return json.loads(text)


@cache
def _scope_sets() -> dict[str, tuple[frozenset[str], ...]]:
    return {op: tuple(frozenset(s) for s in sets) for op, sets in _mapping()["operations"].items()}


def operation_scope_sets(operation_id: str) -> list[frozenset[str]]:
    return list(_scope_sets().get(operation_id, ()))


def known_scopes() -> frozenset[str]:
    return frozenset(_mapping()["scopes"])


def scopes_admit(scopes: frozenset[str], operation_id: str | None) -> bool:
    if operation_id is None:
        return False
    return any(required <= scopes for required in _scope_sets().get(operation_id, ()))


def require_scopes(principal: Principal, operation_id: str | None) -> None:
    """Raise ScopeMismatch when a scoped token calls an operation its scopes do not cover."""
    if principal.scopes is None:
        return
    if not scopes_admit(principal.scopes, operation_id):
        raise ScopeMismatch()


def normalize_scopes(scopes: Iterable[str] | None) -> list[str] | None:
    """Validate scopes given at token creation; None means an unscoped token.

    Scopes may come space- or comma-separated, as OAuth clients write them. Scopes that were
    asked for but come out empty are an error, never a silently unscoped token."""
    if scopes is None:
        return None
    scopes = list(scopes)
    if not scopes:
        return None
    out: list[str] = []
    for chunk in scopes:
        for scope in chunk.replace(",", " ").split():
            if scope not in known_scopes():
                raise BadRequest(f"Unknown scope: {scope}")
            if scope not in out:
                out.append(scope)
    if not out:
        raise BadRequest("No scope given")
    return out
