"""compute_kpis on a real xs world against the same cells recomputed with plain Python loops.

The loops below follow simulator/TRUTH.md row by row and share no code with simulator.truth,
so a bug in the vectorised joins, filters or month attribution shows up as a mismatch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import polars as pl
import pytest

SEED = 7
MONTH = "2025-06"
MONTH_END = date(2025, 6, 30)


@pytest.fixture(scope="module")
def world():
    from simulator.world import build_world

    return build_world("xs", SEED, days=365)


@pytest.fixture(scope="module")
def kpis(world) -> pl.DataFrame:
    from simulator.truth import compute_kpis

    return compute_kpis(world)


@pytest.fixture(scope="module")
def rows(world) -> dict[str, list[dict]]:
    return {name: list(getattr(world, name).iter_rows(named=True)) for name in world.frame_names()}


def truth(kpis: pl.DataFrame, entity: str, month: str, kpi: str) -> float:
    hit = kpis.filter(
        (pl.col("entity_code") == entity) & (pl.col("month") == month) & (pl.col("kpi") == kpi)
    )
    assert hit.height == 1, f"no single {kpi} cell for {entity} {month}"
    return hit["value"][0]


def rate_of(rows) -> callable:
    fx = {(r["currency"], r["rate_date"]): r["usd_per_unit"] for r in rows["fx_rates"]}
    return lambda currency, day: 1.0 if currency == "USD" else fx[(currency, day)]


def in_scope(entity: str, row_entity: str, intercompany: bool) -> bool:
    """GROUP keeps every entity's external rows; an entity keeps all of its own."""
    return (not intercompany) if entity == "GROUP" else row_entity == entity


@pytest.mark.parametrize("entity", ["US01", "GROUP"])
def test_line_fill_rate(kpis, rows, entity: str) -> None:
    orders = {o["order_id"]: o for o in rows["sales_orders"]}
    first = defaultdict(int)
    for s in rows["shipments"]:
        if s["shipment_seq"] == 1:
            first[(s["order_id"], s["order_line_no"])] += s["qty_shipped_ea"]
    filled = total = 0
    for line in rows["sales_order_lines"]:
        order = orders[line["order_id"]]
        if not in_scope(entity, order["entity_code"], order["is_intercompany"]):
            continue
        if order["order_date"].strftime("%Y-%m") != MONTH or line["line_status"] == "cancelled":
            continue
        total += 1
        filled += first[(line["order_id"], line["line_no"])] >= line["qty_ordered_ea"]
    assert total > 0
    assert truth(kpis, entity, MONTH, "line_fill_rate") == pytest.approx(filled / total, abs=1e-9)


@pytest.mark.parametrize("entity", ["CA01", "MX02", "GROUP"])
def test_gross_margin_pct(kpis, rows, entity: str) -> None:
    rate = rate_of(rows)
    orders = {o["order_id"]: o for o in rows["sales_orders"]}
    invoices = {i["invoice_id"]: i for i in rows["invoices"]}
    revenue = cogs = 0.0
    for line in rows["invoice_lines"]:
        invoice = invoices[line["invoice_id"]]
        if invoice["invoice_date"].strftime("%Y-%m") != MONTH:
            continue
        order_id = line["order_id"] or invoice["order_id"]
        if order_id is None and invoice["original_invoice_id"]:
            order_id = invoices[invoice["original_invoice_id"]]["order_id"]
        if not in_scope(entity, invoice["entity_code"], orders[order_id]["is_intercompany"]):
            continue
        usd = rate(invoice["currency"], invoice["invoice_date"])
        revenue += line["net_amount"] * usd
        cogs += (line["cogs_amount"] or 0.0) * usd
    assert revenue > 0
    expected = (revenue - cogs) / revenue
    assert truth(kpis, entity, MONTH, "gross_margin_pct") == pytest.approx(expected, abs=1e-6)
    assert truth(kpis, entity, MONTH, "revenue_usd") == pytest.approx(revenue, rel=1e-6)


