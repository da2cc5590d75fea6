"""Parsed sets to flat, typed `edi_*` tables (polars DataFrames) for the raw layer.

Every row carries the lineage of its set: file, isa_control, gs_control, st_control and
st_position (the ST's segment number in the file). Header tables also carry the sender and
receiver ids of the ISA and GS, `envelope_ok` and `error_count`. Every table is returned, empty
ones included, with the schema in `TABLE_SCHEMAS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import accumulate, chain
from typing import Any

import polars as pl
import pyarrow as pa

from ingestion.memory import gc_paused
from ingestion.x12.model import ParsedSet

_S, _F, _I, _D, _B = pl.String, pl.Float64, pl.Int64, pl.Date, pl.Boolean
_ITEM_IDS = pl.List(pl.Struct({"qualifier": pl.String, "id": pl.String}))
_CODES = pl.List(pl.String)

_LINEAGE = [
    ("file", _S),
    ("isa_control", _S),
    ("gs_control", _S),
    ("st_control", _S),
    ("st_position", _I),
]
_ENVELOPE = [
    ("set_id", _S),
    ("isa_sender_qualifier", _S),
    ("isa_sender_id", _S),
    ("isa_receiver_qualifier", _S),
    ("isa_receiver_id", _S),
    ("gs_sender_id", _S),
    ("gs_receiver_id", _S),
    ("gs_version", _S),
    ("envelope_ok", _B),
    ("error_count", _I),
]
_ITEM = [("vendor_item_id", _S), ("buyer_item_id", _S), ("gtin", _S), ("item_ids", _ITEM_IDS)]
_DERIVED_ITEM_COLUMNS = {
    # column: qualifiers in order of preference
    "vendor_item_id": ("VP", "VN"),  # vendor's part / item number
    "buyer_item_id": ("BP", "IN"),  # buyer's part / item number
    "gtin": ("UP", "UK", "EN", "UA"),  # UPC, GTIN-14, EAN, UPC case code
}
_LINE = [("line_seq", _I), ("line_no", _S), ("qty", _F), ("uom", _S), ("unit_price", _F)]

_COLUMNS: dict[str, list[tuple[str, Any]]] = {
    "edi_purchase_orders": [
        *_LINEAGE,
        *_ENVELOPE,
        ("po_number", _S),
        ("po_date", _D),
        ("purpose", _S),
        ("po_type", _S),
        ("release_number", _S),
        ("currency", _S),
        ("requested_delivery_date", _D),
        ("requested_ship_date", _D),
        ("ship_to_id", _S),
        ("ship_to_name", _S),
        ("charge_total", _F),
        ("allowance_total", _F),
        ("declared_line_count", _I),
        ("line_count", _I),
    ],
    "edi_purchase_order_lines": [
        *_LINEAGE,
        ("po_number", _S),
        *_LINE,
        ("price_basis", _S),
        ("description", _S),
        *_ITEM,
    ],
    "edi_po_acks": [
        *_LINEAGE,
        *_ENVELOPE,
        ("po_number", _S),
        ("ack_type", _S),
        ("purpose", _S),
        ("po_date", _D),
        ("ack_date", _D),
        ("seller_order_number", _S),
        ("promised_ship_date", _D),
        ("promised_delivery_date", _D),
        ("line_count", _I),
    ],
    "edi_po_ack_lines": [
        *_LINEAGE,
        ("po_number", _S),
        *_LINE,
        ("description", _S),
        *_ITEM,
        ("ack_seq", _I),
        ("ack_status", _S),
        ("ack_qty", _F),
        ("ack_uom", _S),
        ("ack_date_qualifier", _S),
        ("ack_date", _D),
    ],
    "edi_ship_notices": [
        *_LINEAGE,
        *_ENVELOPE,
        ("shipment_id", _S),
        ("ship_date", _D),
        ("asn_date", _D),
        ("purpose", _S),
        ("structure_code", _S),
        ("estimated_delivery_date", _D),
        ("carrier_scac", _S),
        ("carrier_mode", _S),
        ("carrier_routing", _S),
        ("tracking_number", _S),
        ("bill_of_lading", _S),
        ("order_count", _I),
        ("item_count", _I),
    ],
    "edi_ship_notice_items": [
        *_LINEAGE,
        ("shipment_id", _S),
        ("order_seq", _I),
        ("order_hl_id", _S),
        ("po_number", _S),
        ("po_date", _D),
        ("item_hl_id", _S),
        ("line_no", _S),
        ("qty_shipped", _F),
        ("uom", _S),
        ("package_id", _S),
        ("description", _S),
        *_ITEM,
    ],
    "edi_invoices": [
        *_LINEAGE,
        *_ENVELOPE,
        ("invoice_number", _S),
        ("invoice_date", _D),
        ("po_number", _S),
        ("po_date", _D),
        ("currency", _S),
        ("total_amount", _F),
        ("charge_total", _F),
        ("allowance_total", _F),
        ("freight_amount", _F),
        ("terms_net_days", _I),
        ("line_count", _I),
    ],
    "edi_invoice_lines": [
        *_LINEAGE,
        ("invoice_number", _S),
        *_LINE,
        ("amount", _F),
        ("description", _S),
        *_ITEM,
    ],
    "edi_inventory_advice": [
        *_LINEAGE,
        *_ENVELOPE,
        ("report_id", _S),
        ("report_date", _D),
        ("line_seq", _I),
        ("line_no", _S),
        ("description", _S),
        *_ITEM,
        ("qualifier", _S),
        ("qty", _F),
        ("uom", _S),
    ],
    "edi_warehouse_orders": [
        *_LINEAGE,
        *_ENVELOPE,
        ("order_number", _S),
        ("po_number", _S),
        ("order_status", _S),
        ("master_reference", _S),
        ("requested_ship_date", _D),
        ("ship_to_id", _S),
        ("ship_to_name", _S),
        ("carrier_scac", _S),
        ("line_count", _I),
    ],
    "edi_warehouse_order_lines": [
        *_LINEAGE,
        ("order_number", _S),
        *_LINE,
        ("description", _S),
        *_ITEM,
    ],
    "edi_warehouse_ship_advice": [
        *_LINEAGE,
        *_ENVELOPE,
        ("order_number", _S),
        ("po_number", _S),
        ("shipment_id", _S),
        ("ship_date", _D),
        ("reporting_code", _S),
        ("carrier_scac", _S),
        ("line_count", _I),
    ],
    "edi_warehouse_ship_advice_lines": [
        *_LINEAGE,
        ("order_number", _S),
        ("line_seq", _I),
        ("line_no", _S),
        ("status", _S),
        ("qty_ordered", _F),
        ("qty_shipped", _F),
        ("qty_difference", _F),
        ("uom", _S),
        ("lot_number", _S),
        ("description", _S),
        *_ITEM,
    ],
    "edi_functional_acks": [
        *_LINEAGE,
        *_ENVELOPE,
        ("ack_seq", _I),
        ("group_id", _S),
        ("group_control", _S),
        ("group_status", _S),
        ("sets_included", _I),
        ("sets_received", _I),
        ("sets_accepted", _I),
    ],
    "edi_functional_ack_sets": [
        *_LINEAGE,
        ("group_id", _S),
        ("group_control", _S),
        ("acked_set_id", _S),
        ("acked_set_control", _S),
        ("status", _S),
        ("error_codes", _CODES),
    ],
    "edi_interchange_acks": [
        *_LINEAGE,
        *_ENVELOPE,
        ("ack_control", _S),
        ("ack_date", _D),
        ("ack_time", _S),
        ("ack_code", _S),
        ("note_code", _S),
    ],
    "edi_envelope_errors": [
        *_LINEAGE,
        ("set_id", _S),
        ("segment_position", _I),
        ("code", _S),
        ("level", _S),
        ("message", _S),
    ],
}

TABLE_SCHEMAS: dict[str, pl.Schema] = {name: pl.Schema(cols) for name, cols in _COLUMNS.items()}
"""Each `edi_*` table's columns and types (dates are `Date`, amounts and quantities `Float64`)."""


