"""Index text from storage format: the words a reader sees, markup stripped.

A small local stripper until the storage-format package's xhtml/text.py exists; the lead may
point index.py at that one when merging."""

from __future__ import annotations

import html.entities
import re

from lxml import etree

from localfluence.xhtml.storage import XML_ENTITIES, substitute_entities

NAMESPACES = (
    'xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier" '
    'xmlns:at="http://atlassian.com/template"'
)
# Elements after which a reader sees a break between words.
BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "table",
    "pre", "blockquote", "hr", "dt", "dd", "section", "article", "header", "footer",
}  # fmt: skip
SPACES = re.compile(r"\s+")
PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


# Named references as characters; XML's own are kept for the parser, unknown ones read as a blank.
CHARACTERS = {name: chr(code) for name, code in html.entities.name2codepoint.items() if name not in XML_ENTITIES}
CHARACTERS.update((name, f"&{name};") for name in XML_ENTITIES)


def plain_text(storage: str, tree: etree._Element | None = None) -> str:
    """`tree`: xhtml.storage.parse(storage) when the caller has it. It gives the same words as this
    lenient parse of any storage that parses strictly. Both read references only where XML does:
    in a CDATA section `&amp;` is the text `&amp;`."""
    if not storage or "<" not in storage and "&" not in storage:
        return SPACES.sub(" ", storage or "").strip()
    if tree is not None:
        parts: list[str] = []
        _walk(tree, parts)
        return SPACES.sub(" ", "".join(parts)).strip()
    wrapped = f"<root {NAMESPACES}>{substitute_entities(storage, CHARACTERS, unknown=' ')}</root>"
    try:
        root = etree.fromstring(wrapped.encode("utf-8"), PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return SPACES.sub(" ", re.sub(r"<[^>]*>", " ", storage)).strip()
    parts = []
    _walk(root, parts)
    return SPACES.sub(" ", "".join(parts)).strip()


def _walk(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    local = tag.rsplit("}", 1)[-1]
    block = local in BLOCKS or tag.startswith("{http://atlassian.com/")
    if block:
        parts.append(" ")
    if element.text and isinstance(element.tag, str):
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append(" ")
