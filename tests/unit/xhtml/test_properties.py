"""Property tests: no converter crashes on random well-formed storage (or random wiki, editor and
ADF input), every output is well-formed, and rendered output is always harmless."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from localfluence.errors import BadRequest
from localfluence.xhtml.adf import to_adf
from localfluence.xhtml.adf_to_storage import from_adf
from localfluence.xhtml.editor import from_editor, to_editor
from localfluence.xhtml.extract import extract
from localfluence.xhtml.references import Resolved, collect
from localfluence.xhtml.storage import ac, at, new_root, parse, prepare_for_save, ri, serialize
from localfluence.xhtml.text import plain_text
from localfluence.xhtml.view import ViewOptions, render
from localfluence.xhtml.wiki import wiki_to_storage
from tests.unit.xhtml.corpus import resolve_all
from tests.unit.xhtml.test_adf import without_ids
from tests.unit.xhtml.test_view import assert_harmless

# LOCALFLUENCE_HYPOTHESIS_EXAMPLES=5000 searches harder than the suite's quick default.
EXAMPLES = int(os.environ.get("LOCALFLUENCE_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text XML can carry (no control characters or surrogates), with markup characters on purpose.
TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff", whitelist_characters="\n\t"
    )
    | st.sampled_from("<>&\"']]>{}[]|*_-+^~!\\"),
    max_size=20,
)
# A node is text or (template, value, children): templates are cheap to draw and build() turns
# each into the storage construct it names, so the search covers the whole vocabulary quickly.
HTML = [
    "p",
    "h1",
    "h3",
    "strong",
    "em",
    "u",
    "s",
    "code",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "table",
    "tbody",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "div",
    "br",
    "hr",
    "script",
    "img",
    "unknown",
    "time",
    "span",
    "a",
]
MACROS = [
    "code",
    "noformat",
    "info",
    "note",
    "tip",
    "warning",
    "panel",
    "expand",
    "toc",
    "status",
    "anchor",
    "children",
    "include",
    "excerpt",
    "excerpt-include",
    "jira",
    "attachments",
    "gallery",
    "contentbylabel",
    "recently-updated",
    "profile",
    "view-file",
    "section",
    "column",
    "details",
    "unknown-macro",
    "",
]
REFERENCES = ["page", "user", "attachment", "space", "url", "content-entity", "blog-post"]
TEMPLATES = (
    HTML
    + [f"macro:{m}" for m in MACROS]
    + [f"plain-macro:{m}" for m in MACROS[:6]]
    + [f"link:{r}" for r in REFERENCES]
    + [f"link-body:{r}" for r in REFERENCES]
    + [
        "image:attachment",
        "image:url",
        "task",
        "emoticon",
        "placeholder",
        "layout",
        "comment",
        "decision",
        "var",
        "ri:page",
        "parameter",
        "styled",
        "colspan",
    ]
)
VALUES = st.one_of(TEXT, st.sampled_from(["2", "0", "-1", "center", "javascript:alert(1)", "#fff", "smile", "ENG"]))
NODES = st.recursive(
    TEXT,
    lambda inner: st.tuples(st.sampled_from(TEMPLATES), VALUES, st.lists(inner, max_size=3)),
    max_leaves=20,
)
DOCUMENTS = st.lists(NODES, max_size=5)


def qualified(name: str) -> str:
    prefix, _, local = name.partition(":")
    if not local:
        return name
    return {"ac": ac, "ri": ri, "at": at}[prefix](local)


def sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, qualified(tag))
    for key, value in attrs.items():
        element.set(qualified(key.replace("_", ":", 1).replace("_", "-")), value)
    return element


def reference(parent: etree._Element, kind: str, value: str) -> None:
    attrs = {
        "page": {"ri_content_title": value},
        "user": {"ri_account_id": value},
        "attachment": {"ri_filename": value},
        "space": {"ri_space_key": value},
        "url": {"ri_value": value},
        "content-entity": {"ri_content_id": value},
        "blog-post": {"ri_content_title": value, "ri_posting_day": "2024/01/02"},
    }[kind]
    sub(parent, f"ri:{kind}", **attrs)


def build(parent: etree._Element, node: Any) -> None:
    if isinstance(node, str):
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + node
        else:
            parent.text = (parent.text or "") + node
        return
    template, value, children = node
    kind, _, detail = template.partition(":")
    holder = parent
    if template in HTML:
        holder = sub(parent, template)
        if template == "a":
            holder.set("href", value)
        elif template == "time":
            holder.set("datetime", value)
    elif kind in ("macro", "plain-macro"):
        macro = sub(parent, "ac:structured-macro", ac_name=detail)
        sub(macro, "ac:parameter", ac_name="title").text = value
        if kind == "plain-macro":
            sub(macro, "ac:plain-text-body").text = etree.CDATA(value) if "]]>" not in value else value
            return
        holder = sub(macro, "ac:rich-text-body")
    elif kind in ("link", "link-body"):
        link = sub(parent, "ac:link")
        reference(link, detail, value)
        if kind == "link":
            sub(link, "ac:plain-text-link-body").text = etree.CDATA(value) if "]]>" not in value else value
            return
        holder = sub(link, "ac:link-body")
    elif kind == "image":
        reference(sub(parent, "ac:image", ac_width=value), detail, value)
    elif template == "task":
        task = sub(sub(parent, "ac:task-list"), "ac:task")
        sub(task, "ac:task-id").text = "1"
        sub(task, "ac:task-status").text = value
        holder = sub(task, "ac:task-body")
    elif template == "emoticon":
        sub(parent, "ac:emoticon", ac_name=value)
    elif template == "placeholder":
        holder = sub(parent, "ac:placeholder")
    elif template == "layout":
        section = sub(sub(parent, "ac:layout"), "ac:layout-section", ac_type=value)
        holder = sub(section, "ac:layout-cell")
    elif template == "comment":
        holder = sub(parent, "ac:inline-comment-marker", ac_ref=value)
    elif template == "decision":
        extension = sub(parent, "ac:adf-extension")
        item = sub(sub(extension, "ac:adf-node", type="decision-list"), "ac:adf-node", type="decision-item")
        holder = sub(item, "ac:adf-content")
    elif template == "var":
        sub(parent, "at:var", at_name=value)
    elif template == "ri:page":
        reference(parent, "page", value)
    elif template == "parameter":
        holder = sub(parent, "ac:parameter", ac_name=value)
    elif template == "styled":
        holder = sub(parent, "span", style=f"color: {value}")
    elif template == "colspan":
        holder = sub(parent, "td", colspan=value, rowspan=value)
    for child in children:
        build(holder, child)


def storage_of(nodes: list[Any]) -> str:
    root = new_root()
    for node in nodes:
        build(root, node)
    return serialize(root)


@SETTINGS
@given(DOCUMENTS)
def test_rendering_never_crashes_and_is_always_harmless(nodes: list[Any]) -> None:
    storage = storage_of(nodes)
    root = parse(storage)
    for resolved in (Resolved(base="/wiki"), resolve_all(collect(root, "ENG"))):
        for mode in ("view", "export_view", "styled_view"):
            html = render(root, resolved, ViewOptions(mode=mode, space_key="ENG", title="T", content_id=1))
            if html.strip():
                assert_harmless(html)


@SETTINGS
@given(DOCUMENTS)
def test_adf_round_trips_are_stable(nodes: list[Any]) -> None:
    root = parse(storage_of(nodes))
    once = from_adf(to_adf(root))
    twice = from_adf(to_adf(parse(once)))
    assert without_ids(to_adf(parse(twice))) == without_ids(to_adf(parse(once)))


@SETTINGS
@given(DOCUMENTS)
def test_editor_text_extraction_and_save_never_crash(nodes: list[Any]) -> None:
    storage = storage_of(nodes)
    root = parse(storage)
    back = from_editor(to_editor(root))
    if back:
        parse(back)
    plain_text(root)
    extract(storage, "ENG")
    saved = prepare_for_save(storage)
    parse(saved) if saved.strip() else None


@SETTINGS
@given(
    st.text(max_size=200)
    | st.lists(
        st.sampled_from(
            [
                "h1. ",
                "* ",
                "# ",
                "||",
                "|",
                "{code}",
                "{panel:title=x}",
                "{panel}",
                "{info}",
                "[",
                "]",
                "!",
                "*",
                "_",
                "-",
                "{{",
                "}}",
                "\\\\",
                "\n",
                "\n\n",
                "x",
                "bq. ",
                "----",
                "{color:red}",
                "{color}",
                "(/)",
                "[~a]",
                "[^f]",
                "^",
                "~",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_wiki_always_makes_valid_storage(markup: str) -> None:
    storage = wiki_to_storage(markup)
    if storage:
        parse(storage)


@SETTINGS
@given(
    st.text(max_size=200)
    | st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<b>",
                "<table>",
                "<td>",
                "<tr>",
                "&nbsp;",
                "&",
                "<",
                ">",
                "x",
                '<a href="#" data-linked-resource-type="page">',
                '<img class="emoticon">',
                '<table data-macro-name="m" data-macro-parameters="a=b|\\">',
                '<td class="wysiwyg-macro-body">',
                '<span data-storage="&lt;p&gt;">',
                '<ul class="inline-task-list"><li>',
                "<script>",
                "<!--",
                "]]>",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_editor_input_always_makes_valid_storage(markup: str) -> None:
    storage = from_editor(markup)
    if storage:
        parse(storage)


ADF_NODES = st.recursive(
    st.fixed_dictionaries({"type": st.just("text"), "text": st.text(max_size=10)})
    | st.fixed_dictionaries({"type": st.sampled_from(["hardBreak", "rule", "mention", "emoji", "date", "status"])}),
    lambda inner: st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "paragraph",
                    "heading",
                    "bulletList",
                    "orderedList",
                    "listItem",
                    "table",
                    "tableRow",
                    "tableCell",
                    "panel",
                    "expand",
                    "taskList",
                    "taskItem",
                    "codeBlock",
                    "blockquote",
                    "bodiedExtension",
                    "layoutSection",
                    "layoutColumn",
                    "mediaSingle",
                    "decisionList",
                    "unknownThing",
                ]
            ),
            "content": st.lists(inner, max_size=3),
            "attrs": st.dictionaries(
                st.sampled_from(
                    [
                        "level",
                        "order",
                        "panelType",
                        "title",
                        "language",
                        "localId",
                        "state",
                        "width",
                        "colspan",
                        "layout",
                        "extensionKey",
                        "timestamp",
                        "color",
                        "text",
                        "id",
                    ]
                ),
                st.one_of(st.integers(-5, 10), st.text(max_size=5), st.none()),
                max_size=3,
            ),
            "marks": st.lists(
                st.fixed_dictionaries(
                    {"type": st.sampled_from(["strong", "link", "textColor", "alignment", "subsup", "bogus"])}
                ),
                max_size=2,
            ),
        }
    ),
    max_leaves=20,
)


@SETTINGS
@given(st.lists(ADF_NODES, max_size=4))
def test_any_adf_converts_or_is_a_400(content: list[Any]) -> None:
    try:
        storage = from_adf({"type": "doc", "version": 1, "content": content})
    except BadRequest:
        return
    if storage:
        parse(storage)
