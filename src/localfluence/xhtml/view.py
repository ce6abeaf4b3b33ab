"""Storage → view, export_view, styled_view and anonymous_export_view HTML.

A pure function of the parsed document and what its references resolved to (references.Resolved);
macros render through xhtml.macros. The result always passes the sanitizer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import quote

from lxml import etree

from localfluence.xhtml import sanitize
from localfluence.xhtml.emoticons import emoticon_char
from localfluence.xhtml.references import (
    PageRef,
    Resolved,
    Target,
    attachment_ref,
    content_id,
    link_target,
    page_ref,
)
from localfluence.xhtml.storage import AC, AT, MACRO_TAGS, RI, ac, macro_of, parse, ri, task_id_of

VIEW_MODES = ("view", "export_view", "styled_view", "anonymous_export_view")
PASS_THROUGH = frozenset(
    """p h1 h2 h3 h4 h5 h6 strong b em i u s del strike sub sup code pre blockquote br hr small big ul ol li a
    span table colgroup col tbody thead tfoot tr th td caption div dl dt dd abbr cite kbd q samp var mark ins
    figure figcaption tt img details summary center font""".split()
)
VOID = frozenset(("br", "hr", "img", "col", "input"))
DROP = frozenset(("script", "style", "iframe", "object", "embed", "form", "input", "textarea", "button", "select"))
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
KEPT_ATTRIBUTES = {
    "*": ("class", "style", "title", "align", "dir"),
    "a": ("href", "name"),
    "img": ("src", "alt", "width", "height", "border"),
    "td": ("colspan", "rowspan", "valign", "data-highlight-colour"),
    "th": ("colspan", "rowspan", "scope", "valign", "data-highlight-colour"),
    "ol": ("start", "type"),
    "col": ("span", "width"),
    "colgroup": ("span",),
    "table": ("width", "border", "data-layout"),
    "blockquote": ("cite",),
}
MAX_INCLUDE_DEPTH = 3
_SPACES = re.compile(r"\s+")
_SIZE = re.compile(r"^\s*(\d{1,5})(?:\.\d+)?\s*(px)?\s*$")


@dataclass(frozen=True)
class ViewOptions:
    mode: str = "view"
    space_key: str | None = None
    title: str | None = None  # of the rendered content: prefixes heading and anchor ids
    content_id: int | None = None


def render(root: etree._Element, resolved: Resolved, options: ViewOptions) -> str:
    """The sanitized HTML of a parsed storage document."""
    html = Renderer(resolved, options).document(root)
    cleaned = sanitize.clean(html)
    if options.mode == "styled_view":
        return styled_document(cleaned, options.title or "")
    return cleaned


def render_storage(storage: str, resolved: Resolved, options: ViewOptions) -> str:
    return render(parse(storage), resolved, options)


def anchor_id(title: str | None, name: str) -> str:
    """Confluence's ids for headings and anchors: the page title and the name, spaces removed."""
    name = _SPACES.sub("", name)
    return f"{_SPACES.sub('', title)}-{name}" if title else name


