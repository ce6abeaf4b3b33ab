"""Macros in view output: one small render function per macro, looked up by name. Unknown macros
render as Confluence's "unknown macro" box; macros that need other content read it from the
renderer's Resolved (already filtered by what the viewer may see)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from localfluence.xhtml.references import (
    AttachmentRef,
    FileTarget,
    Target,
    children_depth,
    label_query,
    macro_page,
    recent_key,
)
from localfluence.xhtml.storage import Macro

if TYPE_CHECKING:
    from localfluence.xhtml.view import Renderer

MacroRenderer = Callable[["Renderer", Macro], None]
MACROS: dict[str, MacroRenderer] = {}

_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|rgba?\([\d\s.,%]+\)|[a-zA-Z]{3,20})$")
_LANGUAGE = re.compile(r"[^a-z0-9#+_-]")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp")


def macro(*names: str) -> Callable[[MacroRenderer], MacroRenderer]:
    def register(fn: MacroRenderer) -> MacroRenderer:
        for name in names:
            MACROS[name] = fn
        return fn

    return register


def render_macro(r: Renderer, m: Macro) -> None:
    fn = MACROS.get(m.name)
    if fn is None:
        unknown(r, m)
        return
    fn(r, m)


def unknown(r: Renderer, m: Macro) -> None:
    r.open("div", {"class": "conf-macro unknown-macro", "data-macro-name": m.name or None})
    r.element("span", {"class": "error"}, f"Unknown macro: '{m.name}'")
    r.close("div")


def _attrs(m: Macro, css: str, block: bool = True) -> dict[str, str | None]:
    return {
        "class": f"conf-macro output-{'block' if block else 'inline'} {css}".strip(),
        "data-macro-name": m.name,
        "data-macro-id": m.macro_id,
    }


def _colour(value: str | None) -> str | None:
    if value and _COLOUR.match(value.strip()):
        return value.strip()
    return None


def _body(r: Renderer, m: Macro) -> None:
    if m.rich_body is not None:
        r.children(m.rich_body)
    elif m.plain_body:
        r.element("p", None, m.plain_body)


# --- text and panels ------------------------------------------------------------------------


@macro("code")
def code(r: Renderer, m: Macro) -> None:
    language = _LANGUAGE.sub("", (m.params.get("language") or "text").lower()) or "text"
    gutter = "true" if (m.params.get("linenumbers") or "").lower() == "true" else "false"
    theme = re.sub(r"[^A-Za-z]", "", m.params.get("theme") or "Confluence") or "Confluence"
    first = re.sub(r"\D", "", m.params.get("firstline") or "")
    r.open("div", _attrs(m, "code panel pdl"))
    if m.params.get("title"):
        r.open("div", {"class": "codeHeader panelHeader pdl"})
        r.element("b", None, m.params["title"])
        r.close("div")
    r.open("div", {"class": "codeContent panelContent pdl"})
    params = f"brush: {language}; gutter: {gutter}; theme: {theme}"
    if first:
        params += f"; first-line: {first}"
    r.open("pre", {"class": "syntaxhighlighter-pre", "data-syntaxhighlighter-params": params, "data-theme": theme})
    r.open("code", {"class": f"language-{language}"})
    r.text(m.plain_body if m.plain_body is not None else _rich_text(m))
    r.close("code")
    r.close("pre")
    r.close("div")
    r.close("div")


def _rich_text(m: Macro) -> str:
    return "".join(m.rich_body.itertext()) if m.rich_body is not None else ""


@macro("noformat")
def noformat(r: Renderer, m: Macro) -> None:
    r.open("div", _attrs(m, "preformatted panel"))
    r.open("div", {"class": "preformattedContent panelContent"})
    r.element("pre", None, m.plain_body if m.plain_body is not None else _rich_text(m))
    r.close("div")
    r.close("div")


_ADMONITIONS = {"info": "information", "note": "note", "tip": "tip", "warning": "warning"}
_ICONS = {"info": "info", "note": "warning", "tip": "check", "warning": "error"}


@macro("info", "note", "tip", "warning")
def admonition(r: Renderer, m: Macro) -> None:
    kind = _ADMONITIONS[m.name]
    r.open("div", _attrs(m, f"confluence-information-macro confluence-information-macro-{kind}"))
    if m.params.get("title"):
        r.element("p", {"class": "title"}, m.params["title"])
    if (m.params.get("icon") or "true").lower() != "false":
        r.element(
            "span",
            {"class": f"aui-icon aui-icon-small aui-iconfont-{_ICONS[m.name]} confluence-information-macro-icon"},
            None,
        )
    r.open("div", {"class": "confluence-information-macro-body"})
    _body(r, m)
    r.close("div")
    r.close("div")


@macro("panel")
def panel(r: Renderer, m: Macro) -> None:
    background = _colour(m.params.get("bgColor"))
    border = _colour(m.params.get("borderColor"))
    style = ""
    if background:
        style += f"background-color: {background};"
    if border:
        style += f"border-color: {border};"
    r.open("div", {**_attrs(m, "panel"), "style": style or None})
    if m.params.get("title"):
        title_colour = _colour(m.params.get("titleBGColor"))
        r.open("div", {"class": "panelHeader", "style": f"background-color: {title_colour};" if title_colour else None})
        r.element("b", None, m.params["title"])
        r.close("div")
    r.open("div", {"class": "panelContent", "style": f"background-color: {background};" if background else None})
    _body(r, m)
    r.close("div")
    r.close("div")


@macro("expand")
def expand(r: Renderer, m: Macro) -> None:
    # A <details> element opens and closes without scripts; export output is static, so open.
    attrs = _attrs(m, "expand-container")
    if r.export:
        attrs["open"] = "open"
    r.open("details", attrs)
    r.element("summary", {"class": "expand-control-text"}, m.params.get("title") or "Click here to expand...")
    r.open("div", {"class": "expand-content"})
    _body(r, m)
    r.close("div")
    r.close("details")


@macro("quote")
def quote_macro(r: Renderer, m: Macro) -> None:
    r.open("blockquote")
    _body(r, m)
    r.close("blockquote")


@macro("section")
def section(r: Renderer, m: Macro) -> None:
    r.open("div", _attrs(m, "columnLayout section"))
    _body(r, m)
    r.close("div")


@macro("column")
def column(r: Renderer, m: Macro) -> None:
    width = m.params.get("width") or ""
    size = re.match(r"^\s*(\d{1,4}(?:\.\d+)?)\s*(px|%)?\s*$", width)
    r.open(
        "div",
        {**_attrs(m, "cell column"), "style": f"width: {size.group(1)}{size.group(2) or 'px'};" if size else None},
    )
    _body(r, m)
    r.close("div")


@macro("details")
def details(r: Renderer, m: Macro) -> None:
    r.open("div", {**_attrs(m, "plugin-tabmeta-details"), "data-details-id": m.params.get("id")})
    _body(r, m)
    r.close("div")


@macro("excerpt")
def excerpt(r: Renderer, m: Macro) -> None:
    if (m.params.get("hidden") or "").lower() == "true":
        return
    inline = (m.params.get("atlassian-macro-output-type") or "").upper() == "INLINE"
    tag = "span" if inline else "div"
    r.open(tag, _attrs(m, "excerpt", block=not inline))
    _body(r, m)
    r.close(tag)


# --- inline lozenges and links --------------------------------------------------------------

_STATUS = {
    "grey": "default",
    "gray": "default",
    "red": "error",
    "yellow": "current",
    "green": "success",
    "blue": "complete",
    "purple": "new",
}


@macro("status")
def status(r: Renderer, m: Macro) -> None:
    colour = _STATUS.get((m.params.get("colour") or m.params.get("color") or "grey").lower(), "default")
    css = f"status-macro aui-lozenge aui-lozenge-{colour}"
    if (m.params.get("subtle") or "").lower() == "true":
        css += " aui-lozenge-subtle"
    r.element("span", {"class": css, "data-macro-name": "status"}, (m.params.get("title") or colour).upper())


@macro("anchor")
def anchor(r: Renderer, m: Macro) -> None:
    from localfluence.xhtml.view import anchor_id

    name = m.default_param or ""
    r.element("span", {"class": "confluence-anchor-link", "id": anchor_id(r.options.title, name)}, None)


@macro("jira")
def jira(r: Renderer, m: Macro) -> None:
    server = (m.params.get("server") or "").strip()
    base = server if server.startswith(("http://", "https://")) else ""
    key = (m.params.get("key") or "").strip()
    r.open("span", {**_attrs(m, "jira-issue", block=False), "data-jira-key": key or None})
    if key:
        r.element("a", {"class": "jira-issue-key", "href": f"{base}/browse/{quote(key)}"}, key)
    else:
        jql = m.params.get("jqlQuery") or ""
        r.element("a", {"class": "jira-issues", "href": f"{base}/issues/?jql={quote(jql)}"}, jql or "Jira issues")
    r.close("span")


@macro("profile", "profile-picture")
def profile(r: Renderer, m: Macro) -> None:
    account = m.params.get("user") or ""
    user = r.resolved.users.get(account)
    r.open("div", _attrs(m, "vcard profile-macro"))
    r.element(
        "a",
        {
            "class": "confluence-userlink user-mention",
            "data-account-id": account,
            "href": r.link(f"/people/{quote(account, safe=':')}"),
        },
        user.display_name if user else "Unknown User",
    )
    r.close("div")


@macro("view-file", "viewpdf", "view-pdf", "viewdoc", "viewxls", "viewppt", "multimedia")
def view_file(r: Renderer, m: Macro) -> None:
    name = m.params.get("name") or m.default_param or ""
    owner = macro_page(m.element, r.space_key, "page") or r.owner
    file = r.resolved.attachments.get(AttachmentRef(name, owner)) if name else None
    r.open("span", _attrs(m, "confluence-embedded-file-wrapper", block=False))
    if file is None:
        r.element("span", {"class": "unresolved"}, name)
    else:
        r.element("a", {"class": "confluence-embedded-file", "href": r.link(file.path)}, file.filename)
    r.close("span")


# --- macros that list other content ---------------------------------------------------------


@macro("toc", "toc-zone")
def toc(r: Renderer, m: Macro) -> None:
    low = _level(m.params.get("minLevel"), 1)
    high = _level(m.params.get("maxLevel"), 7)
    headings = [(level, text, ident) for level, text, ident in r.headings if low <= level <= high and text]
    r.open("div", _attrs(m, "toc-macro client-side-toc-macro"))
    if (m.params.get("type") or "").lower() == "flat":
        separator = {"brackets": "] [", "braces": "} {", "parens": ") (", "pipe": " | "}.get(
            (m.params.get("separator") or "brackets").lower(), " | "
        )
        r.open("span", {"class": "toc-flat"})
        for i, (_, text, ident) in enumerate(headings):
            if i:
                r.text(separator)
            r.element("a", {"href": f"#{ident}"}, text)
        r.close("span")
    else:
        tag = "ol" if (m.params.get("style") or "").lower() in ("decimal", "numbered") else "ul"
        _nested_list(r, [(level, (text, f"#{ident}")) for level, text, ident in headings], tag)
    r.close("div")


def _level(value: str | None, default: int) -> int:
    try:
        return max(1, min(int(value or default), 7))
    except ValueError:
        return default


def _nested_list(r: Renderer, items: list[tuple[int, tuple[str, str | None]]], tag: str = "ul") -> None:
    """Items with levels as nested lists; every nested list sits inside an item, as HTML wants."""
    if not items:
        return
    base = min(level for level, _ in items)
    item_open: list[bool] = []  # one entry per open list: whether its last item is still open
    for level, (text, href) in items:
        depth = level - base + 1
        if not item_open:
            r.open(tag)
            item_open.append(False)
        while len(item_open) < depth:
            if not item_open[-1]:
                r.open("li")
                item_open[-1] = True
            r.open(tag)
            item_open.append(False)
        while len(item_open) > depth:
            if item_open.pop():
                r.close("li")
            r.close(tag)
        if item_open[-1]:
            r.close("li")
        r.open("li")
        if href is not None:
            r.element("a", {"href": href}, text)
        else:
            r.text(text)
        item_open[-1] = True
    while item_open:
        if item_open.pop():
            r.close("li")
        r.close(tag)


def _content_list(r: Renderer, m: Macro, css: str, targets: list[Target]) -> None:
    r.open("div", _attrs(m, css))
    if targets:
        r.open("ul")
        for target in targets:
            r.open("li")
            r.element("a", {"href": r.link(target.path)}, target.title)
            r.close("li")
        r.close("ul")
    r.close("div")


@macro("children", "pagetree")
def children(r: Renderer, m: Macro) -> None:
    parent = macro_page(m.element, r.space_key, "page") or macro_page(m.element, r.space_key, "root") or r.owner
    found = r.resolved.children.get((parent, children_depth(m.params)), [])
    r.open("div", _attrs(m, "childpages-macro"))
    _nested_list(r, [(depth, (t.title, r.link(t.path))) for t, depth in found])
    r.close("div")


@macro("recently-updated")
def recently_updated(r: Renderer, m: Macro) -> None:
    targets = r.resolved.recently_updated.get(recent_key(m.params, r.space_key), [])
    _content_list(r, m, "recently-updated", targets)


@macro("contentbylabel")
def content_by_label(r: Renderer, m: Macro) -> None:
    query = label_query(m.params, r.space_key)
    _content_list(r, m, "content-by-label", r.resolved.label_lists.get(query, []) if query else [])


def _attachment_list(r: Renderer, m: Macro) -> list[FileTarget]:
    owner = macro_page(m.element, r.space_key, "page") or r.owner
    return r.resolved.attachment_lists.get(owner, [])


@macro("attachments")
def attachments(r: Renderer, m: Macro) -> None:
    files = _attachment_list(r, m)
    r.open("div", _attrs(m, "plugin_attachments_container"))
    r.open("table", {"class": "attachments aui"})
    r.open("thead")
    r.open("tr")
    r.element("th", None, "File")
    r.element("th", None, "Version")
    r.close("tr")
    r.close("thead")
    r.open("tbody")
    for file in files:
        r.open("tr")
        r.open("td")
        r.element("a", {"href": r.link(file.path)}, file.filename)
        r.close("td")
        r.element("td", None, str(file.version))
        r.close("tr")
    r.close("tbody")
    r.close("table")
    r.close("div")


@macro("gallery")
def gallery(r: Renderer, m: Macro) -> None:
    files = [f for f in _attachment_list(r, m) if f.filename.lower().endswith(_IMAGE_SUFFIXES)]
    r.open("div", _attrs(m, "gallery"))
    for file in files:
        r.open("img", {"src": r.link(file.path), "alt": file.filename, "class": "gallery-image"})
    r.close("div")


@macro("include")
def include(r: Renderer, m: Macro) -> None:
    ref = macro_page(m.element, r.space_key)
    found = r.resolved.includes.get(ref) if ref else None
    if found is None:
        title = ref.title if ref else ""
        r.error_box(f"Unable to render {{include}} The included page could not be found: {title}")
        return
    r.open("div", _attrs(m, "include"))
    r.include(*found)
    r.close("div")


@macro("excerpt-include")
def excerpt_include(r: Renderer, m: Macro) -> None:
    ref = macro_page(m.element, r.space_key)
    found = r.resolved.excerpts.get(ref) if ref else None
    if found is None:
        title = ref.title if ref else ""
        r.error_box(f"Unable to render {{excerpt-include}}. Couldn't find a page: {title}")
        return
    target, excerpt_storage = found
    nopanel = (m.params.get("nopanel") or "").lower() == "true"
    r.open("div", _attrs(m, "excerpt-include" if nopanel else "panel excerpt-include"))
    if not nopanel:
        r.open("div", {"class": "panelHeader"})
        r.element("b", None, target.title)
        r.close("div")
    if excerpt_storage:
        r.include(target, excerpt_storage)
    r.close("div")


@macro("detailssummary", "tasks-report-macro", "livesearch", "pagetreesearch", "create-from-template", "blog-posts")
def dynamic_placeholder(r: Renderer, m: Macro) -> None:
    # Known macros whose output needs services this server does not render: an empty box.
    r.element("div", {**_attrs(m, "macro-placeholder")}, None)
