"""Daily file exports of the acquired entities' legacy ERPs: MX02 (`legacy_mx`) and US02 (`legacy_us`).

Both systems export the same business records with their own conventions (SOURCES.md): the
records are first built once per entity in canonical, typed form ("versions": a record's
initial state on its creation day and its final state on its last-change day), then each
dialect renames, translates and renders them to text, faults are placed on the rendered
text, and each day's slice is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from simulator.faults import duplicate_name, pick
from simulator.world import World
from simulator.writers import WriteContext, ymd


def write_legacy_exports(ctx: WriteContext) -> dict[str, int]:
    """Write both legacy systems' daily exports; files written per source."""
    return {dialect.source: _write_system(ctx, dialect) for dialect in (LEGACY_MX, LEGACY_US)}


# --- dialects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    stem: str
    canonical: str
    columns: tuple[tuple[str, str], ...]  # (canonical column, exported column)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    date_col: str | None = None
    qty_col: str | None = None
    code_col: str | None = None


@dataclass(frozen=True)
class Dialect:
    source: str
    entity: str
    separator: str
    decimal: str
    date_fmt: str
    ts_fmt: str
    true: str
    false: str
    encoding: str
    terminator: str
    quote_style: str
    bad_date: str
    bad_qty: str
    unknown_item_fmt: str
    tables: tuple[TableSpec, ...]


_MX_CATEGORY = {
    "Fasteners": "Tornillería",
    "Electrical": "Eléctrico",
    "Plumbing": "Plomería",
    "HVAC": "Climatización",
    "Safety": "Seguridad",
    "Tools": "Herramientas",
    "Janitorial": "Limpieza",
    "Packaging": "Empaque",
}
_MX_UOM = {"EA": "PZA", "CS": "CJA", "PK": "PAQ"}
_MX_CHANNEL = {"EDI": "EDI", "ECOM": "ECOMMERCE", "REP": "VENDEDOR", "COUNTER": "MOSTRADOR"}

