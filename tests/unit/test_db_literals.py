"""Values written into the statement text: PostgreSQL's generic plan sees them, the answer is unchanged."""

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, event, insert, select

from localfluence.db.literals import page_size, written, written_in

_rows = Table("rows", MetaData(), Column("id", Integer, primary_key=True), Column("status", String))


def test_written_values_are_in_the_text_at_execution_and_ids_stay_parameters() -> None:
    statement = (
        select(_rows.c.id)
        .where(written_in(_rows.c.status, ["current", "draft", "current"]), _rows.c.id > 0)
        .limit(page_size())
    )
    engine = create_engine("sqlite://")
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, sql, *a: seen.append(sql))
    _rows.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(_rows), [{"id": i, "status": s} for i, s in enumerate(["current", "draft", "old"] * 3, 1)])
        got = conn.scalars(statement, {"limit": 4}).all()
    assert got == [1, 2, 4, 5]
    sql = seen[-1]
    # repeats and order dropped, so a client repeating a status makes no new statement text
    assert "IN ('current', 'draft')" in sql
    assert "LIMIT 4" in sql
    assert "id > ?" in sql


def test_written_equals_the_bound_comparison() -> None:
    engine = create_engine("sqlite://")
    _rows.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(_rows), [{"id": 1, "status": "it's"}, {"id": 2, "status": "current"}])
        # quoting is the dialect's literal rendering, not string pasting
        assert conn.scalars(select(_rows.c.id).where(_rows.c.status == written("it's"))).all() == [1]
        assert conn.scalars(select(_rows.c.id).where(written_in(_rows.c.status, []))).all() == []
