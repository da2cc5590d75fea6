"""The SQL database reader on SQLite and on a real PostgreSQL server: incremental by cursor."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.loader import Loader
from ingestion.mapping import DatabaseSource, TableSpec
from ingestion.readers.sql_database import load_database
from ingestion.warehouse import connect

SOURCE = DatabaseSource(
    source_system="erp",
    default_sqlite="",
    overlap_seconds=3600,
    tables=(
        TableSpec(
            name="orders",
            table="erp_orders",
            primary_key=("order_id",),
            cursor="updated_at",
            types={
                "qty": "BIGINT",
                "amount": "DOUBLE",
                "order_date": "DATE",
                "updated_at": "TIMESTAMP",
            },
        ),
        TableSpec(
            name="order_lines",
            table="erp_order_lines",
            primary_key=("order_id", "line_no"),
            cursor="updated_at",
            types={"line_no": "BIGINT", "qty": "BIGINT", "updated_at": "TIMESTAMP"},
        ),
    ),
)

T0 = datetime(2025, 1, 7, 18, 0, 0)


def _create_source(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    sa.Table(
        "orders",
        meta,
        sa.Column("order_id", sa.Text, primary_key=True),
        sa.Column("status", sa.Text),
        sa.Column("qty", sa.BigInteger),
        sa.Column("amount", sa.Double),
        sa.Column("order_date", sa.Date),
        sa.Column("updated_at", sa.DateTime),
    )
    sa.Table(
        "order_lines",
        meta,
        sa.Column("order_id", sa.Text, primary_key=True),
        sa.Column("line_no", sa.BigInteger, primary_key=True),
        sa.Column("qty", sa.BigInteger),
        sa.Column("updated_at", sa.DateTime),
    )
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text("insert into orders values (:o, :s, :q, :a, :d, :u)"),
            [
                {
                    "o": "O1",
                    "s": "open",
                    "q": 5,
                    "a": 10.5,
                    "d": date(2025, 1, 7),
                    "u": T0.replace(hour=9),
                },
                {
                    "o": "O2",
                    "s": "open",
                    "q": 3,
                    "a": 7.25,
                    "d": date(2025, 1, 7),
                    "u": T0.replace(hour=10),
                },
                {"o": "O3", "s": "open", "q": 1, "a": None, "d": date(2025, 1, 7), "u": T0},
            ],
        )
        conn.execute(
            sa.text("insert into order_lines values (:o, :l, :q, :u)"),
            [
                {"o": "O1", "l": 1, "q": 2, "u": T0.replace(hour=9)},
                {"o": "O1", "l": 2, "q": 3, "u": T0.replace(hour=9)},
                {"o": "O2", "l": 1, "q": 3, "u": T0.replace(hour=10)},
            ],
        )
    return engine


def _change_source(engine: sa.Engine) -> None:
    """A day later: O2 cancelled, O4 created, O1 hard-deleted, O3 untouched (inside the overlap)."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "update orders set status = 'cancelled', updated_at = :u where order_id = 'O2'"
            ),
            {"u": datetime(2025, 1, 8, 11, 0)},
        )
        conn.execute(
            sa.text("insert into orders values ('O4', 'open', 8, 80.0, :d, :u)"),
            {"d": date(2025, 1, 8), "u": datetime(2025, 1, 8, 12, 0)},
        )
        conn.execute(sa.text("delete from order_lines where order_id = 'O1'"))
        conn.execute(sa.text("delete from orders where order_id = 'O1'"))
        conn.execute(
            sa.text("update order_lines set qty = 1, updated_at = :u where order_id = 'O2'"),
            {"u": datetime(2025, 1, 8, 11, 0)},
        )


