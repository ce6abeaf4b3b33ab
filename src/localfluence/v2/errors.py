"""The v2 error envelope: {"errors": [{"status", "code", "title", "detail"}]}."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

CODES = {
    400: "INVALID_REQUEST_PARAMETER",
    401: "UNAUTHORIZED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
}


def v2_error_body(status: int, message: str) -> dict[str, Any]:
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return {
        "errors": [
            {
                "status": status,
                "code": CODES.get(status, title.upper().replace(" ", "_")),
                "title": title,
                "detail": message,
            }
        ]
    }
