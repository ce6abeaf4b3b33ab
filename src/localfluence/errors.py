"""Confluence-shaped errors.

    ConfluenceError(status, message)
      BadRequest 400        invalid input, unknown enum values, duplicate titles
      NotAuthenticated 401  missing or wrong credentials
      Forbidden 403         visible, but the caller may not do this
      NotFound 404          missing, or invisible to the caller (the same message)
      MethodNotAllowed 405
      Conflict 409          version number mismatch on update
      PayloadTooLarge 413
      UnsupportedMediaType 415

Every one renders as Confluence's envelope:
{"statusCode": 404, "data": {"authorized": ..., "valid": ..., "errors": [], "successful": false},
 "message": "...", "reason": "Not Found"}
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ConfluenceError(Exception):
    status = 500

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.message, self.errors)


class BadRequest(ConfluenceError):
    status = 400


class NotAuthenticated(ConfluenceError):
    status = 401


class Forbidden(ConfluenceError):
    status = 403


class NotFound(ConfluenceError):
    status = 404


class MethodNotAllowed(ConfluenceError):
    status = 405


class Conflict(ConfluenceError):
    status = 409


class PayloadTooLarge(ConfluenceError):
    status = 413


class UnsupportedMediaType(ConfluenceError):
    status = 415


def error_body(status: int, message: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "data": {
            "authorized": status not in (401, 403),
            "valid": status != 400,
            "allowedInReadOnlyMode": True,
            "errors": errors or [],
            "successful": False,
        },
        "message": message,
        "reason": HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error",
    }


def field_error(message: str) -> dict[str, Any]:
    """One entry of data.errors, as Confluence writes validation failures."""
    return {"message": {"key": message, "args": [], "translation": message}}
