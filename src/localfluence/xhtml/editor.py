"""Storage ↔ editor, the legacy (TinyMCE) editor's HTML.

Macros become placeholders carrying data-macro-name / data-macro-id / data-macro-parameters
(`k=v|k2=v2`, with \\ escaping `|` `=` and `\\`), bodied macros a table.wysiwyg-macro whose
td.wysiwyg-macro-body holds the body; links, images, emoticons, tasks and layouts carry what
storage needs in data- attributes; anything else of the ac: vocabulary travels whole in a
data-storage attribute. Editor HTML from clients is parsed leniently (an HTML parser, no network,
no DTD). Guarded by tests/unit/xhtml/test_editor.py."""

from __future__ import annotations

from html import escape

from lxml import etree
from lxml import html as lxml_html

from localfluence.errors import BadRequest
from localfluence.xhtml.emoticons import emoticon_char
from localfluence.xhtml.storage import (
    AC,
    AT,
    MACRO_TAGS,
    RI,
    ac,
    is_element,
    macro_of,
    new_root,
    outer_storage,
    parse,
    ri,
    serialize,
    set_parameter_value,
    string_parameters,
    task_id_of,
    xml_safe,
)

PASS_THROUGH = frozenset(
    """p h1 h2 h3 h4 h5 h6 strong b em i u s del strike sub sup code pre blockquote br hr small big ul ol li a
    span table colgroup col tbody thead tfoot tr th td caption div time cite""".split()
)
KEPT = {
    "*": ("style", "title"),
    "a": ("href", "data-card-appearance"),
    "td": ("colspan", "rowspan", "data-highlight-colour"),
    "th": ("colspan", "rowspan", "data-highlight-colour"),
    "ol": ("start",),
    "table": ("data-layout", "data-number-column", "class"),
    "time": ("datetime",),
    "col": ("span", "style"),
}
VOID = frozenset(("br", "hr", "img", "col"))
LINK_ATTRS = ("space-key", "content-title", "posting-day", "filename", "account-id", "userkey", "content-id", "value")


def encode_parameters(params: dict[str, str]) -> str:
    def esc(value: str) -> str:
        return value.replace("\\", "\\\\").replace("|", "\\|").replace("=", "\\=")

    return "|".join(f"{esc(k)}={esc(v)}" for k, v in params.items())


def decode_parameters(raw: str) -> dict[str, str]:
    params: dict[str, str] = {}
    key: list[str] = []
    value: list[str] = []
    current = key
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            current.append(raw[i + 1])
            i += 2
            continue
        if ch == "=" and current is key:
            current = value
        elif ch == "|":
            if key or value:
                params["".join(key)] = "".join(value)
            key, value = [], []
            current = key
        else:
            current.append(ch)
        i += 1
    if key or value:
        params["".join(key)] = "".join(value)
    return params


# --- storage → editor -------------------------------------------------------------------------


def to_editor(root: etree._Element) -> str:
    out: list[str] = []
    _ToEditor(out).children(root)
    return "".join(out)


def _open(out: list[str], tag: str, attrs: dict[str, str | None] | None = None) -> None:
    rendered = "".join(f' {k}="{escape(v)}"' for k, v in (attrs or {}).items() if v is not None)
    out.append(f"<{tag}{rendered}>")


