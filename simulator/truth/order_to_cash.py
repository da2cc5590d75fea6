"""Order-to-cash KPIs: fill rates, OTIF, cycle time, backlog, margins, DSO, standard workflow.

The exact variant of each KPI is in simulator/TRUTH.md; function docstrings repeat the gist.
"""

from __future__ import annotations

import polars as pl

from simulator.truth.common import (
    QTY_EPS,
    Context,
    long_cells,
    month_of,
    ratio_cells,
    with_group,
)


def kpis(
    world, ctx: Context, lines: pl.DataFrame, invoice_lines: pl.DataFrame, otif_tolerance_days: int
) -> list[pl.DataFrame]:
    facts = _line_facts(world, lines, otif_tolerance_days)
    return [
        _fill_rates_and_otif(facts),
        _order_cycle_time(facts),
        _backlog(world, ctx, lines),
        margin_cells(invoice_lines),
        _dso(world, ctx, invoice_lines),
        _standard_workflow_share(world),
    ]


def order_lines(world) -> pl.DataFrame:
    """Every sales order line with its order's attributes; `in_group` = not intercompany."""
    orders = world.sales_orders.select(
        "order_id",
        "entity_code",
        "warehouse_code",
        "currency",
        order_date=pl.col("order_date").cast(pl.Date),
        promised_date=pl.coalesce(
            pl.col("confirmed_date").cast(pl.Date), pl.col("requested_date").cast(pl.Date)
        ),
        in_group=~pl.col("is_intercompany").fill_null(False),
    )
    return world.sales_order_lines.select(
        "order_id",
        "line_no",
        "item_id",
        pl.col("qty_ordered").cast(pl.Float64),
        pl.col("qty_ordered_ea").cast(pl.Float64),
        pl.col("unit_price").cast(pl.Float64),
        discount=pl.col("discount_pct").cast(pl.Float64).fill_null(0.0),
        cancelled=pl.col("line_status") == "cancelled",
        line_status="line_status",
        cancelled_on=pl.col("cancelled_at").cast(pl.Date),
    ).join(orders, on="order_id", how="inner")


def _shipments(world) -> pl.DataFrame:
    return world.shipments.select(
        "order_id",
        line_no=pl.col("order_line_no").cast(world.sales_order_lines.schema["line_no"]),
        ship_date=pl.col("ship_date").cast(pl.Date),
        delivery_date=pl.col("delivery_date").cast(pl.Date),
        qty=pl.col("qty_shipped_ea").cast(pl.Float64),
        first=pl.col("shipment_seq") == 1,
    )


def _line_facts(world, lines: pl.DataFrame, otif_tolerance_days: int) -> pl.DataFrame:
    """One row per non-cancelled line: what shipped first, in total, and in time for OTIF."""
    live = lines.filter(~pl.col("cancelled"))
    per_line = (
        _shipments(world)
        .join(live.select("order_id", "line_no", "promised_date"), on=["order_id", "line_no"])
        .group_by("order_id", "line_no")
        .agg(
            first_qty=pl.col("qty").filter(pl.col("first")).sum(),
            shipped_qty=pl.col("qty").sum(),
            # a shipment counts for OTIF when it was delivered by the promised date + tolerance
            on_time_qty=pl.col("qty")
            .filter(
                pl.col("delivery_date")
                <= pl.col("promised_date") + pl.duration(days=otif_tolerance_days)
            )
            .sum(),
            last_ship_date=pl.col("ship_date").max(),
        )
    )
    ordered = pl.col("qty_ordered_ea") - QTY_EPS
    return (
        live.join(per_line, on=["order_id", "line_no"], how="left")
        .with_columns(pl.col("first_qty", "shipped_qty", "on_time_qty").fill_null(0.0))
        .with_columns(
            month=month_of("order_date"),
            filled_first=pl.col("first_qty") >= ordered,
            complete=pl.col("shipped_qty") >= ordered,
            in_full_on_time=pl.col("on_time_qty") >= ordered,
            first_units_capped=pl.min_horizontal("first_qty", "qty_ordered_ea"),
        )
    )


