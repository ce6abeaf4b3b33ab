"""Responses checked against the schemas of the Confluence v1 spec (shared/spec)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

# The spec sits beside the repository (../shared/spec); worktrees one level deeper use the absolute path.
SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "confluence-cloud-v1.openapi.json"


@lru_cache(maxsize=1)
def _components() -> dict[str, Any]:
    for candidate in (SPEC, Path("/work/shared/spec/confluence-cloud-v1.openapi.json")):
        if candidate.exists():
            return json.loads(candidate.read_text())["components"]
    raise FileNotFoundError("the Confluence v1 spec is not where the tests expect it")


def assert_schema(body: Any, name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": _components()}
    jsonschema.validate(body, schema)
