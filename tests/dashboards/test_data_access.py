"""Row-level security and reconciliation of the data-access module with the published marts.

Expected numbers are read from the published file directly (kpi_monthly, the facts), never
through `dashboards.data`.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards.auth import User
from dashboards.data import AccessDenied, Data
from tests.dashboards.conftest import published_con

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dashboard_world")]

CEO = User("ceo", "CEO", "executive", None)
MX = User("mx_manager", "MX", "entity_manager", ("MX01", "MX02"))


def _month(world) -> str:
    """A full month in the middle of the world (not its first or last, which are partial)."""
    con = published_con(world)
    months = [
        r[0]
        for r in con.execute("select distinct month from marts.kpi_monthly order by 1").fetchall()
    ]
    con.close()
    return months[len(months) // 2]


def test_an_entity_manager_sees_only_their_entities(home) -> None:
    data = Data(MX)
    con = published_con(home)
    entity_tables = [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_columns() where schema_name = 'marts'"
            " and column_name = 'entity_code' group by 1 order by 1"
        ).fetchall()
    ]
    assert {"kpi_monthly", "fct_order_lines", "fct_exceptions", "fct_invoice_lines"} <= set(
        entity_tables
    )
    visible = set(data.tables())
    for table in entity_tables:
        assert table in visible
        with data.connect() as scoped:
            seen = {
                r[0]
                for r in scoped.execute(
                    f"select distinct entity_code from scoped.{table}"
                ).fetchall()
            }
        expected = {
            r[0]
            for r in con.execute(
                f"select distinct entity_code from marts.{table} where entity_code in ('MX01', 'MX02')"
            ).fetchall()
        }
        assert seen == expected, table  # all of their rows, none of anyone else's
    # audit and quarantine are not split by entity: not visible at all
    assert not {"load_manifest", "quality_results", "records"} & visible
    con.close()


def test_an_entity_manager_gets_their_numbers_and_no_consolidated_ones(home) -> None:
    month = _month(home)
    data = Data(MX)
    assert data.entity_choices() == ["MX01", "MX02"]
    cells = data.kpi_cells(("revenue_usd", "line_fill_rate"))
    assert set(cells["entity_code"]) == {"MX01", "MX02"}
    con = published_con(home)
    expected = con.execute(
        "select entity_code, month, kpi, value from marts.kpi_monthly"
        " where entity_code in ('MX01', 'MX02') and kpi in ('revenue_usd', 'line_fill_rate')"
        " order by all"
    ).df()
    pd.testing.assert_frame_equal(
        cells.sort_values(["entity_code", "month", "kpi"]).reset_index(drop=True), expected
    )
    assert data.kpi_cells(("revenue_usd",), ("GROUP", "US01")).empty
    # breakdowns, drill-downs, inventory and the queue stay inside the scope
    assert set(data.breakdown("entity", month)["key"]) <= {"MX01", "MX02"}
    assert set(data.breakdown("country", month)["key"]) == {"MX"}
    assert set(data.inventory_by_warehouse(month)["entity_code"]) <= {"MX01", "MX02"}
    assert set(data.exceptions()["entity_code"]) <= {"MX01", "MX02"}
    us_revenue = con.execute(
        "select sum(net_amount_usd) from marts.fct_invoice_lines where entity_code like 'US%' and invoice_month = ?",
        [month],
    ).fetchone()[0]
    assert us_revenue > 0
    assert data.breakdown("channel", month)["revenue_usd"].sum() == pytest.approx(
        con.execute(
            "select sum(net_amount_usd) from marts.fct_invoice_lines"
            " where entity_code in ('MX01', 'MX02') and invoice_month = ? and not is_intercompany",
            [month],
        ).fetchone()[0]
    )
    with pytest.raises(AccessDenied):
        data.customers("US01", month)
    with pytest.raises(AccessDenied):
        data.quality()
    us_exception = con.execute(
        "select exception_id from marts.fct_exceptions where entity_code like 'US%' limit 1"
    ).fetchone()
    con.close()
    if us_exception:
        with pytest.raises(AccessDenied):
            data.act_on_exception(us_exception[0], "resolve")


def test_breakdowns_reconcile_with_kpi_monthly(home) -> None:
    month = _month(home)
    data = Data(CEO)
    con = published_con(home)
    kpi = {
        (e, k): v
        for e, k, v in con.execute(
            "select entity_code, kpi, value from marts.kpi_monthly where month = ?", [month]
        ).fetchall()
    }
    by_entity = data.breakdown("entity", month, None)
    # GROUP view: intercompany eliminated, so its total is GROUP's revenue
    assert by_entity["revenue_usd"].sum() == pytest.approx(kpi[("GROUP", "revenue_usd")], rel=1e-9)
    for dimension in ("country", "channel", "customer", "category"):
        frame = data.breakdown(dimension, month, None)
        assert frame["revenue_usd"].sum() == pytest.approx(
            kpi[("GROUP", "revenue_usd")], rel=1e-9
        ), dimension
        assert frame["gross_margin_usd"].sum() == pytest.approx(
            kpi[("GROUP", "gross_margin_usd")], rel=1e-9
        )
    for entity in ("US01", "CA01", "MX01"):
        one = data.breakdown("entity", month, entity)
        row = one.set_index("key").loc[entity]
        assert row["revenue_usd"] == pytest.approx(kpi[(entity, "revenue_usd")], rel=1e-9)
        assert row["gross_margin_pct"] == pytest.approx(kpi[(entity, "gross_margin_pct")], rel=1e-9)
        assert row["line_fill_rate"] == pytest.approx(kpi[(entity, "line_fill_rate")], rel=1e-9)
        # drill-down: customers add up to the entity
        customers = data.customers(entity, month)
        assert customers["revenue_usd"].sum() == pytest.approx(
            kpi[(entity, "revenue_usd")], rel=1e-9
        )
    con.close()


def test_tiles_are_the_published_kpi_cells(home) -> None:
    month = _month(home)
    con = published_con(home)
    months = [
        r[0]
        for r in con.execute("select distinct month from marts.kpi_monthly order by 1").fetchall()
    ]
    prior = months[months.index(month) - 1]
    expected = {
        (m, k): v
        for m, k, v in con.execute(
            "select month, kpi, value from marts.kpi_monthly where entity_code = 'GROUP' and month in (?, ?)",
            [month, prior],
        ).fetchall()
    }
    con.close()
    tiles = Data(CEO).tiles("GROUP", month)
    assert [t["kpi"] for t in tiles][:3] == [
        "gross_margin_pct",
        "pocket_margin_pct",
        "line_fill_rate",
    ]
    for tile in tiles:
        assert tile["value"] == expected.get((month, tile["kpi"])), tile["kpi"]
        assert tile["prior"] == expected.get((prior, tile["kpi"])), tile["kpi"]
    assert sum(t["value"] is not None for t in tiles) >= 8


def test_inventory_and_procurement_reconcile(home) -> None:
    month = _month(home)
    data = Data(CEO)
    con = published_con(home)
    kpi = {
        (e, k): v
        for e, k, v in con.execute(
            "select entity_code, kpi, value from marts.kpi_monthly where month = ?", [month]
        ).fetchall()
    }
    warehouses = data.inventory_by_warehouse(month)
    assert warehouses["stocked_out"].sum() / warehouses["positions"].sum() == pytest.approx(
        kpi[("GROUP", "stockout_rate")], rel=1e-9
    )
    assert warehouses["accurate_counts"].sum() / warehouses["counts"].sum() == pytest.approx(
        kpi[("GROUP", "inventory_record_accuracy")], rel=1e-9
    )
    for entity, rows in warehouses.groupby("entity_code"):
        assert rows["stocked_out"].sum() / rows["positions"].sum() == pytest.approx(
            kpi[(entity, "stockout_rate")], rel=1e-9
        )
    scorecard = data.supplier_scorecard((month,))
    on_time = (scorecard["supplier_otif"] * scorecard["po_lines_due"]).sum()
    assert on_time / scorecard["po_lines_due"].sum() == pytest.approx(
        kpi[("GROUP", "supplier_otif")], rel=1e-9
    )
    late = data.late_open_po_lines()
    assert (late["days_late"] > 0).all()
    con.close()