def to_tables(parsed_sets: Iterable[ParsedSet]) -> dict[str, pl.DataFrame]:
    """One DataFrame per `edi_*` table (all of them, possibly empty) for the sets given."""
    with gc_paused():  # millions of acyclic tuples
        return _to_tables(parsed_sets)


def _to_tables(parsed_sets: Iterable[ParsedSet]) -> dict[str, pl.DataFrame]:
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _COLUMNS}
    for parsed in parsed_sets:
        lineage = (
            parsed.file,
            parsed.isa_control,
            parsed.gs_control,
            parsed.st_control,
            parsed.st_position,
        )
        for error in parsed.errors:
            rows["edi_envelope_errors"].append(
                (*lineage, parsed.set_id, error.segment, error.code, error.level, error.message)
            )
        doc = parsed.document
        if doc is None:
            continue
        builder = _BUILDERS.get(parsed.set_id or "")
        if builder is not None:
            builder(rows, lineage, _envelope(parsed), doc)
    return {name: _frame(name, table_rows) for name, table_rows in rows.items()}


def _frame(name: str, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    schema = TABLE_SCHEMAS[name]
    if not rows:
        return pl.DataFrame(schema=schema)
    # rows hold the item_ids dict only; the id columns derived from it are computed column-wise
    built = [(c, t) for c, t in schema.items() if c not in _DERIVED_ITEM_COLUMNS]
    columns = []
    for (col, dtype), values in zip(built, zip(*rows, strict=True), strict=True):
        if dtype == pl.Date:
            # dates travel as ISO text and are parsed column-wise, not per value in Python
            series = pl.Series(col, values, pl.String).str.to_date("%Y-%m-%d", strict=False)
        elif dtype == _ITEM_IDS:
            series = _item_ids_series(col, values)
        elif dtype == _CODES:
            series = _codes_series(col, values)
        else:
            series = pl.Series(col, values, dtype)
        columns.append(series)
    frame = pl.DataFrame(columns)
    if "item_ids" in schema:
        frame = frame.with_columns(
            pl.coalesce(_id_of(q) for q in qualifiers).alias(col)
            for col, qualifiers in _DERIVED_ITEM_COLUMNS.items()
        )
    return frame.select(schema.names())


def _id_of(qualifier: str) -> pl.Expr:
    """The id sent under `qualifier`, from the item_ids list of structs."""
    element = pl.element()
    return (
        pl.col("item_ids")
        .list.eval(element.filter(element.struct.field("qualifier") == qualifier))
        .list.first()
        .struct.field("id")
    )


def _item_ids_series(name: str, values: tuple[dict[str, str], ...]) -> pl.Series:
    """qualifier -> id dicts as a list-of-struct column, assembled from flat Arrow arrays."""
    offsets = list(accumulate(map(len, values), initial=0))
    qualifiers = list(chain.from_iterable(values))
    ids = list(chain.from_iterable(map(dict.values, values)))
    structs = pa.StructArray.from_arrays(
        [pa.array(qualifiers, pa.string()), pa.array(ids, pa.string())], names=["qualifier", "id"]
    )
    array = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), structs)
    return pl.Series(name, array, _ITEM_IDS)


