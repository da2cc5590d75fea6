"""Margin leakage: prices below floor, freight we carried and never billed, rebates that sink
pocket margin under target; one ranked list in USD.

Three kinds, each a rule a pricing manager can check by hand (no model to trust):

- `price_below_floor`: an order line whose net price per EA is under the entity's floor price valid
  on the order date (judged when quoted: a later cancellation does not undo the quote). Money at
  stake = (floor − net) × EA ordered, in USD at the order date's rate.
- `unbilled_freight`: a customer × month whose carrier freight (allocated to its invoice lines,
  never billed to the customer) is an outlier share of its revenue: above
  `FREIGHT_SHARE_MULTIPLE` × the median share of its entity × channel. Money = the freight above
  that typical share.
- `rebate_below_target`: a customer × month whose gross margin clears `POCKET_MARGIN_TARGET` but whose
  pocket margin (after rebates and freight) falls under it, with rebates > 0. Money = the pocket
  margin missing to reach the target.
"""

from __future__ import annotations

import duckdb
import polars as pl

from intelligence.warehouse import EXCEPTION_COLUMNS, read

POCKET_MARGIN_TARGET = 0.10
FREIGHT_SHARE_MULTIPLE = 3.0
MIN_MONTH_REVENUE_USD = 500.0
PRICE_TOLERANCE = 1e-6
OWNER = {
    "price_below_floor": "pricing_manager",
    "unbilled_freight": "pricing_manager",
    "rebate_below_target": "sales_manager",
}