LEGACY_MX = Dialect(
    source="legacy_mx",
    entity="MX02",
    separator=";",
    decimal=",",
    date_fmt="%d.%m.%Y",
    ts_fmt="%d.%m.%Y %H:%M:%S",
    true="S",
    false="N",
    encoding="latin-1",
    terminator="\r\n",
    quote_style="never",
    bad_date="31.02.2025",
    bad_qty="N/D",
    unknown_item_fmt="ART-9{:05d}",
    tables=(
        TableSpec("articulos", "items", (
            ("item_code", "codigo_articulo"), ("description", "descripcion"), ("category", "categoria"),
            ("abc_class", "clase_abc"), ("stock_uom", "unidad_base"), ("case_size", "piezas_por_caja"),
            ("pack_size", "piezas_por_paquete"), ("is_stock_item", "inventariable"),
            ("created_date", "fecha_alta"),
        ), {"category": _MX_CATEGORY, "stock_uom": _MX_UOM}, date_col="created_date"),
        TableSpec("clientes", "customers", (
            ("customer_code", "codigo_cliente"), ("customer_name", "razon_social"), ("channel", "canal"),
            ("region", "region"), ("credit_limit", "limite_credito"), ("payment_terms_days", "dias_credito"),
            ("terms_text", "condiciones_pago"), ("is_intercompany", "intercompania"),
            ("counterparty_entity_code", "empresa_contraparte"), ("edi_partner_id", "socio_edi"),
        ), {"channel": _MX_CHANNEL}),
        TableSpec("proveedores", "suppliers", (
            ("supplier_code", "codigo_proveedor"), ("supplier_name", "nombre"), ("country", "pais"),
            ("currency", "moneda"), ("planned_lead_time_days", "dias_entrega"), ("edi_partner_id", "socio_edi"),
        )),
        TableSpec("costos", "item_costs", (
            ("item_code", "codigo_articulo"), ("valid_from", "vigente_desde"), ("valid_to", "vigente_hasta"),
            ("unit_cost", "costo_unitario"),
        ), date_col="valid_from", code_col="item_code"),
        TableSpec("precios", "price_lists", (
            ("item_code", "codigo_articulo"), ("valid_from", "vigente_desde"), ("valid_to", "vigente_hasta"),
            ("list_price", "precio_lista"), ("floor_price", "precio_minimo"),
        ), date_col="valid_from", code_col="item_code"),
        TableSpec("acuerdos_bonificacion", "rebate_agreements", (
            ("agreement_id", "folio_acuerdo"), ("customer_code", "codigo_cliente"),
            ("rebate_rate", "tasa_bonificacion"), ("valid_from", "vigente_desde"), ("valid_to", "vigente_hasta"),
        ), date_col="valid_from"),
        TableSpec("pedidos", "sales_orders", (
            ("order_id", "folio_pedido"), ("customer_code", "codigo_cliente"), ("warehouse_code", "almacen"),
            ("channel", "canal"), ("order_date", "fecha_pedido"), ("requested_date", "fecha_requerida"),
            ("confirmed_date", "fecha_confirmada"), ("customer_po", "orden_compra_cliente"),
            ("currency", "moneda"), ("credit_hold", "retencion_credito"), ("manual_touch", "captura_manual"),
            ("is_intercompany", "intercompania"), ("status", "estatus"), ("created_at", "fecha_creacion"),
            ("updated_at", "fecha_modificacion"),
        ), {"channel": _MX_CHANNEL, "status": {"open": "ABIERTO", "closed": "CERRADO", "cancelled": "CANCELADO"}},
            date_col="order_date"),
        TableSpec("pedidos_partidas", "sales_order_lines", (
            ("order_id", "folio_pedido"), ("line_no", "partida"), ("item_code", "codigo_articulo"),
            ("uom", "unidad"), ("qty_ordered", "cantidad"), ("qty_ordered_ea", "cantidad_piezas"),
            ("original_qty_ordered", "cantidad_original"), ("unit_price", "precio_unitario"),
            ("discount_pct", "descuento_pct"), ("line_status", "estatus_partida"),
            ("substitute_for_line_no", "sustituye_partida"), ("cancelled_at", "fecha_cancelacion"),
            ("updated_at", "fecha_modificacion"),
        ), {"uom": _MX_UOM, "line_status": {"open": "ABIERTA", "shipped": "SURTIDA", "cancelled": "CANCELADA"}},
            date_col="updated_at", qty_col="qty_ordered", code_col="item_code"),
        TableSpec("embarques", "shipments", (
            ("shipment_id", "folio_embarque"), ("order_id", "folio_pedido"), ("warehouse_code", "almacen"),
            ("ship_date", "fecha_embarque"), ("delivery_date", "fecha_entrega"), ("carrier", "transportista"),
            ("tracking_number", "guia"), ("freight_cost", "costo_flete"),
        ), date_col="ship_date"),
        TableSpec("embarques_partidas", "shipment_lines", (
            ("shipment_id", "folio_embarque"), ("shipment_line_no", "partida"), ("order_id", "folio_pedido"),
            ("order_line_no", "partida_pedido"), ("item_code", "codigo_articulo"),
            ("qty_shipped_ea", "cantidad_piezas"), ("shipment_seq", "secuencia"), ("unit_cost_ea", "costo_unitario"),
        ), qty_col="qty_shipped_ea", code_col="item_code"),
        TableSpec("facturas", "invoices", (
            ("invoice_id", "folio_factura"), ("invoice_type", "tipo"), ("customer_code", "codigo_cliente"),
            ("invoice_date", "fecha_factura"), ("due_date", "fecha_vencimiento"), ("currency", "moneda"),
            ("order_id", "folio_pedido"), ("shipment_id", "folio_embarque"), ("original_invoice_id", "factura_origen"),
        ), {"invoice_type": {"INV": "FAC", "CM": "NC"}}, date_col="invoice_date"),
        TableSpec("facturas_partidas", "invoice_lines", (
            ("invoice_id", "folio_factura"), ("line_no", "partida"), ("order_id", "folio_pedido"),
            ("order_line_no", "partida_pedido"), ("item_code", "codigo_articulo"), ("qty_ea", "cantidad_piezas"),
            ("unit_price_ea", "precio_unitario"), ("gross_amount", "importe_bruto"),
            ("discount_amount", "importe_descuento"), ("net_amount", "importe_neto"),
            ("cogs_amount", "costo_venta"), ("rebate_amount", "bonificacion"), ("freight_amount", "flete"),
        ), qty_col="qty_ea", code_col="item_code"),
        TableSpec("cobranza", "payments", (
            ("payment_id", "folio_pago"), ("invoice_id", "folio_factura"), ("customer_code", "codigo_cliente"),
            ("payment_date", "fecha_pago"), ("amount", "importe"),
        ), date_col="payment_date"),
        TableSpec("ordenes_compra", "purchase_orders", (
            ("po_id", "folio_oc"), ("supplier_code", "codigo_proveedor"), ("warehouse_code", "almacen"),
            ("po_date", "fecha_oc"), ("sent_date", "fecha_envio"), ("ack_date", "fecha_confirmacion"),
            ("currency", "moneda"), ("status", "estatus"), ("created_at", "fecha_creacion"),
            ("updated_at", "fecha_modificacion"),
        ), date_col="po_date"),
        TableSpec("ordenes_compra_partidas", "po_lines", (
            ("po_id", "folio_oc"), ("line_no", "partida"), ("item_code", "codigo_articulo"), ("uom", "unidad"),
            ("qty_ordered", "cantidad"), ("qty_ordered_ea", "cantidad_piezas"), ("unit_cost", "costo_unitario"),
            ("expected_date", "fecha_prometida_original"), ("promised_date", "fecha_prometida"),
            ("line_status", "estatus_partida"), ("updated_at", "fecha_modificacion"),
        ), {"uom": _MX_UOM}, date_col="expected_date", qty_col="qty_ordered", code_col="item_code"),
        TableSpec("recepciones", "receipts", (
            ("receipt_id", "folio_recepcion"), ("po_id", "folio_oc"), ("po_line_no", "partida_oc"),
            ("item_code", "codigo_articulo"), ("warehouse_code", "almacen"), ("receipt_date", "fecha_recepcion"),
            ("qty_received_ea", "cantidad_piezas"),
        ), date_col="receipt_date", qty_col="qty_received_ea", code_col="item_code"),
        TableSpec("cierres", "period_close", (
            ("period_month", "periodo"), ("last_posting_date", "fecha_ultimo_registro"),
        ), date_col="last_posting_date"),
    ),
)  # fmt: skip