def _codes_series(name: str, values: tuple[list[str], ...]) -> pl.Series:
    """Lists of strings as a list column, assembled from flat Arrow arrays: polars builds a
    Series per row from a list of lists (a second for 40,000 rows)."""
    if None in values:
        return pl.Series(name, values, _CODES)
    offsets = list(accumulate(map(len, values), initial=0))
    flat = pa.array(list(chain.from_iterable(values)), pa.string())
    return pl.Series(name, pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), flat), _CODES)


def _envelope(parsed: ParsedSet) -> tuple[Any, ...]:
    ic, gr = parsed.interchange, parsed.group
    return (
        parsed.set_id,
        ic.sender_qualifier if ic else None,
        ic.sender_id if ic else None,
        ic.receiver_qualifier if ic else None,
        ic.receiver_id if ic else None,
        gr.sender_id if gr else None,
        gr.receiver_id if gr else None,
        gr.version if gr else None,
        parsed.envelope_ok,
        len(parsed.errors),
    )


def _party(doc: dict[str, Any], qualifier: str) -> tuple[Any, Any]:
    for p in doc.get("parties", ()):
        if p["qualifier"] == qualifier:
            return p["id"], p["name"]
    return None, None


def _charges(doc: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    charges = allowances = freight = None
    for c in doc.get("charges", ()):
        amount = c["amount"] or 0.0
        if c["indicator"] == "C":
            charges = (charges or 0.0) + amount
            if c["code"] == "D240":
                freight = (freight or 0.0) + amount
        elif c["indicator"] == "A":
            allowances = (allowances or 0.0) + amount
    return charges, allowances, freight


Rows = dict[str, list[tuple[Any, ...]]]


def _purchase_order(rows: Rows, lineage: tuple, envelope: tuple, doc: dict[str, Any]) -> None:
    charges, allowances, _ = _charges(doc)
    rows["edi_purchase_orders"].append(
        (
            *lineage,
            *envelope,
            doc["po_number"],
            doc["po_date"],
            doc["purpose"],
            doc["po_type"],
            doc["release_number"],
            doc["currency"],
            doc["requested_delivery_date"],
            doc["requested_ship_date"],
            *_party(doc, "ST"),
            charges,
            allowances,
            doc["declared_line_count"],
            len(doc["lines"]),
        )
    )
    out = rows["edi_purchase_order_lines"]
    po = doc["po_number"]
    for ln in doc["lines"]:
        out.append(
            (
                *lineage,
                po,
                ln["line_seq"],
                ln["line_no"],
                ln["qty"],
                ln["uom"],
                ln["unit_price"],
                ln["price_basis"],
                ln["description"],
                ln["item_ids"],
            )
        )


def _po_ack(rows: Rows, lineage: tuple, envelope: tuple, doc: dict[str, Any]) -> None:
    rows["edi_po_acks"].append(
        (
            *lineage,
            *envelope,
            doc["po_number"],
            doc["ack_type"],
            doc["purpose"],
            doc["po_date"],
            doc["ack_date"],
            doc["seller_order_number"],
            doc["promised_ship_date"],
            doc["promised_delivery_date"],
            len(doc["lines"]),
        )
    )
    out = rows["edi_po_ack_lines"]
    po = doc["po_number"]
    for ln in doc["lines"]:
        line = (
            *lineage,
            po,
            ln["line_seq"],
            ln["line_no"],
            ln["qty"],
            ln["uom"],
            ln["unit_price"],
            ln["description"],
            ln["item_ids"],
        )
        if not ln["acks"]:
            out.append((*line, None, None, None, None, None, None))
        for seq, ack in enumerate(ln["acks"], 1):
            out.append(
                (
                    *line,
                    seq,
                    ack["status"],
                    ack["qty"],
                    ack["uom"],
                    ack["date_qualifier"],
                    ack["date"],
                )
            )


def _ship_notice(rows: Rows, lineage: tuple, envelope: tuple, doc: dict[str, Any]) -> None:
    carrier = doc["carrier"]
    orders = doc["orders"]
    rows["edi_ship_notices"].append(
        (
            *lineage,
            *envelope,
            doc["shipment_id"],
            doc["ship_date"],
            doc["asn_date"],
            doc["purpose"],
            doc["structure_code"],
            doc["estimated_delivery_date"],
            carrier["scac"],
            carrier["mode"],
            carrier["routing"],
            doc["tracking_numbers"][0] if doc["tracking_numbers"] else None,
            doc["bill_of_lading"],
            len(orders),
            sum(len(o["items"]) for o in orders),
        )
    )
    out = rows["edi_ship_notice_items"]
    shipment = doc["shipment_id"]
    for seq, order in enumerate(orders, 1):
        head = (*lineage, shipment, seq, order["hl_id"], order["po_number"], order["po_date"])
        for it in order["items"]:
            out.append(
                (
                    *head,
                    it["hl_id"],
                    it["line_no"],
                    it["qty_shipped"],
                    it["uom"],
                    it["package_id"],
                    it["description"],
                    it["item_ids"],
                )
            )


def _invoice(rows: Rows, lineage: tuple, envelope: tuple, doc: dict[str, Any]) -> None:
    rows["edi_invoices"].append(
        (
            *lineage,
            *envelope,
            doc["invoice_number"],
            doc["invoice_date"],
            doc["po_number"],
            doc["po_date"],
            doc["currency"],
            doc["total_amount"],
            *_charges(doc),
            doc["terms"].get("net_days"),
            len(doc["lines"]),
        )
    )
    out = rows["edi_invoice_lines"]
    number = doc["invoice_number"]
    for ln in doc["lines"]:
        out.append(
            (
                *lineage,
                number,
                ln["line_seq"],
                ln["line_no"],
                ln["qty"],
                ln["uom"],
                ln["unit_price"],
                ln["amount"],
                ln["description"],
                ln["item_ids"],
            )
        )


def _inventory_advice(rows: Rows, lineage: tuple, envelope: tuple, doc: dict[str, Any]) -> None:
    out = rows["edi_inventory_advice"]
    head = (*lineage, *envelope, doc["report_id"], doc["report_date"])
    if not doc["items"]:
        out.append((*head, None, None, None, {}, None, None, None))
    for it in doc["items"]:
        item = (*head, it["line_seq"], it["line_no"], it["description"], it["item_ids"])
        if not it["quantity_details"]:
            out.append((*item, None, None, None))
        for q in it["quantity_details"]:
            out.append((*item, q["qualifier"], q["qty"], q["uom"]))


def _warehouse_order(rows: Rows, lineage: tuple, envelope: tuple, doc: dict[str, Any]) -> None:
    rows["edi_warehouse_orders"].append(
        (
            *lineage,
            *envelope,
            doc["order_number"],
            doc["po_number"],
            doc["order_status"],
            doc["master_reference"],
            doc["requested_ship_date"],
            *_party(doc, "ST"),
            doc["carrier"]["scac"],
            len(doc["lines"]),
        )
    )
    out = rows["edi_warehouse_order_lines"]
    number = doc["order_number"]
    for ln in doc["lines"]:
        out.append(
            (
                *lineage,
                number,
                ln["line_seq"],
                ln["line_no"],
                ln["qty"],
                ln["uom"],
                ln["unit_price"],
                ln["description"],
                ln["item_ids"],
            )
        )


def _warehouse_ship_advice(
    rows: Rows, lineage: tuple, envelope: tuple, doc: dict[str, Any]
) -> None:
    rows["edi_warehouse_ship_advice"].append(
        (
            *lineage,
            *envelope,
            doc["order_number"],
            doc["po_number"],
            doc["shipment_id"],
            doc["ship_date"],
            doc["reporting_code"],
            doc["carrier"]["scac"],
            len(doc["lines"]),
        )
    )
    out = rows["edi_warehouse_ship_advice_lines"]
    number = doc["order_number"]
    for ln in doc["lines"]:
        out.append(
            (
                *lineage,
                number,
                ln["line_seq"],
                ln["line_no"],
                ln["status"],
                ln["qty_ordered"],
                ln["qty_shipped"],
                ln["qty_difference"],
                ln["uom"],
                ln["lot_number"],
                ln["description"],
                ln["item_ids"],
            )
        )


def _functional_ack(rows: Rows, lineage: tuple, envelope: tuple, doc: dict[str, Any]) -> None:
    head_rows = rows["edi_functional_acks"]
    set_rows = rows["edi_functional_ack_sets"]
    if not doc["acks"]:
        head_rows.append((*lineage, *envelope, *([None] * 7)))
    for seq, group in enumerate(doc["acks"], 1):
        head_rows.append(
            (
                *lineage,
                *envelope,
                seq,
                group["group_id"],
                group["group_control"],
                group["group_status"],
                group["sets_included"],
                group["sets_received"],
                group["sets_accepted"],
            )
        )
        for s in group["sets"]:
            set_rows.append(
                (
                    *lineage,
                    group["group_id"],
                    group["group_control"],
                    s["set_id"],
                    s["set_control"],
                    s["status"],
                    s["error_codes"],
                )
            )


def _interchange_ack(rows: Rows, lineage: tuple, envelope: tuple, doc: dict[str, Any]) -> None:
    rows["edi_interchange_acks"].append(
        (
            *lineage,
            *envelope,
            doc["interchange_control"],
            doc["interchange_date"],
            doc["interchange_time"],
            doc["ack_code"],
            doc["note_code"],
        )
    )


_BUILDERS = {
    "850": _purchase_order,
    "855": _po_ack,
    "856": _ship_notice,
    "810": _invoice,
    "846": _inventory_advice,
    "940": _warehouse_order,
    "945": _warehouse_ship_advice,
    "997": _functional_ack,
    "TA1": _interchange_ack,
}
