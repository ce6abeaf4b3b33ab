"""storage ↔ atlas_doc_format: the node and mark mapping, and round trips that keep meaning."""

from __future__ import annotations

import json
from typing import Any

import pytest

from localfluence.errors import BadRequest
from localfluence.xhtml.adf import to_adf
from localfluence.xhtml.adf_to_storage import from_adf, from_adf_json
from localfluence.xhtml.storage import parse
from localfluence.xhtml.text import plain_text
from tests.unit.xhtml.corpus import NAMES, document


def without_ids(node: Any) -> Any:
    """ADF with generated local ids removed (they are fresh on every conversion of id-less macros)."""
    if isinstance(node, dict):
        return {k: without_ids(v) for k, v in node.items() if k not in ("localId", "macroId")}
    if isinstance(node, list):
        return [without_ids(v) for v in node]
    return node


def adf_of(storage: str) -> dict[str, Any]:
    return to_adf(parse(storage))


def nodes(document: Any, kind: str) -> list[dict[str, Any]]:
    found = []
    if isinstance(document, dict):
        if document.get("type") == kind:
            found.append(document)
        for value in document.values():
            found.extend(nodes(value, kind))
    elif isinstance(document, list):
        for value in document:
            found.extend(nodes(value, kind))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_storage_adf_storage_preserves_meaning(name: str) -> None:
    first = to_adf(parse(document(name)))
    storage = from_adf(first)
    second = to_adf(parse(storage))
    assert without_ids(second) == without_ids(first)
    assert plain_text(parse(storage)).split() == plain_text(parse(from_adf(second))).split()


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_keeps_every_word(name: str) -> None:
    original = parse(document(name))
    assert plain_text(parse(from_adf(to_adf(original)))).split() == plain_text(original).split()


@pytest.mark.parametrize("name", NAMES)
def test_adf_is_valid_json_with_no_empty_text(name: str) -> None:
    document_ = json.loads(json.dumps(adf_of(document(name))))
    assert document_["type"] == "doc" and document_["version"] == 1
    for text in nodes(document_, "text"):
        assert text["text"], "ADF forbids empty text nodes"
    for item in nodes(document_, "listItem"):
        assert item["content"][0]["type"] == "paragraph"
    for cell in nodes(document_, "tableCell") + nodes(document_, "tableHeader"):
        assert cell["content"], "cells need a block"


def test_block_nodes() -> None:
    doc = adf_of(document("cloud-rich-page"))
    kinds = {n["type"] for n in doc["content"]}
    assert {"heading", "paragraph", "bulletList", "orderedList", "table", "taskList", "panel", "expand"} <= kinds
    assert {"codeBlock", "layoutSection", "decisionList", "rule", "blockquote", "extension"} <= kinds
    assert nodes(doc, "orderedList")[0]["attrs"] == {"order": 3}
    assert nodes(doc, "panel")[0]["attrs"] == {"panelType": "warning"}
    assert nodes(doc, "expand")[0]["attrs"] == {"title": "Details"}
    code = nodes(doc, "codeBlock")[0]
    assert code["attrs"] == {"language": "python"}
    assert code["content"][0]["text"].startswith("def main() -> None:\n    if a < b")
    assert [c["attrs"]["width"] for c in nodes(doc, "layoutColumn")] == [50, 50]
    decision = nodes(doc, "decisionItem")[0]
    assert decision["attrs"]["state"] == "DECIDED"


def test_table_cells_keep_their_attributes() -> None:
    table = nodes(adf_of(document("cloud-rich-page")), "table")[0]
    assert table["attrs"] == {"isNumberColumnEnabled": False, "layout": "wide"}
    first, second = table["content"][0], table["content"][1]
    assert first["content"][0]["type"] == "tableHeader"
    assert first["content"][1]["attrs"] == {"colspan": 2}
    assert second["content"][0]["attrs"] == {"rowspan": 2, "background": "#e3fcef"}


