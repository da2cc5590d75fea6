"""Incremental builds end with the tables a full build makes.

The order-to-cash chain builds incrementally by order (dbt/macros/order_to_cash_increments.sql):
a daily run rebuilds only the orders something touched since the last build. fct_inventory_daily
builds by month (dbt/macros/inventory_increments.sql): the latest month, and the earlier months
a change in its inputs reaches. Both are checked on a faulty xs world after two appended days and
an order line deleted in the ERP, against `dbt run --full-refresh` on a copy. The publication
copies only the changed orders' rows of the order-keyed facts into a copy of the previous
publication (backbone/publish.py), and must equal the working warehouse all the same.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from tests.worlds import PublishedWorld, build_published_world

# one world for the module, on one worker
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("incremental_chain")]

CHAIN = {
    "intermediate": [
        "int_sales_order_lines_unioned",
        "int_shipment_lines_unioned",
        "int_order_lines_fulfilled",
        "int_invoice_lines_converted",
    ],
    "marts": ["fct_order_lines", "fct_shipments", "fct_invoice_lines"],
}
# built incrementally too, compared with a full build like the chain
BY_MONTH = {"marts": ["fct_inventory_daily"]}
DEFAULT_FAULT_RATE = 0.005


class Incremented:
    def __init__(self, world: PublishedWorld, deleted_line: tuple[str, int], publication):
        self.world = world
        self.deleted_line = deleted_line
        self.publication = publication


@pytest.fixture(scope="module")
def incremented(tmp_path_factory: pytest.TempPathFactory) -> Incremented:
    """A faulty xs world built in full, then two more days and an ERP delete, built again."""
    from dagster_project.pipeline import run_pipeline
    from simulator.generate import generate_world

    world = build_published_world(
        tmp_path_factory.mktemp("incremental_chain"), seed=7, fault_rate=DEFAULT_FAULT_RATE
    )
    generate_world(world.landing, append_days=2)
    deleted_line = _delete_an_old_shipped_order_line(world.landing / "erp" / "group_erp.sqlite")
    result = run_pipeline(world.landing, world.warehouse, published=world.published)
    assert result.published, (
        f"the increment did not publish: {result.failures or result.blocked_by}"
    )
    from backbone.publish import read_status

    return Incremented(world, deleted_line, read_status(world.published)["published"])


def test_a_daily_run_rebuilds_only_the_orders_it_touched(incremented: Incremented) -> None:
    with duckdb.connect(str(incremented.world.warehouse), read_only=True) as con:
        changed, full = con.execute(
            "select count(*), coalesce(bool_or(is_full_rebuild), false)"
            " from intermediate.int_orders_changed"
        ).fetchone()
        orders = con.execute(
            "select count(*) from intermediate.int_sales_orders_unioned"
        ).fetchone()[0]
        builds = con.execute(
            "select count(*) from audit.incremental_builds where model_group = 'order_to_cash'"
        ).fetchone()[0]
    assert not full
    assert builds == 2  # the full build and the increment each left their mark
    # two days of new orders, shipments and invoices, and the order with the deleted line
    assert 0 < changed < orders * 0.1, (changed, orders)


@pytest.fixture(scope="module")
def refreshed(incremented: Incremented, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the incremented warehouse whose incremental models were then rebuilt with
    --full-refresh."""
    scratch = tmp_path_factory.mktemp("full_refresh")
    full = scratch / "full.duckdb"
    shutil.copyfile(incremented.world.warehouse, full)
    _dbt(
        full, scratch, "run", "--full-refresh", "--select", *_chain_models(), "fct_inventory_daily"
    )
    return full


def test_the_increment_equals_a_full_build(incremented: Incremented, refreshed: Path) -> None:
    with _side_by_side(incremented.world.warehouse, refreshed) as con:
        for schema, tables in [*CHAIN.items(), *BY_MONTH.items()]:
            for table in tables:
                only_incremental, only_rebuilt, rows = _differences(con, schema, table)
                assert rows > 0, table
                assert (only_incremental, only_rebuilt) == (0, 0), (
                    f"{schema}.{table}: {only_incremental} rows only in the increment, "
                    f"{only_rebuilt} only in the full build (of {rows})"
                )


