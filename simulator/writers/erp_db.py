"""The group ERP (US01, CA01, MX01) as a normalised SQL database, written through SQLAlchemy Core.

PostgreSQL is loaded with COPY (CSV rendered by polars); other databases (SQLite by default)
with one executemany per table in a single transaction. An append run deletes and re-inserts,
by primary key, only the rows whose `updated_at` falls after the previous horizon.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import numpy as np
import polars as pl
import sqlalchemy as sa

from simulator.faults import pick
from simulator.world import World
from simulator.writers import WriteContext

SOURCE = "erp_db"
GROUP_ENTITIES = ("US01", "CA01", "MX01")
_CHUNK = 50_000

metadata = sa.MetaData()
T, D, TS, B, I, F = sa.Text, sa.Date, sa.DateTime, sa.Boolean, sa.BigInteger, sa.Float  # noqa: E741


def _table(name: str, key: tuple[str, ...], *columns: tuple[str, type]) -> sa.Table:
    # `updated_at` is indexed, as in a real ERP: ingestion reads each table incrementally by it,
    # and without the index every daily read scanned the whole table (3.4 s of 20 tables at m).
    return sa.Table(
        name,
        metadata,
        *(sa.Column(c, t, primary_key=c in key, nullable=c not in key) for c, t in columns),
        sa.Column("updated_at", TS, nullable=False, index=True),
    )


TABLES: dict[str, sa.Table] = {
    t.name: t
    for t in (
        _table("companies", ("company_code",), ("company_code", T), ("company_name", T), ("country", T), ("currency", T)),
        _table("warehouses", ("warehouse_code",), ("warehouse_code", T), ("company_code", T), ("warehouse_name", T),
               ("city", T), ("country", T)),
        _table("items", ("item_id",), ("item_id", T), ("description", T), ("category", T), ("abc_class", T),
               ("stock_uom", T), ("case_size", I), ("pack_size", I), ("standard_cost_usd", F),
               ("list_price_usd", F), ("floor_price_usd", F), ("is_stock_item", B)),
        _table("customers", ("company_code", "customer_id"), ("company_code", T), ("customer_id", T),
               ("customer_name", T), ("channel", T), ("region", T), ("credit_limit", F), ("payment_terms_days", I),
               ("is_intercompany", B), ("counterparty_company_code", T), ("edi_partner_id", T)),
        _table("suppliers", ("supplier_id",), ("supplier_id", T), ("supplier_name", T), ("country", T),
               ("currency", T), ("planned_lead_time_days", I), ("edi_partner_id", T)),
        _table("item_costs", ("company_code", "item_id", "valid_from"), ("company_code", T), ("item_id", T),
               ("valid_from", D), ("valid_to", D), ("unit_cost", F)),
        _table("price_lists", ("company_code", "item_id", "valid_from"), ("company_code", T), ("item_id", T),
               ("valid_from", D), ("valid_to", D), ("list_price", F), ("floor_price", F)),
        _table("rebate_agreements", ("agreement_id",), ("agreement_id", T), ("company_code", T), ("customer_id", T),
               ("rebate_rate", F), ("valid_from", D), ("valid_to", D)),
        _table("fx_rates", ("rate_date", "currency"), ("rate_date", D), ("currency", T), ("usd_per_unit", F)),
        _table("sales_orders", ("order_id",), ("order_id", T), ("company_code", T), ("customer_id", T),
               ("warehouse_code", T), ("channel", T), ("order_date", D), ("requested_date", D),
               ("confirmed_date", D), ("customer_po", T), ("currency", T), ("credit_hold", B),
               ("manual_touch", B), ("is_intercompany", B), ("status", T), ("created_at", TS)),
        _table("sales_order_lines", ("order_id", "line_no"), ("order_id", T), ("line_no", I), ("item_id", T),
               ("uom", T), ("qty_ordered", I), ("qty_ordered_ea", I), ("original_qty_ordered", I),
               ("unit_price", F), ("discount_pct", F), ("line_status", T), ("substitute_for_line_no", I),
               ("cancelled_at", TS)),
        _table("shipments", ("shipment_id",), ("shipment_id", T), ("company_code", T), ("order_id", T),
               ("warehouse_code", T), ("ship_date", D), ("delivery_date", D), ("carrier", T),
               ("tracking_number", T), ("freight_cost", F)),
        _table("shipment_lines", ("shipment_id", "line_no"), ("shipment_id", T), ("line_no", I), ("order_id", T),
               ("order_line_no", I), ("item_id", T), ("qty_shipped_ea", I), ("shipment_seq", I),
               ("unit_cost_ea", F)),
        _table("invoices", ("invoice_id",), ("invoice_id", T), ("company_code", T), ("customer_id", T),
               ("invoice_type", T), ("invoice_date", D), ("due_date", D), ("currency", T), ("order_id", T),
               ("shipment_id", T), ("original_invoice_id", T)),
        _table("invoice_lines", ("invoice_id", "line_no"), ("invoice_id", T), ("line_no", I), ("order_id", T),
               ("order_line_no", I), ("item_id", T), ("qty_ea", I), ("unit_price_ea", F), ("gross_amount", F),
               ("discount_amount", F), ("net_amount", F), ("cogs_amount", F), ("rebate_amount", F),
               ("freight_amount", F)),
        _table("payments", ("payment_id",), ("payment_id", T), ("invoice_id", T), ("customer_id", T),
               ("payment_date", D), ("amount", F)),
        _table("purchase_orders", ("po_id",), ("po_id", T), ("company_code", T), ("supplier_id", T),
               ("warehouse_code", T), ("po_date", D), ("sent_date", D), ("ack_date", D), ("currency", T),
               ("status", T), ("created_at", TS)),
        _table("purchase_order_lines", ("po_id", "line_no"), ("po_id", T), ("line_no", I), ("item_id", T),
               ("uom", T), ("qty_ordered", I), ("qty_ordered_ea", I), ("unit_cost", F), ("expected_date", D),
               ("promised_date", D), ("line_status", T)),
        _table("receipts", ("receipt_id",), ("receipt_id", T), ("po_id", T), ("po_line_no", I), ("item_id", T),
               ("warehouse_code", T), ("receipt_date", D), ("qty_received_ea", I)),
        _table("period_close", ("company_code", "period_month"), ("company_code", T), ("period_month", D),
               ("last_posting_date", D)),
    )
}  # fmt: skip


def write_erp(
    ctx: WriteContext,
    url: str,
    since: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write (or, with `since`, update after that day) the group ERP; rows written per table."""
    frames = erp_frames(ctx.world, ctx.start, ctx.end)
    if since is not None:
        cutoff = datetime.combine(since + timedelta(days=1), time())
        frames = {name: f.filter(pl.col("updated_at") >= cutoff) for name, f in frames.items()}
    frames["sales_order_lines"] = _inject_unknown_items(ctx, frames["sales_order_lines"])

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if since is None:
                metadata.drop_all(conn)
                metadata.create_all(conn)
            else:  # a database written before the index existed gets it (once)
                for table in TABLES.values():
                    for index in table.indexes:
                        index.create(conn, checkfirst=True)
            for name, table in TABLES.items():
                frame = frames[name].select([c.name for c in table.columns])
                if since is not None and frame.height:
                    _delete_keys(conn, table, frame)
                _insert(conn, table, frame)
                if progress:
                    progress(name)
    finally:
        engine.dispose()
    return {name: f.height for name, f in frames.items()}


