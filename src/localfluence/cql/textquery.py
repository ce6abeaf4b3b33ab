"""The little query language inside a `~` value (Lucene's, as Confluence uses it), reduced to what
both full-text engines can answer: words and phrases, all required; OR between two of them;
`-word`/`NOT word` to exclude; `word*` (and `wo?d`, cut at the `?`) as prefixes. Words are what
both engines call words: runs of letters and digits. Nothing the user types reaches an engine's
own syntax: the dialects quote every word they are given."""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 32


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several; `prefix` applies to the last word."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class TextQuery:
    """groups are AND-ed; the terms of one group are OR-ed; none of `excluded` may match."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups

    def words(self) -> list[tuple[str, bool]]:
        """(word, is_prefix) of every positive term, for highlighting."""
        out = []
        for group in self.groups:
            for term in group:
                for i, word in enumerate(term.words):
                    out.append((word, term.prefix and i == len(term.words) - 1))
        return out


def _chunks(text: str) -> list[tuple[str, bool]]:
    """Split into (chunk, quoted) honouring "phrases" and backslash escapes."""
    out: list[tuple[str, bool]] = []
    buf: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            # An escaped character is literal: it is never a wildcard or a quote.
            buf.append("\\" + text[i + 1])
            i += 2
            continue
        if c == '"':
            if quoted or buf:
                out.append(("".join(buf), quoted))
                buf = []
            quoted = not quoted
        elif c.isspace() and not quoted:
            if buf:
                out.append(("".join(buf), False))
                buf = []
        else:
            buf.append(c)
        i += 1
    if buf:
        out.append(("".join(buf), quoted))
    return [(c, q) for c, q in out if c]


def _term(chunk: str, quoted: bool) -> Term | None:
    prefix = False
    if not quoted:
        # Fuzzy (~2) and boost (^3) suffixes: the stemmer is our fuzziness.
        chunk = re.sub(r"(?<!\\)[~^][\d.]*$", "", chunk)
        wild = re.search(r"(?<!\\)[*?]", chunk)
        if wild is not None:
            head = chunk[: wild.start()]
            if WORD.search(head.replace("\\", " ")):
                chunk, prefix = head, True
            else:
                # A leading wildcard is not allowed: the rest is taken as a plain word.
                chunk = chunk[wild.end() :]
                prefix = bool(re.search(r"(?<!\\)[*?]", chunk))
                chunk = re.split(r"(?<!\\)[*?]", chunk)[0]
    plain = re.sub(r"\\(.)", r"\1", chunk)
    words = tuple(w.lower() for w in WORD.findall(plain))
    if not words:
        return None
    return Term(words, prefix)


def parse_text(text: str) -> TextQuery:
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    negate_next = False
    for chunk, quoted in _chunks(text):
        if not quoted:
            upper = chunk.upper()
            if upper in ("OR", "||"):
                join_next = bool(groups)
                continue
            if upper in ("AND", "&&", "+"):
                continue
            if upper in ("NOT", "!", "-"):
                negate_next = True
                continue
            if chunk[0] in "-!" and len(chunk) > 1:
                negate_next, chunk = True, chunk[1:]
            elif chunk[0] == "+" and len(chunk) > 1:
                chunk = chunk[1:]
        term = _term(chunk, quoted)
        if term is None:
            join_next = negate_next = False
            continue
        if negate_next:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = negate_next = False
        if len(groups) + len(excluded) >= MAX_TERMS:
            break
    return TextQuery(tuple(tuple(g) for g in groups), tuple(excluded))
