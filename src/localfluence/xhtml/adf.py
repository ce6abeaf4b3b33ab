"""Storage → atlas_doc_format (ADF), the new editor's JSON document (BEHAVIOUR.md §2.5), and the
vocabulary both directions share (adf_to_storage reads ADF back).

References that ADF has no node for travel in link hrefs written here and read back there:
/wiki/display/KEY/Title (a page; /wiki/display/Title in the document's own space),
/wiki/display/KEY/yyyy/mm/dd/Title (a blog post), /wiki/spaces/KEY (a space),
/wiki/pages/viewpage.action?pageId=ID (content by id) and
/wiki/download/attachments/?filename=F[&title=T&spaceKey=K] (an attachment).
Guarded by tests/unit/xhtml/test_adf.py (round trips over the corpus)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from lxml import etree

from localfluence.xhtml.emoticons import EMOTICONS
from localfluence.xhtml.storage import (
    AC,
    MACRO_TAGS,
    RI,
    ac,
    is_element,
    macro_of,
    ri,
    string_parameters,
    task_id_of,
)

Node = dict[str, Any]
MACRO_EXTENSION = "com.atlassian.confluence.macro.core"
BLOCK_TAGS = frozenset(
    "script style p h1 h2 h3 h4 h5 h6 ul ol li blockquote pre hr table thead tbody tfoot tr th td div section "
    "article header footer dl dt dd figure figcaption".split()
)
INLINE_MACROS = frozenset(("status", "anchor", "jira", "profile", "view-file", "contentbylabel-inline"))
PRESENTATION_CODE_PARAMS = frozenset(("language", "linenumbers", "theme", "firstline", "collapse", "breakoutMode"))
PANEL_TYPES = {"info": "info", "tip": "success", "note": "note", "warning": "warning"}
PANEL_MACROS = {"info": "info", "success": "tip", "note": "note", "warning": "warning", "error": "warning"}
STATUS_COLOURS = {"grey": "neutral", "gray": "neutral", "red": "red", "yellow": "yellow", "green": "green"}
STATUS_COLOURS |= {"blue": "blue", "purple": "purple"}
STATUS_NAMES = {"neutral": "Grey", "red": "Red", "yellow": "Yellow", "green": "Green", "blue": "Blue"}
STATUS_NAMES |= {"purple": "Purple"}
LAYOUT_WIDTHS = {
    "single": [100],
    "two_equal": [50, 50],
    "two_left_sidebar": [33.33, 66.66],
    "two_right_sidebar": [66.66, 33.33],
    "three_equal": [33.33, 33.33, 33.33],
    "three_with_sidebars": [25, 50, 25],
}
DROPPED_TAGS = frozenset(("script", "style", "iframe", "object", "embed"))
MARK_TAGS = {
    "strong": "strong",
    "b": "strong",
    "em": "em",
    "i": "em",
    "code": "code",
    "u": "underline",
    "s": "strike",
    "del": "strike",
    "strike": "strike",
}
_WS = re.compile(r"[ \t\r\n]+")
_RGB = re.compile(r"rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)")
_STYLE = re.compile(r"([a-z-]+)\s*:\s*([^;]+)")
_MARGIN = re.compile(r"([\d.]+)\s*px")


# --- storage → ADF ----------------------------------------------------------------------------


def to_adf(root: etree._Element) -> Node:
    return {"type": "doc", "version": 1, "content": _ToAdf().blocks(root)}


def to_adf_json(root: etree._Element) -> str:
    return json.dumps(to_adf(root), ensure_ascii=False, separators=(",", ":"))


def _style(element: etree._Element) -> dict[str, str]:
    return {k.lower(): v.strip() for k, v in _STYLE.findall(element.get("style") or "")}


def _hex(colour: str) -> str:
    match = _RGB.match(colour)
    if match:
        return "#" + "".join(f"{min(int(c), 255):02x}" for c in match.groups())
    return colour


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if tag[0] == "{" else tag.lower()


def _ns(element: etree._Element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if tag[0] == "{" else ""


def _text(value: str, marks: list[Node]) -> Node:
    node: Node = {"type": "text", "text": value}
    if marks:
        node["marks"] = [dict(m) for m in marks]
    return node


def _new_id() -> str:
    return str(uuid.uuid4())


class _ToAdf:
    def __init__(self) -> None:
        self.in_table = 0

    # --- blocks -----------------------------------------------------------------------------

    def blocks(self, element: etree._Element, paragraph_marks: list[Node] | None = None) -> list[Node]:
        """Children of an element as block nodes; runs of inline content become paragraphs."""
        out: list[Node] = []
        pending: list[Node] = []

        def flush() -> None:
            if pending:
                paragraph = self._paragraph(list(pending), paragraph_marks)
                if paragraph is not None:
                    out.append(paragraph)
                pending.clear()

        if element.text:
            pending.extend(self.inline_text(element.text, []))
        for child in element:
            if is_element(child):
                if self.is_block(child):
                    flush()
                    out.extend(self.block(child))
                else:
                    pending.extend(self.inline(child, []))
            if child.tail:
                pending.extend(self.inline_text(child.tail, []))
        flush()
        return out

    def _paragraph(self, inline: list[Node], marks: list[Node] | None) -> Node | None:
        content = _tidy(inline)
        if not content:
            return None
        node: Node = {"type": "paragraph", "content": content}
        if marks:
            node["marks"] = marks
        return node

    def is_block(self, element: etree._Element) -> bool:
        namespace = _ns(element)
        local = _local(element)
        if namespace == "":
            return local in BLOCK_TAGS
        if namespace == AC:
            if element.tag in MACRO_TAGS:
                m = macro_of(element)
                return m.name not in INLINE_MACROS or m.rich_body is not None
            return local in ("task-list", "layout", "layout-section", "adf-extension", "image")
        return False

    def block(self, element: etree._Element) -> list[Node]:
        namespace = _ns(element)
        local = _local(element)
        if namespace == "" and local in DROPPED_TAGS:
            return []
        if namespace == AC:
            if element.tag in MACRO_TAGS:
                return [self.macro(element, inline=False)]
            if local == "task-list":
                return [self.task_list(element)]
            if local == "layout":
                return [self.layout_section(s) for s in element if is_element(s) and s.tag == ac("layout-section")]
            if local == "layout-section":
                return [self.layout_section(element)]
            if local == "image":
                return [self.media_single(element)]
            if local == "adf-extension":
                return self.adf_extension(element)
            return self.blocks(element)
        if local == "p":
            return self.paragraph(element)
        if local in ("h1", "h2", "h3", "h4", "h5", "h6"):
            node: Node = {"type": "heading", "attrs": {"level": int(local[1])}}
            content = _tidy(self.inline_children(element, []))
            if content:
                node["content"] = content
            marks = self.block_marks(element)
            if marks:
                node["marks"] = marks
            return [node]
        if local in ("ul", "ol"):
            return [self.list(element, local)]
        if local == "li":
            return [self.list_item(element)]
        if local == "blockquote":
            content = self.blocks(element) or [{"type": "paragraph", "content": []}]
            return [{"type": "blockquote", "content": content}]
        if local == "pre":
            text = "".join(element.itertext())
            return [_code_block(None, text)]
        if local == "hr":
            return [{"type": "rule"}]
        if local == "table":
            return [self.table(element)]
        if local in ("thead", "tbody", "tfoot", "tr", "th", "td"):
            # Table parts outside a table: keep their content.
            return self.blocks(element)
        return self.blocks(element)

    def block_marks(self, element: etree._Element) -> list[Node]:
        style = _style(element)
        marks: list[Node] = []
        align = style.get("text-align", "").lower()
        if align in ("center", "right", "end"):
            marks.append({"type": "alignment", "attrs": {"align": "center" if align == "center" else "end"}})
        margin = _MARGIN.match(style.get("margin-left", ""))
        if margin:
            level = max(1, min(6, round(float(margin.group(1)) / 30)))
            marks.append({"type": "indentation", "attrs": {"level": level}})
        return marks

    def paragraph(self, element: etree._Element) -> list[Node]:
        meaningful = [c for c in element if is_element(c)]
        texts = (element.text or "") + "".join(c.tail or "" for c in element)
        if len(meaningful) == 1 and meaningful[0].tag == ac("image") and not texts.strip():
            return [self.media_single(meaningful[0])]
        marks = self.block_marks(element)
        nodes = self.blocks(element, marks)
        return nodes or [{"type": "paragraph", "content": [], **({"marks": marks} if marks else {})}]

    def list(self, element: etree._Element, local: str) -> Node:
        items = []
        for child in element:
            if not is_element(child):
                continue
            if _local(child) == "li" and _ns(child) == "":
                items.append(self.list_item(child))
            else:
                items.append({"type": "listItem", "content": self._item_content(self._as_blocks(child))})
        if not items:
            items = [{"type": "listItem", "content": [{"type": "paragraph", "content": []}]}]
        node: Node = {"type": "bulletList" if local == "ul" else "orderedList", "content": items}
        if local == "ol":
            try:
                start = int(element.get("start") or 1)
            except ValueError:
                start = 1
            node["attrs"] = {"order": start}
        return node

    def _as_blocks(self, element: etree._Element) -> list[Node]:
        return self.block(element) if self.is_block(element) else self._wrap_inline(self.inline(element, []))

    def _wrap_inline(self, inline: list[Node]) -> list[Node]:
        content = _tidy(inline)
        return [{"type": "paragraph", "content": content}] if content else []

    def list_item(self, element: etree._Element) -> Node:
        return {"type": "listItem", "content": self._item_content(self.blocks(element))}

    def _item_content(self, content: list[Node]) -> list[Node]:
        if not content or content[0]["type"] != "paragraph":
            content = [{"type": "paragraph", "content": []}, *content]
        return content

    def table(self, element: etree._Element) -> Node:
        rows: list[Node] = []
        self.in_table += 1
        try:
            for part in element:
                if not is_element(part):
                    continue
                local = _local(part)
                if local == "tr":
                    rows.append(self.row(part))
                elif local in ("thead", "tbody", "tfoot"):
                    rows.extend(self.row(tr) for tr in part if is_element(tr) and _local(tr) == "tr")
        finally:
            self.in_table -= 1
        layout = element.get("data-layout") or "default"
        attrs: Node = {"isNumberColumnEnabled": element.get("data-number-column") == "true", "layout": layout}
        if not rows:
            rows = [{"type": "tableRow", "content": [_cell("tableCell", {}, [])]}]
        return {"type": "table", "attrs": attrs, "content": rows}

    def row(self, element: etree._Element) -> Node:
        cells = []
        for cell in element:
            if not is_element(cell) or _local(cell) not in ("th", "td"):
                continue
            attrs: Node = {}
            for name in ("colspan", "rowspan"):
                try:
                    value = int(cell.get(name) or 1)
                except ValueError:
                    value = 1
                if value != 1:
                    attrs[name] = value
            background = cell.get("data-highlight-colour") or _style(cell).get("background-color")
            if background:
                attrs["background"] = _hex(background)
            kind = "tableHeader" if _local(cell) == "th" else "tableCell"
            cells.append(_cell(kind, attrs, self.blocks(cell)))
        if not cells:
            cells = [_cell("tableCell", {}, [])]
        return {"type": "tableRow", "content": cells}

    # --- ac: blocks -------------------------------------------------------------------------

    def macro(self, element: etree._Element, inline: bool) -> Node:
        m = macro_of(element)
        name = m.name
        params = m.params
        if name == "code" and m.rich_body is None and set(params) <= PRESENTATION_CODE_PARAMS and not inline:
            return _code_block(params.get("language") or None, m.plain_body or "")
        if name in PANEL_TYPES and m.rich_body is not None and set(params) <= {"icon"} and not inline:
            return {"type": "panel", "attrs": {"panelType": PANEL_TYPES[name]}, "content": self._body(m.rich_body)}
        if name == "panel" and m.rich_body is not None and set(params) <= {"bgColor"} and not inline:
            attrs: Node = {"panelType": "custom"}
            if params.get("bgColor"):
                attrs["panelColor"] = params["bgColor"]
            return {"type": "panel", "attrs": attrs, "content": self._body(m.rich_body)}
        if name == "expand" and m.rich_body is not None and set(params) <= {"title"} and not inline:
            kind = "nestedExpand" if self.in_table else "expand"
            return {"type": kind, "attrs": {"title": params.get("title", "")}, "content": self._body(m.rich_body)}
        if name == "status" and set(params) <= {"colour", "title", "subtle"} and m.rich_body is None:
            colour = STATUS_COLOURS.get((params.get("colour") or "grey").lower(), "neutral")
            return {
                "type": "status",
                "attrs": {"text": params.get("title", ""), "color": colour, "localId": m.macro_id or _new_id()},
            }
        attrs = {
            "extensionType": MACRO_EXTENSION,
            "extensionKey": name,
            "parameters": {
                "macroParams": {k: {"value": v} for k, v in string_parameters(m).items()},
                "macroMetadata": {
                    "macroId": {"value": m.macro_id or ""},
                    "schemaVersion": {"value": element.get(ac("schema-version")) or "1"},
                    "title": name,
                },
            },
            "localId": m.macro_id or _new_id(),
        }
        if m.rich_body is not None:
            attrs["layout"] = "default"
            return {"type": "bodiedExtension", "attrs": attrs, "content": self._body(m.rich_body)}
        if m.plain_body is not None:
            attrs["text"] = m.plain_body
        if inline:
            return {"type": "inlineExtension", "attrs": attrs}
        attrs["layout"] = "default"
        return {"type": "extension", "attrs": attrs}

    def _body(self, body: etree._Element) -> list[Node]:
        return self.blocks(body) or [{"type": "paragraph", "content": []}]

    def task_list(self, element: etree._Element) -> Node:
        items: list[Node] = []
        for task in element:
            if not is_element(task):
                continue
            if task.tag == ac("task"):
                items.extend(self.task_item(task))
            elif task.tag == ac("task-list"):
                items.append(self.task_list(task))
        if not items:
            items = [{"type": "taskItem", "attrs": {"localId": "1", "state": "TODO"}, "content": []}]
        return {"type": "taskList", "attrs": {"localId": _new_id()}, "content": items}

    def task_item(self, task: etree._Element) -> list[Node]:
        status = "TODO"
        body: etree._Element | None = None
        for child in task:
            if not is_element(child):
                continue
            if child.tag == ac("task-status"):
                status = "DONE" if (child.text or "").strip() == "complete" else "TODO"
            elif child.tag == ac("task-body"):
                body = child
        number = task_id_of(task)
        inline: list[Node] = []
        nested: list[Node] = []
        if body is not None:
            if body.text:
                inline.extend(self.inline_text(body.text, []))
            for child in body:
                if is_element(child):
                    if child.tag == ac("task-list"):
                        nested.append(self.task_list(child))
                    else:
                        inline.extend(self.inline(child, []))
                if child.tail:
                    inline.extend(self.inline_text(child.tail, []))
        item: Node = {
            "type": "taskItem",
            "attrs": {"localId": str(number) if number is not None else _new_id(), "state": status},
            "content": _tidy(inline),
        }
        return [item, *nested]

    def layout_section(self, section: etree._Element) -> Node:
        cells = [c for c in section if is_element(c) and c.tag == ac("layout-cell")]
        kind = section.get(ac("type")) or "single"
        widths = LAYOUT_WIDTHS.get(kind) or [round(100 / max(len(cells), 1), 2)] * len(cells)
        columns = []
        for i, cell in enumerate(cells):
            width = widths[i] if i < len(widths) else widths[-1]
            columns.append(
                {"type": "layoutColumn", "attrs": {"width": width}, "content": self.blocks(cell) or [_empty_p()]}
            )
        if not columns:
            columns = [{"type": "layoutColumn", "attrs": {"width": 100}, "content": [_empty_p()]}]
        return {"type": "layoutSection", "content": columns}

    def media_single(self, image: etree._Element) -> Node:
        media = self.media(image)
        layout = image.get(ac("layout")) or _align_layout(image.get(ac("align"))) or "center"
        attrs: Node = {"layout": layout}
        return {"type": "mediaSingle", "attrs": attrs, "content": [media]}

    def media(self, image: etree._Element) -> Node:
        attrs: Node = {}
        target = next((c for c in image if is_element(c) and _ns(c) == RI), None)
        if target is not None and target.tag == ri("url"):
            attrs = {"type": "external", "url": target.get(ri("value"), "")}
        else:
            filename = target.get(ri("filename"), "") if target is not None else ""
            attrs = {"type": "file", "id": filename, "collection": "", "__fileName": filename}
            owner = next((c for c in target if is_element(c)), None) if target is not None else None
            if owner is not None and owner.tag in (ri("page"), ri("blog-post")):
                attrs["__pageTitle"] = owner.get(ri("content-title"), "")
                if owner.get(ri("space-key")):
                    attrs["__spaceKey"] = owner.get(ri("space-key"))
        for name in ("width", "height"):
            value = re.match(r"^\s*(\d+)", image.get(ac(name)) or "")
            if value:
                attrs[name] = int(value.group(1))
        for name in ("alt", "title"):
            if image.get(ac(name)):
                attrs[name] = image.get(ac(name))
        return {"type": "media", "attrs": attrs}

    def adf_extension(self, element: etree._Element) -> list[Node]:
        node = next((c for c in element if is_element(c) and c.tag == ac("adf-node")), None)
        if node is None:
            fallback = next((c for c in element if is_element(c) and c.tag == ac("adf-fallback")), None)
            return self.blocks(fallback) if fallback is not None else []
        return [self.adf_node(node)]

    def adf_node(self, element: etree._Element) -> Node:
        kind = _camel(element.get("type") or "unknown")
        attrs: Node = {}
        content: list[Node] = []
        for child in element:
            if not is_element(child):
                continue
            if child.tag == ac("adf-attribute"):
                attrs[_camel(child.get("key") or "")] = child.text or ""
            elif child.tag == ac("adf-node"):
                content.append(self.adf_node(child))
            elif child.tag == ac("adf-content"):
                content.extend(_tidy(self.inline_children(child, [])))
        node: Node = {"type": kind}
        if attrs:
            node["attrs"] = attrs
        if content or kind.endswith(("List", "Item")):
            node["content"] = content
        return node

    # --- inline -----------------------------------------------------------------------------

    def inline_text(self, value: str, marks: list[Node]) -> list[Node]:
        value = _WS.sub(" ", value)
        return [_text(value, marks)] if value else []

    def inline_children(self, element: etree._Element, marks: list[Node]) -> list[Node]:
        out: list[Node] = []
        if element.text:
            out.extend(self.inline_text(element.text, marks))
        for child in element:
            if is_element(child):
                out.extend(self.inline(child, marks))
            if child.tail:
                out.extend(self.inline_text(child.tail, marks))
        return out

    def inline(self, element: etree._Element, marks: list[Node]) -> list[Node]:
        namespace = _ns(element)
        local = _local(element)
        if namespace == "":
            if local in DROPPED_TAGS:
                return []
            if local in MARK_TAGS:
                return self.inline_children(element, [*marks, {"type": MARK_TAGS[local]}])
            if local in ("sub", "sup"):
                return self.inline_children(element, [*marks, {"type": "subsup", "attrs": {"type": local}}])
            if local == "br":
                return [{"type": "hardBreak"}]
            if local == "a":
                return self.anchor(element, marks)
            if local == "span":
                return self.inline_children(element, marks + self.colour_marks(element))
            if local == "time":
                return [_date(element.get("datetime") or "")]
            return self.inline_children(element, marks)
        if namespace == AC:
            if element.tag in MACRO_TAGS:
                return [self.macro(element, inline=True)]
            if local == "link":
                return self.ac_link(element, marks)
            if local == "emoticon":
                return [_emoji(element)]
            if local == "image":
                return [{"type": "mediaInline", "attrs": self.media(element)["attrs"]}]
            if local == "placeholder":
                return [{"type": "placeholder", "attrs": {"text": "".join(element.itertext())}}]
            if local == "inline-comment-marker":
                mark = {
                    "type": "annotation",
                    "attrs": {"id": element.get(ac("ref"), ""), "annotationType": "inlineComment"},
                }
                return self.inline_children(element, [*marks, mark])
            if local in ("task-list", "layout", "adf-extension"):
                return []
            return self.inline_children(element, marks)
        if namespace == RI:
            return []
        return self.inline_children(element, marks)

    def colour_marks(self, element: etree._Element) -> list[Node]:
        style = _style(element)
        marks = []
        if style.get("color"):
            marks.append({"type": "textColor", "attrs": {"color": _hex(style["color"]).lower()}})
        if style.get("background-color"):
            marks.append({"type": "backgroundColor", "attrs": {"color": _hex(style["background-color"]).lower()}})
        return marks

    def anchor(self, element: etree._Element, marks: list[Node]) -> list[Node]:
        href = element.get("href") or ""
        appearance = element.get("data-card-appearance")
        if appearance in ("inline", "block", "embed") and href:
            return [{"type": f"{appearance}Card", "attrs": {"url": href}}]
        if not href:
            return self.inline_children(element, marks)
        return self.inline_children(element, [*marks, {"type": "link", "attrs": {"href": href}}])

    def ac_link(self, element: etree._Element, marks: list[Node]) -> list[Node]:
        target = next((c for c in element if is_element(c) and _ns(c) == RI), None)
        plain = None
        rich = None
        for child in element:
            if is_element(child):
                if child.tag == ac("plain-text-link-body"):
                    plain = child.text or ""
                elif child.tag == ac("link-body"):
                    rich = child
        anchor = element.get(ac("anchor"))
        if target is not None and target.tag == ri("user"):
            account = target.get(ri("account-id")) or target.get(ri("userkey")) or ""
            text = plain if plain is not None else ("".join(rich.itertext()) if rich is not None else "")
            return [{"type": "mention", "attrs": {"id": account, "text": text, "accessLevel": ""}}]
        href, default = _encode_target(target, anchor)
        link_marks = [*marks, {"type": "link", "attrs": {"href": href}}]
        if rich is not None and (rich.text or len(rich)):
            return self.inline_children(rich, link_marks)
        text = plain if plain else default
        return [_text(text, link_marks)] if text else []


def _cell(kind: str, attrs: Node, content: list[Node]) -> Node:
    node: Node = {"type": kind, "attrs": attrs, "content": content or [_empty_p()]}
    return node


def _empty_p() -> Node:
    return {"type": "paragraph", "content": []}


def _code_block(language: str | None, text: str) -> Node:
    node: Node = {"type": "codeBlock", "attrs": {"language": language} if language else {}}
    if text:
        node["content"] = [{"type": "text", "text": text}]
    return node


def _align_layout(align: str | None) -> str | None:
    return {"left": "align-start", "right": "align-end", "center": "center"}.get((align or "").lower())


def _date(value: str) -> Node:
    try:
        day = date.fromisoformat(value.strip()[:10])
        stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    except ValueError:
        return _text(value or " ", [])
    return {"type": "date", "attrs": {"timestamp": str(stamp)}}


def _emoji(element: etree._Element) -> Node:
    name = element.get(ac("name")) or ""
    legacy = EMOTICONS.get(name)
    shortname = element.get(ac("emoji-shortname")) or (legacy[1] if legacy else f":{name}:")
    emoji_id = element.get(ac("emoji-id")) or (legacy[2] if legacy else "")
    text = element.get(ac("emoji-fallback")) or (legacy[0] if legacy else shortname)
    return {"type": "emoji", "attrs": {"shortName": shortname, "id": emoji_id, "text": text}}


def _camel(value: str) -> str:
    head, *rest = value.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _encode_target(target: etree._Element | None, anchor: str | None) -> tuple[str, str]:
    """(href, default text) for an ac:link target, in the forms the module docstring lists."""
    fragment = f"#{quote(anchor, safe='')}" if anchor else ""
    if target is None:
        return fragment or "#", anchor or ""
    tag = target.tag
    if tag == ri("page"):
        title = target.get(ri("content-title"), "")
        key = target.get(ri("space-key"))
        path = f"{quote(key, safe='')}/{quote(title, safe='')}" if key else quote(title, safe="")
        return f"/wiki/display/{path}{fragment}", title
    if tag == ri("blog-post"):
        title = target.get(ri("content-title"), "")
        key = target.get(ri("space-key")) or ""
        day = target.get(ri("posting-day")) or ""
        return f"/wiki/display/{quote(key, safe='')}/{day}/{quote(title, safe='')}{fragment}", title
    if tag == ri("attachment"):
        filename = target.get(ri("filename"), "")
        query = f"filename={quote(filename, safe='')}"
        owner = next((c for c in target if is_element(c)), None)
        if owner is not None and owner.get(ri("content-title")):
            query += f"&title={quote(owner.get(ri('content-title'), ''), safe='')}"
            if owner.get(ri("space-key")):
                query += f"&spaceKey={quote(owner.get(ri('space-key'), ''), safe='')}"
        return f"/wiki/download/attachments/?{query}", filename
    if tag == ri("space"):
        key = target.get(ri("space-key"), "")
        return f"/wiki/spaces/{quote(key, safe='')}", key
    if tag == ri("content-entity"):
        found = target.get(ri("content-id"), "")
        return f"/wiki/pages/viewpage.action?pageId={quote(found, safe='')}", found
    if tag == ri("url"):
        value = target.get(ri("value"), "")
        return value, value
    return "#", ""


def _same_marks(a: Node, b: Node) -> bool:
    return a.get("marks") == b.get("marks")


def _tidy(nodes: list[Node]) -> list[Node]:
    """Merge neighbouring texts with equal marks, trim the ends, drop empty texts (ADF forbids them)."""
    merged: list[Node] = []
    for node in nodes:
        if node["type"] == "text":
            if merged and merged[-1]["type"] == "text" and _same_marks(merged[-1], node):
                merged[-1] = {**merged[-1], "text": merged[-1]["text"] + node["text"]}
                continue
        merged.append(node)
    # Whitespace at the edges of a block, or after a hard break, does not show in HTML.
    for i, node in enumerate(merged):
        if node["type"] != "text":
            continue
        if i == 0 or merged[i - 1]["type"] == "hardBreak":
            node["text"] = node["text"].lstrip(" ")
        if i == len(merged) - 1:
            node["text"] = node["text"].rstrip(" ")
    return [n for n in merged if n["type"] != "text" or n["text"]]
