"""Excerpts: the window around the first match, highlights only inside it."""

from __future__ import annotations

from localfluence.cql.textquery import parse_text
from localfluence.search.excerpt import END_HL, HL, LENGTH, Highlighter, excerpt, title


def test_the_window_starts_a_little_before_the_first_match_and_ends_on_a_word() -> None:
    body = " ".join(["filler"] * 40) + " release notes " + " ".join(["tail"] * 200) + " release"
    out = excerpt(body, Highlighter([parse_text("release")]), "highlight")
    assert out.startswith("filler ") and f"{HL}release{END_HL} notes" in out
    # The match at the very end lies outside the window: neither shown nor highlighted.
    assert out.count(HL) == 1 and len(out) <= LENGTH + len(HL) + len(END_HL)


def test_without_a_match_the_excerpt_is_the_beginning() -> None:
    body = "alpha beta " * 100
    assert excerpt(body, Highlighter([parse_text("gamma")]), "highlight") == body[: body.rfind(" ", 0, LENGTH)]
    assert excerpt(body, Highlighter([]), "indexed") == body[: body.rfind(" ", 0, LENGTH)]


def test_repeated_and_stemmed_words_are_all_highlighted_and_escaped() -> None:
    highlighter = Highlighter([parse_text("deploy")])
    out = excerpt("Deploys & deploying <now>, deploy", highlighter, "highlight")
    assert out == f"{HL}Deploys{END_HL} &amp; {HL}deploying{END_HL} &lt;now&gt;, {HL}deploy{END_HL}"
    assert title("Deploy plan", highlighter, "highlight") == f"{HL}Deploy{END_HL} plan"
    assert excerpt("x", highlighter, "none") == ""
