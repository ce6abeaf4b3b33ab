"""Excerpts and highlights as Confluence writes them: matches wrapped in @@@hl@@@ / @@@endhl@@@,
HTML-escaped unless the mode says unescaped. Computed here rather than by an engine, so both
databases give the same text."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator

from localfluence.cql.textquery import TextQuery

HL, END_HL = "@@@hl@@@", "@@@endhl@@@"
MODES = ("highlight", "indexed", "none", "highlight_unescaped", "indexed_unescaped")
WORD = re.compile(r"[^\W_]+")
SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s", "e")
LENGTH = 240
LEAD = 60


def _stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


class Highlighter:
    def __init__(self, queries: list[TextQuery]) -> None:
        self.words = [(w, prefix) for q in queries for w, prefix in q.words()]
        self.stems = {_stem(w) for w, prefix in self.words if not prefix}
        # Pages repeat their words: each distinct token is judged once per request.
        self.judged: dict[str, bool] = {}
        # A matching token, lower-cased, contains its word (or the word's stem), so a text whose
        # lower-case form contains none of them has no match and is not tokenised at all. Sigma
        # lower-cases by context (final ς), so words with it are always tokenised.
        self.needles = {w if prefix else _stem(w) for w, prefix in self.words}
        self.screened = not any("σ" in n or "ς" in n for n in self.needles)

    def matches(self, token: str) -> bool:
        known = self.judged.get(token)
        if known is None:
            known = self.judged[token] = self._matches(token)
        return known

    def _matches(self, token: str) -> bool:
        low = token.lower()
        for word, prefix in self.words:
            if low == word or (prefix and low.startswith(word)):
                return True
        return _stem(low) in self.stems

    def spans(self, text: str) -> list[tuple[int, int]]:
        return list(self.iter_spans(text))

    def iter_spans(self, text: str) -> Iterator[tuple[int, int]]:
        if not self.words:
            return
        if self.screened:
            low = text.lower()
            if not any(needle in low for needle in self.needles):
                return
        for m in WORD.finditer(text):
            if self.matches(m.group()):
                yield m.span()


def render(text: str, spans: list[tuple[int, int]], mode: str) -> str:
    escape = html.escape if not mode.endswith("_unescaped") else (lambda s: s)
    if mode.startswith("indexed") or not spans:
        return escape(text)
    out, pos = [], 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append(HL + escape(text[start:end]) + END_HL)
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def title(text: str, highlighter: Highlighter, mode: str) -> str:
    if mode == "none" or mode.startswith("indexed"):
        return text
    return render(text, highlighter.spans(text), mode)


def excerpt(body: str, highlighter: Highlighter, mode: str) -> str:
    if mode == "none" or not body:
        return ""
    # Only the window around the first match is shown, so the body is read no further than that.
    found = highlighter.iter_spans(body)
    first = next(found, None)
    start = 0
    if first is not None and first[0] > LEAD:
        # Start at a word boundary a little before the first match.
        cut = body.rfind(" ", 0, first[0] - LEAD // 2)
        start = cut + 1 if cut >= 0 else 0
    end = min(len(body), start + LENGTH)
    if end < len(body):
        space = body.rfind(" ", start, end)
        end = space if space > start else end
    window = body[start:end]
    shifted = []
    if first is not None:
        for a, b in itertools.chain((first,), found):
            if a >= end:
                break
            if a >= start and b <= end:
                shifted.append((a - start, b - start))
    return render(window, shifted, mode)