def _fill_rates_and_otif(facts: pl.DataFrame) -> pl.DataFrame:
    """Line, unit and order fill rate, OTIF; month of the order date; GROUP without intercompany."""
    orders = facts.group_by("order_id").agg(
        pl.col("entity_code", "month", "in_group").first(),
        filled=pl.col("filled_first").all(),
        otif=pl.col("in_full_on_time").all(),
        one=pl.lit(1),
    )
    return pl.concat(
        [
            ratio_cells(facts.with_columns(one=pl.lit(1)), "line_fill_rate", "filled_first", "one"),
            ratio_cells(facts, "unit_fill_rate", "first_units_capped", "qty_ordered_ea"),
            ratio_cells(orders, "order_fill_rate", "filled", "one"),
            ratio_cells(orders, "otif", "otif", "one"),
        ]
    )


def _order_cycle_time(facts: pl.DataFrame) -> pl.DataFrame:
    """Mean and p90 (linear interpolation) of final ship date − order date, fully shipped orders."""
    orders = (
        facts.group_by("order_id")
        .agg(
            pl.col("entity_code", "order_date", "in_group").first(),
            complete=pl.col("complete").all(),
            final_ship_date=pl.col("last_ship_date").max(),
        )
        .filter(pl.col("complete"))
        .with_columns(
            month=month_of("final_ship_date"),
            days=(pl.col("final_ship_date") - pl.col("order_date"))
            .dt.total_days()
            .cast(pl.Float64),
        )
    )
    wide = (
        with_group(orders)
        .group_by("entity_code", "month")
        .agg(
            order_cycle_time_days=pl.col("days").mean(),
            order_cycle_time_days_p90=pl.col("days").quantile(0.9, interpolation="linear"),
        )
    )
    return long_cells(wide, ["order_cycle_time_days", "order_cycle_time_days_p90"])


def _backlog(world, ctx: Context, lines: pl.DataFrame) -> pl.DataFrame:
    """Σ open EA × net price per EA at each period end, reconstructed from dated events.

    A line is open at day D when ordered on or before D and not closed on or before D: closed
    on its cancelled_at date if it has one, else (status 'shipped') on its last ship date; its open quantity is ordered EA minus
    EA shipped on or before D (never negative). Converted at the order date's rate.
    """
    last_ship = (
        _shipments(world)
        .group_by("order_id", "line_no")
        .agg(last_ship_date=pl.col("ship_date").max())
    )
    never = pl.lit(ctx.horizon_end, dtype=pl.Date) + pl.duration(days=1)
    priced = (
        ctx.with_usd_rate(lines, "order_date", "currency")
        .join(last_ship, on=["order_id", "line_no"], how="left")
        .with_columns(
            # first day on which the line is no longer open
            # (a line shipped in part and then cancelled is 'shipped' with a cancelled_at:
            # its remainder stays open until that cancellation)
            closed_on=pl.when(pl.col("cancelled_on").is_not_null())
            .then("cancelled_on")
            .when(pl.col("cancelled"))
            .then("order_date")
            .when(pl.col("line_status") == "shipped")
            .then(pl.coalesce("last_ship_date", "order_date"))
            .otherwise(never),
            usd_per_ea=pl.col("unit_price")
            * (1 - pl.col("discount"))
            * pl.col("qty_ordered")
            / pl.col("qty_ordered_ea")
            * pl.col("usd_rate"),
        )
        .filter(pl.col("qty_ordered_ea") > 0)
    )
    periods = ctx.periods.select("month", "period_end").with_row_index("period")
    by_end = periods.select("period", "period_end").sort("period_end")
    # The period ends a line is open at form a run: from the first period end on or after its
    # order date to the last one before it closed. Expanding only that run keeps this linear.
    open_at = (
        priced.sort("order_date")
        .join_asof(
            by_end.rename({"period": "first_period"}),
            left_on="order_date",
            right_on="period_end",
            strategy="forward",
        )
        .drop("period_end")
        .sort("closed_on")
        .join_asof(
            by_end.rename({"period": "last_period"}),
            left_on="closed_on",
            right_on="period_end",
            strategy="backward",
            allow_exact_matches=False,
        )
        .drop("period_end")
        .filter(pl.col("first_period") <= pl.col("last_period"))
        .with_columns(
            period=pl.int_ranges("first_period", pl.col("last_period") + 1, dtype=pl.UInt32)
        )
        .explode("period")
        .join(periods, on="period")
        .select(
            "order_id",
            "line_no",
            "entity_code",
            "in_group",
            "month",
            "period_end",
            "qty_ordered_ea",
            "usd_per_ea",
        )
    )
    shipped_by = (
        open_at.select("order_id", "line_no", "period_end")
        .join(_shipments(world), on=["order_id", "line_no"])
        .filter(pl.col("ship_date") <= pl.col("period_end"))
        .group_by("order_id", "line_no", "period_end")
        .agg(shipped=pl.col("qty").sum())
    )
    valued = open_at.join(
        shipped_by, on=["order_id", "line_no", "period_end"], how="left"
    ).with_columns(
        value=(pl.col("qty_ordered_ea") - pl.col("shipped").fill_null(0.0)).clip(lower_bound=0.0)
        * pl.col("usd_per_ea")
    )
    # every entity × period gets a cell, 0 when nothing is open
    scaffold = (
        world.entities.select("entity_code")
        .vstack(pl.DataFrame({"entity_code": ["GROUP"]}))
        .join(periods.select("month"), how="cross")
    )
    sums = (
        with_group(valued)
        .group_by("entity_code", "month")
        .agg(backlog_value_usd=pl.col("value").sort().sum())
    )
    wide = scaffold.join(sums, on=["entity_code", "month"], how="left").with_columns(
        pl.col("backlog_value_usd").fill_null(0.0)
    )
    return long_cells(wide, ["backlog_value_usd"])