def erp_frames(world: World, start: date, end: date) -> dict[str, pl.DataFrame]:
    """Every ERP table's final state as of the horizon end, with its derived `updated_at`."""
    group = pl.col("entity_code").is_in(GROUP_ENTITIES)
    at = _at_hour
    company = {"entity_code": "company_code"}
    horizon_start = at(pl.lit(start), 0)
    closed_by_end = pl.col("valid_to").is_not_null() & (pl.col("valid_to") <= end)
    validity_updated = at(
        pl.max_horizontal(
            pl.when(closed_by_end).then("valid_to").otherwise("valid_from"), pl.lit(start)
        ),
        0,
    )

    # A shipment row changes once more when the delivery is confirmed.
    delivered_or_shipped = at(
        pl.when(pl.col("delivery_date") <= end).then("delivery_date").otherwise("ship_date"), 18
    )
    orders = world.sales_orders.filter(group)
    pos = world.purchase_orders.filter(group)
    ship = world.shipments.filter(group)
    invoices = world.invoices.filter(group)
    frames = {
        "companies": world.entities.filter(group)
        .rename({"entity_code": "company_code", "entity_name": "company_name"})
        .with_columns(updated_at=horizon_start),
        "warehouses": world.warehouses.filter(group).rename(company).with_columns(updated_at=horizon_start),
        "items": world.items.with_columns(updated_at=horizon_start),
        "customers": world.customers.filter(group)
        .rename({**company, "counterparty_entity_code": "counterparty_company_code"})
        .with_columns(updated_at=horizon_start),
        "suppliers": world.suppliers.with_columns(updated_at=horizon_start),
        "item_costs": world.item_costs.filter(group).rename(company).with_columns(updated_at=validity_updated),
        "price_lists": world.price_lists.filter(group).rename(company).with_columns(updated_at=validity_updated),
        "rebate_agreements": world.rebate_agreements.filter(group)
        .rename(company)
        .with_columns(updated_at=at(pl.max_horizontal("valid_from", pl.lit(start)), 0)),
        "fx_rates": world.fx_rates.with_columns(updated_at=at(pl.col("rate_date"), 0)),
        "sales_orders": orders.rename(company),
        "sales_order_lines": world.sales_order_lines.join(orders.select("order_id"), on="order_id"),
        "shipments": ship.group_by("shipment_id", maintain_order=True)
        .agg(pl.col("entity_code", "order_id", "warehouse_code", "ship_date", "delivery_date", "carrier",
                    "tracking_number").first())
        .join(world.shipment_freight, on="shipment_id", how="left")
        .rename(company)
        .with_columns(updated_at=delivered_or_shipped),
        "shipment_lines": ship.rename({"shipment_line_no": "line_no"}).with_columns(updated_at=at(pl.col("ship_date"), 18)),
        "invoices": invoices.rename(company).with_columns(updated_at=at(pl.col("invoice_date"), 18)),
        "invoice_lines": world.invoice_lines.join(invoices.select("invoice_id", "invoice_date"), on="invoice_id")
        .with_columns(updated_at=at(pl.col("invoice_date"), 18)),
        "payments": world.payments.join(invoices.select("invoice_id"), on="invoice_id")
        .with_columns(updated_at=at(pl.col("payment_date"), 18)),
        "purchase_orders": pos.rename(company),
        "purchase_order_lines": world.po_lines.join(pos.select("po_id"), on="po_id"),
        "receipts": world.receipts.join(pos.select("po_id"), on="po_id")
        .with_columns(updated_at=at(pl.col("receipt_date"), 18)),
        "period_close": world.period_postings.filter(group)
        .rename(company)
        .with_columns(updated_at=at(pl.col("last_posting_date"), 23)),
    }  # fmt: skip
    return {name: frames[name].select([c.name for c in TABLES[name].columns]) for name in TABLES}


