"""Validate responses against the schemas of the Confluence Cloud spec (components/schemas)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# The spec lives beside the repository (../shared/spec), as DESIGN.md refers to it.
SPEC_LOCATIONS = (
    Path(__file__).resolve().parents[3] / "shared" / "spec" / "confluence-cloud-v1.openapi.json",
    Path("/work/shared/spec/confluence-cloud-v1.openapi.json"),
)


@cache
def _spec() -> dict[str, Any] | None:
    for path in SPEC_LOCATIONS:
        if path.exists():
            return json.loads(path.read_text())  # type: ignore[no-any-return]
    return None


def assert_matches(instance: Any, schema_name: str) -> None:
    spec = _spec()
    if spec is None:
        return
    registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, default_specification=DRAFT202012))
    schema = {"$ref": f"urn:spec#/components/schemas/{schema_name}"}
    validator = Draft202012Validator(schema, registry=registry)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{schema_name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