class Renderer:
    def __init__(
        self,
        resolved: Resolved,
        options: ViewOptions,
        *,
        owner: PageRef | None = None,
        include_chain: frozenset[int] = frozenset(),
    ) -> None:
        self.resolved = resolved
        self.options = options
        self.space_key = options.space_key
        self.owner = owner
        self.include_chain = include_chain
        self.out: list[str] = []
        self.heading_ids: dict[etree._Element, str] = {}
        self.headings: list[tuple[int, str, str]] = []
        self.export = options.mode != "view"

    # --- entry points -----------------------------------------------------------------------

    def document(self, root: etree._Element) -> str:
        self._number_headings(root)
        self.children(root)
        return "".join(self.out)

    def _number_headings(self, root: etree._Element) -> None:
        used: dict[str, int] = {}
        for heading in root.iter(*HEADINGS):
            text = "".join(heading.itertext()).strip()
            base = anchor_id(self.options.title, text)
            count = used.get(base, 0)
            used[base] = count + 1
            identifier = base if count == 0 else f"{base}.{count}"
            self.heading_ids[heading] = identifier
            self.headings.append((int(heading.tag[1]), text, identifier))

    # --- output helpers used by macros ------------------------------------------------------

    def text(self, value: str | None) -> None:
        if value:
            self.out.append(escape(value, quote=False))

    def open(self, tag: str, attrs: dict[str, str | None] | None = None) -> None:
        if not attrs:
            self.out.append(f"<{tag}>")
            return
        rendered = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items() if v is not None)
        self.out.append(f"<{tag}{rendered}>")

    def close(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def element(self, tag: str, attrs: dict[str, str | None] | None, text: str | None) -> None:
        self.open(tag, attrs)
        self.text(text)
        self.close(tag)

    def link(self, href: str | None) -> str | None:
        """A site path made absolute for export, relative to the context for view."""
        if href is None:
            return None
        return self.resolved.base + href

    def children(self, element: etree._Element) -> None:
        self.text(element.text)
        for child in element:
            self.node(child)
            self.text(child.tail)

    def error_box(self, message: str) -> None:
        self.open("div", {"class": "conf-macro error-macro"})
        self.element("span", {"class": "error"}, message)
        self.close("div")

    # --- dispatch ---------------------------------------------------------------------------

    def node(self, element: etree._Element) -> None:
        tag = element.tag
        if not isinstance(tag, str):
            return  # comments and processing instructions
        if tag[0] != "{":
            self.html(element, tag)
            return
        namespace, _, local = tag[1:].partition("}")
        if namespace == AC:
            handler = AC_HANDLERS.get(local)
            if handler is not None:
                handler(self, element)
            elif tag in MACRO_TAGS:
                self.macro(element)
            else:
                self.children(element)
        elif namespace == RI:
            return
        elif namespace == AT:
            if local not in ("declarations", "var"):
                self.children(element)
        else:
            self.html(element, local)

    def html(self, element: etree._Element, tag: str) -> None:
        tag = tag.lower()
        if tag in DROP:
            return
        if tag not in PASS_THROUGH:
            if tag == "time":
                self.time(element)
            else:
                self.children(element)
            return
        if tag == "font":
            tag = "span"
        attrs: dict[str, str | None] = {}
        for name in KEPT_ATTRIBUTES["*"] + KEPT_ATTRIBUTES.get(tag, ()):
            value = element.get(name)
            if value is not None:
                attrs[name] = value
        if tag in HEADINGS and element in self.heading_ids:
            attrs["id"] = self.heading_ids[element]
        self.open(tag, attrs)
        if tag in VOID:
            return
        self.children(element)
        self.close(tag)

    def time(self, element: etree._Element) -> None:
        raw = element.get("datetime") or ""
        self.element("time", {"datetime": raw}, format_date(raw) or "".join(element.itertext()) or raw)

    def macro(self, element: etree._Element) -> None:
        from localfluence.xhtml.macros import render_macro

        render_macro(self, macro_of(element))

    # --- ac: elements -----------------------------------------------------------------------

    def ac_link(self, element: etree._Element) -> None:
        target = link_target(element)
        anchor = element.get(ac("anchor"))
        plain_body = None
        rich_body = None
        for child in element:
            if child.tag == ac("plain-text-link-body"):
                plain_body = child.text or ""
            elif child.tag == ac("link-body"):
                rich_body = child
        href, default_text, attrs = self.resolve_link(target, anchor)
        attrs["href"] = href
        if href is None:
            self.open("span", {"class": attrs.get("class", "unresolved")})
        else:
            self.open("a", attrs)
        if rich_body is not None and (rich_body.text or len(rich_body)):
            self.children(rich_body)
        elif plain_body:
            self.text(plain_body)
        else:
            self.text(default_text)
        self.close("span" if href is None else "a")

    def resolve_link(
        self, target: etree._Element | None, anchor: str | None
    ) -> tuple[str | None, str, dict[str, str | None]]:
        """(href or None, default link text, attributes) for an ac:link's target."""
        if target is None:
            if anchor:
                return f"#{anchor_id(self.options.title, anchor)}", anchor, {}
            return None, "", {}
        tag = target.tag
        if tag in (ri("page"), ri("blog-post")):
            ref = page_ref(target, self.space_key)
            if ref is None:
                return None, "", {}
            found = self.resolved.pages.get(ref)
            if found is not None:
                # Anchors are ids the target renders: its title and the anchor name, spaces removed.
                fragment = f"#{anchor_id(found.title, anchor)}" if anchor else ""
                return (
                    self.link(found.path) + fragment,  # type: ignore[operator]
                    found.title,
                    {"data-linked-resource-id": str(found.id), "data-linked-resource-type": found.type},
                )
            # Missing or invisible: the same "create page" link either way, so nothing leaks.
            create = f"/pages/createpage.action?spaceKey={quote(ref.space_key or '')}&title={quote(ref.title)}"
            return self.link(create), ref.title, {"class": "createlink"}
        if tag == ri("attachment"):
            attachment = attachment_ref(target, self.space_key, self.owner)
            file = self.resolved.attachments.get(attachment) if attachment else None
            if file is not None:
                return (
                    self.link(file.path),
                    file.filename,
                    {"data-linked-resource-id": str(file.id), "data-linked-resource-type": "attachment"},
                )
            return None, target.get(ri("filename"), ""), {"class": "unresolved"}
        if tag == ri("user"):
            account = target.get(ri("account-id")) or target.get(ri("userkey")) or ""
            user = self.resolved.users.get(account)
            attrs: dict[str, str | None] = {
                "class": "confluence-userlink user-mention",
                "data-account-id": account,
                "data-linked-resource-type": "userinfo",
            }
            name = user.display_name if user else "Unknown User"
            return self.link(f"/people/{quote(account, safe=':')}"), name, attrs
        if tag == ri("space"):
            key = target.get(ri("space-key"), "")
            space = self.resolved.spaces.get(key)
            if space is None:
                return None, key, {"class": "unresolved"}
            return self.link(f"/spaces/{quote(key)}"), space.name, {"data-linked-resource-type": "space"}
        if tag == ri("content-entity"):
            found_id = content_id(target)
            entity = self.resolved.contents.get(found_id) if found_id is not None else None
            if entity is None:
                return None, "", {"class": "unresolved"}
            return self.link(entity.path), entity.title, {"data-linked-resource-id": str(entity.id)}
        if tag == ri("url"):
            value = target.get(ri("value"), "")
            return value, value, {"class": "external-link"}
        if tag == ri("shortcut"):
            return None, target.get(ri("parameter"), ""), {"class": "unresolved"}
        return None, "", {}

    def ac_image(self, element: etree._Element) -> None:
        target = link_target(element)
        src = None
        filename = ""
        attrs: dict[str, str | None] = {"class": "confluence-embedded-image"}
        if target is not None and target.tag == ri("attachment"):
            ref = attachment_ref(target, self.space_key, self.owner)
            filename = target.get(ri("filename"), "")
            file = self.resolved.attachments.get(ref) if ref else None
            if file is not None:
                src = self.link(file.path)
                attrs["data-linked-resource-id"] = str(file.id)
                attrs["data-linked-resource-type"] = "attachment"
        elif target is not None and target.tag == ri("url"):
            src = target.get(ri("value"))
            attrs["class"] = "confluence-embedded-image confluence-external-resource"
        alt = element.get(ac("alt")) or element.get(ac("title")) or filename
        if src is None:
            self.element("span", {"class": "confluence-embedded-file-wrapper unresolved"}, filename or alt)
            return
        attrs["src"] = src
        attrs["alt"] = alt
        attrs["title"] = element.get(ac("title"))
        for name in ("width", "height"):
            size = _SIZE.match(element.get(ac(name)) or "")
            if size:
                attrs[name] = size.group(1)
        if element.get(ac("border")) == "true":
            attrs["class"] = f"{attrs['class']} confluence-content-image-border"
        align = element.get(ac("align")) or element.get(ac("layout"))
        wrapper = "confluence-embedded-file-wrapper"
        if align:
            wrapper += f" image-{re.sub(r'[^a-z-]', '', align.lower())}-wrapper"
        self.open("span", {"class": wrapper})
        self.open("img", attrs)
        self.close("span")

    def ac_task_list(self, element: etree._Element) -> None:
        self.open(
            "ul",
            {
                "class": "inline-task-list",
                "data-inline-tasks-content-id": str(self.options.content_id) if self.options.content_id else None,
            },
        )
        for task in element:
            if isinstance(task.tag, str) and task.tag == ac("task"):
                self.ac_task(task)
            elif isinstance(task.tag, str):
                self.node(task)
        self.close("ul")

    def ac_task(self, element: etree._Element) -> None:
        status = ""
        body = None
        for child in element:
            if child.tag == ac("task-status"):
                status = (child.text or "").strip()
            elif child.tag == ac("task-body"):
                body = child
        number = task_id_of(element)
        done = status == "complete"
        self.open(
            "li",
            {"class": "checked" if done else None, "data-inline-task-id": str(number) if number is not None else None},
        )
        self.open("input", {"type": "checkbox", "checked": "checked" if done else None, "disabled": "disabled"})
        self.text(" ")
        if body is not None:
            self.children(body)
        self.close("li")

    def ac_emoticon(self, element: etree._Element) -> None:
        name = element.get(ac("name")) or ""
        shortname = element.get(ac("emoji-shortname"))
        char = element.get(ac("emoji-fallback")) or emoticon_char(name, shortname)
        self.element(
            "span",
            {
                "class": f"emoticon emoticon-{re.sub(r'[^a-z0-9-]', '', name.lower()) or 'emoji'}",
                "data-emoji-short-name": shortname,
                "data-emoji-id": element.get(ac("emoji-id")),
                "title": shortname or name,
            },
            char,
        )

    def ac_layout(self, element: etree._Element) -> None:
        self.open("div", {"class": "contentLayout2"})
        self.children(element)
        self.close("div")

    def ac_layout_section(self, element: etree._Element) -> None:
        kind = re.sub(r"[^a-z_-]", "", (element.get(ac("type")) or "single").lower()).replace("_", "-")
        self.open("div", {"class": f"columnLayout {kind}", "data-layout": kind})
        self.children(element)
        self.close("div")

    def ac_layout_cell(self, element: etree._Element) -> None:
        self.open("div", {"class": "cell normal", "data-type": "normal"})
        self.open("div", {"class": "innerCell"})
        self.children(element)
        self.close("div")
        self.close("div")

    def ac_inline_comment_marker(self, element: etree._Element) -> None:
        self.open("span", {"class": "inline-comment-marker", "data-ref": element.get(ac("ref"))})
        self.children(element)
        self.close("span")

    def ac_adf_extension(self, element: etree._Element) -> None:
        fallback = next((c for c in element if c.tag == ac("adf-fallback")), None)
        if fallback is not None:
            self.children(fallback)
            return
        for content in element.iter(ac("adf-content")):
            self.children(content)

    def ac_nothing(self, element: etree._Element) -> None:
        return

    # --- includes ---------------------------------------------------------------------------

    def include(self, target: Target, storage: str) -> None:
        """Render another page's storage in place, as that page (its space, its attachments)."""
        from localfluence.errors import BadRequest
        from localfluence.xhtml.references import owner_ref

        if target.id in self.include_chain or len(self.include_chain) >= MAX_INCLUDE_DEPTH:
            self.error_box(f"Unable to render {{include}}: the page {target.title} includes itself.")
            return
        try:
            root = parse(storage)
        except BadRequest:
            self.error_box(f"Unable to render {{include}}: the page {target.title} has invalid content.")
            return
        inner = Renderer(
            self.resolved,
            ViewOptions(mode=self.options.mode, space_key=target.space_key, title=target.title, content_id=target.id),
            owner=owner_ref(target),
            include_chain=self.include_chain | {target.id},
        )
        inner._number_headings(root)
        inner.children(root)
        self.out.extend(inner.out)


AC_HANDLERS: dict[str, Callable[[Renderer, etree._Element], None]] = {
    "link": Renderer.ac_link,
    "image": Renderer.ac_image,
    "task-list": Renderer.ac_task_list,
    "task": Renderer.ac_task,
    "emoticon": Renderer.ac_emoticon,
    "placeholder": Renderer.ac_nothing,
    "parameter": Renderer.ac_nothing,
    "task-id": Renderer.ac_nothing,
    "task-uuid": Renderer.ac_nothing,
    "task-status": Renderer.ac_nothing,
    "layout": Renderer.ac_layout,
    "layout-section": Renderer.ac_layout_section,
    "layout-cell": Renderer.ac_layout_cell,
    "inline-comment-marker": Renderer.ac_inline_comment_marker,
    "adf-extension": Renderer.ac_adf_extension,
}


def format_date(value: str) -> str | None:
    try:
        day = date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    return f"{day.day:02d} {day.strftime('%b')} {day.year}"


STYLE = """body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
font-size:14px;line-height:1.714;color:#172b4d;margin:16px}
a{color:#0052cc;text-decoration:none}a.createlink{color:#de350b}
table{border-collapse:collapse}th,td{border:1px solid #c1c7d0;padding:7px 10px;vertical-align:top}
th{background:#f4f5f7;font-weight:bold}
pre{background:#f4f5f7;padding:8px;overflow:auto}code{font-family:SFMono-Medium,Menlo,Consolas,monospace}
.confluence-information-macro{border-radius:3px;padding:8px 12px;margin:8px 0}
.confluence-information-macro-information{background:#deebff}.confluence-information-macro-note{background:#eae6ff}
.confluence-information-macro-tip{background:#e3fcef}.confluence-information-macro-warning{background:#ffebe6}
.panel{border:1px solid #dfe1e6;border-radius:3px;margin:8px 0}.panelHeader{padding:6px 12px;font-weight:bold}
.panelContent{padding:8px 12px}.status-macro{font-size:11px;font-weight:bold;text-transform:uppercase;
padding:2px 4px;border-radius:3px;background:#dfe1e6}.aui-lozenge-success{background:#e3fcef;color:#006644}
.aui-lozenge-error{background:#ffebe6;color:#bf2600}.aui-lozenge-current{background:#fffae6;color:#ff8b00}
.aui-lozenge-complete{background:#deebff;color:#0747a6}.aui-lozenge-new{background:#eae6ff;color:#403294}
ul.inline-task-list{list-style:none;padding-left:8px}.columnLayout{display:flex;gap:16px}.cell{flex:1}
.unknown-macro,.error-macro{border:1px solid #de350b;padding:4px 8px;color:#de350b}"""


def styled_document(body: str, title: str) -> str:
    """styled_view: a complete HTML document with its CSS inline."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f'<body><div id="main-content" class="wiki-content">{body}</div></body></html>'
    )
