"""Storage serialized again on save (ids added) spells characters as the client wrote them: a
reference stays that reference (Confluence keeps &nbsp;), a character stays a character."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from localfluence.search.text import plain_text as index_text
from localfluence.xhtml.storage import ac, parse, prepared_for_save, same_as_saved, serialize, serialize_as_written
from localfluence.xhtml.tasks import set_task_status
from localfluence.xhtml.text import plain_text
from tests.unit.xhtml.test_properties import SETTINGS
from tests.unit.xhtml.test_view import view_of

MACRO = '<ac:structured-macro ac:name="toc"/>'
MACRO_ID = re.compile(r' ac:macro-id="[0-9a-f-]{36}"')


def saved(storage: str) -> str:
    out = prepared_for_save(storage).storage
    assert out != storage, "the test wants storage that is serialized again"
    return out


def without_new_ids(storage: str) -> str:
    return MACRO_ID.sub("", storage)


def test_named_references_are_kept_when_ids_are_added() -> None:
    out = saved("<p>a&nbsp;b&mdash;c</p>" + MACRO)
    assert out.startswith("<p>a&nbsp;b&mdash;c</p>")
    assert MACRO_ID.search(out)


def test_characters_stay_characters_and_numeric_references_stay_numeric() -> None:
    body = "<p>a\u00a0b&#160;c&#xA0;d\u2014e&#x2014;f&eacute;\u00e9\U0001f600</p>"
    assert without_new_ids(saved(body + MACRO)) == body + MACRO


def test_references_in_attribute_values_are_kept() -> None:
    body = '<p><a href="https://example.com/" title="x&nbsp;y\u00a0z&hellip;">l&nbsp;</a></p>'
    assert without_new_ids(saved(body + MACRO)) == body + MACRO


def test_literal_sections_stay_literal() -> None:
    body = (
        "<p>a&nbsp;b<!-- &nbsp; \u00a0 --><?pi &nbsp;\u00a0?>c&nbsp;</p>"
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[&nbsp;\u00a0&mdash;]]>'
        "</ac:plain-text-body></ac:structured-macro>"
    )
    out = saved(body)
    assert without_new_ids(out) == body
    assert parse(out).find(f".//{ac('plain-text-body')}").text == "&nbsp;\u00a0&mdash;"


def test_the_tree_and_its_readers_see_characters() -> None:
    storage = "<p>a&nbsp;b&mdash;c</p>" + MACRO
    result = prepared_for_save(storage)
    assert result.root is not None
    assert result.root[0].text == "a\u00a0b\u2014c"
    # What the readers saw when the body was stored with characters, they see now.
    as_characters = "<p>a\u00a0b\u2014c</p>"
    assert plain_text(result.root) == plain_text(parse(result.storage)) == plain_text(parse(as_characters))
    assert index_text(result.storage, result.root) == index_text(result.storage) == index_text(as_characters)
    assert view_of(result.storage).startswith(view_of(as_characters))


def test_a_changed_task_status_keeps_references() -> None:
    storage = (
        "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status>"
        "<ac:task-body>a&nbsp;b \u00a0</ac:task-body></ac:task></ac:task-list>"
    )
    assert set_task_status(storage, 1, True) == storage.replace("incomplete", "complete")


def test_a_replaced_character_falls_back_to_the_trees_spelling() -> None:
    # A task id that is no number is replaced, and a character with it: the characters no longer
    # line up, so the tree's own spelling is used (same meaning, references as characters).
    storage = (
        "<ac:task-list><ac:task><ac:task-id>\u00e9</ac:task-id><ac:task-body>a&nbsp;b</ac:task-body></ac:task>"
        "</ac:task-list>"
    )
    result = prepared_for_save(storage)
    assert result.storage == serialize(result.root)
    assert "a\u00a0b" in result.storage


def test_storage_without_references_is_serialized_as_before() -> None:
    root = parse("<p>\u00a0caf\u00e9</p>")
    assert serialize_as_written(root, "<p>\u00a0caf\u00e9</p>") == serialize(root)


PIECES = st.sampled_from(
    [
        "a",
        " ",
        "&amp;",
        "&lt;",
        "&nbsp;",
        "\u00a0",
        "&#160;",
        "&#xa0;",
        "&mdash;",
        "\u2014",
        "&eacute;",
        "\u00e9",
        "\U0001f600",
        "&#x1F600;",
        "<b>x&nbsp;</b>",
        '<span title="&nbsp;\u00a0&hellip;">s</span>',
        "<!-- &nbsp;\u00a0 -->",
        "<![CDATA[&nbsp;\u00a0]]>",
        "<?pi &nbsp;?>",
    ]
)


@given(st.lists(PIECES, min_size=1, max_size=12), st.booleans())
@SETTINGS
def test_any_mix_is_kept_as_written(pieces: list[str], macro_first: bool) -> None:
    body = "<p>" + "".join(pieces) + "</p>"
    storage = MACRO + body if macro_first else body + MACRO
    result = prepared_for_save(storage)
    assert without_new_ids(result.storage) == storage
    assert same_as_saved(storage, result.storage)
    assert result.root is not None
    assert serialize(parse(result.storage)) == serialize(result.root)
