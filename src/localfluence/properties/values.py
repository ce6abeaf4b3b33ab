"""Property keys and values as Confluence checks them: non-empty keys of at most 255 characters,
JSON values up to a size limit (content properties: 32 KB, as Confluence Cloud documents for
entity properties; space properties: 64 KB, the spec's PropertyValue limit)."""

from __future__ import annotations

import re
from typing import Any

import orjson

from localfluence.errors import BadRequest, ConfluenceError, PayloadTooLarge

MAX_KEY = 255
CONTENT_VALUE_LIMIT = 32 * 1024
SPACE_VALUE_LIMIT = 64 * 1024
USER_VALUE_LIMIT = 32 * 1024
# User property keys are path segments (spec: updateUserProperty, pattern ^[-_a-zA-Z0-9]+$).
USER_KEY = re.compile(r"^[-_a-zA-Z0-9]+$")


def check_key(key: Any) -> str:
    if not isinstance(key, str) or not key.strip():
        raise BadRequest("The property key cannot be empty")
    if len(key) > MAX_KEY:
        raise BadRequest(f"The property key is too long: at most {MAX_KEY} characters")
    return key


def check_user_key(key: str) -> str:
    check_key(key)
    if not USER_KEY.match(key):
        raise BadRequest(f"Invalid property key: {key}; use letters, digits, '-' and '_'")
    return key


def encode_value(value: Any, limit: int, too_large: type[ConfluenceError] = PayloadTooLarge) -> str:
    """The value as stored: JSON text, refused above `limit` bytes."""
    try:
        encoded = orjson.dumps(value)
    except orjson.JSONEncodeError as exc:  # integers past 64 bits, nesting past 254 levels
        raise BadRequest(f"The property value cannot be stored: {exc}") from None
    if len(encoded) > limit:
        raise too_large(f"The property value is too long: {len(encoded)} bytes, at most {limit} are allowed")
    return encoded.decode()


def decode_value(stored: str) -> Any:
    return orjson.loads(stored)


def body_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    return body


def required_value(body: dict[str, Any]) -> Any:
    if "value" not in body or body["value"] is None:
        raise BadRequest("A property value is required")
    return body["value"]


def version_number(body: dict[str, Any], *, required: bool) -> tuple[int | None, bool]:
    """The requested version number and minorEdit flag of an update body."""
    version = body.get("version")
    if version is None:
        if required:
            raise BadRequest("A version number is required to update a property")
        return None, True
    if not isinstance(version, dict) or "number" not in version:
        raise BadRequest("version.number is required")
    raw = version["number"]
    if isinstance(raw, bool):
        raise BadRequest(f"Invalid version number: {raw}")
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"Invalid version number: {raw}") from None
    if number < 1 or number > 2**31 - 1:
        raise BadRequest(f"Invalid version number: {raw}")
    minor = version.get("minorEdit", True)
    return number, bool(minor) if isinstance(minor, bool) else True
