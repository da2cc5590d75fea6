"""Every KPI of simulator.truth on tiny hand-made Worlds, the expected values worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from simulator.truth import compute_kpis
from tests.simulator.world_builder import WorldBuilder

# the `name` column of shared/KPIS.md
GOVERNED = {
    "line_fill_rate",
    "unit_fill_rate",
    "order_fill_rate",
    "otif",
    "order_cycle_time_days",
    "backlog_value_usd",
    "gross_margin_pct",
    "pocket_margin_pct",
    "dso_days",
    "inventory_turns",
    "days_on_hand",
    "days_of_supply",
    "gmroi",
    "inventory_record_accuracy",
    "stockout_rate",
    "supplier_otif",
    "lead_time_variance_days",
    "po_ack_time_days",
    "forecast_accuracy",
    "forecast_variance",
    "exception_resolution_hours",
    "standard_workflow_share",
    "close_days",
}


def cell(kpis: pl.DataFrame, entity: str, month: str, kpi: str) -> float | None:
    """The cell's value, or None when compute_kpis emitted no such cell."""
    hit = kpis.filter(
        (pl.col("entity_code") == entity) & (pl.col("month") == month) & (pl.col("kpi") == kpi)
    )
    assert hit.height <= 1, hit
    return hit["value"][0] if hit.height else None


# --- order to cash ---------------------------------------------------------------------------


def test_fill_rates_partial_backorder_cancelled_substituted_uom_overship() -> None:
    b = WorldBuilder()
    b.order("O1", order_date=date(2025, 1, 10))
    # 2 cases of 12: only 12 EA go on the first shipment (a naive CS-vs-EA compare says 12 ≥ 2)
    b.line("O1", 1, qty=2, uom="CS", qty_ordered_ea=24, price=120.0, line_status="shipped")
    b.ship("O1", 1, qty=12, ship_date=date(2025, 1, 11))
    b.ship("O1", 1, qty=12, ship_date=date(2025, 1, 20), seq=2)  # backorder: not filled
    b.line("O1", 2, qty=10, line_status="shipped")
    b.ship("O1", 2, qty=10, ship_date=date(2025, 1, 11))
    b.line("O1", 3, qty=5, line_status="cancelled", cancelled_at=date(2025, 1, 10))
    b.line("O1", 4, qty=5, substitute_for_line_no=3, item_id="BB-2", line_status="shipped")
    b.ship("O1", 4, qty=5, ship_date=date(2025, 1, 11))
    b.order("O2", order_date=date(2025, 1, 20))
    b.line("O2", 1, qty=3, line_status="shipped")
    b.ship("O2", 1, qty=3, ship_date=date(2025, 1, 21))
    b.order("O3", order_date=date(2025, 1, 25))
    b.line("O3", 1, qty=4, line_status="shipped")
    b.ship("O3", 1, qty=5, ship_date=date(2025, 1, 26))  # over-shipped: capped at 4 units
    b.order("O4", order_date=date(2025, 1, 28))
    b.line("O4", 1, qty=6)  # never shipped
    kpis = compute_kpis(b.build())
    # lines (cancelled O1/3 out): O1/1 no, O1/2 yes, O1/4 yes, O2/1 yes, O3/1 yes, O4/1 no = 4/6
    assert cell(kpis, "US01", "2025-01", "line_fill_rate") == pytest.approx(4 / 6)
    # units on first shipment, capped: (12 + 10 + 5 + 3 + 4 + 0) / (24 + 10 + 5 + 3 + 4 + 6) = 34/52
    assert cell(kpis, "US01", "2025-01", "unit_fill_rate") == pytest.approx(34 / 52)
    # orders: O1 no (O1/1 short on first shipment), O2 yes, O3 yes, O4 no = 2/4
    assert cell(kpis, "US01", "2025-01", "order_fill_rate") == pytest.approx(0.5)
    assert cell(kpis, "GROUP", "2025-01", "order_fill_rate") == pytest.approx(0.5)
    assert cell(kpis, "CA01", "2025-01", "line_fill_rate") is None