def test_a_publication_after_a_full_refresh_copies_the_facts_whole(
    refreshed: Path, tmp_path: Path
) -> None:
    """--full-refresh (after a macro change, say) may change any order's or month's rows, not
    only those int_orders_changed and int_inventory_months_changed list: the next publication
    must not copy those alone. The same for a chain model refreshed on its own, which leaves
    the chain's mark where it was."""
    from backbone.publish import publish

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(refreshed, warehouse)
    first = publish(warehouse, tmp_path / "published.duckdb", require_gates=False)
    assert (first.tables_by_order, first.tables_by_month) == ([], [])

    with duckdb.connect(str(warehouse), read_only=True) as con:
        mark = _latest_mark(con)
    _dbt(warehouse, tmp_path, "run", "--full-refresh", "--select", "fct_shipments")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert _latest_mark(con) == mark  # one model is not the chain: the mark stays
        invocation = con.execute(
            "select invocation_id from audit.incremental_builds order by built_at desc limit 1"
        ).fetchone()[0]
        recorded = con.execute(
            "select order_id, is_full_rebuild from audit.order_to_cash_changes"
            " where invocation_id = ?",
            [invocation],
        ).fetchall()
    assert recorded == [(None, True)]
    second = publish(warehouse, tmp_path / "published.duckdb", require_gates=False)
    assert second.tables_by_order == []


def test_a_daily_run_rebuilds_only_the_latest_inventory_months(incremented: Incremented) -> None:
    """The new days' costs close earlier cost intervals (reloaded with their old start dates);
    that changes nothing before the close, so no older month is rebuilt."""
    with duckdb.connect(str(incremented.world.warehouse), read_only=True) as con:
        changed_from, full = con.execute(
            "select changed_from, is_full_rebuild from intermediate.int_inventory_months_changed"
        ).fetchone()
        last_day, reloaded_costs_from = con.execute(
            "select (select max(snapshot_date) from marts.fct_inventory_daily),"
            " (select min(valid_from) from raw.group_erp_item_costs where _loaded_at >"
            " (select min(built_at) from audit.incremental_builds))"
        ).fetchone()
    assert not full
    assert changed_from >= last_day - timedelta(days=1), (changed_from, last_day)
    assert reloaded_costs_from < changed_from  # the world did reload older cost intervals


def test_a_restated_cost_rebuilds_the_months_it_reaches(
    incremented: Incremented, tmp_path: Path
) -> None:
    warehouse = tmp_path / "restated.duckdb"
    (restated_from,) = _changed_copy(
        incremented,
        warehouse,
        "update raw.group_erp_item_costs set unit_cost = unit_cost * 1.1,"
        " _loaded_at = now()::timestamp where (company_code, item_id, valid_from) = ("
        "  select (company_code, item_id, valid_from) from raw.group_erp_item_costs"
        "  where valid_to is not null and not _deleted order by valid_from limit 1)"
        " returning valid_from",
    )
    rebuilt = ("int_item_costs", "int_inventory_months_changed", "fct_inventory_daily")
    _dbt(warehouse, tmp_path, "run", "--select", *rebuilt)
    full = tmp_path / "full.duckdb"
    shutil.copyfile(warehouse, full)
    _dbt(full, tmp_path, "run", "--full-refresh", "--select", "fct_inventory_daily")
    with _side_by_side(warehouse, full) as con:
        changed_from, full_rebuild = con.execute(
            "select changed_from, is_full_rebuild"
            " from incremental.intermediate.int_inventory_months_changed"
        ).fetchone()
        assert (changed_from, full_rebuild) == (restated_from, False)
        assert _differences(con, "marts", "fct_inventory_daily")[:2] == (0, 0)

    # the next publication replaces the months from the restated one, not just the latest
    from backbone.publish import publish

    publication = publish(warehouse, tmp_path / "published.duckdb", require_gates=False)
    assert publication.tables_by_month == ["marts.fct_inventory_daily"]
    with _side_by_side(warehouse, tmp_path / "published.duckdb") as con:
        assert _differences(con, "marts", "fct_inventory_daily")[:2] == (0, 0)


def test_a_reclassified_item_rebuilds_every_inventory_month(
    incremented: Incremented, tmp_path: Path
) -> None:
    """An item's ABC class (or golden id, through the steward's crosswalk) is on every day of it."""
    warehouse = tmp_path / "reclassified.duckdb"
    _changed_copy(
        incremented,
        warehouse,
        "update raw.group_erp_items set abc_class = case abc_class when 'A' then 'C' else 'A'"
        " end, _loaded_at = now()::timestamp"
        " where item_id = (select min(item_id) from raw.group_erp_items)",
    )
    _dbt(warehouse, tmp_path, "run", "--select", "int_item_xref", "int_inventory_months_changed")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        full = con.execute(
            "select is_full_rebuild from intermediate.int_inventory_months_changed"
        ).fetchone()[0]
    assert full


def test_an_order_line_deleted_in_the_erp_leaves_the_marts(incremented: Incremented) -> None:
    order_id, line_no = incremented.deleted_line
    with duckdb.connect(str(incremented.world.warehouse), read_only=True) as con:
        left = con.execute(
            "select count(*) from marts.fct_order_lines where order_id = ? and line_no = ?",
            [order_id, line_no],
        ).fetchone()[0]
        others = con.execute(
            "select count(*) from marts.fct_order_lines where order_id = ?", [order_id]
        ).fetchone()[0]
        rebuilt = con.execute(
            "select count(*) from intermediate.int_orders_changed where order_id = ?", [order_id]
        ).fetchone()[0]
    assert (left, rebuilt) == (0, 1)
    assert others > 0  # the order's other lines are still there