def invoice_lines_usd(world, ctx: Context) -> pl.DataFrame:
    """Invoice and credit-memo lines in USD at the invoice date's rate, with the order's flags.

    `in_group` is false for lines of intercompany orders; `on_credit` is false for COUNTER (cash)
    sales. Both come from the sales order (the invoice line's order, else the invoice's, else the
    original invoice's for a credit memo); without an order, from the customer master.
    """
    invoices = world.invoices.select(
        "invoice_id",
        "entity_code",
        "customer_id",
        "currency",
        "original_invoice_id",
        invoice_date=pl.col("invoice_date").cast(pl.Date),
        header_order_id="order_id",
    )
    original_order = world.invoices.select(
        original_invoice_id="invoice_id", original_order_id="order_id"
    )
    orders = world.sales_orders.select(
        "order_id",
        order_intercompany="is_intercompany",
        order_channel="channel",
    )
    customers = world.customers.select(
        "entity_code",
        "customer_id",
        customer_intercompany="is_intercompany",
        customer_channel="channel",
    ).unique(["entity_code", "customer_id"], keep="first")
    items = world.items.select("item_id", "is_stock_item")
    amount = ["net_amount", "cogs_amount", "rebate_amount", "freight_amount"]
    frame = (
        world.invoice_lines.select(
            "invoice_id",
            "item_id",
            pl.col("order_id").alias("line_order_id"),
            *[pl.col(c).cast(pl.Float64).fill_nan(None).fill_null(0.0) for c in amount],
        )
        .join(invoices, on="invoice_id", how="inner")
        .join(original_order, on="original_invoice_id", how="left")
        .with_columns(order_id=pl.coalesce("line_order_id", "header_order_id", "original_order_id"))
        .join(orders, on="order_id", how="left")
        .join(customers, on=["entity_code", "customer_id"], how="left")
        .join(items, on="item_id", how="left")
    )
    return ctx.with_usd_rate(frame, "invoice_date", "currency").select(
        "invoice_id",
        "entity_code",
        "invoice_date",
        "usd_rate",
        month=month_of("invoice_date"),
        in_group=~pl.coalesce("order_intercompany", "customer_intercompany", pl.lit(False)),
        on_credit=pl.coalesce("order_channel", "customer_channel", pl.lit("")) != "COUNTER",
        is_stock_item=pl.col("is_stock_item").fill_null(False),
        net_usd=pl.col("net_amount") * pl.col("usd_rate"),
        cogs_usd=pl.col("cogs_amount") * pl.col("usd_rate"),
        rebate_usd=pl.col("rebate_amount") * pl.col("usd_rate"),
        freight_usd=pl.col("freight_amount") * pl.col("usd_rate"),
    )


