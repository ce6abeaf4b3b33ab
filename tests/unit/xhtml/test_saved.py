"""A body is parsed once on save: the tree prepared_for_save hands on (Saved.root) must give every
listener exactly what it would read from the stored storage by parsing it again."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from localfluence.search.text import plain_text as index_text
from localfluence.xhtml.extract import extract
from localfluence.xhtml.inputs import saved_storage, storage_for_save
from localfluence.xhtml.storage import MAX_DEPTH, ac, parse, prepare_for_save, prepared_for_save, serialize
from tests.unit.xhtml.corpus import every_document
from tests.unit.xhtml.test_properties import DOCUMENTS, SETTINGS, storage_of

EDGES = [
    "",
    "   ",
    "\n",
    "plain words, no markup",
    "a &amp; b",
    "<p>Created by the benchmark</p>",
    "\n<p>leading and trailing newlines</p>\n",
    "<p>a&nbsp;b&mdash;c &lt;d&gt; &#160; &#x2014;</p>",
    "<p>a<!-- hidden &nbsp; --> b</p><?pi x?>",
    "<p>a<![CDATA[b]]>c</p>",
    # References inside CDATA, comments and processing instructions are text as written, in the
    # strict parse and in the index's lenient one alike.
    '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x &nbsp; y &foo; z]]>'
    "</ac:plain-text-body></ac:structured-macro>",
    '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>no id yet</p></ac:rich-text-body>'
    '</ac:structured-macro><ac:structured-macro ac:name="code" ac:macro-id="kept"><ac:plain-text-body>'
    "<![CDATA[&nbsp;]]></ac:plain-text-body></ac:structured-macro>",
    '<ac:structured-macro ac:name="excerpt"><ac:rich-text-body><p>The excerpt</p></ac:rich-text-body>'
    "</ac:structured-macro><p>The page</p>",
    "<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>one "
    '<ac:link><ri:user ri:account-id="557058:aa"/></ac:link> <time datetime="2024-05-01"/></ac:task-body>'
    "</ac:task><ac:task><ac:task-id>7</ac:task-id><ac:task-status>complete</ac:task-status>"
    "<ac:task-body>two</ac:task-body></ac:task><ac:task><ac:task-id>7</ac:task-id>"
    "<ac:task-body>duplicate id</ac:task-body></ac:task></ac:task-list>",
    '<p><ac:link><ri:page ri:space-key="ENG" ri:content-title="Other"/><ac:plain-text-link-body>'
    '<![CDATA[Other page]]></ac:plain-text-link-body></ac:link> <a href="https://example.com/">x</a> '
    '<ac:image><ri:attachment ri:filename="a.png"/></ac:image> <ac:link><ri:space ri:space-key="DOC"/>'
    '</ac:link> <ac:link><ri:content-entity ri:content-id="42"/></ac:link></p>',
    "<table><tbody><tr><th>h</th><td>c\r\nd</td></tr></tbody></table><p>x\ty</p>",
    '<p>a&nbsp;b<!-- &nbsp; <![CDATA[ --> &amp; <?pi &bogus;?></p><ac:structured-macro ac:name="code">'
    "<ac:plain-text-body><![CDATA[<p>a&nbsp;b &amp; &lt; &#160; &unknown;</p>]]></ac:plain-text-body>"
    "</ac:structured-macro>",
]


def _deep_task() -> str:
    # A task with no child elements at the deepest level storage may nest: its new task id would
    # nest one level deeper than storage may be read back.
    return "<div>" * (MAX_DEPTH - 1) + "<ac:task>t</ac:task>" + "</div>" * (MAX_DEPTH - 1)


def assert_same_as_reading_back(storage: str) -> None:
    saved = prepared_for_save(storage)
    if saved.root is None:
        assert not saved.storage.strip() or saved.storage != storage
        return
    assert serialize(parse(saved.storage)) == serialize(saved.root)
    for space_key in (None, "ENG"):
        assert extract(saved.storage, space_key, saved.root) == extract(saved.storage, space_key)
    assert index_text(saved.storage, saved.root) == index_text(saved.storage)


@pytest.mark.parametrize("storage", EDGES)
def test_edge_cases(storage: str) -> None:
    assert_same_as_reading_back(storage)


@pytest.mark.parametrize("index", range(len(every_document())))
def test_corpus(index: int) -> None:
    assert_same_as_reading_back(every_document()[index])


@given(DOCUMENTS)
@SETTINGS
def test_any_storage(nodes: list[Any]) -> None:
    assert_same_as_reading_back(storage_of(nodes))


def test_a_task_id_too_deep_to_read_back_hands_on_no_tree() -> None:
    saved = prepared_for_save(_deep_task())
    assert saved.root is None
    assert "<ac:task-id>1</ac:task-id>" in saved.storage


def test_storage_kept_as_sent_when_it_needs_no_ids() -> None:
    storage = EDGES[7]
    assert prepared_for_save(storage).storage == storage == prepare_for_save(storage)
    assert storage_for_save(storage, "storage") == saved_storage(storage, "storage").storage


def test_ids_given_on_save_are_in_the_tree() -> None:
    saved = prepared_for_save(EDGES[11])
    assert saved.root is not None
    macro_ids = [e.get(ac("macro-id")) for e in saved.root.iter(ac("structured-macro"))]
    assert macro_ids[1] == "kept" and macro_ids[0]
    assert f'ac:macro-id="{macro_ids[0]}"' in saved.storage