_US_ORDER_STATUS = {"open": "O", "closed": "C", "cancelled": "X"}
_US_LINE_STATUS = {"open": "O", "shipped": "S", "cancelled": "X"}

LEGACY_US = Dialect(
    source="legacy_us",
    entity="US02",
    separator=",",
    decimal=".",
    date_fmt="%m/%d/%Y",
    ts_fmt="%m/%d/%Y %H:%M:%S",
    true="Y",
    false="N",
    encoding="utf-8",
    terminator="\r\n",
    quote_style="necessary",
    bad_date="13/45/2025",
    bad_qty="TBD",
    unknown_item_fmt="GL.99-{:03d}.Z",
    tables=(
        TableSpec("item_master", "items", (
            ("item_code", "ITEM_NO"), ("description", "ITEM_DESC"), ("category", "PRODUCT_LINE"),
            ("abc_class", "ABC_CODE"), ("stock_uom", "STOCK_UM"), ("case_size", "CASE_QTY"),
            ("pack_size", "PACK_QTY"), ("is_stock_item", "STOCKED_FLAG"), ("created_date", "CREATED_DATE"),
        ), date_col="created_date"),
        TableSpec("customer_master", "customers", (
            ("customer_code", "CUST_NO"), ("customer_name", "CUST_NAME"), ("channel", "SALES_CHANNEL"),
            ("region", "TERRITORY"), ("credit_limit", "CREDIT_LIMIT"), ("payment_terms_days", "TERMS_DAYS"),
            ("is_intercompany", "IC_FLAG"), ("counterparty_entity_code", "IC_COMPANY"),
            ("edi_partner_id", "EDI_ID"), ("address", "BILL_TO_ADDRESS"),
        )),
        TableSpec("vendor_master", "suppliers", (
            ("supplier_code", "VENDOR_NO"), ("supplier_name", "VENDOR_NAME"), ("country", "COUNTRY"),
            ("currency", "CURRENCY"), ("planned_lead_time_days", "LEAD_DAYS"), ("edi_partner_id", "EDI_ID"),
            ("address", "REMIT_TO_ADDRESS"),
        )),
        TableSpec("item_cost", "item_costs", (
            ("item_code", "ITEM_NO"), ("valid_from", "EFFECTIVE_DATE"), ("valid_to", "EXPIRATION_DATE"),
            ("unit_cost", "UNIT_COST"),
        ), date_col="valid_from", code_col="item_code"),
        TableSpec("price_book", "price_lists", (
            ("item_code", "ITEM_NO"), ("valid_from", "EFFECTIVE_DATE"), ("valid_to", "EXPIRATION_DATE"),
            ("list_price", "LIST_PRICE"), ("floor_price", "MIN_PRICE"),
        ), date_col="valid_from", code_col="item_code"),
        TableSpec("rebate_programs", "rebate_agreements", (
            ("agreement_id", "PROGRAM_ID"), ("customer_code", "CUST_NO"), ("rebate_rate", "REBATE_RATE"),
            ("valid_from", "START_DATE"), ("valid_to", "END_DATE"),
        ), date_col="valid_from"),
        TableSpec("so_header", "sales_orders", (
            ("order_id", "ORDER_NO"), ("customer_code", "CUST_NO"), ("warehouse_code", "WHSE"),
            ("channel", "ORDER_SOURCE"), ("order_date", "ORDER_DATE"), ("requested_date", "REQ_DATE"),
            ("confirmed_date", "PROMISE_DATE"), ("customer_po", "CUST_PO"), ("currency", "CURRENCY"),
            ("credit_hold", "CREDIT_HOLD"), ("manual_touch", "MANUAL_ENTRY"), ("is_intercompany", "IC_FLAG"),
            ("status", "ORDER_STATUS"), ("ship_to_address", "SHIP_TO_ADDRESS"), ("order_notes", "ORDER_NOTES"),
            ("created_at", "ENTERED_TS"), ("updated_at", "CHANGED_TS"),
        ), {"status": _US_ORDER_STATUS}, date_col="order_date"),
        TableSpec("so_detail", "sales_order_lines", (
            ("order_id", "ORDER_NO"), ("line_no", "LINE_NO"), ("item_code", "ITEM_NO"), ("uom", "UM"),
            ("qty_ordered", "QTY_ORD"), ("qty_ordered_ea", "QTY_ORD_EA"), ("original_qty_ordered", "ORIG_QTY_ORD"),
            ("unit_price", "UNIT_PRICE"), ("discount_pct", "DISC_PCT"), ("line_status", "LINE_STATUS"),
            ("substitute_for_line_no", "SUBST_FOR_LINE"), ("cancelled_at", "CANCEL_TS"),
            ("updated_at", "CHANGED_TS"),
        ), {"line_status": _US_LINE_STATUS}, date_col="updated_at", qty_col="qty_ordered", code_col="item_code"),
        TableSpec("ship_header", "shipments", (
            ("shipment_id", "SHIPMENT_NO"), ("order_id", "ORDER_NO"), ("warehouse_code", "WHSE"),
            ("ship_date", "SHIP_DATE"), ("delivery_date", "DELIVERY_DATE"), ("carrier", "CARRIER"),
            ("tracking_number", "TRACKING_NO"), ("freight_cost", "FREIGHT_COST"),
        ), date_col="ship_date"),
        TableSpec("ship_detail", "shipment_lines", (
            ("shipment_id", "SHIPMENT_NO"), ("shipment_line_no", "SHIP_LINE"), ("order_id", "ORDER_NO"),
            ("order_line_no", "ORDER_LINE"), ("item_code", "ITEM_NO"), ("qty_shipped_ea", "QTY_SHIPPED_EA"),
            ("shipment_seq", "SHIP_SEQ"), ("unit_cost_ea", "UNIT_COST"),
        ), qty_col="qty_shipped_ea", code_col="item_code"),
        TableSpec("ar_invoice_header", "invoices", (
            ("invoice_id", "INVOICE_NO"), ("invoice_type", "DOC_TYPE"), ("customer_code", "CUST_NO"),
            ("invoice_date", "INVOICE_DATE"), ("due_date", "DUE_DATE"), ("currency", "CURRENCY"),
            ("order_id", "ORDER_NO"), ("shipment_id", "SHIPMENT_NO"), ("original_invoice_id", "APPLIES_TO_INVOICE"),
        ), date_col="invoice_date"),
        TableSpec("ar_invoice_detail", "invoice_lines", (
            ("invoice_id", "INVOICE_NO"), ("line_no", "LINE_NO"), ("order_id", "ORDER_NO"),
            ("order_line_no", "ORDER_LINE"), ("item_code", "ITEM_NO"), ("qty_ea", "QTY_EA"),
            ("unit_price_ea", "UNIT_PRICE_EA"), ("gross_amount", "GROSS_AMT"), ("discount_amount", "DISC_AMT"),
            ("net_amount", "NET_AMT"), ("cogs_amount", "COST_AMT"), ("rebate_amount", "REBATE_AMT"),
            ("freight_amount", "FREIGHT_AMT"),
        ), qty_col="qty_ea", code_col="item_code"),
        TableSpec("ar_cash_receipts", "payments", (
            ("payment_id", "RECEIPT_NO"), ("invoice_id", "INVOICE_NO"), ("customer_code", "CUST_NO"),
            ("payment_date", "RECEIPT_DATE"), ("amount", "AMOUNT"),
        ), date_col="payment_date"),
        TableSpec("po_header", "purchase_orders", (
            ("po_id", "PO_NO"), ("supplier_code", "VENDOR_NO"), ("warehouse_code", "WHSE"), ("po_date", "PO_DATE"),
            ("sent_date", "SENT_DATE"), ("ack_date", "ACK_DATE"), ("currency", "CURRENCY"), ("status", "PO_STATUS"),
            ("created_at", "ENTERED_TS"), ("updated_at", "CHANGED_TS"),
        ), date_col="po_date"),
        TableSpec("po_detail", "po_lines", (
            ("po_id", "PO_NO"), ("line_no", "LINE_NO"), ("item_code", "ITEM_NO"), ("uom", "UM"),
            ("qty_ordered", "QTY_ORD"), ("qty_ordered_ea", "QTY_ORD_EA"), ("unit_cost", "UNIT_COST"),
            ("expected_date", "ORIG_PROMISE_DATE"), ("promised_date", "PROMISE_DATE"),
            ("line_status", "LINE_STATUS"), ("updated_at", "CHANGED_TS"),
        ), date_col="expected_date", qty_col="qty_ordered", code_col="item_code"),
        TableSpec("po_receipts", "receipts", (
            ("receipt_id", "RECEIPT_NO"), ("po_id", "PO_NO"), ("po_line_no", "PO_LINE"), ("item_code", "ITEM_NO"),
            ("warehouse_code", "WHSE"), ("receipt_date", "RECEIPT_DATE"), ("qty_received_ea", "QTY_RECEIVED_EA"),
        ), date_col="receipt_date", qty_col="qty_received_ea", code_col="item_code"),
        TableSpec("gl_period_close", "period_close", (
            ("period_month", "PERIOD"), ("last_posting_date", "LAST_POSTING_DATE"),
        ), date_col="last_posting_date"),
    ),
)  # fmt: skip

