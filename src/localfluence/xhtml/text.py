"""Plain text of storage (for the search index and excerpts): the words a reader sees, with
block boundaries as line breaks; macro parameters, ids and markup never leak into it."""

from __future__ import annotations

import re

from lxml import etree

from localfluence.xhtml.storage import AC, AT, RI, ac, is_element, iter_macros, parse, ri

BLOCKS = frozenset(
    """p h1 h2 h3 h4 h5 h6 ul ol li blockquote pre hr table thead tbody tfoot tr th td div br section dl dt dd
    figure caption""".split()
)
SKIPPED_HTML = frozenset(("script", "style"))
SKIPPED_AC = frozenset(
    ("parameter", "task-id", "task-uuid", "task-status", "placeholder", "adf-attribute", "adf-fallback", "emoticon")
)
EXCERPT_LENGTH = 300
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_LINES = re.compile(r"\s*\n\s*")


def plain_text(root: etree._Element) -> str:
    parts: list[str] = []
    _walk(root, parts)
    text = _SPACES.sub(" ", "".join(parts))
    return _LINES.sub("\n", text).strip()


def plain_text_of(storage: str) -> str:
    return plain_text(parse(storage)) if storage.strip() else ""


def _walk(element: etree._Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if is_element(child):
            _node(child, parts)
        if child.tail:
            parts.append(child.tail)


def _node(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag
    if tag[0] != "{":
        local = tag.lower()
        if local in SKIPPED_HTML:
            return
        block = local in BLOCKS
        if block:
            parts.append("\n")
        elif local in ("td", "th"):
            parts.append(" ")
        _walk(element, parts)
        if block:
            parts.append("\n")
        return
    namespace, _, local = tag[1:].partition("}")
    if namespace == RI:
        return
    if namespace == AC:
        if local in SKIPPED_AC:
            return
        if local == "link":
            _link(element, parts)
            return
        if local in ("structured-macro", "macro", "task", "layout-cell", "adf-node"):
            parts.append("\n")
            _walk(element, parts)
            parts.append("\n")
            return
    if namespace == AT and local == "declarations":
        return
    _walk(element, parts)


def _link(element: etree._Element, parts: list[str]) -> None:
    body = next(
        (c for c in element if is_element(c) and c.tag in (ac("plain-text-link-body"), ac("link-body"))),
        None,
    )
    if body is not None:
        _walk(body, parts)
        return
    target = next((c for c in element if is_element(c) and c.tag.startswith(f"{{{RI}}}")), None)
    if target is not None:
        # What the link shows when it has no body of its own (users show a name the index adds).
        parts.append(target.get(ri("content-title")) or target.get(ri("filename")) or "")


def excerpt(root: etree._Element, length: int = EXCERPT_LENGTH, *, text: str | None = None) -> str:
    """The excerpt macro's text when the page has one, else the start of the page's text
    (`text`: plain_text(root), when the caller has it)."""
    for element in iter_macros(root):
        if (element.get(ac("name")) or "").lower() == "excerpt":
            body = next((c for c in element if is_element(c) and c.tag == ac("rich-text-body")), None)
            if body is not None:
                return _shorten(plain_text(body), length)
    return _shorten(plain_text(root) if text is None else text, length)


def _shorten(text: str, length: int) -> str:
    text = text.replace("\n", " ")
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length)
    return text[: cut if cut > length // 2 else length].rstrip() + "…"
