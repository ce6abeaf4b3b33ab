"""atlas_doc_format (ADF) → storage: what the new editor and ADF-writing clients send, as storage.
Link hrefs of the forms xhtml.adf writes come back as ac:link references.
Guarded by tests/unit/xhtml/test_adf.py (round trips over the corpus)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from lxml import etree

from localfluence.errors import BadRequest
from localfluence.xhtml.adf import LAYOUT_WIDTHS, PANEL_MACROS, STATUS_NAMES, Node
from localfluence.xhtml.emoticons import name_for_shortname
from localfluence.xhtml.storage import ac, new_root, parse, ri, serialize, set_parameter_value, too_deep


def _kebab(value: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), value)


def from_adf_json(value: str) -> str:
    try:
        document = json.loads(value)
    except ValueError as exc:
        raise BadRequest(f"Content body cannot be converted: invalid atlas_doc_format JSON: {exc}") from None
    except RecursionError:
        raise too_deep() from None
    return from_adf(document)


def from_adf(document: Any) -> str:
    if not isinstance(document, dict) or document.get("type") != "doc":
        raise BadRequest("Content body cannot be converted: atlas_doc_format needs a root node of type doc")
    root = new_root()
    try:
        _FromAdf().blocks(root, document.get("content"))
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise BadRequest(f"Content body cannot be converted: invalid atlas_doc_format: {exc}") from None
    except RecursionError:
        raise too_deep() from None
    storage = serialize(root)
    # As wiki and editor input are: storage nested past MAX_DEPTH would be saved yet never render.
    parse(storage)
    return storage


def _sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    for k, v in (attrs or {}).items():
        element.set(k, v)
    return element


def _append_text(parent: etree._Element, value: str) -> None:
    if not value:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + value
    else:
        parent.text = (parent.text or "") + value


def _nodes(value: Any) -> list[Node]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError("content must be a list of nodes")
    return [n for n in value if isinstance(n, dict)]


def _attrs(node: Node) -> Node:
    attrs = node.get("attrs")
    return attrs if isinstance(attrs, dict) else {}


def _str(value: Any) -> str:
    return "" if value is None else str(value)


class _FromAdf:
    def blocks(self, parent: etree._Element, content: Any) -> None:
        nodes = _nodes(content)
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if node.get("type") == "layoutSection":
                layout = _sub(parent, ac("layout"))
                while i < len(nodes) and nodes[i].get("type") == "layoutSection":
                    self.layout_section(layout, nodes[i])
                    i += 1
                continue
            self.block(parent, node)
            i += 1

    def block(self, parent: etree._Element, node: Node) -> None:
        kind = node.get("type")
        attrs = _attrs(node)
        content = node.get("content")
        if kind == "paragraph":
            p = _sub(parent, "p", self.block_style(node))
            self.inlines(p, content)
        elif kind == "heading":
            level = max(1, min(6, int(attrs.get("level") or 1)))
            h = _sub(parent, f"h{level}", self.block_style(node))
            self.inlines(h, content)
        elif kind in ("bulletList", "orderedList"):
            tag = "ul" if kind == "bulletList" else "ol"
            order = attrs.get("order")
            lst = _sub(parent, tag, {"start": str(int(order))} if tag == "ol" and order not in (None, 1) else None)
            for item in _nodes(content):
                self.list_item(lst, item)
        elif kind == "listItem":
            self.list_item(parent, node)
        elif kind == "blockquote":
            self.blocks(_sub(parent, "blockquote"), content)
        elif kind == "codeBlock":
            text = "".join(_str(n.get("text")) for n in _nodes(content))
            params = {"language": _str(attrs["language"])} if attrs.get("language") else {}
            self.macro(parent, "code", params, plain=text)
        elif kind == "rule":
            _sub(parent, "hr")
        elif kind == "table":
            self.table(parent, node)
        elif kind == "panel":
            panel_type = _str(attrs.get("panelType") or "info")
            if panel_type == "custom":
                params = {"bgColor": _str(attrs["panelColor"])} if attrs.get("panelColor") else {}
                self.macro(parent, "panel", params, rich=content)
            else:
                self.macro(parent, PANEL_MACROS.get(panel_type, "info"), {}, rich=content)
        elif kind in ("expand", "nestedExpand"):
            self.macro(parent, "expand", {"title": _str(attrs.get("title"))}, rich=content)
        elif kind in ("extension", "bodiedExtension"):
            self.extension(parent, node)
        elif kind == "taskList":
            self.task_list(parent, node)
        elif kind == "decisionList":
            self.adf_extension(parent, node)
        elif kind == "mediaSingle":
            for media in _nodes(content):
                self.image(parent, media, node)
        elif kind == "mediaGroup":
            for media in _nodes(content):
                self.file_card(parent, media)
        elif kind == "layoutSection":
            self.layout_section(_sub(parent, ac("layout")), node)
        elif kind in ("blockCard", "embedCard"):
            p = _sub(parent, "p")
            self.inline(p, node, [])
        elif kind in ("text", "hardBreak", "mention", "emoji", "date", "status", "inlineCard", "placeholder"):
            p = _sub(parent, "p")
            self.inline(p, node, [])
        else:
            # Unknown block node: keep what it says.
            self.blocks(parent, content)

    def block_style(self, node: Node) -> dict[str, str] | None:
        style = []
        for mark in _nodes(node.get("marks")):
            if mark.get("type") == "alignment":
                align = _attrs(mark).get("align")
                style.append(f"text-align: {'center' if align == 'center' else 'right'};")
            elif mark.get("type") == "indentation":
                level = int(_attrs(mark).get("level") or 1)
                style.append(f"margin-left: {level * 30}.0px;")
        return {"style": " ".join(style)} if style else None

    def list_item(self, parent: etree._Element, node: Node) -> None:
        li = _sub(parent, "li")
        content = _nodes(node.get("content"))
        if len(content) == 1 and content[0].get("type") == "paragraph" and not content[0].get("marks"):
            self.inlines(li, content[0].get("content"))
            return
        if content and content[0].get("type") == "paragraph" and not _nodes(content[0].get("content")):
            # The empty paragraph ADF requires before a nested list.
            content = content[1:]
        self.blocks(li, content)

    def table(self, parent: etree._Element, node: Node) -> None:
        attrs = _attrs(node)
        table_attrs = {}
        if attrs.get("layout") and attrs.get("layout") != "default":
            table_attrs["data-layout"] = _str(attrs["layout"])
        if attrs.get("isNumberColumnEnabled"):
            table_attrs["data-number-column"] = "true"
        table = _sub(parent, "table", table_attrs)
        body = _sub(table, "tbody")
        for row in _nodes(node.get("content")):
            tr = _sub(body, "tr")
            for cell in _nodes(row.get("content")):
                cell_attrs = _attrs(cell)
                values = {}
                for name in ("colspan", "rowspan"):
                    if cell_attrs.get(name) not in (None, 1):
                        values[name] = str(int(cell_attrs[name]))
                if cell_attrs.get("background"):
                    values["data-highlight-colour"] = _str(cell_attrs["background"])
                td = _sub(tr, "th" if cell.get("type") == "tableHeader" else "td", values)
                self.blocks(td, cell.get("content"))

    def macro(
        self,
        parent: etree._Element,
        name: str,
        params: dict[str, str],
        *,
        rich: Any = None,
        plain: str | None = None,
        macro_id: str | None = None,
        schema: str = "1",
    ) -> etree._Element:
        attrs = {ac("name"): name, ac("schema-version"): schema}
        if macro_id:
            attrs[ac("macro-id")] = macro_id
        element = _sub(parent, ac("structured-macro"), attrs)
        for key, value in params.items():
            parameter = _sub(element, ac("parameter"), {ac("name"): key})
            set_parameter_value(parameter, name, key, value)
        if rich is not None:
            self.blocks(_sub(element, ac("rich-text-body")), rich)
        elif plain is not None:
            body = _sub(element, ac("plain-text-body"))
            body.text = etree.CDATA(plain) if "]]>" not in plain else plain
        return element

    def extension(self, parent: etree._Element, node: Node) -> etree._Element:
        attrs = _attrs(node)
        parameters = attrs.get("parameters") if isinstance(attrs.get("parameters"), dict) else {}
        macro_params = parameters.get("macroParams") if isinstance(parameters.get("macroParams"), dict) else {}
        metadata = parameters.get("macroMetadata") if isinstance(parameters.get("macroMetadata"), dict) else {}
        params = {}
        for key, value in macro_params.items():
            params[str(key)] = _str(value.get("value") if isinstance(value, dict) else value)
        macro_id = _meta(metadata, "macroId")
        schema = _meta(metadata, "schemaVersion") or "1"
        name = _str(attrs.get("extensionKey") or "unknown")
        if node.get("type") == "bodiedExtension":
            return self.macro(parent, name, params, rich=node.get("content"), macro_id=macro_id, schema=schema)
        plain = attrs.get("text")
        return self.macro(
            parent, name, params, plain=_str(plain) if plain is not None else None, macro_id=macro_id, schema=schema
        )

    def task_list(self, parent: etree._Element, node: Node) -> None:
        task_list = _sub(parent, ac("task-list"))
        last_body: etree._Element | None = None
        for item in _nodes(node.get("content")):
            if item.get("type") == "taskList":
                # A nested list belongs to the task before it.
                self.task_list(last_body if last_body is not None else task_list, item)
                continue
            attrs = _attrs(item)
            task = _sub(task_list, ac("task"))
            local_id = _str(attrs.get("localId"))
            if local_id.isdigit():
                _sub(task, ac("task-id")).text = local_id
            _sub(task, ac("task-status")).text = "complete" if attrs.get("state") == "DONE" else "incomplete"
            last_body = _sub(task, ac("task-body"))
            self.inlines(last_body, item.get("content"))

    def adf_extension(self, parent: etree._Element, node: Node) -> None:
        extension = _sub(parent, ac("adf-extension"))
        self.adf_node(extension, node)
        fallback = _sub(extension, ac("adf-fallback"))
        if node.get("type") == "decisionList":
            ul = _sub(fallback, "ul", {"class": "decision-list"})
            for item in _nodes(node.get("content")):
                self.inlines(_sub(ul, "li"), item.get("content"))

    def adf_node(self, parent: etree._Element, node: Node) -> None:
        element = _sub(parent, ac("adf-node"), {"type": _kebab(_str(node.get("type")))})
        for key, value in _attrs(node).items():
            _sub(element, ac("adf-attribute"), {"key": _kebab(str(key))}).text = _str(value)
        children = _nodes(node.get("content"))
        if children and all(c.get("type") not in ("text", "hardBreak", "mention", "emoji", "date") for c in children):
            for child in children:
                self.adf_node(element, child)
        elif children:
            self.inlines(_sub(element, ac("adf-content")), children)

    def layout_section(self, layout: etree._Element, node: Node) -> None:
        columns = [c for c in _nodes(node.get("content")) if c.get("type") == "layoutColumn"]
        widths = [float(_attrs(c).get("width") or 0) for c in columns]
        kind = _layout_type(widths)
        section = _sub(layout, ac("layout-section"), {ac("type"): kind})
        for column in columns:
            self.blocks(_sub(section, ac("layout-cell")), column.get("content"))

    def image(self, parent: etree._Element, media: Node, single: Node | None) -> None:
        attrs = _attrs(media)
        image_attrs = {}
        if single is not None:
            layout = _str(_attrs(single).get("layout"))
            if layout and layout != "center":
                image_attrs[ac("layout")] = layout
            if layout in ("align-start", "align-end", "center"):
                image_attrs[ac("align")] = {"align-start": "left", "align-end": "right"}.get(layout, "center")
        for name in ("width", "height"):
            if attrs.get(name):
                image_attrs[ac(name)] = str(int(attrs[name]))
        for name in ("alt", "title"):
            if attrs.get(name):
                image_attrs[ac(name)] = _str(attrs[name])
        image = _sub(parent, ac("image"), image_attrs)
        self.media_target(image, attrs)

    def media_target(self, parent: etree._Element, attrs: Node) -> None:
        if attrs.get("type") == "external":
            _sub(parent, ri("url"), {ri("value"): _str(attrs.get("url"))})
            return
        filename = _str(attrs.get("__fileName") or attrs.get("alt") or attrs.get("id"))
        attachment = _sub(parent, ri("attachment"), {ri("filename"): filename})
        if attrs.get("__pageTitle"):
            page_attrs = {ri("content-title"): _str(attrs["__pageTitle"])}
            if attrs.get("__spaceKey"):
                page_attrs[ri("space-key")] = _str(attrs["__spaceKey"])
            _sub(attachment, ri("page"), page_attrs)

    def file_card(self, parent: etree._Element, media: Node) -> None:
        element = self.macro(parent, "view-file", {})
        parameter = _sub(element, ac("parameter"), {ac("name"): "name"})
        self.media_target(parameter, _attrs(media))

    # --- inline -----------------------------------------------------------------------------

    def inlines(self, parent: etree._Element, content: Any) -> None:
        for node in _nodes(content):
            self.inline(parent, node, _nodes(node.get("marks")))

    def inline(self, parent: etree._Element, node: Node, marks: list[Node]) -> None:
        kind = node.get("type")
        attrs = _attrs(node)
        if kind == "text":
            self.marked_text(parent, _str(node.get("text")), marks)
        elif kind == "hardBreak":
            _sub(parent, "br")
        elif kind == "mention":
            link = _sub(parent, ac("link"))
            _sub(link, ri("user"), {ri("account-id"): _str(attrs.get("id"))})
        elif kind == "emoji":
            self.emoticon(parent, attrs)
        elif kind == "date":
            try:
                stamp = int(float(_str(attrs.get("timestamp"))))
                day = datetime.fromtimestamp(stamp / 1000, tz=UTC).date().isoformat()
            except (ValueError, OverflowError, OSError):
                day = ""
            _sub(parent, "time", {"datetime": day})
        elif kind == "status":
            colour = STATUS_NAMES.get(_str(attrs.get("color")).lower(), "Grey")
            self.macro(parent, "status", {"colour": colour, "title": _str(attrs.get("text"))}, macro_id=_id(attrs))
        elif kind == "inlineExtension":
            self.extension(parent, node)
        elif kind == "mediaInline":
            image_attrs = {}
            for name in ("width", "height"):
                if attrs.get(name):
                    image_attrs[ac(name)] = str(int(attrs[name]))
            for name in ("alt", "title"):
                if attrs.get(name):
                    image_attrs[ac(name)] = _str(attrs[name])
            self.media_target(_sub(parent, ac("image"), image_attrs), attrs)
        elif kind in ("inlineCard", "blockCard", "embedCard"):
            url = _str(attrs.get("url"))
            anchor = _sub(parent, "a", {"href": url, "data-card-appearance": kind[: -len("Card")]})
            anchor.text = url
        elif kind == "placeholder":
            _sub(parent, ac("placeholder")).text = _str(attrs.get("text"))
        else:
            # Block content where inline is expected (or an unknown node): keep its text.
            self.inlines(parent, node.get("content"))

    def emoticon(self, parent: etree._Element, attrs: Node) -> None:
        shortname = _str(attrs.get("shortName"))
        name = name_for_shortname(shortname) or "blue-star"
        values = {ac("name"): name}
        if shortname:
            values[ac("emoji-shortname")] = shortname
        if attrs.get("id"):
            values[ac("emoji-id")] = _str(attrs["id"])
        if attrs.get("text"):
            values[ac("emoji-fallback")] = _str(attrs["text"])
        _sub(parent, ac("emoticon"), values)

    def marked_text(self, parent: etree._Element, text: str, marks: list[Node]) -> None:
        if not marks:
            _append_text(parent, text)
            return
        mark, rest = marks[0], marks[1:]
        kind = mark.get("type")
        attrs = _attrs(mark)
        if kind == "link":
            self.link(parent, _str(attrs.get("href")), text, rest)
            return
        tag_attrs: dict[str, str] = {}
        if kind in ("strong", "em", "code", "underline", "strike"):
            tag = {"underline": "u", "strike": "s"}.get(kind, kind)
        elif kind == "subsup":
            tag = "sup" if attrs.get("type") == "sup" else "sub"
        elif kind == "textColor":
            tag, tag_attrs = "span", {"style": f"color: {_str(attrs.get('color'))};"}
        elif kind == "backgroundColor":
            tag, tag_attrs = "span", {"style": f"background-color: {_str(attrs.get('color'))};"}
        elif kind == "annotation":
            tag, tag_attrs = ac("inline-comment-marker"), {ac("ref"): _str(attrs.get("id"))}
        else:
            self.marked_text(parent, text, rest)
            return
        self.marked_text(_sub(parent, tag, tag_attrs), text, rest)

    def link(self, parent: etree._Element, href: str, text: str, marks: list[Node]) -> None:
        target, anchor = _decode_target(href)
        if target is None:
            anchor_element = _sub(parent, "a", {"href": href})
            self.marked_text(anchor_element, text, marks)
            return
        link = _sub(parent, ac("link"), {ac("anchor"): anchor} if anchor else None)
        tag, values, child = target
        if tag:
            ref = _sub(link, tag, values)
            if child is not None:
                _sub(ref, child[0], child[1])
        if marks:
            self.marked_text(_sub(link, ac("link-body")), text, marks)
        elif text != _default_text(tag, values):
            _sub(link, ac("plain-text-link-body")).text = etree.CDATA(text) if "]]>" not in text else text


def _default_text(tag: str, values: dict[str, str]) -> str | None:
    """What a link without a body shows (and what _encode_target wrote as its text)."""
    if tag in (ri("page"), ri("blog-post")):
        return values.get(ri("content-title"))
    if tag == ri("attachment"):
        return values.get(ri("filename"))
    if tag == ri("space"):
        return values.get(ri("space-key"))
    if tag == ri("content-entity"):
        return values.get(ri("content-id"))
    return None


def _id(attrs: Node) -> str | None:
    value = attrs.get("localId")
    return _str(value) if value else None


def _meta(metadata: Node, key: str) -> str | None:
    value = metadata.get(key)
    if isinstance(value, dict):
        value = value.get("value")
    return _str(value) or None


def _layout_type(widths: list[float]) -> str:
    for kind, expected in LAYOUT_WIDTHS.items():
        if len(expected) == len(widths) and all(abs(a - b) < 1 for a, b in zip(expected, widths, strict=True)):
            return kind
    return {1: "single", 2: "two_equal", 3: "three_equal"}.get(len(widths), "single")


Decoded = tuple[str, dict[str, str], tuple[str, dict[str, str]] | None]


def _decode_target(href: str) -> tuple[Decoded | None, str | None]:
    """The ri: target a link href of ours stands for (see the module docstring), or None."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None, None
    path = parts.path
    anchor = unquote(parts.fragment) if parts.fragment else None
    if path.startswith("/wiki/display/"):
        segments = path[len("/wiki/display/") :].split("/")
        if len(segments) == 1:
            return (ri("page"), {ri("content-title"): unquote(segments[0])}, None), anchor
        if len(segments) == 2:
            return (
                (ri("page"), {ri("space-key"): unquote(segments[0]), ri("content-title"): unquote(segments[1])}, None),
                anchor,
            )
        if len(segments) == 5:
            values = {ri("content-title"): unquote(segments[4]), ri("posting-day"): "/".join(segments[1:4])}
            if segments[0]:
                values[ri("space-key")] = unquote(segments[0])
            return (ri("blog-post"), values, None), anchor
        return None, None
    if path.startswith("/wiki/spaces/") and path.count("/") == 3:
        return (ri("space"), {ri("space-key"): unquote(path.rsplit("/", 1)[1])}, None), anchor
    if path == "/wiki/pages/viewpage.action":
        found = parse_qs(parts.query).get("pageId")
        if found:
            return (ri("content-entity"), {ri("content-id"): found[0]}, None), anchor
    if path == "/wiki/download/attachments/":
        query = parse_qs(parts.query)
        if "filename" in query:
            owner = None
            if "title" in query:
                page = {ri("content-title"): query["title"][0]}
                if "spaceKey" in query:
                    page[ri("space-key")] = query["spaceKey"][0]
                owner = (ri("page"), page)
            return (ri("attachment"), {ri("filename"): query["filename"][0]}, owner), anchor
    if not path and not parts.query and anchor:
        # A link to an anchor of the same page.
        return ("", {}, None), anchor
    return None, None
