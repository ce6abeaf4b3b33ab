"""The visibility rule as SQL, compiled without a database."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible
from localfluence.models import Content

ALICE = Principal(user_id=7, account_id="a", group_ids=frozenset({"g1", "g2"}))


def _sql(principal: Principal, dialect) -> str:  # type: ignore[no-untyped-def]
    return str(select(Content.id).where(content_is_visible(principal)).compile(dialect=dialect()))


def test_space_term_is_no_index_key_on_sqlite_only() -> None:
    assert "+content.space_id IN" in _sql(ALICE, sqlite.dialect)
    assert "+content.space_id" not in _sql(ALICE, postgresql.dialect)
    assert "content.space_id IN" in _sql(ALICE, postgresql.dialect)


def test_admins_skip_the_rule_but_not_other_peoples_drafts() -> None:
    admin = Principal(user_id=1, account_id="x", is_admin=True)
    sql = _sql(admin, sqlite.dialect)
    assert "content_restriction" not in sql and "space_permission" not in sql
    assert "content.status != ? OR content.creator_id = ?" in sql


def test_anonymous_without_access_sees_nothing() -> None:
    sql = _sql(Principal.anonymous(anonymous_access=False), sqlite.dialect)
    assert "0 = 1" in sql or "false" in sql.lower()


def test_clause_is_reused_per_principal_and_distinct_across_principals() -> None:
    assert content_is_visible(ALICE) is content_is_visible(ALICE)
    other = Principal(user_id=7, account_id="a", group_ids=frozenset({"g1"}))
    assert content_is_visible(other) is not content_is_visible(ALICE)
    assert "group_id IN" in _sql(other, sqlite.dialect)
