"""Flat `edi_*` tables: typed, with lineage on every row, errors one row each."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from ingestion.x12 import TABLE_SCHEMAS, parse_file, to_tables
from tests.ingestion.x12.conftest import FILES

LINEAGE = ["file", "isa_control", "gs_control", "st_control", "st_position"]


def tables_for(*names):
    sets = [s for name in names for s in parse_file(FILES / name)]
    return to_tables(sets)


def test_every_table_is_returned_with_its_schema_even_when_empty():
    tables = tables_for("basic_850.x12")
    assert set(tables) == set(TABLE_SCHEMAS)
    for name, frame in tables.items():
        assert frame.schema == TABLE_SCHEMAS[name], name
        assert frame.columns[:5] == LINEAGE
    assert tables["edi_invoices"].height == 0


def test_purchase_order_rows_carry_lineage_envelope_and_typed_values():
    tables = tables_for("basic_850.x12")
    (header,) = tables["edi_purchase_orders"].to_dicts()
    assert header["file"].endswith("basic_850.x12")
    assert (header["isa_control"], header["gs_control"], header["st_control"]) == (
        "000000101",
        "101",
        "0001",
    )
    assert header["st_position"] == 3
    assert (header["isa_sender_id"], header["isa_receiver_id"]) == ("ACMEHARDWARE", "BACKBONEDIST")
    assert (header["gs_sender_id"], header["gs_receiver_id"]) == ("ACMEHARDWARE", "BACKBONEDIST")
    assert header["po_date"] == dt.date(2025, 3, 1)
    assert header["requested_delivery_date"] == dt.date(2025, 3, 10)
    assert (header["ship_to_id"], header["line_count"], header["envelope_ok"]) == ("0042", 2, True)
    lines = tables["edi_purchase_order_lines"]
    assert lines["po_number"].to_list() == ["PO-1001", "PO-1001"]
    assert lines["qty"].to_list() == [10.0, 3.0]
    assert lines["vendor_item_id"].to_list() == ["HAM-16OZ", "NAIL-BOX"]
    assert lines["gtin"].to_list() == ["012345678905", None]
    assert lines["item_ids"][0].to_list() == [
        {"qualifier": "VP", "id": "HAM-16OZ"},
        {"qualifier": "BP", "id": "A-778"},
        {"qualifier": "UP", "id": "012345678905"},
    ]
    assert lines["st_position"].to_list() == [3, 3]


def test_ship_notice_items_carry_their_po_and_package():
    tables = tables_for("asn_crossdock.x12", "asn_s_o_p_i.x12")
    items = tables["edi_ship_notice_items"]
    assert items.select("shipment_id", "po_number", "vendor_item_id", "qty_shipped").rows() == [
        ("SHIP-404", "PO-STORE-A", "WID-1", 20.0),
        ("SHIP-404", "PO-STORE-B", "WID-1", 10.0),
        ("SHIP-404", "PO-STORE-B", "WID-2", 30.0),
        ("SHIP-404", "PO-STORE-C", "WID-9", 40.0),
        ("SHIP-402", "PO-402", "WID-1", 5.0),
        ("SHIP-402", "PO-402", "WID-2", 4.0),
        ("SHIP-402", "PO-402", "WID-3", 3.0),
    ]
    notices = tables["edi_ship_notices"]
    assert notices.select("shipment_id", "order_count", "item_count", "carrier_scac").rows() == [
        ("SHIP-404", 3, 4, "ODFL"),
        ("SHIP-402", 1, 3, "UPSN"),
    ]


def test_invoice_acks_inventory_warehouse_tables():
    tables = tables_for(
        "invoice_810.x12",
        "po_ack_855.x12",
        "inventory_846.x12",
        "warehouse_order_940.x12",
        "warehouse_ship_advice_945.x12",
        "functional_ack_997.x12",
        "ta1_between_isa_gs.x12",
    )
    (invoice,) = tables["edi_invoices"].to_dicts()
    assert (invoice["total_amount"], invoice["freight_amount"], invoice["allowance_total"]) == (
        289.3,
        25.0,
        5.0,
    )
    assert tables["edi_invoice_lines"]["amount"].to_list() == [125.0, 144.3]
    ack_lines = tables["edi_po_ack_lines"]
    assert ack_lines.select("line_no", "ack_status", "ack_qty").rows() == [
        ("1", "IA", 10.0),
        ("2", "IA", 3.0),
        ("2", "IB", 2.0),
        ("3", "IR", 1.0),
    ]
    assert ack_lines["ack_date"].to_list()[2] == dt.date(2025, 3, 20)
    assert tables["edi_inventory_advice"].select("vendor_item_id", "qualifier", "qty").rows() == [
        ("WID-1", "33", 120.0),
        ("WID-1", "17", 150.0),
        ("WID-2", "33", 0.0),
        ("WID-2", "02", 24.0),
    ]
    assert tables["edi_warehouse_order_lines"]["qty"].to_list() == [12.0, 3.0]
    assert tables["edi_warehouse_ship_advice_lines"].select("status", "qty_shipped").rows() == [
        ("CC", 12.0),
        ("CP", 2.0),
    ]
    assert tables["edi_functional_ack_sets"].select(
        "acked_set_control", "status", "error_codes"
    ).rows() == [
        ("0001", "A", []),
        ("0002", "R", ["5"]),
    ]
    assert tables["edi_interchange_acks"].select("ack_control", "ack_code").rows() == [
        ("000000777", "A")
    ]


def test_errors_are_one_row_each_on_every_affected_set():
    tables = tables_for("err_ge_control.x12", "err_not_x12.x12", "err_unknown_set.x12")
    errors = tables["edi_envelope_errors"]
    assert errors.select("gs_control", "st_control", "code", "segment_position").rows() == [
        ("5051", "0001", "GE_CONTROL_MISMATCH", 15),
        ("5051", "0002", "GE_CONTROL_MISMATCH", 15),
        (None, None, "NO_ISA", None),
        ("512", "0001", "UNSUPPORTED_SET", 3),
    ]
    orders = tables["edi_purchase_orders"]
    assert orders.select("po_number", "envelope_ok", "error_count").rows() == [
        ("PO-GE-1", False, 1),
        ("PO-GE-2", False, 1),
        ("PO-GOOD", True, 0),
        ("PO-GOOD", True, 0),
    ]


def test_tables_load_into_duckdb_as_is():
    lines = tables_for("basic_850.x12")["edi_purchase_order_lines"]
    assert isinstance(lines, pl.DataFrame)
    con = duckdb.connect()
    con.register("lines", lines.to_arrow())
    got = con.sql(
        "select line_no, list_filter(item_ids, lambda x: x.qualifier = 'BP')[1].id from lines order by 1"
    ).fetchall()
    assert got == [("1", "A-778"), ("2", None)]


def test_a_set_without_lines_still_has_its_header_row():
    from ingestion.x12 import parse_text

    text = (
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250301*1200*U*"
        "00401*000000001*0*P*>~GS*IB*A*B*20250301*1200*1*X*004010~ST*846*0001~"
        "BIA*00*MM*EMPTY*20250301~SE*3*0001~GE*1*1~IEA*1*000000001~"
    )
    tables = to_tables(parse_text(text))
    rows = tables["edi_inventory_advice"].select("report_id", "line_seq", "item_ids", "qty").rows()
    assert rows == [("EMPTY", None, [], None)]
