"""Plain text, excerpts, and what extraction on save reads (mentions, links, macros, tasks)."""

from __future__ import annotations

from datetime import date

from localfluence.xhtml.extract import extract
from localfluence.xhtml.references import AttachmentRef, PageRef
from localfluence.xhtml.storage import parse
from localfluence.xhtml.tasks import read_tasks, set_task_status
from localfluence.xhtml.text import excerpt, plain_text, plain_text_of
from tests.unit.xhtml.corpus import document


def test_plain_text_keeps_words_and_drops_markup() -> None:
    text = plain_text_of(document("cloud-rich-page"))
    assert "Release 4.2 planning" in text.splitlines()[0]
    assert 'print("<not a tag> & done")' in text
    assert "new search" in text and "Style Guide" in text
    assert "maxLevel" not in text and "0a1b2c3d" not in text and "incomplete" not in text
    assert "Type something here" not in text
    assert "<" not in text.replace("<not a tag>", "").replace("a < b", "")


def test_plain_text_separates_blocks_and_cells() -> None:
    assert plain_text(parse("<p>a</p><p>b</p><table><tr><td>c</td><td>d</td></tr></table>")) == "a\nb\nc\nd"
    assert plain_text(parse("<p>one<strong>two</strong> three</p>")) == "onetwo three"
    assert plain_text_of("") == ""


def test_excerpt_prefers_the_excerpt_macro() -> None:
    assert excerpt(parse(document("nested-macros"))) == "This page explains nesting."
    long = "<p>" + " ".join(["word"] * 200) + "</p>"
    short = excerpt(parse(long))
    assert short.endswith("…") and len(short) <= 301


def test_extract_reads_references_macros_and_mentions() -> None:
    found = extract(document("cloud-rich-page"), "ENG")
    assert found.mentions == {"5b10ac8d82e05b22cc7d4ef5"}
    assert PageRef("ENG", "Search v2") in found.pages and PageRef("ENG", "Style Guide") in found.pages
    assert PageRef("ENG", "Year in review", "blogpost", "2024/12/31") in found.pages
    assert AttachmentRef("api-spec.yaml") in found.attachments
    assert found.spaces == {"OPS"} and found.content_ids == {123456}
    assert {"toc", "status", "warning", "expand", "code"} <= found.macros
    assert "https://example.com/a?b=1&c=2" in found.urls
    assert found.text.startswith("Release 4.2 planning")


def test_tasks_with_assignees_dates_and_subtasks() -> None:
    tasks = read_tasks(parse(document("cloud-rich-page")))
    assert [(t.task_id, t.complete, t.assignee, t.due) for t in tasks] == [
        (1, False, "5b10ac8d82e05b22cc7d4ef5", date(2025, 3, 1)),
        (2, True, None, None),
    ]
    assert tasks[0].text == "Draft the announcement"
    nested = read_tasks(parse(document("nested-macros")))
    # The parent's assignee is not its subtask's.
    assert [(t.task_id, t.assignee) for t in nested] == [(7, None), (8, "557058:child-owner")]


def test_set_task_status() -> None:
    storage = document("nested-macros")
    done = set_task_status(storage, 7, True)
    assert done is not None
    assert [(t.task_id, t.complete) for t in read_tasks(parse(done))] == [(7, True), (8, True)]
    reopened = set_task_status(done, 8, False)
    assert reopened is not None
    assert [(t.task_id, t.complete) for t in read_tasks(parse(reopened))] == [(7, True), (8, False)]
    assert set_task_status(storage, 99, True) is None