def test_otif_promised_is_confirmed_else_requested_with_tolerance() -> None:
    b = WorldBuilder()
    # O1: confirmed Jan 15 (requested Jan 12), delivered Jan 15 → on time by the confirmed date
    b.order("O1", requested_date=date(2025, 1, 12), confirmed_date=date(2025, 1, 15))
    b.line("O1", 1, qty=10, line_status="shipped")
    b.ship("O1", 1, qty=10, ship_date=date(2025, 1, 14), delivery_date=date(2025, 1, 15))
    # O2: no confirmation, requested Jan 12; shipped Jan 11 but delivered Jan 13 → 1 day late
    b.order("O2", requested_date=date(2025, 1, 12))
    b.line("O2", 1, qty=10, line_status="shipped")
    b.ship("O2", 1, qty=10, ship_date=date(2025, 1, 11), delivery_date=date(2025, 1, 13))
    # O3: half first, the backorder still delivered by Jan 20 → in full on time
    b.order("O3", requested_date=date(2025, 1, 20))
    b.line("O3", 1, qty=10, line_status="shipped")
    b.ship("O3", 1, qty=5, ship_date=date(2025, 1, 14))
    b.ship("O3", 1, qty=5, ship_date=date(2025, 1, 18), seq=2)
    # O4: in full but delivered Jan 25, 5 days late; O5: delivered on time but short
    b.order("O4", requested_date=date(2025, 1, 20))
    b.line("O4", 1, qty=10, line_status="shipped")
    b.ship("O4", 1, qty=10, ship_date=date(2025, 1, 25))
    b.order("O5", requested_date=date(2025, 1, 20))
    b.line("O5", 1, qty=10)
    b.ship("O5", 1, qty=9, ship_date=date(2025, 1, 15))
    world = b.build()
    # tolerance 0: O1, O3 = 2/5; tolerance 1: O1, O2, O3 = 3/5
    assert cell(compute_kpis(world), "US01", "2025-01", "otif") == pytest.approx(2 / 5)
    assert cell(
        compute_kpis(world, otif_tolerance_days=1), "US01", "2025-01", "otif"
    ) == pytest.approx(3 / 5)


def test_order_cycle_time_of_an_order_spanning_two_months() -> None:
    b = WorldBuilder()
    b.order("O1", order_date=date(2025, 1, 30))
    b.line("O1", 1, qty=10, line_status="shipped")
    b.ship("O1", 1, qty=4, ship_date=date(2025, 1, 31))
    b.ship("O1", 1, qty=6, ship_date=date(2025, 2, 3), seq=2)  # final shipment: 4 days
    b.order("O2", order_date=date(2025, 2, 1))
    b.line("O2", 1, qty=1, line_status="shipped")
    b.ship("O2", 1, qty=1, ship_date=date(2025, 2, 2))  # 1 day
    b.order("O3", order_date=date(2025, 2, 5))
    b.line("O3", 1, qty=1, line_status="shipped")
    b.line("O3", 2, qty=1, line_status="cancelled", cancelled_at=date(2025, 2, 6))
    b.ship("O3", 1, qty=1, ship_date=date(2025, 2, 15))  # 10 days; cancelled line ignored
    b.order("O4", order_date=date(2025, 2, 10))
    b.line("O4", 1, qty=10)
    b.ship("O4", 1, qty=5, ship_date=date(2025, 2, 11))  # never complete: not in cycle time
    kpis = compute_kpis(b.build())
    # February (month of the final shipment): days 4, 1, 10 → mean 5
    assert cell(kpis, "US01", "2025-02", "order_cycle_time_days") == pytest.approx(5.0)
    # p90, linear interpolation over [1, 4, 10]: rank 0.9 × 2 = 1.8 → 4 + 0.8 × (10 − 4) = 8.8
    assert cell(kpis, "US01", "2025-02", "order_cycle_time_days_p90") == pytest.approx(8.8)
    assert cell(kpis, "US01", "2025-01", "order_cycle_time_days") is None
    # fill rates go by the order date: O1 counts in January, not filled on its first shipment
    assert cell(kpis, "US01", "2025-01", "line_fill_rate") == 0.0
    # February: O2 yes, O3/1 yes, O4 no = 2/3
    assert cell(kpis, "US01", "2025-02", "line_fill_rate") == pytest.approx(2 / 3)


