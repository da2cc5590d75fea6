"""A generated xs world end to end: every injected fault is handled as `truth/faults.csv` says."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from ingestion.runner import load_landing_zone

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def loaded_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from simulator.generate import generate_world

    root = tmp_path_factory.mktemp("world")
    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    generate_world(landing, scale="xs", seed=11, days=21, fault_rate=0.02)
    summary = load_landing_zone(landing, warehouse)
    assert summary.ok, summary.as_dict()
    return landing, warehouse


def _faults(landing: Path) -> list[dict[str, str]]:
    with (landing / "truth" / "faults.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_fault_is_handled_as_expected(loaded_world: tuple[Path, Path]) -> None:
    landing, warehouse = loaded_world
    faults = _faults(landing)
    assert faults, "the generator injected no faults"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for fault in faults:
            handling, file, locator = fault["expected_handling"], fault["file"], fault["locator"]
            if handling == "quarantine_row":
                kind, _, number = locator.partition("=")
                # delimited: data record n is line n + 1 (header); WMS: the physical line
                line = int(number) + 1 if kind == "row" else int(number)
                found = con.execute(
                    "select reason_code from quarantine.records where source_file = ? and source_row = ?",
                    [file, line],
                ).fetchall()
                assert found, fault
            elif handling == "skip_duplicate_file":
                status = con.execute(
                    "select status from audit.load_manifest where source_file = ?", [file]
                ).fetchall()
                assert status == [("skipped_duplicate",)], fault
            elif handling == "load_late_file":
                status = con.execute(
                    "select status, rows_read from audit.load_manifest where source_file = ?",
                    [file],
                ).fetchall()
                assert status and status[0][0] == "loaded", fault
            elif handling == "envelope_error":
                found = con.execute(
                    "select count(*) from quarantine.edi_sets where source_file = ?", [file]
                ).fetchone()[0]
                assert found >= 1, fault
        # nothing else was quarantined: every quarantined row is an injected fault
        expected_rows = sum(f["expected_handling"] == "quarantine_row" for f in faults)
        assert (
            con.execute(
                "select count(*) from quarantine.records where source_system <> 'edi'"
            ).fetchone()[0]
            == expected_rows
        )
        assert (
            con.execute(
                "select count(*) from audit.load_manifest where rows_read <> rows_loaded + rows_quarantined"
            ).fetchone()[0]
            == 0
        )
        assert (
            con.execute(
                "select count(*) from audit.load_manifest where status = 'failed'"
            ).fetchone()[0]
            == 0
        )
    finally:
        con.close()


def test_erp_tables_match_the_database(loaded_world: tuple[Path, Path]) -> None:
    import sqlite3

    landing, warehouse = loaded_world
    erp = sqlite3.connect(landing / "erp" / "group_erp.sqlite")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for table in ("sales_orders", "sales_order_lines", "invoice_lines", "fx_rates"):
            source_rows = erp.execute(f"select count(*) from {table}").fetchone()[0]
            assert (
                con.execute(f"select count(*) from raw.group_erp_{table}").fetchone()[0]
                == source_rows
            )
        assert (
            con.execute(
                "select count(*) from raw.group_erp_sales_orders where status = 'cancelled'"
            ).fetchone()[0]
            == erp.execute(
                "select count(*) from sales_orders where status = 'cancelled'"
            ).fetchone()[0]
        )
    finally:
        con.close()
        erp.close()


def test_second_run_loads_nothing(loaded_world: tuple[Path, Path]) -> None:
    landing, warehouse = loaded_world
    again = load_landing_zone(landing, warehouse)
    assert again.ok
    assert sum(s.rows_read for s in again.sources) == 0


@pytest.mark.postgres
def test_erp_on_postgres_lands_like_sqlite(postgres_url: str, tmp_path: Path) -> None:
    """The same generated ERP on PostgreSQL and on SQLite lands the same raw schema and rows."""
    import sqlalchemy as sa

    from ingestion.runner import load_erp_database
    from ingestion.warehouse import connect
    from simulator.generate import generate_world

    results = {}
    for backend, url in (("postgres", postgres_url), ("sqlite", None)):
        landing = tmp_path / backend
        generate_world(landing, scale="xs", seed=5, days=7, fault_rate=0.0, erp_url=url)
        con = connect(tmp_path / f"{backend}.duckdb")
        summary = load_erp_database(con, landing, url)
        assert not summary.errors, summary.errors
        results[backend] = {
            table: (
                con.execute(
                    "select list(column_name || ' ' || data_type order by column_index)"
                    " from duckdb_columns() where schema_name = 'raw' and table_name = ?",
                    [table],
                ).fetchone()[0],
                con.execute(
                    f"select * exclude (_load_id, _loaded_at, _source_row) from raw.{table} order by all"
                ).fetchall(),
            )
            for (table,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'raw'"
                " and table_name not like '%_history' order by 1"
            ).fetchall()
        }
        con.close()
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        orders = conn.execute(sa.text("select count(*) from sales_orders")).scalar_one()
    engine.dispose()
    assert len(results["postgres"]["group_erp_sales_orders"][1]) == orders > 0
    assert results["postgres"].keys() == results["sqlite"].keys()
    for table in results["sqlite"]:
        assert results["postgres"][table] == results["sqlite"][table], table