# MX02 books few orders at xs and may have nothing open at a month end: a zero backlog would make
# the comparison vacuous, so the legacy entity checked here is US02.
@pytest.mark.parametrize("entity", ["MX01", "US02", "GROUP"])
def test_backlog_value_usd(kpis, rows, entity: str) -> None:
    rate = rate_of(rows)
    orders = {o["order_id"]: o for o in rows["sales_orders"]}
    shipped = defaultdict(list)
    for s in rows["shipments"]:
        shipped[(s["order_id"], s["order_line_no"])].append((s["ship_date"], s["qty_shipped_ea"]))
    value = 0.0
    for line in rows["sales_order_lines"]:
        order = orders[line["order_id"]]
        if not in_scope(entity, order["entity_code"], order["is_intercompany"]):
            continue
        if order["order_date"] > MONTH_END or line["qty_ordered_ea"] <= 0:
            continue
        ships = shipped[(line["order_id"], line["line_no"])]
        # closed on its cancellation (also a part-shipped line's), else on its last shipment
        if line["cancelled_at"] is not None:
            closed_on = line["cancelled_at"].date()
        elif line["line_status"] == "cancelled":
            continue
        elif line["line_status"] == "shipped":
            closed_on = max(d for d, _ in ships)
        else:
            closed_on = date.max
        if closed_on <= MONTH_END:
            continue
        open_ea = max(line["qty_ordered_ea"] - sum(q for d, q in ships if d <= MONTH_END), 0)
        per_ea = (
            line["unit_price"]
            * (1 - line["discount_pct"])
            * line["qty_ordered"]
            / line["qty_ordered_ea"]
        )
        value += open_ea * per_ea * rate(order["currency"], order["order_date"])
    assert value > 0
    assert truth(kpis, entity, MONTH, "backlog_value_usd") == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize("entity", ["US01", "GROUP"])
def test_supplier_otif(kpis, rows, entity: str) -> None:
    pos = {p["po_id"]: p for p in rows["purchase_orders"]}
    horizon_end = max(r["rate_date"] for r in rows["fx_rates"])
    received = defaultdict(list)
    for r in rows["receipts"]:
        received[(r["po_id"], r["po_line_no"])].append((r["receipt_date"], r["qty_received_ea"]))
    hits = due = 0
    for line in rows["po_lines"]:
        if not in_scope(entity, pos[line["po_id"]]["entity_code"], False):
            continue
        expected = line["expected_date"]
        if line["line_status"] == "cancelled" or expected.strftime("%Y-%m") != MONTH:
            continue
        if expected > horizon_end:
            continue
        due += 1
        in_time = sum(q for d, q in received[(line["po_id"], line["line_no"])] if d <= expected)
        hits += in_time >= line["qty_ordered_ea"]
    assert due > 0
    assert truth(kpis, entity, MONTH, "supplier_otif") == pytest.approx(hits / due, abs=1e-9)


@pytest.mark.parametrize("entity", ["US01", "GROUP"])
def test_inventory_record_accuracy(kpis, rows, entity: str) -> None:
    warehouse_entity = {w["warehouse_code"]: w["entity_code"] for w in rows["warehouses"]}
    tolerance = {"A": 0.01, "B": 0.03, "C": 0.05}
    accurate = counts = 0
    for c in rows["cycle_counts"]:
        if c["count_date"].strftime("%Y-%m") != MONTH:
            continue
        if not in_scope(entity, warehouse_entity[c["warehouse_code"]], False):
            continue
        counts += 1
        allowed = tolerance.get(c["abc_class"], 0.05) * abs(c["system_qty"])
        accurate += abs(c["counted_qty"] - c["system_qty"]) <= allowed + 1e-9
    assert counts > 0
    expected = accurate / counts
    assert truth(kpis, entity, MONTH, "inventory_record_accuracy") == pytest.approx(
        expected, abs=1e-9
    )


def test_dso_days(kpis, rows) -> None:
    entity = "US01"
    rate = rate_of(rows)
    orders = {o["order_id"]: o for o in rows["sales_orders"]}
    invoices = {i["invoice_id"]: i for i in rows["invoices"]}

    def order_of(invoice: dict) -> dict:
        if invoice["order_id"] is None:
            return order_of(invoices[invoice["original_invoice_id"]])
        return orders[invoice["order_id"]]

    credit = {
        i["invoice_id"]: rate(i["currency"], i["invoice_date"])
        for i in rows["invoices"]
        if i["entity_code"] == entity and order_of(i)["channel"] != "COUNTER"
    }
    ar = sales = 0.0
    for line in rows["invoice_lines"]:
        if line["invoice_id"] not in credit:
            continue
        day = invoices[line["invoice_id"]]["invoice_date"]
        usd = line["net_amount"] * credit[line["invoice_id"]]
        ar += usd if day <= MONTH_END else 0.0
        sales += usd if day.strftime("%Y-%m") == MONTH else 0.0
    for p in rows["payments"]:
        if p["invoice_id"] in credit and p["payment_date"] <= MONTH_END:
            ar -= p["amount"] * credit[p["invoice_id"]]
    assert sales > 0
    assert truth(kpis, entity, MONTH, "dso_days") == pytest.approx(ar / sales * 30, rel=1e-6)