def test_backlog_reconstructed_at_each_month_end() -> None:
    b = WorldBuilder()
    b.order("O1", order_date=date(2025, 1, 20))
    # 10 EA at 5.00 less 10 %: 4 shipped Jan 25, 6 on Feb 10
    b.line("O1", 1, qty=10, price=5.0, discount_pct=0.1, line_status="shipped")
    b.ship("O1", 1, qty=4, ship_date=date(2025, 1, 25))
    b.ship("O1", 1, qty=6, ship_date=date(2025, 2, 10), seq=2)
    # 2 CS (24 EA) at 12.00 per case = 1.00 per EA, cancelled Feb 5
    b.line(
        "O1",
        2,
        qty=2,
        uom="CS",
        qty_ordered_ea=24,
        price=12.0,
        line_status="cancelled",
        cancelled_at=date(2025, 2, 5),
    )
    # 5 EA at 2.00 closed short: 3 shipped Feb 20, the last 2 never
    b.line("O1", 3, qty=5, price=2.0, line_status="shipped")
    b.ship("O1", 3, qty=3, ship_date=date(2025, 2, 20))
    # CA01, CAD: ordered Feb 27 at 0.70, the month-end rate 0.80 must not be used
    b.fx("CAD", date(2025, 2, 27), 0.70)
    b.fx("CAD", date(2025, 2, 28), 0.80)
    b.order("O2", entity="CA01", order_date=date(2025, 2, 27))
    b.line("O2", 1, qty=10, price=3.0)
    b.order("O3", order_date=date(2025, 3, 31))
    b.line("O3", 1, qty=1, price=100.0)
    b.order("O4", order_date=date(2025, 1, 5), is_intercompany=True)
    b.line("O4", 1, qty=1, price=7.0)
    # shipped in part, the rest cancelled Feb 15: status 'shipped', the remainder open till then
    b.order("O5", order_date=date(2025, 1, 22))
    b.line("O5", 1, qty=10, price=1.0, line_status="shipped", cancelled_at=date(2025, 2, 15))
    b.ship("O5", 1, qty=4, ship_date=date(2025, 1, 23))
    kpis = compute_kpis(b.build())
    # Jan 31: O1/1 6 × 4.50 = 27 + O1/2 24 × 1.00 = 24 + O1/3 5 × 2.00 = 10 + O5 6 × 1.00 = 6
    # → 67, + O4 7 in US01 only
    assert cell(kpis, "US01", "2025-01", "backlog_value_usd") == pytest.approx(74.0)
    assert cell(kpis, "GROUP", "2025-01", "backlog_value_usd") == pytest.approx(67.0)
    # Feb 28: O1 and O5 closed (shipped, cancelled, closed short); O2 10 × 3 CAD × 0.70 = 21
    assert cell(kpis, "US01", "2025-02", "backlog_value_usd") == pytest.approx(7.0)
    assert cell(kpis, "CA01", "2025-02", "backlog_value_usd") == pytest.approx(21.0)
    assert cell(kpis, "GROUP", "2025-02", "backlog_value_usd") == pytest.approx(21.0)
    # Mar 31: O3 ordered on the day counts: 100 + O2 21 (+ O4 7 in US01 only)
    assert cell(kpis, "US01", "2025-03", "backlog_value_usd") == pytest.approx(107.0)
    assert cell(kpis, "GROUP", "2025-03", "backlog_value_usd") == pytest.approx(121.0)
    # an entity with nothing open has a backlog of 0, not a missing cell
    assert cell(kpis, "MX02", "2025-03", "backlog_value_usd") == 0.0


def test_margins_multicurrency_credit_memo_intercompany_and_no_cost_item() -> None:
    b = WorldBuilder()
    b.item("BB-1", cost=1.0)
    b.item("NS-1", cost=None)  # non-stock: no cost, COGS 0
    b.fx("CAD", date(2025, 1, 10), 0.70)
    b.fx("CAD", date(2025, 1, 20), 0.80)
    b.order("O1", entity="CA01")
    b.order("O2", entity="CA01")
    b.order("OIC", entity="US01", is_intercompany=True)
    b.invoice(
        "I1",
        entity="CA01",
        invoice_date=date(2025, 1, 10),
        order_id="O1",
        lines=[
            {"net_amount": 1000.0, "cogs_amount": 600.0},
            {"item_id": "NS-1", "net_amount": 100.0, "cogs_amount": 0.0},
        ],
    )
    b.invoice(
        "I2",
        entity="CA01",
        invoice_date=date(2025, 1, 20),
        order_id="O2",
        lines=[
            {
                "net_amount": 500.0,
                "cogs_amount": 300.0,
                "rebate_amount": 20.0,
                "freight_amount": 30.0,
            }
        ],
    )
    b.invoice(
        "C1",
        entity="CA01",
        invoice_date=date(2025, 2, 3),
        invoice_type="CM",
        original_invoice_id="I1",
        order_id="O1",
        lines=[{"net_amount": -200.0, "cogs_amount": -120.0}],
    )
    b.invoice(
        "I3",
        entity="US01",
        invoice_date=date(2025, 1, 12),
        order_id="OIC",
        lines=[{"net_amount": 400.0, "cogs_amount": 350.0}],
    )
    kpis = compute_kpis(b.build())
    # CA01 January in USD: revenue 1100 × 0.70 + 500 × 0.80 = 770 + 400 = 1170
    # COGS 600 × 0.70 + 300 × 0.80 = 420 + 240 = 660; margin 510 (in CAD it would be 700/1600)
    assert cell(kpis, "CA01", "2025-01", "revenue_usd") == pytest.approx(1170.0)
    assert cell(kpis, "CA01", "2025-01", "cogs_usd") == pytest.approx(660.0)
    assert cell(kpis, "CA01", "2025-01", "gross_margin_usd") == pytest.approx(510.0)
    assert cell(kpis, "CA01", "2025-01", "gross_margin_pct") == pytest.approx(510 / 1170)
    # pocket: rebate 20 + freight 30 CAD at 0.80 = 40 USD → (510 − 40) / 1170
    assert cell(kpis, "CA01", "2025-01", "pocket_margin_pct") == pytest.approx(470 / 1170)
    # the credit memo nets in its own month (Feb, flat 0.75): revenue −150, COGS −90; no % cell
    assert cell(kpis, "CA01", "2025-02", "revenue_usd") == pytest.approx(-150.0)
    assert cell(kpis, "CA01", "2025-02", "gross_margin_usd") == pytest.approx(-60.0)
    assert cell(kpis, "CA01", "2025-02", "gross_margin_pct") is None
    # the intercompany sale is US01's revenue (margin 50/400) but not the group's
    assert cell(kpis, "US01", "2025-01", "gross_margin_pct") == pytest.approx(0.125)
    assert cell(kpis, "GROUP", "2025-01", "revenue_usd") == pytest.approx(1170.0)
    assert cell(kpis, "GROUP", "2025-01", "gross_margin_pct") == pytest.approx(510 / 1170)


