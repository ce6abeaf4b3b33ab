"""Parsing storage: namespaces, entities, Confluence-worded errors with positions, hostile input,
and the ids Confluence adds on save."""

from __future__ import annotations

import pytest

from localfluence.errors import BadRequest
from localfluence.xhtml.storage import (
    MAX_DEPTH,
    XhtmlError,
    ac,
    find_macro,
    inner_storage,
    macro_of,
    parse,
    prepare_for_save,
    ri,
    serialize,
    string_parameters,
)
from tests.unit.xhtml.corpus import NAMES, document


@pytest.mark.parametrize("name", NAMES)
def test_corpus_parses_and_serializes_back(name: str) -> None:
    root = parse(document(name))
    again = parse(serialize(root))
    assert serialize(again) == serialize(root)


def test_prefixes_need_no_declarations() -> None:
    root = parse('<ac:link><ri:page ri:content-title="A" /></ac:link><at:var at:name="x"/>')
    link = root[0]
    assert link.tag == ac("link")
    assert link[0].get(ri("content-title")) == "A"


def test_xhtml_entities_become_characters() -> None:
    root = parse("<p>a&nbsp;b &copy; &hellip; &amp; &lt;</p>")
    assert root[0].text == "a\u00a0b \u00a9 \u2026 & <"


def test_serialize_keeps_prefixes_and_cdata() -> None:
    storage = (
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a < b]]></ac:plain-text-body>'
        "</ac:structured-macro>"
    )
    assert serialize(parse(storage)) == storage


@pytest.mark.parametrize(
    ("storage", "reason", "position"),
    [
        ("<p>a<br></p>", "Unexpected close tag </p>; expected </br>.", "[1,"),
        ("<p>ok</p>\n<p>open", "Unexpected end of input; expected </p>", "[2,"),
        ('<p><a href="x?a=1&b=2">x</a></p>', "expected a semi-colon", "[1,"),
        ("<p>x ]]> y</p>", "String ']]>' not allowed in textual content", "[1,"),
        ('<p title="<">x</p>', "Unexpected '<' in attribute value", "[1,"),
        ("<p>&bogus;</p>", 'Undeclared general entity "bogus"', "[1,"),
        ("</p>", "Unexpected close tag </p>; no element is open", "[1,"),
        ("<foo:bar/>", "Namespace prefix foo on bar is not defined", "[1,"),
    ],
)
def test_malformed_storage_is_a_400_in_confluences_words(storage: str, reason: str, position: str) -> None:
    with pytest.raises(XhtmlError) as caught:
        parse(storage)
    error = caught.value
    assert isinstance(error, BadRequest) and error.status == 400
    assert error.message.startswith("Error parsing xhtml: ")
    assert reason in error.message
    assert f"\n at [row,col {{unknown-source}}]: {position}" in error.message


def test_error_positions_are_the_callers_not_the_wrappers() -> None:
    with pytest.raises(XhtmlError) as caught:
        parse("<p>one</p>\n<p>two</p>\n<p>three<b></p>")
    assert (caught.value.row, caught.value.col) == (3, 16)


def test_positions_count_named_entities_as_written() -> None:
    # &hellip; is 8 characters in the input but a 7-character reference once rewritten.
    with pytest.raises(XhtmlError) as caught:
        parse("<p>&hellip;&hellip;<b></p>")
    assert caught.value.row == 1
    assert caught.value.col == 27


@pytest.mark.parametrize(
    "storage",
    [
        '<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><p>&xxe;</p>',
        '<!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><p>&b;</p>',
        '<p>x</p><!ENTITY a "b">',
        "<!doctype html><p/>",
    ],
)
def test_doctypes_and_entity_declarations_are_refused(storage: str) -> None:
    with pytest.raises(XhtmlError) as caught:
        parse(storage)
    assert "DOCTYPE is not allowed" in caught.value.message


def test_nesting_is_limited() -> None:
    parse("<div>" * MAX_DEPTH + "</div>" * MAX_DEPTH)
    with pytest.raises(XhtmlError) as caught:
        parse("<div>" * (MAX_DEPTH + 1) + "</div>" * (MAX_DEPTH + 1))
    assert "depth" in caught.value.message
    with pytest.raises(XhtmlError):
        parse("<div>" * 10_000 + "</div>" * 10_000)


def test_control_characters_are_refused() -> None:
    with pytest.raises(XhtmlError):
        parse("<p>\x00</p>")
    with pytest.raises(XhtmlError):
        parse("<p>\x01</p>")


def test_macro_reading() -> None:
    root = parse(
        '<ac:structured-macro ac:name="Include" ac:macro-id="m1"><ac:parameter ac:name="">'
        '<ac:link><ri:page ri:space-key="DOC" ri:content-title="Footer"/></ac:link></ac:parameter>'
        '<ac:parameter ac:name="title">T</ac:parameter></ac:structured-macro>'
    )
    macro = macro_of(root[0])
    assert macro.name == "include"
    assert macro.params == {"": "Footer", "title": "T"}
    assert string_parameters(macro) == {"": "DOC:Footer", "title": "T"}
    assert find_macro(root, "m1") is not None and find_macro(root, "m2") is None


def test_inner_storage_has_no_namespace_declarations() -> None:
    root = parse('<div><ac:link><ri:page ri:content-title="A"/></ac:link> tail</div>')
    assert inner_storage(root[0]) == '<ac:link><ri:page ri:content-title="A"/></ac:link> tail'


def test_prepare_for_save_adds_macro_and_task_ids() -> None:
    storage = (
        '<ac:structured-macro ac:name="toc"/><ac:structured-macro ac:name="info" ac:macro-id="keep">'
        "<ac:rich-text-body><p>x</p></ac:rich-text-body></ac:structured-macro>"
        "<ac:task-list><ac:task><ac:task-id>3</ac:task-id><ac:task-status>incomplete</ac:task-status>"
        "<ac:task-body>a</ac:task-body></ac:task><ac:task><ac:task-id>3</ac:task-id>"
        "<ac:task-status>incomplete</ac:task-status><ac:task-body>duplicate id</ac:task-body></ac:task>"
        "<ac:task><ac:task-status>complete</ac:task-status><ac:task-body>none</ac:task-body></ac:task></ac:task-list>"
    )
    saved = prepare_for_save(storage)
    root = parse(saved)
    ids = [m.get(ac("macro-id")) for m in root.iter(ac("structured-macro"))]
    assert ids[1] == "keep" and ids[0] and len(ids[0]) == 36
    task_ids = [t.findtext(ac("task-id")) for t in root.iter(ac("task"))]
    assert task_ids == ["3", "4", "5"]
    assert prepare_for_save(saved) == saved


def test_prepare_for_save_keeps_bodies_that_need_nothing() -> None:
    storage = "<p>a&nbsp;b</p>\n  <p title='x'>c</p>"
    assert prepare_for_save(storage) == storage
    assert prepare_for_save("") == ""
    with pytest.raises(XhtmlError):
        prepare_for_save("<p>")