@pytest.mark.parametrize("entity", ["US02", "GROUP"])
def test_otif(kpis, rows, entity: str) -> None:
    orders = {o["order_id"]: o for o in rows["sales_orders"]}
    delivered = defaultdict(list)
    for s in rows["shipments"]:
        delivered[(s["order_id"], s["order_line_no"])].append(
            (s["delivery_date"], s["qty_shipped_ea"])
        )
    verdict: dict[str, bool] = {}
    for line in rows["sales_order_lines"]:
        order = orders[line["order_id"]]
        if not in_scope(entity, order["entity_code"], order["is_intercompany"]):
            continue
        if order["order_date"].strftime("%Y-%m") != MONTH or line["line_status"] == "cancelled":
            continue
        promised = order["confirmed_date"] or order["requested_date"]
        in_time = sum(
            q for d, q in delivered[(line["order_id"], line["line_no"])] if d and d <= promised
        )
        ok = in_time >= line["qty_ordered_ea"]
        verdict[line["order_id"]] = verdict.get(line["order_id"], True) and ok
    assert verdict
    expected = sum(verdict.values()) / len(verdict)
    assert truth(kpis, entity, MONTH, "otif") == pytest.approx(expected, abs=1e-9)


def test_inventory_turns_in_cad(kpis, rows) -> None:
    entity = "CA01"
    rate = rate_of(rows)
    warehouses = {w["warehouse_code"] for w in rows["warehouses"] if w["entity_code"] == entity}
    value_on = defaultdict(float)
    for r in rows["inventory_daily"]:
        day = r["snapshot_date"]
        if r["warehouse_code"] in warehouses and day.strftime("%Y-%m") == MONTH:
            value_on[day] += r["on_hand_ea"] * (r["unit_cost_ea"] or 0.0) * rate("CAD", day)
    average = (value_on[min(value_on)] + value_on[max(value_on)]) / 2
    invoices = {i["invoice_id"]: i for i in rows["invoices"]}
    cogs = 0.0
    for line in rows["invoice_lines"]:
        invoice = invoices[line["invoice_id"]]
        if invoice["entity_code"] == entity and invoice["invoice_date"].strftime("%Y-%m") == MONTH:
            cogs += line["cogs_amount"] * rate(invoice["currency"], invoice["invoice_date"])
    assert average > 0
    expected = cogs * 12 / average
    assert truth(kpis, entity, MONTH, "inventory_turns") == pytest.approx(expected, rel=1e-6)


def test_forecast_accuracy(kpis, rows) -> None:
    entity = "US01"
    warehouses = {w["warehouse_code"] for w in rows["warehouses"] if w["entity_code"] == entity}
    latest: dict[tuple, tuple] = {}
    for f in rows["forecasts"]:
        key = (f["item_id"], f["warehouse_code"], f["week_start"])
        if f["lag_weeks"] != 2 or f["warehouse_code"] not in warehouses:
            continue
        if f["week_start"].strftime("%Y-%m") != MONTH:
            continue
        if key not in latest or f["made_on"] > latest[key][0]:
            latest[key] = (f["made_on"], f["forecast_qty_ea"])
    orders = {o["order_id"]: o for o in rows["sales_orders"]}
    actual = defaultdict(float)
    for line in rows["sales_order_lines"]:
        order = orders[line["order_id"]]
        if line["line_status"] == "cancelled":
            continue
        day = order["order_date"]
        monday = day - timedelta(days=day.weekday())
        actual[(line["item_id"], order["warehouse_code"], monday)] += line["qty_ordered_ea"]
    abs_error = sum(abs(f - actual[key]) for key, (_, f) in latest.items())
    total = sum(actual[key] for key in latest)
    assert total > 0
    expected = 1 - abs_error / total
    assert truth(kpis, entity, MONTH, "forecast_accuracy") == pytest.approx(expected, abs=1e-9)


def test_every_supported_kpi_has_cells(kpis) -> None:
    months = {f"2025-{m:02d}" for m in range(1, 13)}
    assert set(kpis["month"]) == months
    assert set(kpis["entity_code"]) == {"US01", "CA01", "MX01", "MX02", "US02", "GROUP"}
    emitted = set(kpis["kpi"])
    for name in ["otif", "order_cycle_time_days", "inventory_turns", "days_of_supply", "gmroi",
                 "stockout_rate", "lead_time_variance_days", "po_ack_time_days",
                 "forecast_accuracy", "standard_workflow_share", "close_days", "pocket_margin_pct"]:  # fmt: skip
        assert name in emitted, name
    assert kpis["value"].is_finite().all()
