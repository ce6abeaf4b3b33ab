"""Whether a database is already at the newest schema, told without importing Alembic (half a
second of imports that a start from an up-to-date database can skip)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"""^revision\s*=\s*['"]([^'"]+)['"]""", re.M)
_DOWN = re.compile(r"""^down_revision\s*=\s*['"]([^'"]+)['"]""", re.M)


@cache
def head_revisions() -> frozenset[str]:
    """Revisions no other revision builds on (tests check this agrees with Alembic)."""
    revisions, parents = set(), set()
    for path in VERSIONS.glob("*.py"):
        source = path.read_text("utf-8")
        if found := _REVISION.search(source):
            revisions.add(found.group(1))
        if down := _DOWN.search(source):
            parents.add(down.group(1))
    return frozenset(revisions - parents)


def is_at_head(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except DBAPIError:
        return False
    return current == set(head_revisions())
