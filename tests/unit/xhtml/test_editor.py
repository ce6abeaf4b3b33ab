"""storage ↔ editor (the legacy editor's HTML): macros as placeholders, round trips, and lenient
reading of editor HTML from clients."""

from __future__ import annotations

import pytest

from localfluence.xhtml.adf import to_adf
from localfluence.xhtml.editor import decode_parameters, encode_parameters, from_editor, to_editor
from localfluence.xhtml.storage import parse
from tests.unit.xhtml.corpus import NAMES, document
from tests.unit.xhtml.test_adf import without_ids


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_through_the_editor_keeps_the_document(name: str) -> None:
    original = parse(document(name))
    back = from_editor(to_editor(original))
    assert without_ids(to_adf(parse(back))) == without_ids(to_adf(original))


def test_macros_are_placeholders() -> None:
    editor = to_editor(parse(document("macro-catalogue")))
    assert '<img class="editor-inline-macro"' in editor
    assert 'data-macro-name="children"' in editor
    assert 'data-macro-parameters="all=true|sort=title"' in editor
    assert 'data-macro-id="c0000000-0000-4000-8000-000000000001"' in editor
    assert '<table data-macro-name="panel"' in editor and 'data-macro-body-type="RICH_TEXT"' in editor
    assert 'data-macro-body-type="PLAIN_TEXT"' in editor
    assert '<td class="wysiwyg-macro-body"><pre>  preformatted   *not wiki*  </pre></td>' in editor


def test_parameters_escape_separators() -> None:
    params = {"title": "a|b=c\\d", "": "KEY:Page", "x": ""}
    assert encode_parameters(params) == "title=a\\|b\\=c\\\\d|=KEY:Page|x="
    assert decode_parameters(encode_parameters(params)) == params


def test_links_images_tasks_and_emoticons_carry_what_storage_needs() -> None:
    editor = to_editor(parse(document("cloud-rich-page")))
    assert 'data-linked-resource-type="page" data-content-title="Search v2"' in editor
    assert 'data-linked-resource-type="userinfo" data-account-id="5b10ac8d82e05b22cc7d4ef5"' in editor
    assert 'class="confluence-embedded-image" data-ac-align="center"' in editor
    assert '<ul class="inline-task-list"><li data-inline-task-id="1">' in editor
    assert 'data-emoticon-name="tick"' in editor
    assert 'class="editor-storage" data-storage="&lt;ac:adf-extension&gt;' in editor


def test_editor_html_from_clients_is_read_leniently() -> None:
    storage = from_editor(
        "<p>Unclosed <b>bold<p>next<br>line<script>alert(1)</script>"
        '<p onclick="x()" class="c">attr</p><img src="https://x.example/a.png"><unknown>kept text</unknown>'
        "<table><tr><td colspan=2>cell</table>&nbsp;&copy;"
    )
    parse(storage)
    assert "<b>bold</b>" in storage
    assert "<br/>" in storage
    assert "alert" not in storage and "onclick" not in storage
    assert '<ac:image><ri:url ri:value="https://x.example/a.png"/></ac:image>' in storage
    assert "kept text" in storage
    assert '<td colspan="2">cell</td>' in storage
    assert "\u00a0\u00a9" in storage


@pytest.mark.parametrize("value", ["", "   ", "text only", "<", "<p", "</p>", "<![CDATA[x]]>", "<!-- c -->", "\x00"])
def test_odd_editor_input_makes_valid_storage(value: str) -> None:
    storage = from_editor(value)
    if storage:
        parse(storage)