def margin_sums(invoice_lines: pl.DataFrame) -> pl.DataFrame:
    """Per entity (and GROUP) × invoice month: revenue, COGS, margin, pocket costs, stock margin."""
    return (
        with_group(invoice_lines)
        .group_by("entity_code", "month")
        .agg(
            revenue_usd=pl.col("net_usd").sort().sum(),
            cogs_usd=pl.col("cogs_usd").sort().sum(),
            rebates_usd=pl.col("rebate_usd").sort().sum(),
            freight_usd=pl.col("freight_usd").sort().sum(),
            stock_gross_margin_usd=(pl.col("net_usd") - pl.col("cogs_usd"))
            .filter(pl.col("is_stock_item"))
            .sort()
            .sum(),
        )
        .with_columns(gross_margin_usd=pl.col("revenue_usd") - pl.col("cogs_usd"))
        .with_columns(
            pocket_margin_usd=pl.col("gross_margin_usd")
            - pl.col("rebates_usd")
            - pl.col("freight_usd")
        )
    )


def margin_cells(invoice_lines: pl.DataFrame) -> pl.DataFrame:
    """Revenue, COGS, margins by invoice / credit-memo month; percentages only when revenue > 0."""
    sums = margin_sums(invoice_lines)
    positive = pl.col("revenue_usd") > 0
    wide = sums.with_columns(
        gross_margin_pct=pl.when(positive).then(pl.col("gross_margin_usd") / pl.col("revenue_usd")),
        pocket_margin_pct=pl.when(positive).then(
            pl.col("pocket_margin_usd") / pl.col("revenue_usd")
        ),
    )
    return long_cells(
        wide,
        [
            "revenue_usd",
            "cogs_usd",
            "gross_margin_usd",
            "gross_margin_pct",
            "pocket_margin_usd",
            "pocket_margin_pct",
        ],
    )


def _dso(world, ctx: Context, invoice_lines: pl.DataFrame) -> pl.DataFrame:
    """AR at period end ÷ net credit sales of the month × days in the period; credit sales only."""
    credit = invoice_lines.filter(pl.col("on_credit"))
    invoice_totals = credit.group_by("invoice_id").agg(
        pl.col("entity_code", "in_group", "usd_rate").first(),
        day=pl.col("invoice_date").first(),
        ar_delta=pl.col("net_usd").sort().sum(),
    )
    # a payment leaves AR at the rate its invoice was booked at: no FX revaluation of AR
    paid = world.payments.select(
        "invoice_id",
        day=pl.col("payment_date").cast(pl.Date),
        amount=pl.col("amount").cast(pl.Float64),
    ).join(
        invoice_totals.select("invoice_id", "entity_code", "in_group", "usd_rate"), on="invoice_id"
    )
    events = pl.concat(
        [
            invoice_totals.select("entity_code", "in_group", "day", "ar_delta"),
            paid.select(
                "entity_code", "in_group", "day", ar_delta=-pl.col("amount") * pl.col("usd_rate")
            ),
        ]
    )
    daily = with_group(events).group_by("entity_code", "day").agg(pl.col("ar_delta").sort().sum())
    ar = (
        daily.join(ctx.periods, how="cross")
        .filter(pl.col("day") <= pl.col("period_end"))
        .group_by("entity_code", "month")
        .agg(ar_usd=pl.col("ar_delta").sort().sum())
    )
    sales = (
        with_group(credit)
        .group_by("entity_code", "month")
        .agg(credit_sales_usd=pl.col("net_usd").sort().sum())
    )
    wide = (
        ar.join(sales, on=["entity_code", "month"], how="full", coalesce=True)
        .join(ctx.periods.select("month", "days"), on="month")
        .with_columns(pl.col("ar_usd", "credit_sales_usd").fill_null(0.0))
        .with_columns(
            dso_days=pl.when(pl.col("credit_sales_usd") > 0).then(
                pl.col("ar_usd") / pl.col("credit_sales_usd") * pl.col("days")
            )
        )
    )
    return long_cells(wide, ["dso_days", "ar_usd"])


def _standard_workflow_share(world) -> pl.DataFrame:
    """Sales orders that came by EDI without a manual touch ÷ all sales orders, by order month."""
    orders = world.sales_orders.select(
        "entity_code",
        month=month_of("order_date"),
        in_group=~pl.col("is_intercompany").fill_null(False),
        standard=(pl.col("channel") == "EDI") & ~pl.col("manual_touch").fill_null(False),
        one=pl.lit(1),
    )
    return ratio_cells(orders, "standard_workflow_share", "standard", "one")
