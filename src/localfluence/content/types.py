"""Custom content types: stored and shown under the name their app gives them, Connect's
"ac:<app-key>:<module-key>" or Forge's "forge:<app-id>:<environment-id>:<module-key>". Built-in
types have no colon, so any type with one is custom."""

from __future__ import annotations

from localfluence.errors import BadRequest

# Confluence documents no limit; a Forge type with two UUIDs is 80 characters before its module
# key, and 255 is the content.type column (migration 0010_customtype).
MAX_CUSTOM_TYPE = 255


def is_custom(content_type: str) -> bool:
    return ":" in content_type


def check_custom_type(content_type: str) -> str:
    """The type, or 400 for one no app could have registered."""
    if not content_type or not content_type.strip():
        raise BadRequest("A custom content type is required")
    if len(content_type) > MAX_CUSTOM_TYPE:
        raise BadRequest(f"Custom content type is too long: at most {MAX_CUSTOM_TYPE} characters are allowed")
    if not is_custom(content_type) or any(not part or part.isspace() for part in content_type.split(":")):
        raise BadRequest(f"Invalid custom content type: {content_type}")
    if any(c.isspace() for c in content_type):
        raise BadRequest(f"Invalid custom content type: {content_type}")
    return content_type