def test_dso_ar_at_month_end_over_credit_sales_counter_excluded() -> None:
    b = WorldBuilder()
    b.order("O1")
    b.order("OCASH", channel="COUNTER")
    b.order("OIC", is_intercompany=True)
    b.invoice("I1", invoice_date=date(2025, 1, 10), order_id="O1", lines=[{"net_amount": 1000.0}])
    b.add(
        "payments", payment_id="P1", invoice_id="I1", payment_date=date(2025, 1, 20), amount=400.0
    )
    b.add("payments", payment_id="P2", invoice_id="I1", payment_date=date(2025, 2, 5), amount=600.0)
    b.invoice("I2", invoice_date=date(2025, 1, 12), order_id="OCASH", lines=[{"net_amount": 300.0}])
    b.invoice("I3", invoice_date=date(2025, 1, 25), order_id="O1", lines=[{"net_amount": 550.0}])
    b.invoice(
        "C3",
        invoice_date=date(2025, 1, 28),
        order_id="O1",
        invoice_type="CM",
        original_invoice_id="I3",
        lines=[{"net_amount": -50.0}],
    )
    b.invoice("I4", invoice_date=date(2025, 1, 15), order_id="OIC", lines=[{"net_amount": 200.0}])
    kpis = compute_kpis(b.build())
    # US01 Jan 31: AR 1000 − 400 + 550 − 50 + 200 (intercompany) = 1300; credit sales 1700
    assert cell(kpis, "US01", "2025-01", "dso_days") == pytest.approx(1300 / 1700 * 31)
    # GROUP drops the intercompany invoice: AR 1100, credit sales 1500
    assert cell(kpis, "GROUP", "2025-01", "dso_days") == pytest.approx(1100 / 1500 * 31)
    # Feb 28: AR 1300 − 600 = 700 but no credit sales in February → no DSO cell
    assert cell(kpis, "US01", "2025-02", "ar_usd") == pytest.approx(700.0)
    assert cell(kpis, "US01", "2025-02", "dso_days") is None


def test_standard_workflow_share_edi_without_manual_touch() -> None:
    b = WorldBuilder()
    b.order("O1", channel="EDI")
    b.order("O2", channel="EDI", manual_touch=True)
    b.order("O3", channel="REP")
    b.order("O4", channel="ECOM", status="cancelled")
    b.order("O5", channel="EDI", is_intercompany=True)
    kpis = compute_kpis(b.build())
    # US01: O1, O5 of 5; GROUP without the intercompany O5: O1 of 4
    assert cell(kpis, "US01", "2025-01", "standard_workflow_share") == pytest.approx(2 / 5)
    assert cell(kpis, "GROUP", "2025-01", "standard_workflow_share") == pytest.approx(1 / 4)


# --- inventory -------------------------------------------------------------------------------


