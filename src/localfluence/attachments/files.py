"""File names and media types of uploads, as Confluence treats them."""

from __future__ import annotations

import mimetypes
import re

from localfluence.errors import BadRequest

MAX_NAME = 255
# What clients send when they do not know; the name tells more.
GENERIC_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "application/binary",
        "binary/octet-stream",
        "application/unknown",
        "unknown/unknown",
    }
)
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def file_name(raw: str | None) -> str:
    """The attachment title for an uploaded file name. Browsers and some clients send a path: only
    its last segment counts (Confluence keeps base names; atlassian-python-api trims them for the
    same reason), so a name can never point outside its container."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        raise BadRequest("The file name of an attachment cannot be empty")
    if _CONTROL.search(name):
        raise BadRequest("The file name of an attachment cannot contain control characters")
    if len(name) > MAX_NAME:
        raise BadRequest(f"The file name of an attachment cannot be longer than {MAX_NAME} characters")
    return name


def media_type(declared: str | None, name: str) -> str:
    """The declared type without parameters, or a guess from the name when the declared one says nothing."""
    value = (declared or "").split(";", 1)[0].strip().lower()
    if value not in GENERIC_TYPES and _MEDIA_TYPE.match(value):
        return value
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def check_media_type(value: str) -> str:
    cleaned = value.split(";", 1)[0].strip().lower()
    if not _MEDIA_TYPE.match(cleaned) or len(cleaned) > 255:
        raise BadRequest(f"Invalid media type: {value}")
    return cleaned


_DESCRIPTIONS = {
    "application/pdf": "PDF Document",
    "application/zip": "ZIP Archive",
    "application/x-zip-compressed": "ZIP Archive",
    "application/gzip": "GZIP Archive",
    "application/x-tar": "TAR Archive",
    "application/json": "JSON File",
    "application/xml": "XML File",
    "text/xml": "XML File",
    "text/plain": "Text File",
    "text/html": "HTML Document",
    "text/csv": "CSV File",
    "text/markdown": "Markdown File",
    "application/msword": "Word Document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word Document",
    "application/vnd.ms-excel": "Excel Spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel Spreadsheet",
    "application/vnd.ms-powerpoint": "PowerPoint Presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint Presentation",
    "image/svg+xml": "SVG Image",
}


def media_type_description(value: str) -> str:
    """extensions.mediaTypeDescription: the words Confluence's file list shows."""
    if value in _DESCRIPTIONS:
        return _DESCRIPTIONS[value]
    major, _, minor = value.partition("/")
    if major == "image":
        return f"{minor.split('+')[0].upper()} Image"
    if major == "video":
        return "Video"
    if major == "audio":
        return "Audio"
    return "File"


def has_thumbnail(value: str) -> bool:
    """Confluence links thumbnails for raster images it can preview."""
    return value.startswith("image/") and value != "image/svg+xml"