# Decimal places of exported amounts; other floats get four.
_TWO_DECIMALS = {
    "credit_limit", "freight_cost", "gross_amount", "discount_amount", "net_amount", "cogs_amount",
    "rebate_amount", "freight_amount", "amount",
}  # fmt: skip

_NOTES = (
    None,
    None,
    None,
    'Deliver to dock 3, ask for "Receiving"',
    "Call before delivery.\nGate code 4411, open 7am-3pm",
    "Partial shipments OK, backorder the rest",
    'Rush: line down at plant 2\nConfirmed by phone with "Mike", ext. 204',
    None,
)
_STREETS = (
    "Industrial Pkwy",
    "Michigan Ave",
    "Woodward Ave",
    "Fort St",
    "Grand River Ave",
    "Jefferson Ave",
)
_CITIES = (
    "Detroit, MI 48201",
    "Toledo, OH 43604",
    "Flint, MI 48502",
    "Ann Arbor, MI 48104",
    "Grand Rapids, MI 49503",
    "Lansing, MI 48933",
)


# --- writing -------------------------------------------------------------------------------


def _write_system(ctx: WriteContext, dialect: Dialect) -> int:
    canon = canonical_tables(ctx.world, dialect.entity, ctx.start, ctx.end)
    first, last = ctx.write_from, ctx.end
    rendered: list[pl.DataFrame] = []
    for spec in dialect.tables:
        frame = canon[spec.canonical].filter(pl.col("_day").is_between(first, last))
        rendered.append(_render(frame, spec, dialect))

    days = ctx.write_days()
    root = ctx.out / "exports" / dialect.source
    placement, duplicates = _plan_file_faults(ctx, dialect, rendered, days)
    malformed = _inject_row_faults(ctx, dialect, rendered, placement)

    n_files = 0
    folders: set[str] = set()
    for spec, frame in zip(dialect.tables, rendered, strict=True):
        header = dialect.separator.join(export for _, export in spec.columns) + dialect.terminator
        bodies = _day_bodies(frame, spec, dialect, malformed)
        for day in days:
            folder = f"{root}/{ymd(placement.get((spec.stem, day), day))}"
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            name = f"{spec.stem}_{ymd(day)}.csv"
            data = (header + bodies.get(day, "")).encode(dialect.encoding, errors="replace")
            _write(f"{folder}/{name}", data)
            n_files += 1
            if (spec.stem, day) in duplicates:
                _write(f"{folder}/{duplicate_name(name)}", data)
                n_files += 1
    return n_files


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