def test_a_mapping_change_rebuilds_every_order(incremented: Incremented, tmp_path: Path) -> None:
    """A steward's crosswalk load can remap any old line: the next run rebuilds them all."""
    copy = tmp_path / "remapped.duckdb"
    _changed_copy(
        incremented,
        copy,
        "insert into raw.crosswalk_items select * replace (now()::timestamp as _loaded_at)"
        " from raw.crosswalk_items limit 1",
    )
    _dbt(copy, tmp_path, "run", "--select", "int_orders_changed")
    with duckdb.connect(str(copy), read_only=True) as con:
        changed, full = con.execute(
            "select count(*), bool_and(is_full_rebuild) from intermediate.int_orders_changed"
        ).fetchone()
        orders = con.execute(
            "select count(*) from intermediate.int_sales_orders_unioned"
        ).fetchone()[0]
    assert full
    assert changed >= orders


def test_the_publication_copies_only_the_changed_orders_and_months(
    incremented: Incremented,
) -> None:
    from backbone.publish import MONTH_KEYED_TABLES, ORDER_KEYED_TABLES

    assert sorted(incremented.publication["tables_by_order"]) == sorted(
        f"{schema}.{table}" for schema, table in ORDER_KEYED_TABLES
    )
    assert sorted(incremented.publication["tables_by_month"]) == sorted(
        f"{schema}.{table}" for schema, table in MONTH_KEYED_TABLES
    )


def test_the_publication_equals_the_working_warehouse(incremented: Incremented) -> None:
    """Every published table, the ones copied by order included, row for row."""
    with _side_by_side(incremented.world.warehouse, incremented.world.published) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'rebuilt'"
        ).fetchall()
        assert len(tables) > 20
        for schema, table in tables:
            if (schema, table) in {
                ("audit", "publications"),
                ("audit", "order_to_cash_changes"),
                ("audit", "inventory_changes"),
            }:
                continue  # written by the publication itself, after its copy
            only_working, only_published, rows = _differences(con, schema, table)
            assert (only_working, only_published) == (0, 0), (
                f"{schema}.{table}: {only_working} rows only in the working warehouse, "
                f"{only_published} only in the publication (of {rows})"
            )


def _latest_mark(con: duckdb.DuckDBPyConnection) -> tuple:
    return con.execute(
        "select built_through, fingerprint from audit.incremental_builds"
        " where model_group = 'order_to_cash' order by built_at desc limit 1"
    ).fetchone()


def _delete_an_old_shipped_order_line(erp: Path) -> tuple[str, int]:
    """Delete the first line of an old order that has two lines or more (an ERP purge)."""
    with sqlite3.connect(erp) as db:
        order_id, line_no = db.execute(
            "select order_id, min(line_no) from sales_order_lines"
            " group by order_id having count(*) >= 2 order by order_id limit 1"
        ).fetchone()
        db.execute(
            "delete from sales_order_lines where order_id = ? and line_no = ?", [order_id, line_no]
        )
    return order_id, int(line_no)


def _chain_models() -> list[str]:
    return [table for tables in CHAIN.values() for table in tables]


def _changed_copy(incremented: Incremented, copy: Path, change: str) -> tuple:
    """A copy of the incremented warehouse with one change (a statement) made to its raw layer:
    the statement's first row."""
    shutil.copyfile(incremented.world.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        return con.execute(change).fetchone()


def _side_by_side(incremental: Path, rebuilt: Path) -> duckdb.DuckDBPyConnection:
    """A connection with both warehouses attached, as `_differences` compares them."""
    con = duckdb.connect()
    con.execute(f"attach '{incremental}' as incremental (read_only)")
    con.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
    return con


def _differences(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[int, int, int]:
    columns = ", ".join(
        name
        for (name,) in con.execute(
            "select column_name from duckdb_columns() where database_name = 'rebuilt'"
            " and schema_name = ? and table_name = ? order by column_index",
            [schema, table],
        ).fetchall()
    )

    def count(sql: str) -> int:
        return con.execute(f"select count(*) from ({sql})").fetchone()[0]

    incremental = f"select {columns} from incremental.{schema}.{table}"
    rebuilt = f"select {columns} from rebuilt.{schema}.{table}"
    return (
        count(f"{incremental} except all {rebuilt}"),
        count(f"{rebuilt} except all {incremental}"),
        count(rebuilt),
    )


def _dbt(warehouse: Path, scratch: Path, *args: str) -> None:
    from dagster_project.dbt.project import DBT_DIR, dbt_executable

    completed = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(scratch / "dbt_target"),
            "--log-path",
            str(scratch / "dbt_logs"),
        ],
        env={**os.environ, "BACKBONE_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