class _ToEditor:
    def __init__(self, out: list[str]) -> None:
        self.out = out

    def text(self, value: str | None) -> None:
        if value:
            self.out.append(escape(value, quote=False))

    def children(self, element: etree._Element) -> None:
        self.text(element.text)
        for child in element:
            if is_element(child):
                self.node(child)
            self.text(child.tail)

    def node(self, element: etree._Element) -> None:
        tag = element.tag
        if tag[0] != "{":
            self.html(element, tag.lower())
            return
        namespace = tag[1:].split("}", 1)[0]
        local = tag.rsplit("}", 1)[1]
        if tag in MACRO_TAGS:
            self.macro(element)
        elif namespace == AC and local == "link":
            self.link(element)
        elif namespace == AC and local == "image":
            self.image(element)
        elif namespace == AC and local == "emoticon":
            self.emoticon(element)
        elif namespace == AC and local == "task-list":
            self.task_list(element)
        elif namespace == AC and local == "placeholder":
            _open(self.out, "span", {"class": "text-placeholder", "data-placeholder-type": element.get(ac("type"))})
            self.children(element)
            self.out.append("</span>")
        elif namespace == AC and local == "layout":
            self.layout(element)
        elif namespace == AC and local == "inline-comment-marker":
            _open(self.out, "span", {"class": "inline-comment-marker", "data-ref": element.get(ac("ref"))})
            self.children(element)
            self.out.append("</span>")
        elif namespace in (AC, RI, AT):
            # No editor form: carry the storage along untouched.
            _open(self.out, "span", {"class": "editor-storage", "data-storage": outer_storage(element)})
            self.out.append("</span>")
        else:
            self.html(element, local.lower())

    def html(self, element: etree._Element, tag: str) -> None:
        if tag in DROPPED:
            return
        if tag not in PASS_THROUGH:
            self.children(element)
            return
        attrs = {n: element.get(n) for n in KEPT["*"] + KEPT.get(tag, ()) if element.get(n) is not None}
        _open(self.out, tag, attrs)  # type: ignore[arg-type]
        if tag in VOID:
            return
        self.children(element)
        self.out.append(f"</{tag}>")

    def macro(self, element: etree._Element) -> None:
        m = macro_of(element)
        attrs: dict[str, str | None] = {
            "data-macro-name": m.name,
            "data-macro-id": m.macro_id,
            "data-macro-parameters": encode_parameters(string_parameters(m)) or None,
            "data-macro-schema-version": element.get(ac("schema-version")),
        }
        if m.rich_body is None and m.plain_body is None:
            _open(
                self.out,
                "img",
                {
                    "class": "editor-inline-macro",
                    "src": f"/wiki/plugins/servlet/status-macro/placeholder?name={m.name}",
                    **attrs,
                },
            )
            return
        attrs["class"] = "wysiwyg-macro"
        attrs["data-macro-body-type"] = "RICH_TEXT" if m.rich_body is not None else "PLAIN_TEXT"
        _open(self.out, "table", attrs)
        self.out.append('<tbody><tr><td class="wysiwyg-macro-body">')
        if m.rich_body is not None:
            self.children(m.rich_body)
        else:
            self.out.append("<pre>")
            self.text(m.plain_body)
            self.out.append("</pre>")
        self.out.append("</td></tr></tbody></table>")

    def link(self, element: etree._Element) -> None:
        target = next((c for c in element if is_element(c) and c.tag.startswith(f"{{{RI}}}")), None)
        attrs: dict[str, str | None] = {"data-anchor": element.get(ac("anchor"))}
        default = ""
        if target is not None:
            kind = target.tag.rsplit("}", 1)[1]
            attrs["data-linked-resource-type"] = {"user": "userinfo", "blog-post": "blogpost"}.get(kind, kind)
            for name in LINK_ATTRS:
                if target.get(ri(name)) is not None:
                    attrs[f"data-{name}"] = target.get(ri(name))
            owner = next((c for c in target if is_element(c)), None)
            if owner is not None:
                attrs["data-owner-type"] = owner.tag.rsplit("}", 1)[1]
                attrs["data-owner-title"] = owner.get(ri("content-title"))
                attrs["data-owner-space-key"] = owner.get(ri("space-key"))
                attrs["data-owner-posting-day"] = owner.get(ri("posting-day"))
            default = (
                target.get(ri("content-title"))
                or target.get(ri("filename"))
                or target.get(ri("space-key"))
                or target.get(ri("account-id"))
                or target.get(ri("value"))
                or ""
            )
            if kind == "user":
                attrs["class"] = "confluence-userlink user-mention"
            if kind == "url":
                attrs["href"] = target.get(ri("value"))
        if "href" not in attrs:
            attrs["href"] = "#"
        plain = next((c for c in element if is_element(c) and c.tag == ac("plain-text-link-body")), None)
        rich = next((c for c in element if is_element(c) and c.tag == ac("link-body")), None)
        if rich is None and plain is None:
            attrs["data-linked-resource-default-alias"] = default
        _open(self.out, "a", attrs)
        if rich is not None:
            self.children(rich)
        elif plain is not None:
            self.text(plain.text)
        else:
            self.text(default or element.get(ac("anchor")))
        self.out.append("</a>")

    def image(self, element: etree._Element) -> None:
        attrs: dict[str, str | None] = {"class": "confluence-embedded-image"}
        for name, value in element.attrib.items():
            if name.startswith(f"{{{AC}}}"):
                attrs[f"data-ac-{name.rsplit('}', 1)[1]}"] = value
        target = next((c for c in element if is_element(c)), None)
        if target is not None and target.tag == ri("url"):
            attrs["class"] = "confluence-embedded-image confluence-external-resource"
            attrs["src"] = target.get(ri("value"))
        elif target is not None and target.tag == ri("attachment"):
            filename = target.get(ri("filename"), "")
            attrs["data-linked-resource-type"] = "attachment"
            attrs["data-linked-resource-default-alias"] = filename
            attrs["data-filename"] = filename
            owner = next((c for c in target if is_element(c)), None)
            if owner is not None:
                attrs["data-owner-type"] = owner.tag.rsplit("}", 1)[1]
                attrs["data-owner-title"] = owner.get(ri("content-title"))
                attrs["data-owner-space-key"] = owner.get(ri("space-key"))
                attrs["data-owner-posting-day"] = owner.get(ri("posting-day"))
            attrs["src"] = f"/wiki/download/attachments/?filename={filename}"
        width = element.get(ac("width"))
        if width and width.isdigit():
            attrs["width"] = width
        attrs["alt"] = element.get(ac("alt"))
        _open(self.out, "img", attrs)

    def emoticon(self, element: etree._Element) -> None:
        name = element.get(ac("name")) or ""
        attrs: dict[str, str | None] = {
            "class": f"emoticon emoticon-{name}",
            "data-emoticon-name": name,
            "src": f"/wiki/images/icons/emoticons/{name}.svg",
            "alt": emoticon_char(name, element.get(ac("emoji-shortname"))),
        }
        for key in ("emoji-shortname", "emoji-id", "emoji-fallback"):
            attrs[f"data-{key}"] = element.get(ac(key))
        _open(self.out, "img", attrs)

    def task_list(self, element: etree._Element) -> None:
        self.out.append('<ul class="inline-task-list">')
        for task in element:
            if not is_element(task) or task.tag != ac("task"):
                continue
            status = ""
            body = None
            for child in task:
                if is_element(child) and child.tag == ac("task-status"):
                    status = (child.text or "").strip()
                elif is_element(child) and child.tag == ac("task-body"):
                    body = child
            number = task_id_of(task)
            _open(
                self.out,
                "li",
                {
                    "data-inline-task-id": str(number) if number is not None else None,
                    "class": "checked" if status == "complete" else None,
                },
            )
            if body is not None:
                self.children(body)
            self.out.append("</li>")
        self.out.append("</ul>")

    def layout(self, element: etree._Element) -> None:
        self.out.append('<div class="contentLayout2">')
        for section in element:
            if not is_element(section) or section.tag != ac("layout-section"):
                continue
            kind = section.get(ac("type")) or "single"
            _open(
                self.out,
                "div",
                {
                    "class": f"columnLayout {kind.replace('_', '-')}",
                    "data-layout": kind,
                    "data-breakout-mode": section.get(ac("breakout-mode")),
                },
            )
            for cell in section:
                if is_element(cell) and cell.tag == ac("layout-cell"):
                    self.out.append('<div class="cell normal" data-type="normal"><div class="innerCell">')
                    self.children(cell)
                    self.out.append("</div></div>")
            self.out.append("</div>")
        self.out.append("</div>")