def _day_bodies(
    frame: pl.DataFrame,
    spec: TableSpec,
    dialect: Dialect,
    malformed: dict[tuple[str, date], list[int]],
) -> dict[date, str]:
    """Each day's records as CSV text (terminated), built column-wise for the whole table at once."""
    fields = []
    for _, export in spec.columns:
        col = pl.col(export)
        if dialect.quote_style == "necessary":
            needs_quotes = col.str.contains(r'[,"\r\n]')
            col = (
                pl.when(needs_quotes)
                .then(pl.format('"{}"', col.str.replace_all('"', '""')))
                .otherwise(col)
            )
        fields.append(col.fill_null(""))
    record = pl.concat_str(fields, separator=dialect.separator)
    broken = [
        (day, row) for (stem, day), rows in malformed.items() if stem == spec.stem for row in rows
    ]
    if broken:
        # A malformed record carries one extra field.
        is_broken = pl.struct("_day", "_row").is_in(
            pl.Series(
                [{"_day": d, "_row": r} for d, r in broken],
                dtype=pl.Struct({"_day": pl.Date, "_row": pl.Int64}),
            )
        )
        record = (
            pl.when(is_broken)
            .then(pl.concat_str(record, pl.lit(dialect.separator + "X")))
            .otherwise(record)
        )
    joined = (
        frame.select("_day", "_row", _record=pl.concat_str(record, pl.lit(dialect.terminator)))
        .sort("_day", "_row")
        .group_by("_day", maintain_order=True)
        .agg(pl.col("_record").str.join(""))
    )
    return dict(zip(joined["_day"].to_list(), joined["_record"].to_list(), strict=True))


def _plan_file_faults(
    ctx: WriteContext, dialect: Dialect, rendered: list[pl.DataFrame], days: list[date]
) -> tuple[dict[tuple[str, date], date], set[tuple[str, date]]]:
    """Which daily files arrive late (and in which later folder) and which are re-sent."""
    rng = ctx.plan.rng(dialect.source)
    candidates = sorted(
        (spec.stem, day)
        for spec, frame in zip(dialect.tables, rendered, strict=True)
        for day in frame["_day"].unique().to_list()
        if day < ctx.end
    )
    k = ctx.plan.count(len(candidates), share=0.2)
    chosen = [candidates[i] for i in pick(rng, len(candidates), 2 * k)]
    rng.shuffle(chosen)
    late, dups = chosen[:k], chosen[k : 2 * k]
    placement: dict[tuple[str, date], date] = {}
    root = ctx.out / "exports" / dialect.source
    for stem, day in sorted(late):
        target = min(day + timedelta(days=int(rng.integers(1, 4))), ctx.end)
        placement[(stem, day)] = target
        path = root / ymd(target) / f"{stem}_{ymd(day)}.csv"
        ctx.faults.add(
            "late_file", dialect.source, ctx.rel(path), "", f"file of {day} delivered on {target}"
        )
    for stem, day in sorted(dups):
        path = root / ymd(day) / duplicate_name(f"{stem}_{ymd(day)}.csv")
        original = root / ymd(day) / f"{stem}_{ymd(day)}.csv"
        ctx.faults.add(
            "duplicate_file",
            dialect.source,
            ctx.rel(path),
            "",
            f"byte-identical copy of {ctx.rel(original)}",
        )
    return placement, set(dups)