def test_turns_days_on_hand_gmroi_with_intercompany_and_no_cost_item() -> None:
    b = WorldBuilder()
    b.item("BB-1", cost=2.0)
    b.item("NS-1", cost=None)
    # US01: first snapshot 100 × 2 = 200, last 50 × 2 = 100 (mid-month ignored) → average 150
    b.snapshot(date(2025, 1, 1), on_hand=100, unit_cost_ea=2.0)
    b.snapshot(date(2025, 1, 15), on_hand=1000, unit_cost_ea=2.0)
    b.snapshot(date(2025, 1, 31), on_hand=50, unit_cost_ea=2.0)
    # CA01: 100 × 4 CAD at 0.75 = 300, then at 0.80 = 320 → average 310
    b.fx("CAD", date(2025, 1, 31), 0.80)
    b.snapshot(date(2025, 1, 1), on_hand=100, unit_cost_ea=4.0, warehouse="CA01-TOR")
    b.snapshot(date(2025, 1, 31), on_hand=100, unit_cost_ea=4.0, warehouse="CA01-TOR")
    b.order("O1")
    b.order("OIC", is_intercompany=True)
    b.invoice(
        "I1",
        order_id="O1",
        lines=[
            {"net_amount": 100.0, "cogs_amount": 60.0},
            {"item_id": "NS-1", "net_amount": 50.0, "cogs_amount": 0.0},
        ],
    )
    b.invoice("I2", order_id="OIC", lines=[{"net_amount": 40.0, "cogs_amount": 30.0}])
    kpis = compute_kpis(b.build())
    # US01: COGS 60 + 30 = 90 → 90 × 12 / 150 = 7.2 turns, 365 / 7.2 days on hand
    assert cell(kpis, "US01", "2025-01", "inventory_turns") == pytest.approx(7.2)
    assert cell(kpis, "US01", "2025-01", "days_on_hand") == pytest.approx(365 / 7.2)
    # GMROI on stock sales only: (100 − 60) + (40 − 30) = 50 → 50 × 12 / 150 = 4.0
    assert cell(kpis, "US01", "2025-01", "gmroi") == pytest.approx(4.0)
    # CA01 sold nothing: 0 turns, no days on hand, GMROI 0
    assert cell(kpis, "CA01", "2025-01", "inventory_turns") == 0.0
    assert cell(kpis, "CA01", "2025-01", "days_on_hand") is None
    assert cell(kpis, "CA01", "2025-01", "gmroi") == 0.0
    # GROUP: inventory (200 + 300 + 100 + 320) / 2 = 460, external COGS 60, stock margin 40
    assert cell(kpis, "GROUP", "2025-01", "inventory_turns") == pytest.approx(60 * 12 / 460)
    assert cell(kpis, "GROUP", "2025-01", "gmroi") == pytest.approx(40 * 12 / 460)


def test_turns_zero_when_average_inventory_is_not_positive() -> None:
    b = WorldBuilder()
    b.snapshot(date(2025, 1, 1), on_hand=0)
    b.snapshot(date(2025, 1, 31), on_hand=0)
    b.order("O1")
    b.invoice("I1", order_id="O1", lines=[{"net_amount": 10.0, "cogs_amount": 5.0}])
    kpis = compute_kpis(b.build())
    assert cell(kpis, "US01", "2025-01", "inventory_turns") == 0.0
    assert cell(kpis, "US01", "2025-01", "days_on_hand") is None
    assert cell(kpis, "US01", "2025-01", "gmroi") is None


def test_days_of_supply_trailing_90_day_demand() -> None:
    b = WorldBuilder(end=date(2025, 5, 31))
    b.snapshot(date(2025, 1, 31), on_hand=300, item_id="BB-1")
    b.snapshot(date(2025, 1, 31), on_hand=100, item_id="BB-2")
    b.snapshot(date(2025, 1, 31), on_hand=200, warehouse="US01-DAL")
    b.snapshot(date(2025, 4, 30), on_hand=45)
    b.order("O1", order_date=date(2025, 1, 5))
    b.line("O1", 1, qty=10)
    b.order("O2", order_date=date(2025, 1, 20), warehouse_code="US01-DAL")
    b.line("O2", 1, qty=52)
    b.line("O2", 2, qty=100, line_status="cancelled", cancelled_at=date(2025, 1, 21))
    b.order("O3", order_date=date(2025, 4, 10))
    b.line("O3", 1, qty=59)
    b.order("O4", order_date=date(2025, 1, 31), warehouse_code="US01-CHI")
    b.line("O4", 1, qty=31)
    kpis = compute_kpis(b.build())
    # Jan 31: window cut at the horizon start: 10 + 52 + 31 = 93 EA over 31 days = 3 a day;
    # on hand 300 + 100 + 200 = 600 → 200 days
    assert cell(kpis, "US01", "2025-01", "days_of_supply") == pytest.approx(200.0)
    # Apr 30: window Jan 31 – Apr 30 (1 + 28 + 31 + 30 = 90 days) holds O4 31 + O3 59 = 90 EA,
    # 1 a day (O1 and O2 fell out of it); 45 / 1
    assert cell(kpis, "US01", "2025-04", "days_of_supply") == pytest.approx(45.0)
    assert cell(kpis, "GROUP", "2025-04", "days_of_supply") == pytest.approx(45.0)