# --- editor → storage -------------------------------------------------------------------------

_HTML_PARSER = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, recover=True)
DROPPED = frozenset(("script", "style", "iframe", "object", "embed", "head", "title", "meta", "link", "noscript"))


def from_editor(markup: str) -> str:
    markup = xml_safe(markup)
    if not markup.strip():
        return ""
    try:
        document = lxml_html.document_fromstring(f"<html><body>{markup}</body></html>", parser=_HTML_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise BadRequest(f"Content body cannot be converted: invalid editor markup: {exc}") from None
    body = document.find("body")
    root = new_root()
    if body is not None:
        _FromEditor().children(body, root)
    storage = serialize(root)
    parse(storage)
    return storage


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _append_text(parent: etree._Element, value: str | None) -> None:
    if not value:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + value
    else:
        parent.text = (parent.text or "") + value


def _clean(value: str | None) -> str | None:
    return xml_safe(value) if value else value


class _FromEditor:
    def children(self, source: etree._Element, parent: etree._Element) -> None:
        _append_text(parent, _clean(source.text))
        for child in source:
            if is_element(child):
                self.node(child, parent)
            _append_text(parent, _clean(child.tail))

    def node(self, element: etree._Element, parent: etree._Element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        classes = _classes(element)
        if tag in DROPPED or not tag:
            return
        if element.get("data-storage") is not None:
            self.storage(element.get("data-storage") or "", parent)
        elif element.get("data-macro-name"):
            self.macro(element, parent)
        elif tag == "a" and (element.get("data-linked-resource-type") or element.get("data-anchor")):
            self.link(element, parent)
        elif tag == "img" and ("emoticon" in classes or element.get("data-emoticon-name")):
            self.emoticon(element, parent)
        elif tag == "img":
            self.image(element, parent)
        elif tag == "ul" and "inline-task-list" in classes:
            self.task_list(element, parent)
        elif tag == "span" and "text-placeholder" in classes:
            placeholder = etree.SubElement(parent, ac("placeholder"))
            if element.get("data-placeholder-type"):
                placeholder.set(ac("type"), element.get("data-placeholder-type", ""))
            placeholder.text = _clean(element.text_content())
        elif tag == "span" and "inline-comment-marker" in classes:
            marker = etree.SubElement(parent, ac("inline-comment-marker"), {ac("ref"): element.get("data-ref", "")})
            self.children(element, marker)
        elif tag == "div" and "contentLayout2" in classes:
            self.layout(element, parent)
        elif tag in PASS_THROUGH:
            attrs = {n: element.get(n, "") for n in KEPT["*"] + KEPT.get(tag, ()) if element.get(n) is not None}
            if tag == "a" and "href" not in attrs:
                self.children(element, parent)
                return
            copy = etree.SubElement(parent, tag, {k: _clean(v) or "" for k, v in attrs.items()})
            if tag not in VOID:
                self.children(element, copy)
        else:
            self.children(element, parent)

    def storage(self, value: str, parent: etree._Element) -> None:
        try:
            fragment = parse(value)
        except BadRequest:
            return
        _append_text(parent, fragment.text)
        for child in list(fragment):
            parent.append(child)

    def macro(self, element: etree._Element, parent: etree._Element) -> None:
        name = element.get("data-macro-name", "")
        attrs = {ac("name"): name}
        if element.get("data-macro-schema-version"):
            attrs[ac("schema-version")] = element.get("data-macro-schema-version", "1")
        if element.get("data-macro-id"):
            attrs[ac("macro-id")] = element.get("data-macro-id", "")
        macro = etree.SubElement(parent, ac("structured-macro"), attrs)
        for key, value in decode_parameters(element.get("data-macro-parameters") or "").items():
            set_parameter_value(etree.SubElement(macro, ac("parameter"), {ac("name"): key}), name, key, value)
        body = next((td for td in element.iter("td") if "wysiwyg-macro-body" in _classes(td)), None)
        if body is None:
            return
        if element.get("data-macro-body-type") == "PLAIN_TEXT":
            text = body.text_content()
            plain = etree.SubElement(macro, ac("plain-text-body"))
            plain.text = etree.CDATA(_clean(text) or "") if "]]>" not in text else _clean(text)
        else:
            self.children(body, etree.SubElement(macro, ac("rich-text-body")))

    def link(self, element: etree._Element, parent: etree._Element) -> None:
        kind = element.get("data-linked-resource-type") or ""
        attrs = {ac("anchor"): element.get("data-anchor", "")} if element.get("data-anchor") else {}
        link = etree.SubElement(parent, ac("link"), attrs)
        ri_kind = {"userinfo": "user", "blogpost": "blog-post"}.get(kind, kind)
        if ri_kind in ("page", "blog-post", "attachment", "user", "space", "content-entity", "url", "shortcut"):
            values = {ri(n): element.get(f"data-{n}", "") for n in LINK_ATTRS if element.get(f"data-{n}") is not None}
            target = etree.SubElement(link, ri(ri_kind), values)
            self.owner(element, target)
        text = element.text_content()
        default = element.get("data-linked-resource-default-alias")
        if default is not None and text == default and not len(element):
            return
        if len(element):
            self.children(element, etree.SubElement(link, ac("link-body")))
        elif text:
            body = etree.SubElement(link, ac("plain-text-link-body"))
            body.text = etree.CDATA(_clean(text) or "") if "]]>" not in text else _clean(text)

    def owner(self, element: etree._Element, target: etree._Element) -> None:
        if not element.get("data-owner-title"):
            return
        values = {ri("content-title"): element.get("data-owner-title", "")}
        if element.get("data-owner-space-key"):
            values[ri("space-key")] = element.get("data-owner-space-key", "")
        if element.get("data-owner-posting-day"):
            values[ri("posting-day")] = element.get("data-owner-posting-day", "")
        kind = "blog-post" if element.get("data-owner-type") == "blog-post" else "page"
        etree.SubElement(target, ri(kind), values)

    def emoticon(self, element: etree._Element, parent: etree._Element) -> None:
        attrs = {ac("name"): element.get("data-emoticon-name") or "smile"}
        for key in ("emoji-shortname", "emoji-id", "emoji-fallback"):
            if element.get(f"data-{key}"):
                attrs[ac(key)] = element.get(f"data-{key}", "")
        etree.SubElement(parent, ac("emoticon"), attrs)

    def image(self, element: etree._Element, parent: etree._Element) -> None:
        attrs = {}
        for name, value in element.attrib.items():
            if name.startswith("data-ac-"):
                attrs[ac(name[len("data-ac-") :])] = value
        if not attrs and element.get("width"):
            attrs[ac("width")] = element.get("width", "")
        image = etree.SubElement(parent, ac("image"), attrs)
        filename = element.get("data-filename") or (
            element.get("data-linked-resource-default-alias") if element.get("data-linked-resource-type") else None
        )
        if filename:
            target = etree.SubElement(image, ri("attachment"), {ri("filename"): filename})
            self.owner(element, target)
        else:
            etree.SubElement(image, ri("url"), {ri("value"): element.get("src", "")})

    def task_list(self, element: etree._Element, parent: etree._Element) -> None:
        tasks = etree.SubElement(parent, ac("task-list"))
        for item in element:
            if not is_element(item) or item.tag != "li":
                continue
            task = etree.SubElement(tasks, ac("task"))
            number = item.get("data-inline-task-id")
            if number and number.isdigit():
                etree.SubElement(task, ac("task-id")).text = number
            done = "checked" in _classes(item)
            etree.SubElement(task, ac("task-status")).text = "complete" if done else "incomplete"
            self.children(item, etree.SubElement(task, ac("task-body")))

    def layout(self, element: etree._Element, parent: etree._Element) -> None:
        layout = etree.SubElement(parent, ac("layout"))
        for section in element:
            if not is_element(section) or "columnLayout" not in _classes(section):
                continue
            attrs = {ac("type"): section.get("data-layout") or "single"}
            if section.get("data-breakout-mode"):
                attrs[ac("breakout-mode")] = section.get("data-breakout-mode", "")
            target = etree.SubElement(layout, ac("layout-section"), attrs)
            for cell in section:
                if not is_element(cell) or "cell" not in _classes(cell):
                    continue
                inner = next((c for c in cell if is_element(c) and "innerCell" in _classes(c)), cell)
                self.children(inner, etree.SubElement(target, ac("layout-cell")))