def _inject_row_faults(
    ctx: WriteContext,
    dialect: Dialect,
    rendered: list[pl.DataFrame],
    placement: dict[tuple[str, date], date],
) -> dict[tuple[str, date], list[int]]:
    """Replace field text of a few records (in place in `rendered`); return the malformed rows."""
    rng = ctx.plan.rng(dialect.source, stream=1)
    sizes = np.array([f.height for f in rendered])
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    table_of = np.repeat(np.arange(len(rendered)), sizes)
    total = int(sizes.sum())
    used = np.zeros(total, dtype=bool)
    eligible_col = {
        "malformed_row": lambda s: "",
        "bad_date": lambda s: s.date_col,
        "bad_quantity": lambda s: s.qty_col,
        "unknown_code": lambda s: s.code_col,
    }
    known = set(ctx.world.item_xref["local_item_code"].to_list())
    unknown_codes = (
        c for c in (dialect.unknown_item_fmt.format(i) for i in range(1, 100_000)) if c not in known
    )
    edits: dict[int, dict[str, dict[int, str]]] = {}
    malformed: dict[tuple[str, date], list[int]] = {}
    for kind, column_of in eligible_col.items():
        ok_table = np.array([column_of(s) is not None for s in dialect.tables])
        pool = np.flatnonzero(ok_table[table_of] & ~used) if total else np.empty(0, dtype=np.int64)
        k = ctx.plan.count(total, share=0.25)
        for g in pool[pick(rng, len(pool), k)]:
            used[g] = True
            t = int(table_of[g])
            local = int(g - offsets[t])
            spec, frame = dialect.tables[t], rendered[t]
            day, row = frame["_day"][local], int(frame["_row"][local])
            path = ctx.out / "exports" / dialect.source / ymd(placement.get((spec.stem, day), day))
            file = ctx.rel(path / f"{spec.stem}_{ymd(day)}.csv")
            if kind == "malformed_row":
                malformed.setdefault((spec.stem, day), []).append(row)
                ctx.faults.add(
                    kind, dialect.source, file, f"row={row}", f"{spec.stem}: one extra field"
                )
                continue
            export = dict(spec.columns)[column_of(spec)]
            original = frame[export][local] or ""
            if kind == "bad_date":
                bad = dialect.bad_date + (original[10:] if len(original) > 10 else "")
            elif kind == "bad_quantity":
                bad = (
                    f"-{original}"
                    if rng.random() < 0.5 and original and not original.startswith("-")
                    else dialect.bad_qty
                )
            else:
                bad = next(unknown_codes)
            edits.setdefault(t, {}).setdefault(export, {})[local] = bad
            ctx.faults.add(
                kind,
                dialect.source,
                file,
                f"row={row}",
                f"{spec.stem}.{export}: {original!r} -> {bad!r}",
            )
    for t, columns in edits.items():
        frame = rendered[t].with_row_index("_rid")
        frame = frame.with_columns(
            pl.col("_rid")
            .replace_strict(
                list(values), list(values.values()), default=pl.col(col), return_dtype=pl.Utf8
            )
            .alias(col)
            for col, values in columns.items()
        )
        rendered[t] = frame.drop("_rid")
    for rows in malformed.values():
        rows.sort()
    return malformed


def _render(frame: pl.DataFrame, spec: TableSpec, dialect: Dialect) -> pl.DataFrame:
    """The spec's columns as export text (plus `_day` and the 1-based `_row` within its day)."""
    exprs = []
    for canonical, export in spec.columns:
        dtype = frame.schema[canonical]
        col = pl.col(canonical)
        if canonical in spec.values:
            col = col.replace_strict(spec.values[canonical], default=col, return_dtype=pl.Utf8)
        elif dtype == pl.Date:
            col = col.dt.strftime(dialect.date_fmt)
        elif isinstance(dtype, pl.Datetime):
            col = col.dt.strftime(dialect.ts_fmt)
        elif dtype == pl.Boolean:
            col = (
                pl.when(col).then(pl.lit(dialect.true)).when(col.not_()).then(pl.lit(dialect.false))
            )
        elif dtype.is_float():
            col = _fixed(col, 2 if canonical in _TWO_DECIMALS else 4, dialect.decimal)
        else:
            col = col.cast(pl.Utf8)
        if dialect.quote_style == "never":
            # This system cannot quote: separators and line breaks never reach its files.
            col = col.str.replace_all(r"[;\r\n]", " ")
        exprs.append(col.alias(export))
    out = frame.select(*exprs, "_day")
    return out.with_columns(_row=pl.int_range(1, pl.len() + 1).over("_day"))


