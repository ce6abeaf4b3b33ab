"""Pure parts of attachment transfer: Range headers, Content-Disposition, file names, media types."""

from __future__ import annotations

import pytest

from localfluence.attachments.download import ByteRange, RangeNotSatisfiable, content_disposition, parse_range
from localfluence.attachments.files import file_name, media_type, media_type_description
from localfluence.errors import BadRequest


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        (None, 10, None),
        ("bytes=0-4", 10, ByteRange(0, 4)),
        ("bytes=5-", 10, ByteRange(5, 9)),
        ("bytes=-3", 10, ByteRange(7, 9)),
        ("bytes=-30", 10, ByteRange(0, 9)),
        ("bytes=8-100", 10, ByteRange(8, 9)),
        ("bytes = 2 - 3", 10, ByteRange(2, 3)),
        ("bytes=0-1,4-5", 10, None),
        ("items=0-1", 10, None),
        ("bytes=5-2", 10, None),
        ("bytes=a-b", 10, None),
        ("bytes=-", 10, None),
        ("bytes=3", 10, None),
        ("bytes=²-", 10, None),
        ("bytes=0-²", 10, None),
    ],
)
def test_parse_range(header: str | None, size: int, expected: ByteRange | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=10-", 10), ("bytes=10-20", 10), ("bytes=-0", 10), ("bytes=0-", 0)]
)
def test_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, size)


def test_content_disposition_keeps_unicode_and_quotes_safely() -> None:
    value = content_disposition('naïve "report".pdf', "application/pdf")
    assert value.startswith('inline; filename="na_ve _report_.pdf"')
    assert "filename*=UTF-8''na%C3%AFve%20%22report%22.pdf" in value
    assert content_disposition("page.html", "text/html").startswith("attachment;")
    assert content_disposition("logo.svg", "image/svg+xml").startswith("attachment;")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\notes.txt", "notes.txt"),
        ("  spaced name.txt ", "spaced name.txt"),
        ("dir/", None),
        ("", None),
        (None, None),
        ("..", None),
        ("bad\x00name", None),
        ("x" * 256, None),
    ],
)
def test_file_name(raw: str | None, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(BadRequest):
            file_name(raw)
    else:
        assert file_name(raw) == expected


def test_media_type_prefers_a_meaningful_declaration_and_guesses_otherwise() -> None:
    assert media_type("image/PNG; charset=x", "a.bin") == "image/png"
    assert media_type("application/octet-stream", "a.pdf") == "application/pdf"
    assert media_type("application/binary", "a.txt") == "text/plain"
    assert media_type(None, "noextension") == "application/octet-stream"
    assert media_type("not a type", "a.png") == "image/png"
    assert media_type_description("image/png") == "PNG Image"
    assert media_type_description("application/pdf") == "PDF Document"
    assert media_type_description("application/x-whatever") == "File"
