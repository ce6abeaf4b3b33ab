"""Alembic, driven from code: `upgrade(url)` brings any database to head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # Alembic's config is ConfigParser-based: '%' in a password must be escaped.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


# Made by migrations for one engine only and unknown to the ORM (db/dialect.py): SQLite's FTS5
# table and its shadow tables, PostgreSQL's generated tsvector column and its GIN index.
ENGINE_ONLY_TABLES = ("search_fts",)
ENGINE_ONLY_COLUMNS = {("search_document", "document")}
ENGINE_ONLY_INDEXES = ("ix_search_document_document",)


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Alembic's include_name: leave the engine-only search structures out of comparisons."""
    if name is None:
        return True
    if type_ == "table":
        return not any(name == t or name.startswith(t + "_") for t in ENGINE_ONLY_TABLES)
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in ENGINE_ONLY_COLUMNS
    if type_ == "index":
        return name not in ENGINE_ONLY_INDEXES
    return True