def _fixed(col: pl.Expr, decimals: int, sep: str) -> pl.Expr:
    """Fixed-point text with the dialect's decimal separator, exact to the last digit."""
    scale = 10**decimals
    scaled = (col.abs() * scale).round(0).cast(pl.Int64)
    sign = pl.when(col < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(
        sign,
        (scaled // scale).cast(pl.Utf8),
        pl.lit(sep),
        (scaled % scale).cast(pl.Utf8).str.zfill(decimals),
    )


# --- canonical records ---------------------------------------------------------------------


def canonical_tables(world: World, entity: str, start: date, end: date) -> dict[str, pl.DataFrame]:
    """Every export table of one entity in canonical, typed form with its `_day` (version day)."""
    items_local = world.item_xref.filter(pl.col("entity_code") == entity).select(
        "item_id", item_code="local_item_code"
    )
    cust_local = world.customers.filter(pl.col("entity_code") == entity).select(
        "customer_id", customer_code="local_customer_code"
    )
    supp_local = world.supplier_xref.filter(pl.col("entity_code") == entity).select(
        "supplier_id", supplier_code="local_supplier_code"
    )
    first = pl.lit(start)

    def item_code(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(items_local, on="item_id", how="left")

    def customer_code(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(cust_local, on="customer_id", how="left")

    items = item_code(world.items).filter(pl.col("item_code").is_not_null())
    items = items.with_columns(created_date=first, _day=first).sort("item_code")

    customers = (
        world.customers.filter(pl.col("entity_code") == entity)
        .rename({"local_customer_code": "customer_code"})
        .with_columns(
            terms_text=pl.when(pl.col("payment_terms_days") == 0)
            .then(pl.lit("Contado"))
            .otherwise(pl.format("Crédito {} días", pl.col("payment_terms_days"))),
            address=_address(pl.col("customer_id")),
            _day=first,
        )
        .sort("customer_code")
    )
    suppliers = (
        world.suppliers.join(supp_local, on="supplier_id")
        .with_columns(address=_address(pl.col("supplier_id")), _day=first)
        .sort("supplier_code")
    )

    item_costs = _validity_versions(
        item_code(world.item_costs.filter(pl.col("entity_code") == entity)),
        start,
        ["item_code", "valid_from"],
    )
    price_lists = _validity_versions(
        item_code(world.price_lists.filter(pl.col("entity_code") == entity)),
        start,
        ["item_code", "valid_from"],
    )
    rebates = (
        customer_code(world.rebate_agreements.filter(pl.col("entity_code") == entity))
        .with_columns(_day=pl.max_horizontal("valid_from", first))
        .sort("_day", "agreement_id")
    )

    orders = customer_code(world.sales_orders.filter(pl.col("entity_code") == entity)).with_columns(
        ship_to_address=_address(pl.col("customer_id")),
        order_notes=_pick_text(pl.col("order_id"), _NOTES),
    )
    created = pl.col("created_at").dt.date()
    orders = _versions(
        orders,
        ["order_id"],
        status=pl.lit("open"),
        confirmed_date=pl.when(pl.col("confirmed_date") <= created).then(pl.col("confirmed_date")),
        updated_at=pl.col("created_at"),
    )
    uom_factor = (
        pl.when(pl.col("uom") == "CS")
        .then(pl.col("case_size"))
        .when(pl.col("uom") == "PK")
        .then(pl.col("pack_size"))
        .otherwise(1)
    )
    order_created = world.sales_orders.filter(pl.col("entity_code") == entity).select(
        "order_id", "created_at"
    )
    lines = (
        item_code(world.sales_order_lines.join(order_created, on="order_id"))
        .join(world.items.select("item_id", "case_size", "pack_size"), on="item_id", how="left")
        .with_columns(
            # A substitute line is born when the original is cancelled, not with the order.
            created_at=pl.when(pl.col("substitute_for_line_no").is_null())
            .then(pl.col("created_at"))
            .otherwise(pl.col("updated_at"))
        )
    )
    lines = _versions(
        lines,
        ["order_id", "line_no"],
        qty_ordered=pl.col("original_qty_ordered"),
        qty_ordered_ea=pl.col("original_qty_ordered") * uom_factor,
        line_status=pl.lit("open"),
        cancelled_at=pl.lit(None, dtype=pl.Datetime("us")),
        updated_at=pl.col("created_at"),
    )

    shipments_all = world.shipments.filter(pl.col("entity_code") == entity)
    shipments = (
        shipments_all.group_by("shipment_id", maintain_order=True)
        .agg(
            pl.col(
                "order_id",
                "warehouse_code",
                "ship_date",
                "delivery_date",
                "carrier",
                "tracking_number",
            ).first()
        )
        .join(world.shipment_freight, on="shipment_id", how="left")
    )
    # Shipped without a delivery date; the header is exported again when delivery is confirmed.
    delivered = pl.col("delivery_date").is_not_null() & (
        pl.col("delivery_date") > pl.col("ship_date")
    )
    shipments = pl.concat(
        [
            shipments.with_columns(
                delivery_date=pl.when(delivered).then(None).otherwise(pl.col("delivery_date")),
                _day=pl.col("ship_date"),
            ),
            shipments.filter(delivered).with_columns(_day=pl.col("delivery_date")),
        ]
    ).sort("_day", "shipment_id")
    shipment_lines = (
        item_code(shipments_all)
        .with_columns(_day=pl.col("ship_date"))
        .sort("_day", "shipment_id", "shipment_line_no")
    )

    invoices = customer_code(world.invoices.filter(pl.col("entity_code") == entity)).with_columns(
        _day=pl.col("invoice_date")
    )
    invoice_lines = item_code(
        world.invoice_lines.join(invoices.select("invoice_id", "_day"), on="invoice_id")
    ).sort("_day", "invoice_id", "line_no")
    payments = (
        customer_code(world.payments.join(invoices.select("invoice_id"), on="invoice_id"))
        .with_columns(_day=pl.col("payment_date"))
        .sort("_day", "payment_id")
    )
    invoices = invoices.sort("_day", "invoice_id")

    pos = world.purchase_orders.filter(pl.col("entity_code") == entity).join(
        supp_local, on="supplier_id", how="left"
    )
    pos = _versions(
        pos,
        ["po_id"],
        status=pl.lit("open"),
        ack_date=pl.when(pl.col("ack_date") <= created).then(pl.col("ack_date")),
        updated_at=pl.col("created_at"),
    )
    po_created = world.purchase_orders.filter(pl.col("entity_code") == entity).select(
        "po_id", "created_at"
    )
    po_lines = _versions(
        item_code(world.po_lines.join(po_created, on="po_id")),
        ["po_id", "line_no"],
        promised_date=pl.col("expected_date"),
        line_status=pl.lit("open"),
        updated_at=pl.col("created_at"),
    )
    receipts = (
        item_code(world.receipts.join(po_created.select("po_id"), on="po_id"))
        .with_columns(_day=pl.col("receipt_date"))
        .sort("_day", "receipt_id")
    )
    period_close = (
        world.period_postings.filter(pl.col("entity_code") == entity)
        .with_columns(_day=pl.col("last_posting_date"))
        .sort("_day", "period_month")
    )
    tables = {
        "items": items,
        "customers": customers,
        "suppliers": suppliers,
        "item_costs": item_costs,
        "price_lists": price_lists,
        "rebate_agreements": rebates,
        "sales_orders": orders,
        "sales_order_lines": lines,
        "shipments": shipments,
        "shipment_lines": shipment_lines,
        "invoices": invoices,
        "invoice_lines": invoice_lines,
        "payments": payments,
        "purchase_orders": pos,
        "po_lines": po_lines,
        "receipts": receipts,
        "period_close": period_close,
    }
    return {name: frame.filter(pl.col("_day") <= end) for name, frame in tables.items()}


def _versions(frame: pl.DataFrame, key: list[str], **initial: pl.Expr) -> pl.DataFrame:
    """Final state on the last-change day, plus the initial state on the creation day if earlier."""
    created_day = pl.col("created_at").dt.date()
    updated_day = pl.col("updated_at").dt.date()
    final = frame.with_columns(_day=updated_day)
    first = (
        frame.filter(updated_day > created_day)
        .with_columns(**initial)
        .with_columns(_day=created_day)
    )
    return pl.concat([first, final], how="vertical_relaxed").sort(["_day", *key, "updated_at"])


def _validity_versions(frame: pl.DataFrame, start: date, key: list[str]) -> pl.DataFrame:
    """A dated price or cost row: open on its first day, closed again on `valid_to` if later."""
    opens = pl.max_horizontal(pl.col("valid_from"), pl.lit(start))
    closed_later = pl.col("valid_to").is_not_null() & (pl.col("valid_to") > opens)
    first = frame.with_columns(
        valid_to=pl.when(closed_later)
        .then(pl.lit(None, dtype=pl.Date))
        .otherwise(pl.col("valid_to")),
        _day=opens,
    )
    second = frame.filter(closed_later).with_columns(_day=pl.col("valid_to"))
    return pl.concat([first, second]).sort(["_day", *key])


def _address(key: pl.Expr) -> pl.Expr:
    """A stable two-line street address (with a comma inside the first line) from a code."""
    h = key.hash(20250101)
    return pl.format(
        "{} {}, Suite {}\n{}",
        (h % 8900 + 100),
        _pick_text_index(((h // 8900) % len(_STREETS)).cast(pl.Int64), _STREETS),
        (h // 7) % 400 + 1,
        _pick_text_index(((h // 13) % len(_CITIES)).cast(pl.Int64), _CITIES),
    )


def _pick_text(key: pl.Expr, texts: tuple[str | None, ...]) -> pl.Expr:
    return _pick_text_index((key.hash(7) % len(texts)).cast(pl.Int64), texts)


def _pick_text_index(index: pl.Expr, texts: tuple[str | None, ...]) -> pl.Expr:
    return index.replace_strict(list(range(len(texts))), list(texts), return_dtype=pl.Utf8)
