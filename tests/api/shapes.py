"""Check response bodies against the schemas of Atlassian's v1 spec (OpenAPI 3.0 → JSON Schema)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

_ROOT = Path(__file__).resolve().parents[2]
_NAME = "confluence-cloud-v1.openapi.json"
# The spec lives beside the project (../shared/spec), as the issue describes; worktrees sit one level deeper.
_SPEC_CANDIDATES = (_ROOT.parent / "shared" / "spec" / _NAME, _ROOT.parent.parent / "shared" / "spec" / _NAME)


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` becomes a null alternative; everything else carries over."""
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if k not in ("nullable", "example", "discriminator")}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        elif "$ref" in out:
            out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
    return out


@functools.cache
def _components() -> dict[str, Any] | None:
    for path in _SPEC_CANDIDATES:
        if path.exists():
            return _to_json_schema(json.loads(path.read_text())["components"])
    return None


@functools.cache
def _validator(name: str) -> jsonschema.Draft7Validator | None:
    components = _components()
    if components is None:
        return None
    assert name in components["schemas"], f"no schema {name} in the spec"
    return jsonschema.Draft7Validator({"$ref": f"#/components/schemas/{name}", "components": components})


def assert_shape(body: Any, schema: str) -> None:
    """Fail with every violation of the spec's schema `schema` in `body` (a no-op without the spec file)."""
    validator = _validator(schema)
    if validator is None:
        return
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:10])