def find_margin_leakage(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every leakage candidate, ranked by money at stake (largest first)."""
    frames = [_below_floor(con), _unbilled_freight(con), _rebates_below_target(con)]
    leakage = pl.concat(frames, how="diagonal_relaxed")
    leakage = leakage.with_columns(
        # a price is fixed on the next quote; freight terms and rebates at the month's review
        sla_due=pl.col("detected_at")
        + pl.when(pl.col("leakage_kind") == "price_below_floor")
        .then(pl.duration(days=5))
        .otherwise(pl.duration(days=14)),
        status=pl.when(pl.col("is_cancelled").fill_null(False))
        .then(pl.lit("cancelled"))
        .otherwise(pl.lit("open")),
        severity=severity(pl.col("money_at_stake_usd")),
        owner_role=pl.col("leakage_kind").replace_strict(OWNER),
        exception_type=pl.lit("margin_leakage_") + pl.col("leakage_kind"),
    )
    leakage = leakage.sort("money_at_stake_usd", descending=True, nulls_last=True).with_row_index(
        "rank", offset=1
    )
    leading = ["rank", *EXCEPTION_COLUMNS, "leakage_kind"]
    return leakage.select(leading + [c for c in leakage.columns if c not in leading])


def severity(money: pl.Expr) -> pl.Expr:
    """By money at stake in USD: critical ≥ 10,000, high ≥ 1,000, medium ≥ 100, else low."""
    return (
        pl.when(money >= 10_000)
        .then(pl.lit("critical"))
        .when(money >= 1_000)
        .then(pl.lit("high"))
        .when(money >= 100)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low"))
    )


def _below_floor(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    frame = read(
        con,
        f"""
        with invoiced as (
            select order_id, order_line_no, sum(qty_ea) as invoiced_qty_ea
            from marts.fct_invoice_lines
            group by order_id, order_line_no
        )
        select
            l.order_id,
            l.line_no,
            l.entity_code,
            l.warehouse_code,
            l.item_id,
            l.item_code,
            l.customer_id,
            l.order_date,
            l.currency,
            l.qty_ordered_ea,
            l.is_cancelled,
            l.net_price_per_ea,
            p.floor_price,
            l.net_price_per_ea_usd / nullif(l.net_price_per_ea, 0) as usd_per_unit,
            coalesce(i.invoiced_qty_ea, 0) as invoiced_qty_ea
        from marts.fct_order_lines as l
        inner join intermediate.int_item_prices as p
            on l.entity_code = p.entity_code
            and l.item_code = p.local_item_code
            and l.order_date >= p.valid_from
            and (p.valid_to is null or l.order_date < p.valid_to)
        left join invoiced as i on l.order_id = i.order_id and l.line_no = i.order_line_no
        where l.net_price_per_ea < p.floor_price - {PRICE_TOLERANCE}
        """,
    )
    gap = pl.col("floor_price") - pl.col("net_price_per_ea")
    return frame.with_columns(
        leakage_kind=pl.lit("price_below_floor"),
        exception_key=pl.col("order_id") + ":" + pl.col("line_no").cast(pl.Utf8),
        detected_at=pl.col("order_date").cast(pl.Datetime("us")),
        gap_pct=gap / pl.col("floor_price"),
        money_at_stake_usd=gap * pl.col("qty_ordered_ea") * pl.col("usd_per_unit"),
        invoiced_leak_usd=gap * pl.col("invoiced_qty_ea") * pl.col("usd_per_unit"),
        month=pl.col("order_date").dt.strftime("%Y-%m"),
    ).with_columns(
        explanation=pl.format(
            "Net price {} {}/EA is {}% below the floor {} for item {} at {}: {} EA ordered on {}"
            " ({}) put ${} of margin at risk, ${} of it already invoiced.",
            pl.col("net_price_per_ea").round(2),
            pl.col("currency"),
            (pl.col("gap_pct") * 100).round(1),
            pl.col("floor_price").round(2),
            pl.col("item_id").fill_null(pl.col("item_code")),
            pl.col("warehouse_code"),
            pl.col("qty_ordered_ea"),
            pl.col("order_date"),
            pl.when(pl.col("is_cancelled"))
            .then(pl.lit("order line cancelled since"))
            .otherwise(pl.lit("order line live")),
            pl.col("money_at_stake_usd").round(2),
            pl.col("invoiced_leak_usd").round(2),
        )
    )


def _customer_months(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Revenue, margins, rebates and freight per entity × customer × invoice month, in USD."""
    return read(
        con,
        f"""
        select
            entity_code,
            coalesce(customer_id, customer_code) as customer_id,
            min(channel) as channel,
            invoice_month as month,
            max(invoice_date) as last_invoice_date,
            sum(net_amount_usd) as revenue_usd,
            sum(gross_margin_usd) as gross_margin_usd,
            sum(rebate_amount_usd) as rebate_usd,
            sum(freight_amount_usd) as freight_usd,
            sum(pocket_margin_usd) as pocket_margin_usd
        from marts.fct_invoice_lines
        where not is_intercompany
        group by all
        having sum(net_amount_usd) >= {MIN_MONTH_REVENUE_USD}
        """,
    )


def _unbilled_freight(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    months = _customer_months(con).with_columns(
        freight_share=pl.col("freight_usd") / pl.col("revenue_usd")
    )
    months = months.with_columns(
        typical_share=pl.col("freight_share").median().over("entity_code", "channel")
    )
    flagged = months.filter(
        (pl.col("freight_usd") > 0)
        & (pl.col("freight_share") > FREIGHT_SHARE_MULTIPLE * pl.col("typical_share"))
    )
    return flagged.with_columns(
        leakage_kind=pl.lit("unbilled_freight"),
        exception_key=pl.col("entity_code") + ":" + pl.col("customer_id") + ":" + pl.col("month"),
        detected_at=pl.col("last_invoice_date").cast(pl.Datetime("us")),
        money_at_stake_usd=pl.col("freight_usd") - pl.col("typical_share") * pl.col("revenue_usd"),
    ).with_columns(
        explanation=pl.format(
            "Carrier freight of ${} was {}% of customer {}'s ${} revenue in {}, against {}% typical"
            " for {} customers of {}; none of it was billed, costing ${} of pocket margin.",
            pl.col("freight_usd").round(2),
            (pl.col("freight_share") * 100).round(1),
            pl.col("customer_id"),
            pl.col("revenue_usd").round(2),
            pl.col("month"),
            (pl.col("typical_share") * 100).round(1),
            pl.col("channel"),
            pl.col("entity_code"),
            pl.col("money_at_stake_usd").round(2),
        )
    )


def _rebates_below_target(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    months = _customer_months(con).with_columns(
        gross_margin_pct=pl.col("gross_margin_usd") / pl.col("revenue_usd"),
        pocket_margin_pct=pl.col("pocket_margin_usd") / pl.col("revenue_usd"),
    )
    flagged = months.filter(
        (pl.col("rebate_usd") > 0)
        & (pl.col("gross_margin_pct") >= POCKET_MARGIN_TARGET)
        & (pl.col("pocket_margin_pct") < POCKET_MARGIN_TARGET)
    )
    return flagged.with_columns(
        leakage_kind=pl.lit("rebate_below_target"),
        exception_key=pl.col("entity_code") + ":" + pl.col("customer_id") + ":" + pl.col("month"),
        detected_at=pl.col("last_invoice_date").cast(pl.Datetime("us")),
        money_at_stake_usd=POCKET_MARGIN_TARGET * pl.col("revenue_usd")
        - pl.col("pocket_margin_usd"),
    ).with_columns(
        explanation=pl.format(
            "Customer {} ({}) earned {}% gross margin on ${} in {}, but rebates of ${} and freight"
            " of ${} left {}% pocket margin, under the {}% target by ${}.",
            pl.col("customer_id"),
            pl.col("entity_code"),
            (pl.col("gross_margin_pct") * 100).round(1),
            pl.col("revenue_usd").round(2),
            pl.col("month"),
            pl.col("rebate_usd").round(2),
            pl.col("freight_usd").round(2),
            (pl.col("pocket_margin_pct") * 100).round(1),
            round(POCKET_MARGIN_TARGET * 100),
            pl.col("money_at_stake_usd").round(2),
        )
    )
