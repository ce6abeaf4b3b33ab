"""What differs between SQLite and PostgreSQL, as strategy objects chosen by dialect name.

Full-text search (the search_document table, kept by localfluence.search.index):

- SQLite: an external-content FTS5 table `search_fts` over search_document (columns title, body,
  labels, space_token), kept current by triggers, tokenizer `porter unicode61 remove_diacritics 2`
  and prefix indexes for 2 and 3 characters. A query is a MATCH string in which every word is a
  double-quoted FTS5 string, so nothing typed reaches FTS5's own syntax. Ranking is bm25 with
  the title weighted 10, labels 4, body 1.
- PostgreSQL: a generated tsvector column `search_document.document` with a GIN index, built
  with the `localfluence` text search configuration (English snowball stemming, no stop words,
  so that "the" finds the same pages on both engines). Weights tell the parts apart: title A,
  labels B, space token C, body D. A query is a to_tsquery string of single-quoted words (only
  letters and digits reach it). Ranking is ts_rank_cd.

Known differences: FTS5's porter stemmer and PostgreSQL's snowball (Porter2) stem a few words
differently ("generously"); PostgreSQL keeps accents and reads e-mail addresses and URLs as one
token, FTS5 removes accents and splits them into words. Both take `*` as a prefix on the last
word of a term, neither can do a leading wildcard or true fuzzy matching.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Float, Integer, Select, Text, column, func, literal, literal_column, select, table
from sqlalchemy.dialects.postgresql import TSVECTOR

from localfluence.cql.textquery import Term, TextQuery

# Which parts of the document a text field reads.
TEXT_COLUMNS = ("title", "body", "labels")
TITLE_COLUMNS = ("title",)

search_document = table(
    "search_document",
    column("content_id", Integer),
    column("space_token", Text),
    column("document", TSVECTOR),
)
search_fts = table("search_fts", column("rowid", Integer))


def space_token(space_id: int) -> str:
    # The id, not the key: the stemmer could merge two keys (DESIGN.md).
    return f"s{space_id}"


class TextSearch:
    name = ""

    def matching_ids(self, query: TextQuery, columns: tuple[str, ...], space_ids: list[int] | None) -> Select:  # type: ignore[type-arg]
        """content ids matching the query (in the columns; in those spaces when given)."""
        raise NotImplementedError

    def ranked(self, query: TextQuery, columns: tuple[str, ...], space_ids: list[int] | None) -> Select:  # type: ignore[type-arg]
        """(content_id, score) of the matches; a higher score is a better match."""
        raise NotImplementedError

    def excluding_ids(self, terms: tuple[Term, ...], columns: tuple[str, ...]) -> Select:  # type: ignore[type-arg]
        """content ids matching any of the terms (what `-word` removes)."""
        raise NotImplementedError


class SqliteTextSearch(TextSearch):
    name = "sqlite"
    WEIGHTS = (10.0, 1.0, 4.0, 0.0)  # title, body, labels, space_token

    @staticmethod
    def _term(term: Term) -> str:
        # Words are letters and digits only; the quotes make each a plain FTS5 string.
        return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")

    def expression(self, query: TextQuery, columns: tuple[str, ...], space_ids: list[int] | None) -> str:
        groups = []
        for group in query.groups:
            inner = " OR ".join(self._term(t) for t in group)
            groups.append(f"({inner})" if len(group) > 1 else inner)
        expr = " AND ".join(groups)
        if query.excluded:
            expr = f"({expr}) NOT ({' OR '.join(self._term(t) for t in query.excluded)})"
        expr = "{" + " ".join(columns) + "} : (" + expr + ")"
        if space_ids is not None:
            tokens = " OR ".join(f'"{space_token(i)}"' for i in space_ids) or '"s0"'
            expr = f"space_token : ({tokens}) AND {expr}"
        return expr

    def _match(self, expression: str) -> ColumnElement[bool]:
        return literal_column("search_fts").op("MATCH")(literal(expression, Text))  # type: ignore[no-any-return]

    def matching_ids(self, query, columns, space_ids):  # type: ignore[no-untyped-def]
        return select(search_fts.c.rowid).where(self._match(self.expression(query, columns, space_ids)))

    def ranked(self, query, columns, space_ids):  # type: ignore[no-untyped-def]
        score = -func.bm25(literal_column("search_fts"), *self.WEIGHTS, type_=Float)
        return select(search_fts.c.rowid.label("content_id"), score.label("score")).where(
            self._match(self.expression(query, columns, space_ids))
        )

    def excluding_ids(self, terms, columns):  # type: ignore[no-untyped-def]
        expr = "{" + " ".join(columns) + "} : (" + " OR ".join(self._term(t) for t in terms) + ")"
        return select(search_fts.c.rowid).where(self._match(expr))


class PostgresTextSearch(TextSearch):
    name = "postgresql"
    CONFIG = "localfluence"
    WEIGHTS = {"title": "A", "labels": "B", "space_token": "C", "body": "D"}

    def _term(self, term: Term, weights: str) -> str:
        parts = []
        for i, word in enumerate(term.words):
            star = "*" if term.prefix and i == len(term.words) - 1 else ""
            parts.append(f"'{word}':{star}{weights}")
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"

    def expression(self, query: TextQuery, columns: tuple[str, ...], space_ids: list[int] | None) -> str:
        weights = "".join(sorted(self.WEIGHTS[c] for c in columns))
        groups = []
        for group in query.groups:
            inner = " | ".join(self._term(t, weights) for t in group)
            groups.append(f"({inner})" if len(group) > 1 else inner)
        expr = " & ".join(groups)
        if query.excluded:
            expr = f"({expr}) & !({' | '.join(self._term(t, weights) for t in query.excluded)})"
        if space_ids is not None:
            tokens = " | ".join(f"'{space_token(i)}':C" for i in space_ids) or "'s0':C"
            expr = f"({tokens}) & ({expr})"
        return expr

    def _tsquery(self, expression: str) -> ColumnElement:  # type: ignore[type-arg]
        return func.to_tsquery(literal_column(f"'{self.CONFIG}'"), literal(expression, Text))

    def matching_ids(self, query, columns, space_ids):  # type: ignore[no-untyped-def]
        tsq = self._tsquery(self.expression(query, columns, space_ids))
        return select(search_document.c.content_id).where(search_document.c.document.op("@@")(tsq))

    def ranked(self, query, columns, space_ids):  # type: ignore[no-untyped-def]
        tsq = self._tsquery(self.expression(query, columns, space_ids))
        score = func.ts_rank_cd(search_document.c.document, tsq, type_=Float)
        return select(search_document.c.content_id, score.label("score")).where(
            search_document.c.document.op("@@")(tsq)
        )

    def excluding_ids(self, terms, columns):  # type: ignore[no-untyped-def]
        weights = "".join(sorted(self.WEIGHTS[c] for c in columns))
        tsq = self._tsquery(" | ".join(self._term(t, weights) for t in terms))
        return select(search_document.c.content_id).where(search_document.c.document.op("@@")(tsq))


def text_search(dialect_name: str) -> TextSearch:
    if dialect_name == "postgresql":
        return PostgresTextSearch()
    if dialect_name == "sqlite":
        return SqliteTextSearch()
    raise ValueError(f"No text search for the {dialect_name} dialect")