def test_inline_nodes_and_marks() -> None:
    doc = adf_of(document("cloud-rich-page"))
    mention = nodes(doc, "mention")[0]
    assert mention["attrs"]["id"] == "5b10ac8d82e05b22cc7d4ef5"
    assert nodes(doc, "date")[0]["attrs"] == {"timestamp": "1741910400000"}
    assert nodes(doc, "status")[0]["attrs"]["color"] == "green"
    assert nodes(doc, "status")[0]["attrs"]["text"] == "On track"
    emoji = nodes(doc, "emoji")
    assert emoji[0]["attrs"] == {"shortName": ":white_check_mark:", "id": "atlassian-check_mark", "text": "\u2705"}
    assert emoji[1]["attrs"]["shortName"] == ":rocket:"
    marks = {m["type"] for t in nodes(doc, "text") for m in t.get("marks", [])}
    assert {"strong", "em", "underline", "strike", "code", "subsup", "textColor", "backgroundColor", "link"} <= marks
    assert {"annotation"} <= marks
    colour = next(m for t in nodes(doc, "text") for m in t.get("marks", []) if m["type"] == "textColor")
    assert colour["attrs"] == {"color": "#ff5630"}
    assert nodes(doc, "inlineCard")[0]["attrs"] == {"url": "https://example.com/card"}
    assert nodes(doc, "placeholder")[0]["attrs"] == {"text": "Type something here"}
    media = nodes(doc, "mediaSingle")
    assert media[0]["content"][0]["attrs"]["__fileName"] == "diagram.png"
    assert media[1]["content"][0]["attrs"] == {"type": "external", "url": "https://example.com/logo.png"}


def test_tasks() -> None:
    doc = adf_of(document("nested-macros"))
    outer = nodes(doc, "taskList")[0]
    item, nested = outer["content"]
    assert item["attrs"] == {"localId": "7", "state": "TODO"}
    assert nested["type"] == "taskList"
    assert nested["content"][0]["attrs"] == {"localId": "8", "state": "DONE"}
    back = from_adf(doc)
    assert "<ac:task-id>8</ac:task-id><ac:task-status>complete</ac:task-status>" in back


def test_macros_become_extensions() -> None:
    doc = adf_of(document("macro-catalogue"))
    extensions = {n["attrs"]["extensionKey"]: n for n in nodes(doc, "extension") + nodes(doc, "bodiedExtension")}
    children = extensions["children"]["attrs"]
    assert children["extensionType"] == "com.atlassian.confluence.macro.core"
    assert children["parameters"]["macroParams"] == {"all": {"value": "true"}, "sort": {"value": "title"}}
    assert children["parameters"]["macroMetadata"]["macroId"] == {"value": "c0000000-0000-4000-8000-000000000001"}
    assert children["parameters"]["macroMetadata"]["schemaVersion"] == {"value": "2"}
    assert extensions["include"]["attrs"]["parameters"]["macroParams"][""] == {"value": "DOC:Shared footer"}
    assert extensions["my-company-widget"]["type"] == "bodiedExtension"
    assert extensions["noformat"]["attrs"]["text"] == "  preformatted   *not wiki*  "
    inline = nodes(doc, "inlineExtension")
    assert inline and inline[0]["attrs"]["extensionKey"] == "jira"
    back = from_adf(doc)
    assert '<ac:parameter ac:name=""><ac:link><ri:page ri:space-key="DOC" ri:content-title="Shared footer"/>' in back
    assert 'ac:macro-id="c0000000-0000-4000-8000-000000000001"' in back


def test_panels_with_titles_keep_them_as_extensions() -> None:
    doc = adf_of(document("sphinx-confluencebuilder"))
    info = [n for n in nodes(doc, "bodiedExtension") if n["attrs"]["extensionKey"] == "info"]
    assert info[0]["attrs"]["parameters"]["macroParams"]["title"] == {"value": "Note"}
    panels = [n["attrs"]["panelType"] for n in nodes(doc, "panel")]
    assert panels == ["note", "success", "warning"]


def test_links_travel_as_hrefs_and_come_back_as_references() -> None:
    storage = (
        '<p><ac:link><ri:page ri:space-key="ENG" ri:content-title="A/B Test"/></ac:link> '
        '<ac:link ac:anchor="sec"><ri:page ri:content-title="Rel"/><ac:plain-text-link-body><![CDATA[text]]>'
        "</ac:plain-text-link-body></ac:link> "
        '<ac:link><ri:attachment ri:filename="f.pdf"><ri:page ri:content-title="Owner"/></ri:attachment></ac:link> '
        '<ac:link><ri:blog-post ri:space-key="ENG" ri:posting-day="2024/01/02" ri:content-title="Blog"/></ac:link> '
        '<ac:link><ri:space ri:space-key="OPS"/></ac:link> <ac:link><ri:content-entity ri:content-id="7"/></ac:link> '
        '<a href="https://x.example/?a=1&amp;b=2">ext</a></p>'
    )
    hrefs = [m["attrs"]["href"] for t in nodes(adf_of(storage), "text") for m in t.get("marks", [])]
    assert hrefs == [
        "/wiki/display/ENG/A%2FB%20Test",
        "/wiki/display/Rel#sec",
        "/wiki/download/attachments/?filename=f.pdf&title=Owner",
        "/wiki/display/ENG/2024/01/02/Blog",
        "/wiki/spaces/OPS",
        "/wiki/pages/viewpage.action?pageId=7",
        "https://x.example/?a=1&b=2",
    ]
    back = from_adf(adf_of(storage))
    assert '<ri:page ri:space-key="ENG" ri:content-title="A/B Test"/>' in back
    assert '<ac:link ac:anchor="sec"><ri:page ri:content-title="Rel"/>' in back
    assert '<ri:attachment ri:filename="f.pdf"><ri:page ri:content-title="Owner"/></ri:attachment>' in back
    assert 'ri:posting-day="2024/01/02"' in back and '<ri:space ri:space-key="OPS"/>' in back
    assert '<ri:content-entity ri:content-id="7"/>' in back
    assert '<a href="https://x.example/?a=1&amp;b=2">ext</a>' in back


