"""search index: search_document, plus FTS5 (SQLite) or a tsvector column with GIN (PostgreSQL)

Revision ID: 0004_search
Revises: 0003_identity
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_search'
down_revision = '0003_identity'
branch_labels = None
depends_on = None

COLUMNS = "title, body, labels, space_token"


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column("content_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("space_token", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content.id"], name=op.f("fk_search_document_content_id_content"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("content_id", name=op.f("pk_search_document")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, content='search_document', "
            "content_rowid='content_id', tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')"
        )
        new = "new.title, new.body, new.labels, new.space_token"
        old = "old.title, old.body, old.labels, old.space_token"
        op.execute(
            "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
            f"INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.content_id, {new}); END"
        )
        op.execute(
            "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
            f"INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.content_id, {old}); END"
        )
        op.execute(
            "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
            f"INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.content_id, {old}); "
            f"INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.content_id, {new}); END"
        )
    elif dialect == "postgresql":
        # English stemming without stop words, so both engines find the same pages for "the".
        op.execute("CREATE TEXT SEARCH DICTIONARY localfluence_stem (TEMPLATE = snowball, Language = english)")
        op.execute("CREATE TEXT SEARCH CONFIGURATION localfluence (COPY = english)")
        op.execute(
            "ALTER TEXT SEARCH CONFIGURATION localfluence ALTER MAPPING FOR "
            "asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH localfluence_stem"
        )
        op.execute(
            "ALTER TABLE search_document ADD COLUMN document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('localfluence'::regconfig, title), 'A') || "
            "setweight(to_tsvector('localfluence'::regconfig, labels), 'B') || "
            "setweight(to_tsvector('simple'::regconfig, space_token), 'C') || "
            "setweight(to_tsvector('localfluence'::regconfig, body), 'D')) STORED"
        )
        op.execute("CREATE INDEX ix_search_document_document ON search_document USING gin (document)")
    _backfill()


def _backfill() -> None:
    """Index the content that exists already."""
    from sqlalchemy.orm import Session

    from localfluence.search.index import reindex_all

    session = Session(bind=op.get_bind())
    reindex_all(session)
    session.flush()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("search_document_ai", "search_document_ad", "search_document_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_document")
    if dialect == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS localfluence")
        op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS localfluence_stem")