def test_inventory_record_accuracy_abc_tolerances_never_netted() -> None:
    b = WorldBuilder()
    counts = [
        ("A", 100, 101),  # |1| ≤ 1 → accurate
        ("A", 100, 98),  # |2| > 1 → not (and does not net with the +1 above)
        ("B", 100, 97),  # |3| ≤ 3 → accurate
        ("C", 200, 189),  # |11| > 10 → not
        ("C", 0, 0),  # system 0, counted 0 → accurate
        ("B", 0, 1),  # system 0, counted 1 → not
    ]
    for n, (abc, system, counted) in enumerate(counts):
        b.add(
            "cycle_counts",
            count_id=f"K{n}",
            count_date=date(2025, 1, 10),
            warehouse_code="US01-ATL",
            item_id=f"BB-{n}",
            abc_class=abc,
            system_qty=system,
            counted_qty=counted,
        )
    b.add(
        "cycle_counts",
        count_id="KC",
        count_date=date(2025, 1, 11),
        warehouse_code="CA01-TOR",
        item_id="BB-1",
        abc_class="A",
        system_qty=50,
        counted_qty=50,
    )
    kpis = compute_kpis(b.build())
    assert cell(kpis, "US01", "2025-01", "inventory_record_accuracy") == pytest.approx(3 / 6)
    assert cell(kpis, "CA01", "2025-01", "inventory_record_accuracy") == 1.0
    assert cell(kpis, "GROUP", "2025-01", "inventory_record_accuracy") == pytest.approx(4 / 7)


def test_stockout_rate_needs_no_availability_and_open_demand() -> None:
    b = WorldBuilder()
    b.snapshot(date(2025, 1, 1), on_hand=0, available_ea=0, open_demand_ea=5, item_id="X")  # out
    b.snapshot(
        date(2025, 1, 2), on_hand=0, available_ea=0, open_demand_ea=0, item_id="X"
    )  # no demand
    b.snapshot(date(2025, 1, 1), on_hand=1, available_ea=-2, open_demand_ea=3, item_id="Y")  # out
    b.snapshot(date(2025, 1, 2), on_hand=4, available_ea=4, open_demand_ea=0, item_id="Y")
    kpis = compute_kpis(b.build())
    assert cell(kpis, "US01", "2025-01", "stockout_rate") == pytest.approx(2 / 4)


# --- procure to pay --------------------------------------------------------------------------


def _po_line(b: WorldBuilder, line_no: int, qty: int, expected: date, **kw) -> None:
    row = {
        "po_id": "P1",
        "line_no": line_no,
        "item_id": "BB-1",
        "uom": "EA",
        "qty_ordered": qty,
        "qty_ordered_ea": qty,
        "expected_date": expected,
        "promised_date": expected,
        "line_status": "open",
    }
    b.add("po_lines", **{**row, **kw})


def _receipt(b: WorldBuilder, line_no: int, qty: int, day: date) -> None:
    b.add(
        "receipts",
        receipt_id=f"R{line_no}-{day}",
        po_id="P1",
        po_line_no=line_no,
        item_id="BB-1",
        warehouse_code="US01-ATL",
        receipt_date=day,
        qty_received_ea=qty,
    )


def test_supplier_otif_first_promise_and_lead_time_variance() -> None:
    b = WorldBuilder()
    b.add("suppliers", supplier_id="S-0001", planned_lead_time_days=10)
    b.add(
        "purchase_orders",
        po_id="P1",
        entity_code="US01",
        supplier_id="S-0001",
        warehouse_code="US01-ATL",
        po_date=date(2025, 1, 1),
        currency="USD",
    )
    _po_line(b, 1, 100, date(2025, 1, 11))
    _receipt(b, 1, 100, date(2025, 1, 10))  # on time in full; lead 9 → variance −1
    _po_line(b, 2, 50, date(2025, 1, 11), promised_date=date(2025, 1, 20))
    _receipt(b, 2, 50, date(2025, 1, 12))  # a day late against the first promise; lead 11 → +1
    _po_line(b, 3, 24, date(2025, 1, 20), uom="CS", qty_ordered=2)
    _receipt(b, 3, 12, date(2025, 1, 18))
    _receipt(b, 3, 12, date(2025, 1, 22))  # complete only Jan 22: lead 21 → +11
    _po_line(b, 4, 10, date(2025, 1, 20), line_status="cancelled")
    _po_line(b, 5, 10, date(2025, 2, 3))
    _receipt(b, 5, 10, date(2025, 2, 1))  # February; lead 31 → +21
    _po_line(b, 6, 10, date(2025, 1, 25))  # nothing arrived
    _po_line(b, 7, 10, date(2025, 4, 5))  # due after the horizon
    kpis = compute_kpis(b.build())
    # January lines due: 1, 2, 3, 6 (4 cancelled) → only line 1 on time in full
    assert cell(kpis, "US01", "2025-01", "supplier_otif") == pytest.approx(1 / 4)
    assert cell(kpis, "GROUP", "2025-01", "supplier_otif") == pytest.approx(1 / 4)
    assert cell(kpis, "US01", "2025-02", "supplier_otif") == 1.0
    # variances −1, 1, 11: mean 11/3; sample variance ((−14/3)² + (−8/3)² + (22/3)²) / 2 = 124/3
    assert cell(kpis, "US01", "2025-01", "lead_time_variance_days") == pytest.approx(11 / 3)
    assert cell(kpis, "US01", "2025-01", "lead_time_variance_days_std") == pytest.approx(
        math.sqrt(124 / 3)
    )
    assert cell(kpis, "US01", "2025-02", "lead_time_variance_days") == pytest.approx(21.0)
    assert cell(kpis, "US01", "2025-02", "lead_time_variance_days_std") is None