def _run_incremental(url: str, warehouse: Path) -> None:
    engine = _create_source(url)
    con = connect(warehouse)
    first = {r.feed: r for r in load_database(con, url, SOURCE)}
    assert (first["orders"].status, first["orders"].rows_read, first["orders"].rows_loaded) == (
        "loaded",
        3,
        3,
    )
    assert first["order_lines"].rows_loaded == 3
    assert con.execute(
        "select status, qty, amount, order_date from raw.erp_orders where order_id = 'O2'"
    ).fetchone() == ("open", 3, 7.25, date(2025, 1, 7))
    cursor_to = con.execute(
        "select cursor_to from audit.load_manifest where source_table = 'orders'"
    ).fetchone()[0]
    assert cursor_to == "2025-01-07 18:00:00"

    _change_source(engine)
    second = {r.feed: r for r in load_database(con, url, SOURCE)}
    orders = second["orders"]
    # Batch = updated_at >= 17:00 on the 7th: O3 (unchanged, overlap), O2 (changed), O4 (new).
    assert (orders.rows_read, orders.rows_loaded, orders.rows_unchanged, orders.rows_deleted) == (
        2,
        2,
        1,
        1,
    )
    assert second["order_lines"].rows_deleted == 2
    assert second["order_lines"].rows_loaded == 1
    current = con.execute(
        "select order_id, status, _deleted from raw.erp_orders order by order_id"
    ).fetchall()
    assert current == [
        ("O1", "open", True),
        ("O2", "cancelled", False),
        ("O3", "open", False),
        ("O4", "open", False),
    ]
    # Latest version only in raw, every version in the history (3 first + O2 update + O4 + O1 delete).
    assert con.execute(
        "select count(*), count(distinct order_id) from raw.erp_orders"
    ).fetchone() == (4, 4)
    history = con.execute(
        "select order_id, _change from raw.erp_orders_history order by _loaded_at, order_id"
    ).fetchall()
    assert sorted(history) == sorted(
        [
            ("O1", "insert"),
            ("O2", "insert"),
            ("O3", "insert"),
            ("O2", "update"),
            ("O4", "insert"),
            ("O1", "delete"),
        ]
    )

    third = {r.feed: r for r in load_database(con, url, SOURCE)}
    assert third["orders"].status == "up_to_date"
    assert third["orders"].rows_unchanged == 2  # O2, O4 re-read by the overlap, not reloaded
    manifest_rows = con.execute("select count(*) from audit.load_manifest").fetchone()[0]
    assert manifest_rows == 4
    assert (
        con.execute(
            "select count(*) from audit.load_manifest where rows_read <> rows_loaded + rows_quarantined"
        ).fetchone()[0]
        == 0
    )
    lineage = con.execute(
        "select _source_system, _source_file, _load_id is not null, _source_row > 0 from raw.erp_orders where order_id = 'O4'"
    ).fetchone()
    assert lineage == ("erp", "orders", True, True)
    con.close()
    engine.dispose()


def test_sqlite_incremental(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    _run_incremental(url, tmp_path / "wh.duckdb")


@pytest.mark.postgres
def test_postgres_incremental(postgres_url: str, tmp_path: Path) -> None:
    _run_incremental(postgres_url, tmp_path / "wh.duckdb")


def test_sqlite_value_that_does_not_cast_is_quarantined(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    engine = _create_source(url)
    with engine.begin() as conn:  # SQLite's dynamic typing lets a bad value in
        conn.execute(
            sa.text(
                "insert into orders values ('O9', 'open', 'lots', 1.0, '2025-01-07', '2025-01-07 12:00:00')"
            )
        )
    con = connect(tmp_path / "wh.duckdb")
    results = {r.feed: r for r in load_database(con, url, SOURCE, Loader(con))}
    assert (
        results["orders"].rows_read,
        results["orders"].rows_loaded,
        results["orders"].rows_quarantined,
    ) == (4, 3, 1)
    reason, detail, raw_text = con.execute(
        "select reason_code, detail, raw_text from quarantine.records"
    ).fetchone()
    assert reason == "type_error"
    assert detail == "qty: not bigint: lots"
    assert '"order_id":"O9"' in raw_text


def test_the_generated_erp_is_read_through_an_index_on_updated_at(tmp_path: Path) -> None:
    """Each day's read asks for the rows from the cursor on: the simulator's ERP indexes the
    cursor column as a real one does (a database written before it gets the index on its next
    append), so the read doesn't scan the whole table."""
    import sqlite3

    from ingestion.readers.sql_database import _extract_query
    from simulator.writers import erp_db

    database = tmp_path / "erp.sqlite"
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as conn:
            erp_db.metadata.create_all(conn)
            conn.execute(sa.text('drop index "ix_items_updated_at"'))  # as written before
            for table in erp_db.TABLES.values():  # what an append does first
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
    finally:
        engine.dispose()
    with sqlite3.connect(database) as sqlite:
        for name, table in erp_db.TABLES.items():
            columns = [column.name for column in table.columns]
            query = _extract_query("sqlite", name, columns, "updated_at", "2025-06-01 17:00:00")
            plan = " ".join(str(step[-1]) for step in sqlite.execute(f"explain query plan {query}"))
            assert f"INDEX ix_{name}_updated_at (updated_at>?)" in plan, (name, plan)
