"""Site names: what a DNS label allows (a site is also reached as NAME.localhost), lower case."""

from __future__ import annotations

import re

from localfluence.errors import BadRequest

NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
RULE = "1-40 lower-case letters, digits and hyphens, starting and ending with a letter or digit"


def is_valid(name: str) -> bool:
    return NAME.fullmatch(name) is not None


def check(name: str) -> str:
    if not is_valid(name):
        raise BadRequest(f"Invalid site name {name[:60]!r}: use {RULE}")
    return name


def schema_for(name: str) -> str:
    """The PostgreSQL schema of a site ('-' is not an identifier character; '_' is not in names)."""
    return "site_" + name.replace("-", "_")