def test_po_ack_time_by_sent_month() -> None:
    b = WorldBuilder()
    for po_id, sent, ack in [
        ("P1", date(2025, 1, 2), date(2025, 1, 4)),  # 2 days
        ("P2", date(2025, 1, 30), date(2025, 2, 2)),  # 3 days, January by the sent date
        ("P3", date(2025, 1, 5), None),  # never acknowledged
    ]:
        b.add(
            "purchase_orders",
            po_id=po_id,
            entity_code="MX01",
            supplier_id="S-0001",
            po_date=sent,
            sent_date=sent,
            ack_date=ack,
            currency="MXN",
        )
    kpis = compute_kpis(b.build())
    assert cell(kpis, "MX01", "2025-01", "po_ack_time_days") == pytest.approx(2.5)
    assert cell(kpis, "MX01", "2025-02", "po_ack_time_days") is None


# --- planning and control --------------------------------------------------------------------


def _forecast(
    b: WorldBuilder, item: str, week: date, qty: float, lag: int = 2, made_on=None
) -> None:
    b.add(
        "forecasts",
        item_id=item,
        warehouse_code="US01-ATL",
        week_start=week,
        made_on=made_on or date(2024, 12, 1),
        lag_weeks=lag,
        forecast_qty_ea=qty,
    )


def test_forecast_accuracy_bias_and_variance_at_the_fixed_lag() -> None:
    b = WorldBuilder()
    _forecast(b, "X", date(2025, 1, 6), 50.0, made_on=date(2024, 11, 1))  # superseded
    _forecast(b, "X", date(2025, 1, 6), 10.0)
    _forecast(b, "X", date(2025, 1, 6), 99.0, lag=1)  # another lag: ignored
    _forecast(b, "X", date(2025, 1, 13), 10.0)
    _forecast(b, "X", date(2025, 1, 20), 5.0)
    _forecast(b, "Y", date(2025, 1, 27), 0.0)
    _forecast(b, "X", date(2024, 12, 30), 7.0)  # week starts before the horizon
    _forecast(b, "X", date(2025, 3, 31), 7.0)  # week ends after the horizon
    for n, (item, day, qty, status) in enumerate(
        [
            ("X", date(2025, 1, 6), 4, "open"),  # Monday
            ("X", date(2025, 1, 12), 4, "open"),  # Sunday: same week
            ("X", date(2025, 1, 14), 5, "cancelled"),
            ("X", date(2025, 1, 21), 12, "open"),
            ("Y", date(2025, 2, 1), 3, "open"),  # Saturday of the week of Jan 27
        ]
    ):
        b.order(f"O{n}", order_date=day)
        b.line(f"O{n}", 1, qty=qty, item_id=item, line_status=status)
    kpis = compute_kpis(b.build())
    # (F, A): (10, 8), (10, 0), (5, 12), (0, 3): Σ|F − A| = 2 + 10 + 7 + 3 = 22, ΣA = 23
    assert cell(kpis, "US01", "2025-01", "forecast_accuracy") == pytest.approx(1 - 22 / 23)
    # Σ(F − A) = 2 + 10 − 7 − 3 = 2
    assert cell(kpis, "US01", "2025-01", "forecast_bias") == pytest.approx(2 / 23)
    assert cell(kpis, "US01", "2025-01", "forecast_variance") == pytest.approx(-2.0)
    # flagged |A − F| > 0.5 F: 2 > 5 no, 10 > 5 yes, 7 > 2.5 yes, 3 > 0 yes
    assert cell(kpis, "US01", "2025-01", "forecast_variance_flagged") == 3.0
    assert cell(kpis, "GROUP", "2025-01", "forecast_accuracy") == pytest.approx(1 - 22 / 23)
    assert cell(kpis, "US01", "2024-12", "forecast_accuracy") is None
    assert cell(kpis, "US01", "2025-03", "forecast_accuracy") is None


def test_close_days_and_group_closes_with_its_last_entity() -> None:
    b = WorldBuilder()
    b.add(
        "period_postings",
        entity_code="US01",
        period_month=date(2025, 1, 1),
        last_posting_date=date(2025, 2, 6),
    )
    b.add(
        "period_postings",
        entity_code="CA01",
        period_month=date(2025, 1, 1),
        last_posting_date=date(2025, 2, 10),
    )
    b.add(
        "period_postings",
        entity_code="CA01",
        period_month=date(2025, 2, 1),
        last_posting_date=date(2025, 3, 3),
    )
    kpis = compute_kpis(b.build())
    assert cell(kpis, "US01", "2025-01", "close_days") == 6.0
    assert cell(kpis, "CA01", "2025-01", "close_days") == 10.0
    assert cell(kpis, "GROUP", "2025-01", "close_days") == 10.0
    assert cell(kpis, "CA01", "2025-02", "close_days") == 3.0  # Feb 28 → Mar 3