def test_adf_written_by_other_tools_converts() -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "marks": [{"type": "alignment", "attrs": {"align": "center"}}],
                "content": [
                    {
                        "type": "text",
                        "text": "bold link",
                        "marks": [{"type": "strong"}, {"type": "link", "attrs": {"href": "https://a.example"}}],
                    },
                    {"type": "hardBreak"},
                    {"type": "mention", "attrs": {"id": "acc-1", "text": "@Ann"}},
                    {"type": "emoji", "attrs": {"shortName": ":smile:", "id": "1f604", "text": "\U0001f604"}},
                    {"type": "date", "attrs": {"timestamp": "1704067200000"}},
                    {"type": "status", "attrs": {"text": "DONE", "color": "purple", "localId": "s1"}},
                    {"type": "inlineCard", "attrs": {"url": "https://card.example"}},
                    {
                        "type": "text",
                        "text": "x",
                        "marks": [
                            {"type": "subsup", "attrs": {"type": "sup"}},
                            {"type": "textColor", "attrs": {"color": "#ff0000"}},
                        ],
                    },
                ],
            },
            {"type": "rule"},
            {
                "type": "panel",
                "attrs": {"panelType": "error"},
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": "err"}]}],
            },
            {
                "type": "panel",
                "attrs": {"panelType": "custom", "panelColor": "#abcdef"},
                "content": [{"type": "paragraph"}],
            },
            {
                "type": "mediaSingle",
                "attrs": {"layout": "align-end"},
                "content": [
                    {
                        "type": "media",
                        "attrs": {
                            "type": "file",
                            "id": "uuid",
                            "collection": "contentId-1",
                            "alt": "pic.png",
                            "width": 100,
                        },
                    }
                ],
            },
            {
                "type": "mediaGroup",
                "content": [{"type": "media", "attrs": {"type": "file", "id": "u2", "__fileName": "doc.pdf"}}],
            },
            {"type": "blockCard", "attrs": {"url": "https://block.example"}},
            {
                "type": "someFutureNode",
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": "kept"}]}],
            },
        ],
    }
    storage = from_adf(doc)
    parse(storage)
    assert '<p style="text-align: center;"><strong><a href="https://a.example">bold link</a></strong><br/>' in storage
    assert '<ac:link><ri:user ri:account-id="acc-1"/></ac:link>' in storage
    assert '<ac:emoticon ac:name="blue-star" ac:emoji-shortname=":smile:" ac:emoji-id="1f604"' in storage
    assert '<time datetime="2024-01-01"/>' in storage
    assert '<ac:parameter ac:name="colour">Purple</ac:parameter>' in storage
    assert '<a href="https://card.example" data-card-appearance="inline">https://card.example</a>' in storage
    assert '<sup><span style="color: #ff0000;">x</span></sup>' in storage
    assert 'ac:name="warning"' in storage and '<ac:parameter ac:name="bgColor">#abcdef</ac:parameter>' in storage
    assert (
        '<ac:image ac:layout="align-end" ac:align="right" ac:width="100" ac:alt="pic.png">'
        '<ri:attachment ri:filename="pic.png"/>' in storage
    )
    assert '<ac:structured-macro ac:name="view-file"' in storage and 'ri:filename="doc.pdf"' in storage
    assert "<p>kept</p>" in storage


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        "[]",
        '{"type": "paragraph"}',
        '{"type": "doc", "content": "nope"}',
        '{"type":"doc","content":[{"type":"heading","attrs":{"level":"x"}}]}',
    ],
)
def test_bad_adf_is_a_400(value: str) -> None:
    with pytest.raises(BadRequest):
        from_adf_json(value)
