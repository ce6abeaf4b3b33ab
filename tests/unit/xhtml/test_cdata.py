"""Entity references are read only where XML reads them: CDATA sections, comments and processing
instructions are literal text, kept byte for byte through parsing, saving and every conversion."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localfluence.search.text import plain_text as index_text
from localfluence.xhtml.adf import to_adf
from localfluence.xhtml.editor import from_editor, to_editor
from localfluence.xhtml.references import Resolved
from localfluence.xhtml.storage import (
    XhtmlError,
    ac,
    iter_macros,
    macro_of,
    parse,
    prepare_for_save,
    prepared_for_save,
    serialize,
    substitute_entities,
)
from localfluence.xhtml.view import ViewOptions, render_storage
from tests.unit.xhtml.test_properties import SETTINGS

LITERALS = ["&nbsp;", "&amp;", "&lt;", "&#160;", "&unknown;", "&nbsp;&amp;&lt;&#160;&unknown;"]


def code_block(body: str, macro_id: str | None = None) -> str:
    id_attr = f' ac:macro-id="{macro_id}"' if macro_id else ""
    return (
        f'<ac:structured-macro ac:name="code"{id_attr}><ac:plain-text-body><![CDATA[{body}]]>'
        "</ac:plain-text-body></ac:structured-macro>"
    )


@pytest.mark.parametrize("literal", LITERALS)
def test_references_in_cdata_are_text_as_written(literal: str) -> None:
    body = f"<p>a{literal}b</p>"
    root = parse(code_block(body))
    assert macro_of(next(iter_macros(root))).plain_body == body
    assert serialize(root) == code_block(body)


@pytest.mark.parametrize("literal", LITERALS)
def test_saving_with_a_new_macro_id_keeps_cdata_byte_for_byte(literal: str) -> None:
    storage = f"<p>x&nbsp;y</p>{code_block(f'<p>a{literal}b</p>')}"
    saved = prepared_for_save(storage)
    assert saved.storage != storage  # re-serialized: the macro got an id
    assert f"<![CDATA[<p>a{literal}b</p>]]>" in saved.storage
    assert "<p>x&nbsp;y</p>" in saved.storage  # the reference as written (tests/unit/xhtml/test_spelling.py)
    assert saved.root is not None and serialize(parse(saved.storage)) == serialize(saved.root)
    assert prepare_for_save(saved.storage) == saved.storage


def test_outside_cdata_references_are_read_as_before() -> None:
    root = parse('<p title="a&nbsp;b&amp;">c&nbsp;d &amp; &lt; &#160; &hellip;</p>')
    assert root[0].get("title") == "a\u00a0b&"
    assert root[0].text == "c\u00a0d & < \u00a0 \u2026"
    with pytest.raises(XhtmlError) as caught:
        parse(f"{code_block('&unknown;')}<p>&unknown;</p>")
    assert 'Undeclared general entity "unknown"' in caught.value.message


def test_a_section_ends_at_its_first_end_marker() -> None:
    root = parse("<p><![CDATA[a&nbsp;<![CDATA[b]]>&nbsp;<![CDATA[&amp;]]></p>")
    assert root[0].text == "a&nbsp;<![CDATA[b\u00a0&amp;"
    with pytest.raises(XhtmlError) as caught:
        parse("<p><![CDATA[a]]>&bogus;]]></p>")
    assert "bogus" in caught.value.message


def test_comments_and_processing_instructions_are_literal() -> None:
    storage = "<p>a<!-- &nbsp; &bogus; <![CDATA[ -->&nbsp;<!-- ]]> --><?pi &nbsp; &bogus;?></p>"
    root = parse(storage)
    assert serialize(root) == "<p>a<!-- &nbsp; &bogus; <![CDATA[ -->\u00a0<!-- ]]> --><?pi &nbsp; &bogus;?></p>"
    assert root[0][0].tail == "\u00a0"


def test_a_cdata_opener_in_an_attribute_value_opens_nothing() -> None:
    # `<` cannot stand in an attribute value: refused as it always was, not read as a section.
    with pytest.raises(XhtmlError) as caught:
        parse('<p title="<![CDATA[">&nbsp;]]></p>')
    assert "Unexpected '<' in attribute value" in caught.value.message


def test_unterminated_sections_are_refused() -> None:
    for storage in ("<p><![CDATA[a&nbsp;</p>", "<p><!-- a&nbsp;</p>", "<p><?pi a&nbsp;</p>"):
        with pytest.raises(XhtmlError):
            parse(storage)


def test_a_doctype_in_cdata_or_a_comment_is_text() -> None:
    storage = code_block("<!DOCTYPE html>\n<html>&nbsp;</html>") + "<!-- <!ENTITY x 'y'> -->"
    assert serialize(parse(storage)) == storage
    with pytest.raises(XhtmlError) as caught:
        parse(f"{code_block('x')}<!DOCTYPE html>")
    assert "DOCTYPE is not allowed" in caught.value.message
    assert (caught.value.row, caught.value.col) == (1, len(code_block("x")) + 1)


def test_error_positions_after_a_section_count_references_as_written() -> None:
    with pytest.raises(XhtmlError) as caught:
        parse("<p>&hellip;<![CDATA[&hellip;]]>&hellip;<b></p>")
    assert (caught.value.row, caught.value.col) == (1, 47)


def test_search_text_reads_cdata_as_written() -> None:
    storage = f"<p>a&nbsp;b &amp; c</p>{code_block('x &amp; y &nbsp; z &unknown; &#160;')}<!-- &bogus; -->"
    expected = "a b & c x &amp; y &nbsp; z &unknown; &#160;"
    assert index_text(storage) == expected
    assert index_text(storage, parse(storage)) == expected
    saved = prepared_for_save(storage)
    assert index_text(saved.storage, saved.root) == index_text(saved.storage) == expected


def test_conversions_show_the_code_as_written() -> None:
    body = "<p>a&nbsp;b &amp; &lt;</p>"
    storage = code_block(body, macro_id="m1")
    view = render_storage(storage, Resolved(base="/wiki"), ViewOptions(mode="view", space_key="ENG", title="T"))
    assert "&lt;p&gt;a&amp;nbsp;b &amp;amp; &amp;lt;&lt;/p&gt;" in view
    adf = json.dumps(to_adf(parse(storage)))
    assert json.dumps(body)[1:-1] in adf
    back = from_editor(to_editor(parse(storage)))
    assert f"<![CDATA[{body}]]>" in back


@pytest.mark.parametrize(
    "hostile",
    [
        "<![CDATA[" * 200_000,
        "<!--" * 400_000,
        "<?" * 800_000,
        "<!" * 800_000,
        "<![CDATA[&nbsp;]]>" * 100_000,
        "<![CDATA[" + "]]" * 800_000,
        "&nbsp;<!-- -->" * 100_000,
    ],
)
def test_the_scan_is_linear(hostile: str) -> None:
    # Megabytes of openers: a quadratic scan would take hours; a linear one well under a second.
    started = time.perf_counter()
    substitute_entities(hostile, {"nbsp": "&#160;"})
    assert time.perf_counter() - started < 5
    with pytest.raises(XhtmlError):
        parse(hostile + "<p>")


def test_macro_ids_are_added_beside_cdata() -> None:
    saved = prepared_for_save(code_block("&nbsp;"))
    assert saved.root is not None
    macro = next(iter_macros(saved.root))
    assert macro.get(ac("macro-id"))
    assert macro_of(macro).plain_body == "&nbsp;"


FRAGMENTS = st.sampled_from(
    ["&nbsp;", "&amp;", "&lt;", "&#160;", "&unknown;", "&", ";", "<!--", "-->", "<![CDATA[", "<?", "?>", "]]", ">"]
    + ["<!DOCTYPE x>", "<!ENTITY y>", "<p>", "</p>", "a", " ", "\n"]
)


@given(st.lists(FRAGMENTS, max_size=12).map("".join).filter(lambda body: "]]>" not in body))
@SETTINGS
def test_any_cdata_body_survives_saving_and_indexing(body: str) -> None:
    storage = f"<p>&hellip;</p>{code_block(body)}"
    saved = prepared_for_save(storage)
    assert f"<![CDATA[{body}]]>" in saved.storage
    assert saved.root is not None
    assert macro_of(next(iter_macros(saved.root))).plain_body == body
    assert index_text(saved.storage, saved.root) == index_text(saved.storage)