# --- the frame as a whole --------------------------------------------------------------------


def test_divide_by_zero_leaves_the_cell_out() -> None:
    b = WorldBuilder()
    b.order("O1")
    b.line("O1", 1, qty=5, line_status="cancelled", cancelled_at=date(2025, 1, 11))
    b.order("O2", channel="COUNTER")
    b.invoice("I1", order_id="O2", lines=[{"net_amount": 0.0, "cogs_amount": 0.0}])
    b.add(
        "cycle_counts",
        count_id="K1",
        count_date=date(2025, 1, 10),
        warehouse_code="US01-ATL",
        item_id="BB-1",
        abc_class="A",
        system_qty=0,
        counted_qty=0,
    )
    kpis = compute_kpis(b.build())
    present = set(kpis.filter(pl.col("entity_code") == "US01")["kpi"])
    # only cancelled lines, zero revenue, no credit sales: no rate, no margin %, no DSO
    assert present.isdisjoint(
        {
            "line_fill_rate",
            "unit_fill_rate",
            "order_fill_rate",
            "otif",
            "gross_margin_pct",
            "dso_days",
        }
    )
    assert cell(kpis, "US01", "2025-01", "revenue_usd") == 0.0
    assert kpis["value"].is_finite().all()


def test_output_schema_and_governed_kpi_names() -> None:
    b = WorldBuilder()
    b.order("O1")
    b.line("O1", 1, qty=1)
    kpis = compute_kpis(b.build())
    assert kpis.schema == pl.Schema(
        {"entity_code": pl.Utf8, "month": pl.Utf8, "kpi": pl.Utf8, "value": pl.Float64}
    )
    assert set(kpis["entity_code"]) == {"US01", "CA01", "MX01", "MX02", "US02", "GROUP"}
    assert set(kpis["month"]) == {"2025-01", "2025-02", "2025-03"}
    # every name is a governed KPI, one of its documented second statistics, or a `_usd` amount
    seconds = {
        "order_cycle_time_days_p90",
        "lead_time_variance_days_std",
        "forecast_bias",
        "forecast_variance_flagged",
    }
    for name in compute_kpis(_everything_world())["kpi"].unique():
        assert name in GOVERNED | seconds or name.endswith("_usd"), name


def _everything_world():
    """A world touching every area, to list the KPI names compute_kpis can emit."""
    b = WorldBuilder()
    b.order("O1", channel="EDI")
    b.line("O1", 1, qty=1, line_status="shipped")
    b.ship("O1", 1, qty=1, ship_date=date(2025, 1, 11))
    b.invoice("I1", order_id="O1", lines=[{"net_amount": 10.0, "cogs_amount": 4.0}])
    b.snapshot(date(2025, 1, 1), on_hand=10)
    b.snapshot(date(2025, 1, 31), on_hand=10)
    b.add(
        "cycle_counts",
        count_id="K1",
        count_date=date(2025, 1, 10),
        warehouse_code="US01-ATL",
        item_id="BB-1",
        abc_class="A",
        system_qty=1,
        counted_qty=1,
    )
    b.add("suppliers", supplier_id="S-0001", planned_lead_time_days=5)
    b.add(
        "purchase_orders",
        po_id="P1",
        entity_code="US01",
        supplier_id="S-0001",
        po_date=date(2025, 1, 2),
        sent_date=date(2025, 1, 2),
        ack_date=date(2025, 1, 3),
    )
    _po_line(b, 1, 5, date(2025, 1, 9))
    _receipt(b, 1, 5, date(2025, 1, 8))
    _forecast(b, "BB-1", date(2025, 1, 6), 1.0)
    b.add(
        "period_postings",
        entity_code="US01",
        period_month=date(2025, 1, 1),
        last_posting_date=date(2025, 2, 6),
    )
    return b.build()


def test_every_supported_kpi_is_emitted() -> None:
    emitted = set(compute_kpis(_everything_world())["kpi"])
    # exception_resolution_hours needs an exception-queue log the simulator does not have
    assert GOVERNED - emitted == {"exception_resolution_hours"}


def test_kpis_are_bit_identical_run_to_run() -> None:
    """Float sums run over sorted values: the order polars delivers rows in never moves a bit."""
    from simulator.world import build_world

    world = build_world("xs", 42, days=365)
    first = compute_kpis(world)
    for _ in range(3):
        assert compute_kpis(world).equals(first)