def _at_hour(day: pl.Expr, hour: int) -> pl.Expr:
    return day.cast(pl.Datetime("us")) + pl.duration(hours=hour)


def _inject_unknown_items(ctx: WriteContext, lines: pl.DataFrame) -> pl.DataFrame:
    """A few order lines pointing at an item no master knows (the ERP has no foreign keys)."""
    rng = ctx.plan.rng(SOURCE)
    k = ctx.plan.count(lines.height, share=0.25)
    chosen = pick(rng, lines.height, k)
    if len(chosen) == 0:
        return lines
    known = set(ctx.world.items["item_id"].to_list()) | set(
        ctx.world.item_xref["local_item_code"].to_list()
    )
    codes = (c for c in (f"BB-9{n:05d}" for n in range(1, 100_000)) if c not in known)
    new_codes = []
    for i in chosen:
        row = lines.row(int(i), named=True)
        code = next(codes)
        new_codes.append(code)
        ctx.faults.add(
            "unknown_code", SOURCE, "group_erp.sales_order_lines", f"sales_order_lines:{row['order_id']}/{row['line_no']}",
            f"item_id {row['item_id']!r} -> {code!r}",
        )  # fmt: skip
    return (
        lines.with_row_index("_rid")
        .with_columns(
            item_id=pl.col("_rid").replace_strict(
                chosen.astype(np.uint32).tolist(),
                new_codes,
                default=pl.col("item_id"),
                return_dtype=pl.Utf8,
            )
        )
        .drop("_rid")
    )


def _delete_keys(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    keys = [c.name for c in table.primary_key.columns]
    condition = sa.and_(*(table.c[k] == sa.bindparam(f"k_{k}") for k in keys))
    rows = frame.select(pl.col(k).alias(f"k_{k}") for k in keys).to_dicts()
    conn.execute(table.delete().where(condition), rows)


def _insert(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    if conn.dialect.name == "postgresql":
        columns = ", ".join(frame.columns)
        payload = frame.write_csv(
            include_header=False,
            null_value=r"\N",
            datetime_format="%Y-%m-%d %H:%M:%S%.6f",
            date_format="%Y-%m-%d",
        )
        statement = f"COPY {table.name} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(payload.encode("utf-8"))
        return
    # Other databases: one driver-level executemany per chunk, values pre-rendered column-wise
    # in the forms SQLAlchemy itself stores on SQLite (ISO text dates, 0/1 booleans).
    rendered = frame.with_columns(_driver_value(c, t) for c, t in frame.schema.items())
    qmark = conn.dialect.paramstyle == "qmark"
    marks = ", ".join("?" if qmark else f"%({c})s" for c in frame.columns)
    statement = f"INSERT INTO {table.name} ({', '.join(frame.columns)}) VALUES ({marks})"
    for chunk in rendered.iter_slices(_CHUNK):
        conn.exec_driver_sql(statement, chunk.rows() if qmark else chunk.to_dicts())


def _driver_value(column: str, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, pl.Datetime):
        return pl.col(column).dt.strftime("%Y-%m-%d %H:%M:%S.%6f")
    if dtype == pl.Date:
        return pl.col(column).dt.strftime("%Y-%m-%d")
    if dtype == pl.Boolean:
        return pl.col(column).cast(pl.Int8)
    return pl.col(column)
