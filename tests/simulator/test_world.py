"""The simulated world keeps its contract: schema, determinism, causality and business invariants.

Everything runs on the xs scale; the one-year world is built once per module.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from simulator.engine.schema import SCHEMAS
from simulator.world import World, build_world

SEED = 7
START = date(2025, 1, 1)


@pytest.fixture(scope="module")
def world() -> World:
    return build_world("xs", SEED)


def test_every_frame_has_the_contract_columns_and_dtypes(world: World) -> None:
    assert set(World.frame_names()) == set(SCHEMAS)
    for name in World.frame_names():
        frame = getattr(world, name)
        assert dict(frame.schema) == SCHEMAS[name], name


def test_xs_world_is_about_five_thousand_order_lines(world: World) -> None:
    assert 3_500 <= world.sales_order_lines.height <= 6_500
    assert world.items.height == 60


def test_the_same_seed_gives_the_same_world() -> None:
    a, b = build_world("xs", 3, days=45), build_world("xs", 3, days=45)
    for name in World.frame_names():
        assert getattr(a, name).equals(getattr(b, name)), name
    c = build_world("xs", 4, days=45)
    assert not a.sales_order_lines.equals(c.sales_order_lines)


# Per frame: how to find its date (a column, or a join to a parent frame) and the columns
# that may legitimately change after that date.
_DATED = {
    "fx_rates": ("rate_date", set()),
    "item_costs": ("valid_from", {"valid_to"}),
    "price_lists": ("valid_from", {"valid_to"}),
    "rebate_agreements": ("valid_from", set()),
    "sales_orders": ("order_date", {"status", "updated_at"}),
    "shipments": ("ship_date", {"delivery_date"}),
    "invoices": ("invoice_date", set()),
    "payments": ("payment_date", set()),
    "purchase_orders": ("po_date", {"sent_date", "ack_date", "status", "updated_at"}),
    "receipts": ("receipt_date", set()),
    "inventory_daily": ("snapshot_date", set()),
    "cycle_counts": ("count_date", set()),
    "forecasts": ("week_start", set()),
    "period_postings": ("last_posting_date", set()),
    "anomalies": ("start_date", set()),
}
_CHILDREN = {
    "sales_order_lines": ("sales_orders", "order_id", "order_date",
                          {"line_status", "cancelled_at", "updated_at"}),
    "shipment_freight": ("shipments", "shipment_id", "ship_date", set()),
    "invoice_lines": ("invoices", "invoice_id", "invoice_date", set()),
    "po_lines": ("purchase_orders", "po_id", "po_date",
                 {"promised_date", "line_status", "updated_at"}),
}  # fmt: skip
_MASTER = [
    "entities",
    "warehouses",
    "items",
    "item_xref",
    "customers",
    "suppliers",
    "supplier_xref",
]


def test_a_longer_world_equals_the_shorter_one_on_its_days() -> None:
    short, long = build_world("xs", SEED, days=60), build_world("xs", SEED, days=67)
    cut = START + timedelta(days=59)
    assert set(_DATED) | set(_CHILDREN) | set(_MASTER) == set(World.frame_names())
    for name in _MASTER:
        assert getattr(short, name).equals(getattr(long, name)), name

    def upto(w: World, name: str) -> pl.DataFrame:
        if name in _DATED:
            column, mutable = _DATED[name]
            frame = getattr(w, name).filter(pl.col(column) <= cut)
        else:
            parent, key, column, mutable = _CHILDREN[name]
            keys = getattr(w, parent).filter(pl.col(column) <= cut).select(key)
            frame = getattr(w, name).join(keys, on=key, how="semi")
        keep = [c for c in frame.columns if c not in mutable]
        return frame.select(keep).sort(keep, nulls_last=True)

    for name in list(_DATED) + list(_CHILDREN):
        a, b = upto(short, name), upto(long, name)
        assert a.height > 0 or name == "period_postings", name
        assert a.equals(b), name


def test_every_event_date_is_inside_the_horizon(world: World) -> None:
    end = START + timedelta(days=364)
    event_dates = {
        "sales_orders": ["order_date"], "shipments": ["ship_date", "delivery_date"],
        "invoices": ["invoice_date"], "payments": ["payment_date"],
        "purchase_orders": ["po_date", "sent_date", "ack_date"], "receipts": ["receipt_date"],
        "inventory_daily": ["snapshot_date"], "cycle_counts": ["count_date"],
        "forecasts": ["week_start", "made_on"], "period_postings": ["last_posting_date"],
        "anomalies": ["start_date"], "fx_rates": ["rate_date"],
    }  # fmt: skip
    for name, columns in event_dates.items():
        frame = getattr(world, name)
        for c in columns:
            values = frame[c].drop_nulls()
            assert values.min() >= START and values.max() <= end, (name, c)


def test_fx_rates_cover_every_day_and_currency_at_realistic_levels(world: World) -> None:
    fx = world.fx_rates
    assert fx.height == 365 * 3
    assert fx.group_by("currency").len()["len"].to_list() == [365] * 3
    cad = fx.filter(pl.col("currency") == "CAD")["usd_per_unit"]
    mxn = fx.filter(pl.col("currency") == "MXN")["usd_per_unit"]
    assert cad.min() > 0.65 and cad.max() < 0.82
    assert mxn.min() > 0.045 and mxn.max() < 0.066


def test_no_line_ships_more_than_ordered_and_every_shipment_has_its_line(world: World) -> None:
    shipped = world.shipments.group_by("order_id", "order_line_no").agg(
        pl.col("qty_shipped_ea").sum().alias("shipped")
    )
    joined = shipped.join(
        world.sales_order_lines, left_on=["order_id", "order_line_no"],
        right_on=["order_id", "line_no"], how="left",
    )  # fmt: skip
    assert joined["qty_ordered_ea"].null_count() == 0
    assert (joined["shipped"] <= joined["qty_ordered_ea"]).all()


def test_backorders_ship_later_with_the_next_sequence(world: World) -> None:
    s = world.shipments.sort("ship_date", "shipment_id")
    assert s.filter(pl.col("shipment_seq") >= 2).height > 0
    firsts = s.group_by("order_id", "order_line_no").agg(
        pl.col("shipment_seq").min().alias("first"), pl.len().alias("n"),
        pl.col("shipment_seq").n_unique().alias("distinct"),
    )  # fmt: skip
    assert (firsts["first"] == 1).all()
    assert (firsts["n"] == firsts["distinct"]).all()


def test_on_hand_never_negative_and_the_stock_balance_holds(world: World) -> None:
    inv = world.inventory_daily
    assert inv["on_hand_ea"].min() >= 0
    assert (inv["available_ea"] <= inv["on_hand_ea"]).all()
    key = ["warehouse_code", "item_id", "day"]
    moves = [
        world.receipts.select("warehouse_code", "item_id", day="receipt_date", q="qty_received_ea"),
        world.shipments.filter(pl.col("unit_cost_ea").is_not_null()).select(
            "warehouse_code", "item_id", day="ship_date", q=-pl.col("qty_shipped_ea")
        ),
        world.invoice_lines.join(world.invoices.filter(pl.col("invoice_type") == "CM"), on="invoice_id")
        .join(world.shipments.select("order_id", "order_line_no", "warehouse_code").unique(),
              on=["order_id", "order_line_no"])
        .select("warehouse_code", "item_id", day="invoice_date", q=-pl.col("qty_ea")),
        world.cycle_counts.select("warehouse_code", "item_id", day="count_date",
                                  q=pl.col("counted_qty") - pl.col("system_qty")),
    ]  # fmt: skip
    net = pl.concat(moves).group_by(key).agg(pl.col("q").sum())
    books = inv.select("warehouse_code", "item_id", day="snapshot_date", on_hand="on_hand_ea").sort(
        key
    )
    books = books.with_columns(prev=pl.col("on_hand").shift(1).over("warehouse_code", "item_id"))
    check = books.join(net, on=key, how="left").with_columns(pl.col("q").fill_null(0))
    check = check.filter(pl.col("prev").is_not_null())
    bad = check.filter(pl.col("on_hand") != pl.col("prev") + pl.col("q"))
    assert bad.height == 0, bad.head()


def test_invoice_lines_trace_to_shipments_or_original_invoices(world: World) -> None:
    inv, lines = world.invoices, world.invoice_lines
    assert lines.join(inv, on="invoice_id", how="anti").height == 0
    regular = inv.filter(pl.col("invoice_type") == "INV")
    assert regular.join(world.shipment_freight, on="shipment_id", how="anti").height == 0
    shipped = world.shipments.group_by("shipment_id", "order_id", "order_line_no").agg(
        pl.col("qty_shipped_ea").sum()
    )
    inv_lines = lines.join(regular.select("invoice_id", "shipment_id"), on="invoice_id")
    traced = inv_lines.join(shipped, on=["shipment_id", "order_id", "order_line_no"], how="left")
    assert (traced["qty_ea"] == traced["qty_shipped_ea"]).all()
    memos = inv.filter(pl.col("invoice_type") == "CM")
    assert memos.height > 0
    assert (
        memos.join(regular, left_on="original_invoice_id", right_on="invoice_id", how="anti").height
        == 0
    )
    cm_lines = lines.join(memos.select("invoice_id"), on="invoice_id")
    assert (cm_lines["qty_ea"] < 0).all() and (cm_lines["net_amount"] <= 0).all()


def test_amounts_add_up_and_freight_is_fully_allocated(world: World) -> None:
    lines = world.invoice_lines
    diff = lines["gross_amount"] - lines["discount_amount"] - lines["net_amount"]
    assert diff.abs().max() < 0.011
    freight = (
        lines.join(world.invoices.filter(pl.col("invoice_type") == "INV"), on="invoice_id")
        .group_by("shipment_id").agg(pl.col("freight_amount").sum())
        .join(world.shipment_freight, on="shipment_id")
    )  # fmt: skip
    assert (freight["freight_amount"] - freight["freight_cost"]).abs().max() < 0.011
    non_stock = world.items.filter(~pl.col("is_stock_item")).select("item_id")
    assert lines.join(non_stock, on="item_id")["cogs_amount"].abs().sum() == 0


def test_receipts_never_exceed_the_po_quantity(world: World) -> None:
    got = world.receipts.group_by("po_id", "po_line_no").agg(pl.col("qty_received_ea").sum())
    joined = got.join(
        world.po_lines, left_on=["po_id", "po_line_no"], right_on=["po_id", "line_no"]
    )
    assert joined.height == got.height
    assert (joined["qty_received_ea"] <= joined["qty_ordered_ea"]).all()
    assert world.po_lines.filter(pl.col("line_status") == "closed").height > 0


def test_business_dynamics_are_present(world: World) -> None:
    lines, orders = world.sales_order_lines, world.sales_orders
    assert set(lines["uom"].unique()) == {"EA", "CS", "PK"}
    assert lines.filter(pl.col("qty_ordered") != pl.col("original_qty_ordered")).height > 0
    assert lines.filter(pl.col("substitute_for_line_no").is_not_null()).height > 0
    assert set(lines["line_status"].unique()) >= {"shipped", "cancelled"}
    assert orders.filter(pl.col("status") == "cancelled").height > 0
    assert orders["credit_hold"].any() and orders["manual_touch"].any()
    assert orders["is_intercompany"].any()
    assert orders["confirmed_date"].null_count() > 0
    assert set(world.anomalies["kind"].unique()) == {
        "demand_shock",
        "supplier_delay",
        "price_below_floor",
    }
    assert world.item_xref.filter(~pl.col("mapped")).height > 0
    assert world.po_lines.filter(pl.col("promised_date") > pl.col("expected_date")).height > 0
    assert world.purchase_orders["ack_date"].null_count() > 0
    assert world.cycle_counts.filter(pl.col("counted_qty") != pl.col("system_qty")).height > 0
    assert world.rebate_agreements.height > 0
    assert world.item_costs.group_by("entity_code", "item_id").len()["len"].max() > 1


def _valid_on(frame: pl.DataFrame, prices: pl.DataFrame, day_column: str) -> pl.DataFrame:
    """Each row of frame joined to the price or cost row valid on its day_column date."""
    joined = frame.join(prices, on=["entity_code", "item_id"])
    return joined.filter(
        (pl.col("valid_from") <= pl.col(day_column))
        & (pl.col("valid_to").is_null() | (pl.col(day_column) < pl.col("valid_to")))
    )


def test_price_below_floor_anomalies_are_exactly_the_lines_under_floor(world: World) -> None:
    # Every booked line counts, cancelled or not, except originals replaced by a substitute.
    replaced = world.sales_order_lines.filter(
        pl.col("substitute_for_line_no").is_not_null()
    ).select("order_id", line_no="substitute_for_line_no")
    lines = world.sales_order_lines.join(replaced, on=["order_id", "line_no"], how="anti").join(
        world.sales_orders.select("order_id", "entity_code", "warehouse_code", "order_date"),
        on="order_id",
    )
    priced = _valid_on(lines, world.price_lists, "order_date").with_columns(
        net_ea=pl.col("unit_price") * (1 - pl.col("discount_pct")) * pl.col("qty_ordered")
        / pl.col("qty_ordered_ea")
    )  # fmt: skip
    assert priced.height == lines.height
    key = ["entity_code", "item_id", "warehouse_code", "order_date"]
    below = priced.filter(pl.col("net_ea") < pl.col("floor_price") - 1e-6).group_by(key).len()
    flagged = (
        world.anomalies.filter(pl.col("kind") == "price_below_floor")
        .rename({"start_date": "order_date"}).group_by(key).len()
    )  # fmt: skip
    assert below.height > 0
    assert below.sort(key).equals(flagged.sort(key))


def test_cogs_uses_the_cost_valid_on_the_shipment_date(world: World) -> None:
    stock = world.shipments.filter(pl.col("unit_cost_ea").is_not_null())
    costed = _valid_on(stock, world.item_costs, "ship_date")
    assert costed.height == stock.height
    assert (costed["unit_cost_ea"] == costed["unit_cost"]).all()
    assert world.item_costs.filter(pl.col("valid_to").is_not_null()).height > 0


def test_master_data_codes_follow_each_source_system(world: World) -> None:
    formats = {
        ("item_xref", "local_item_code"): {
            "US01": r"^BB-\d{6}$", "MX02": r"^ART-\d{5}$", "US02": r"^GL\.\d{2}-\d{3}\.[A-Z]$"
        },
        ("customers", "local_customer_code"): {
            "US01": r"^C-\d{6}$", "MX02": r"^CLI-\d{4}$", "US02": r"^GLC\d{5}$"
        },
        ("supplier_xref", "local_supplier_code"): {
            "CA01": r"^S-\d{4}$", "MX02": r"^PROV-\d{3}$", "US02": r"^V\d{4}$"
        },
    }  # fmt: skip
    for (name, column), by_entity in formats.items():
        frame = getattr(world, name)
        for entity, pattern in by_entity.items():
            codes = frame.filter(pl.col("entity_code") == entity)[column]
            assert codes.len() > 0 and codes.str.contains(pattern).all(), (name, entity)
            assert codes.n_unique() == codes.len(), (name, entity)
    for name in ("item_xref", "supplier_xref"):
        unmapped = getattr(world, name).group_by("entity_code").agg((~pl.col("mapped")).mean())
        shares = dict(unmapped.iter_rows())
        assert shares["US01"] == 0 and shares["CA01"] == 0
    assert world.item_xref.filter(~pl.col("mapped"))["entity_code"].is_in(["MX02", "US02"]).all()


def test_customers_include_national_accounts_and_intercompany_buyers(world: World) -> None:
    customers = world.customers
    assert customers.select("entity_code", "customer_id").is_unique().all()
    national = customers.group_by("customer_id").agg(pl.col("entity_code").n_unique().alias("n"))
    assert national.filter(pl.col("n") > 1).height > 0
    ic = customers.filter(pl.col("is_intercompany"))
    pairs = set(ic.select("entity_code", "counterparty_entity_code").iter_rows())
    assert pairs == {("US01", "CA01"), ("US01", "MX01"), ("US01", "US02"), ("MX01", "MX02")}
    assert customers.filter(~pl.col("is_intercompany"))[
        "counterparty_entity_code"
    ].null_count() == (customers.height - ic.height)
    edi = customers.filter(pl.col("channel") == "EDI")
    assert edi["edi_partner_id"].null_count() == 0
    counter = customers.filter(pl.col("channel") == "COUNTER")
    assert (counter["payment_terms_days"] == 0).all()


def test_warehouses_are_closed_on_sundays(world: World) -> None:
    assert (world.shipments["ship_date"].dt.weekday() != 7).all()
    assert (world.receipts["receipt_date"].dt.weekday() != 7).all()


def test_payments_settle_whole_documents_by_terms(world: World) -> None:
    totals = world.invoice_lines.group_by("invoice_id").agg(pl.col("net_amount").sum().alias("net"))
    paid = world.payments.join(totals, on="invoice_id", how="left").join(
        world.invoices.select(
            "invoice_id", "invoice_type", "invoice_date", "due_date", "customer_id"
        ),
        on="invoice_id",
    )
    assert paid["net"].null_count() == 0
    assert ((paid["amount"] - paid["net"]).abs() < 0.011).all()
    assert (paid["payment_date"] >= paid["invoice_date"]).all()
    assert (paid.filter(pl.col("invoice_type") == "CM")["amount"] <= 0).all()
    late = paid.filter(pl.col("payment_date") > pl.col("due_date"))
    assert 0 < late.height < paid.height
    counter = world.customers.filter(pl.col("channel") == "COUNTER").select(
        "entity_code", "customer_id"
    )
    counter_paid = paid.join(
        world.invoices.select("invoice_id", "entity_code"), on="invoice_id"
    ).join(counter, on=["entity_code", "customer_id"])
    assert counter_paid.height > 0
    assert (counter_paid["payment_date"] == counter_paid["invoice_date"]).all()


def test_every_invoice_due_well_before_the_horizon_end_is_paid(world: World) -> None:
    early = world.invoices.filter(pl.col("invoice_date") < date(2025, 6, 1))
    unpaid = early.join(world.payments, on="invoice_id", how="anti")
    assert early.height > 0 and unpaid.height == 0


def test_demand_shocks_and_supplier_delays_leave_their_mark(world: World) -> None:
    anomalies = world.anomalies
    demand = (
        world.sales_order_lines.join(
            world.sales_orders.select("order_id", "warehouse_code", "order_date"), on="order_id"
        )
        .group_by("item_id", "warehouse_code", "order_date")
        .agg(pl.col("qty_ordered_ea").sum().alias("qty"))
    )
    ups = anomalies.filter((pl.col("kind") == "demand_shock") & (pl.col("direction") == "up"))
    assert ups.height > 0
    near = demand.join(ups.select("item_id", "warehouse_code", "start_date", "end_date"),
                       on=["item_id", "warehouse_code"])  # fmt: skip
    during = near.filter(pl.col("order_date").is_between(pl.col("start_date"), pl.col("end_date")))
    before = near.filter(
        pl.col("order_date").is_between(
            pl.col("start_date") - pl.duration(days=56), pl.col("start_date") - pl.duration(days=1)
        )
    )
    shock_days = ups.select((pl.col("end_date") - pl.col("start_date")).dt.total_days() + 1).sum()
    rate_during = during["qty"].sum() / shock_days.item()
    rate_before = before["qty"].sum() / (56 * ups.height)
    assert rate_during > 1.3 * rate_before

    delays = anomalies.filter(pl.col("kind") == "supplier_delay").select(
        "supplier_id", "start_date", "end_date"
    )
    received = world.receipts.group_by("po_id", "po_line_no").agg(pl.col("receipt_date").min())
    lines = (
        world.po_lines.join(world.purchase_orders.select("po_id", "supplier_id", "po_date"), on="po_id")
        .join(received, left_on=["po_id", "line_no"], right_on=["po_id", "po_line_no"])
        .with_columns(late=(pl.col("receipt_date") - pl.col("expected_date")).dt.total_days())
    )  # fmt: skip
    hit = lines.join(delays, on="supplier_id").filter(
        pl.col("po_date").is_between(pl.col("start_date"), pl.col("end_date"))
    )
    assert hit.height > 0
    assert hit["late"].mean() > lines["late"].mean() + 3


def test_spilling_the_event_log_month_by_month_changes_nothing(tmp_path) -> None:
    """The daily loop moves each month's events to disk; the assembled frames are the same."""
    from simulator.engine.assemble import assemble
    from simulator.engine.simulation import simulate

    kept = assemble(simulate("xs", 5, 75, START))
    spilled_state = simulate("xs", 5, 75, START, spill_dir=tmp_path)
    assert len(list(tmp_path.glob("shipment_line.*.npz"))) == 2  # January and February
    spilled = assemble(spilled_state)
    assert not list(tmp_path.iterdir())  # assemble read and released every chunk
    assert kept.keys() == spilled.keys()
    for name, frame in kept.items():
        assert frame.equals(spilled[name]), name
