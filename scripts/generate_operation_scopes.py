#!/usr/bin/env python3
"""Write src/localfluence/auth/operation_scopes.json from the Confluence v1 spec.

    python scripts/generate_operation_scopes.py [--spec ../shared/spec/confluence-cloud-v1.openapi.json]

For each operationId the file lists the scope sets that admit it: the classic set ("Current", the
same as the operation's `security` oauth2 entry) and the granular one ("Beta"). A token must hold
every scope of at least one set. Operations the spec gives no scopes are left out, so scoped
tokens cannot call them, except the deprecated aliases in ALIASES, which take their successor's.
The app reads only the generated file: the spec need not be present at run time.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC_NAME = "shared/spec/confluence-cloud-v1.openapi.json"
# ../shared beside the checkout; a git worktree may sit one level deeper.
SPEC_CANDIDATES = (ROOT.parent / SPEC_NAME, ROOT.parent.parent / SPEC_NAME)
OUTPUT = ROOT / "src" / "localfluence" / "auth" / "operation_scopes.json"
METHODS = ("get", "post", "put", "delete", "patch")
OAUTH_SCHEME = "oAuthDefinitions"

# Deprecated operations the spec publishes without scopes; they serve the same data as their
# successors, so a token allowed the successor is allowed the alias.
ALIASES = {
    "getGroupByName": "getGroupByQueryParam",
    "getGroupMembers": "getMembersByQueryParam",
}


def scope_sets(operation: dict) -> list[list[str]]:
    sets: list[list[str]] = []
    for entry in operation.get("x-atlassian-oauth2-scopes") or []:
        if entry.get("scheme", OAUTH_SCHEME) == OAUTH_SCHEME and entry.get("scopes"):
            sets.append(sorted(entry["scopes"]))
    for requirement in operation.get("security") or []:
        if requirement.get(OAUTH_SCHEME):
            sets.append(sorted(requirement[OAUTH_SCHEME]))
    unique: list[list[str]] = []
    for s in sets:
        if s not in unique:
            unique.append(s)
    return unique


def build(spec: dict) -> dict:
    operations: dict[str, list[list[str]]] = {}
    known: set[str] = set()
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        for flow in scheme.get("flows", {}).values():
            known.update(flow.get("scopes", {}))
    for item in spec["paths"].values():
        for method in METHODS:
            operation = item.get(method)
            if not operation or "operationId" not in operation:
                continue
            sets = scope_sets(operation)
            if sets:
                operations[operation["operationId"]] = sets
                known.update(s for group in sets for s in group)
    for alias, successor in ALIASES.items():
        if alias not in operations and successor in operations:
            operations[alias] = operations[successor]
    return {
        "source": "Confluence Cloud REST API v1 OpenAPI (security + x-atlassian-oauth2-scopes)",
        "generator": "scripts/generate_operation_scopes.py",
        "scopes": sorted(known),
        "operations": dict(sorted(operations.items())),
    }


def render(mapping: dict) -> str:
    """Stable JSON with one line per operation and per scope, so regenerating gives small diffs."""
    lines = ["{"]
    for key in ("source", "generator"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(mapping[key])},")
    lines.append('  "scopes": [')
    lines.append(",\n".join(f"    {json.dumps(s)}" for s in mapping["scopes"]))
    lines.append("  ],")
    lines.append('  "operations": {')
    lines.append(",\n".join(f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in mapping["operations"].items()))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_spec = next((p for p in SPEC_CANDIDATES if p.exists()), SPEC_CANDIDATES[0])
    parser.add_argument("--spec", type=Path, default=default_spec)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    mapping = build(json.loads(args.spec.read_text()))
    args.output.write_text(render(mapping))
    print(f"{len(mapping['operations'])} operations, {len(mapping['scopes'])} scopes -> {args.output}")


if __name__ == "__main__":
    main()
