"""The label and space clauses of a content-by-label macro's CQL, read without a full CQL parser:
the macro only ever writes `label = x`, `label in (...)`, `space = x`, `space in (...)` joined
by `and`."""

from __future__ import annotations

import re

_CLAUSE = re.compile(
    r"""(?P<field>label|space)\s*
        (?:(?P<eq>=)\s*(?P<one>"[^"]*"|'[^']*'|[\w.()-]+)
          |in\s*\((?P<many>[^)]*)\))""",
    re.IGNORECASE | re.VERBOSE,
)
_VALUE = re.compile(r""""([^"]*)"|'([^']*)'|([^\s,]+)""")


def _values(raw: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _VALUE.finditer(raw)]


def labels_and_spaces(params: dict[str, str], space_key: str | None) -> tuple[set[str], set[str] | None]:
    labels: set[str] = set()
    spaces: set[str] | None = None
    cql = params.get("cql")
    if cql:
        for match in _CLAUSE.finditer(cql):
            field = match.group("field").lower()
            raw = match.group("one") if match.group("eq") else match.group("many")
            values = _values(raw or "")
            if field == "label":
                labels.update(v.lower() for v in values if v)
            else:
                spaces = spaces or set()
                for value in values:
                    if value.lower() in ("currentspace()", "currentspace", "@self"):
                        if space_key:
                            spaces.add(space_key)
                    elif value:
                        spaces.add(value)
    else:
        labels.update(v.strip().lower() for v in (params.get("labels") or params.get("") or "").split(",") if v.strip())
        raw_spaces = params.get("spaces") or params.get("key")
        if raw_spaces:
            spaces = set()
            for value in raw_spaces.split(","):
                value = value.strip()
                if value in ("@self", "currentSpace()"):
                    if space_key:
                        spaces.add(space_key)
                elif value in ("@all", "*"):
                    return labels, None
                elif value:
                    spaces.add(value)
    return labels, spaces
