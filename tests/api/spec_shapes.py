"""Validate response bodies against the schemas of the Confluence spec (OpenAPI 3.0: `nullable`
is turned into JSON Schema's null type so jsonschema can check it)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "confluence-cloud-v1.openapi.json"


def _spec_path() -> Path:
    for candidate in (SPEC, Path("/work/shared/spec/confluence-cloud-v1.openapi.json")):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("the Confluence spec is not where the tests expect it")


def _nullable(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
        if node.get("nullable"):
            if "type" in out:
                out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
            elif "$ref" in out:
                out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
        return out
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


@cache
def _components() -> dict[str, Any]:
    spec = json.loads(_spec_path().read_text())
    return _nullable(spec["components"])


def assert_shape(body: Any, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": _components()}
    errors = sorted(Draft7Validator(schema).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{schema_name}: " + "; ".join(f"{list(e.path)}: {e.message[:200]}" for e in errors[:5])
