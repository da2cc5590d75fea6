"""Each mapper's document, checked against values read off the fixture files by hand."""

from __future__ import annotations


def only(parse, name):
    (parsed,) = parse(name)
    assert parsed.errors == [], parsed.errors
    return parsed.document


def test_850_purchase_order(parse):
    doc = only(parse, "basic_850.x12")
    assert (doc["po_number"], doc["po_date"], doc["currency"]) == ("PO-1001", "2025-03-01", "USD")
    assert doc["requested_delivery_date"] == "2025-03-10"  # DTM*002
    assert doc["parties"][0]["id"] == "0042" and doc["parties"][0]["city"] == "SPRINGFIELD"
    assert [(ln["line_no"], ln["qty"], ln["uom"], ln["unit_price"]) for ln in doc["lines"]] == [
        ("1", 10.0, "EA", 12.5),
        ("2", 3.0, "CS", 48.0),
    ]
    assert doc["lines"][0]["item_ids"] == {"VP": "HAM-16OZ", "BP": "A-778", "UP": "012345678905"}
    assert doc["lines"][0]["description"] == "CLAW HAMMER 16OZ"
    # a SAC inside the PO1 loop is that line's charge; SAC05 has two implied decimals
    assert doc["charges"] == [
        {"indicator": "C", "code": "D240", "amount": 15.0, "description": None, "line_no": "2"}
    ]
    assert doc["declared_line_count"] == 2


def test_empty_po1_and_it1_line_numbers(parse):
    po, invoice = parse("empty_line_numbers.x12")
    assert [(ln["line_seq"], ln["line_no"], ln["qty"]) for ln in po.document["lines"]] == [
        (1, None, 4.0),
        (2, None, 6.0),
        (3, None, 8.0),
    ]
    assert [(ln["line_seq"], ln["line_no"], ln["amount"]) for ln in invoice.document["lines"]] == [
        (1, None, 40.0),
        (2, None, 66.0),
    ]
    assert invoice.document["total_amount"] == 106.0
    assert po.errors == [] and invoice.errors == []


def test_855_po_ack_with_line_statuses(parse):
    doc = only(parse, "po_ack_855.x12")
    assert (doc["po_number"], doc["ack_type"], doc["ack_date"]) == ("PO-406", "AC", "2025-03-02")
    assert doc["seller_order_number"] == "SO-9001"
    assert doc["promised_ship_date"] == "2025-03-08"  # DTM*068
    acks = [[(a["status"], a["qty"], a["date"]) for a in ln["acks"]] for ln in doc["lines"]]
    assert acks == [
        [("IA", 10.0, "2025-03-08")],
        [("IA", 3.0, "2025-03-08"), ("IB", 2.0, "2025-03-20")],
        [("IR", 1.0, None)],
    ]
    assert doc["lines"][2]["item_ids"] == {"VP": "DISCONTINUED"}


def items_by_order(doc):
    return [
        (
            o["po_number"],
            [(i["item_ids"].get("VP"), i["qty_shipped"], i["uom"]) for i in o["items"]],
        )
        for o in doc["orders"]
    ]


def test_856_shipment_order_pack_item(parse):
    doc = only(parse, "asn_s_o_p_i.x12")
    assert (doc["shipment_id"], doc["ship_date"]) == ("SHIP-402", "2025-03-02")
    assert doc["carrier"] == {"scac": "UPSN", "mode": "M", "routing": "UPS GROUND"}
    assert doc["tracking_numbers"] == ["1Z999AA10123456784"]
    assert doc["bill_of_lading"] == "BOL-402"
    assert items_by_order(doc) == [
        ("PO-402", [("WID-1", 5.0, "EA"), ("WID-2", 4.0, "CS"), ("WID-3", 3.0, "CS")])
    ]
    packages = [i["package_id"] for i in doc["orders"][0]["items"]]
    assert packages == ["00000123450000000017", "00000123450000000017", "00000123450000000024"]
    assert doc["orders"][0]["items"][2]["item_ids"] == {"VP": "WID-3", "BP": "B-3"}


def test_856_shipment_item_without_order_level(parse):
    doc = only(parse, "asn_s_i.x12")
    assert doc["ship_date"] == "2025-03-03"  # no DTM*011: BSN03
    assert items_by_order(doc) == [("PO-403", [("WID-7", 12.0, "EA"), ("WID-8", 1.0, "EA")])]
    assert doc["orders"][0]["hl_id"] is None
    assert [i["line_no"] for i in doc["orders"][0]["items"]] == [None, None]


def test_856_cross_dock_items_follow_hl02_not_file_order(parse):
    doc = only(parse, "asn_crossdock.x12")
    assert items_by_order(doc) == [
        ("PO-STORE-A", [("WID-1", 20.0, "EA")]),
        ("PO-STORE-B", [("WID-1", 10.0, "EA"), ("WID-2", 30.0, "EA")]),
        ("PO-STORE-C", [("WID-9", 40.0, "EA")]),
    ]
    assert doc["tracking_numbers"] == ["PRO-404"]


def test_856_unknown_hl_parent_is_an_error_not_a_crash():
    from ingestion.x12 import parse_text

    text = (
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250301*1200*U*"
        "00401*000000001*0*P*>~GS*SH*A*B*20250301*1200*1*X*004010~ST*856*0001~"
        "BSN*00*S1*20250301~HL*1**S~HL*2*9*I~LIN*1*VP*X~SN1*1*2*EA~SE*7*0001~GE*1*1~IEA*1*000000001~"
    )
    (parsed,) = parse_text(text)
    assert parsed.envelope_ok
    assert [e.code for e in parsed.errors] == ["HL_PARENT_UNKNOWN"]
    assert items_by_order(parsed.document) == [(None, [("X", 2.0, "EA")])]


def test_810_invoice_total_has_two_implied_decimals(parse):
    doc = only(parse, "invoice_810.x12")
    assert (doc["invoice_number"], doc["invoice_date"]) == ("INV-405", "2025-03-05")
    assert (doc["po_number"], doc["po_date"]) == ("PO-405", "2025-03-01")
    assert doc["total_amount"] == 289.30  # TDS*28930
    assert [(ln["qty"], ln["unit_price"], ln["amount"]) for ln in doc["lines"]] == [
        (10.0, 12.5, 125.0),
        (3.0, 48.1, 144.3),
    ]
    # summary SACs (after TDS) belong to the invoice, not to its last line
    assert [(c["indicator"], c["code"], c["amount"], c["line_no"]) for c in doc["charges"]] == [
        ("C", "D240", 25.0, None),
        ("A", "C310", 5.0, None),
    ]
    assert doc["charges"][0]["description"] == "FREIGHT"
    # lines + freight - allowance = the TDS total
    assert round(sum(ln["amount"] for ln in doc["lines"]) + 25.0 - 5.0, 2) == doc["total_amount"]
    assert doc["terms"]["net_days"] == 30


def test_846_inventory_quantities_by_qualifier(parse):
    doc = only(parse, "inventory_846.x12")
    assert (doc["report_id"], doc["report_date"]) == ("INV-407", "2025-03-01")
    assert [(i["item_ids"], i["quantities"]) for i in doc["items"]] == [
        ({"VP": "WID-1", "UP": "000111222333"}, {"33": 120.0, "17": 150.0}),
        ({"VP": "WID-2"}, {"33": 0.0, "02": 24.0}),
    ]
    assert doc["items"][0]["description"] == "WIDGET ONE"


def test_940_warehouse_order(parse):
    doc = only(parse, "warehouse_order_940.x12")
    assert (doc["order_number"], doc["po_number"]) == ("WO-408", "PO-408")
    assert doc["requested_ship_date"] == "2025-03-06"
    assert doc["carrier"]["scac"] == "UPSN"
    assert [(ln["line_no"], ln["qty"], ln["uom"], ln["item_ids"]) for ln in doc["lines"]] == [
        ("1", 12.0, "EA", {"VN": "WID-1", "BP": "B-1", "UA": "012345678905"}),
        ("2", 3.0, "CS", {"VN": "WID-2"}),
    ]
    assert doc["lines"][0]["description"] == "WIDGET ONE"


def test_945_warehouse_ship_advice(parse):
    doc = only(parse, "warehouse_ship_advice_945.x12")
    assert (doc["order_number"], doc["shipment_id"], doc["ship_date"]) == (
        "WO-408",
        "SHIP-409",
        "2025-03-06",
    )
    lines = [
        (ln["line_no"], ln["status"], ln["qty_ordered"], ln["qty_shipped"], ln["uom"])
        for ln in doc["lines"]
    ]
    assert lines == [("1", "CC", 12.0, 12.0, "EA"), ("2", "CP", 3.0, 2.0, "CS")]
    assert doc["lines"][0]["lot_number"] == "LOT-7"
    assert doc["carrier"]["scac"] == "UPSN"


def test_997_functional_ack(parse):
    doc = only(parse, "functional_ack_997.x12")
    (group,) = doc["acks"]
    assert (group["group_id"], group["group_control"], group["group_status"]) == ("PO", "3011", "P")
    assert (group["sets_included"], group["sets_received"], group["sets_accepted"]) == (2, 2, 1)
    assert [
        (s["set_id"], s["set_control"], s["status"], s["error_codes"]) for s in group["sets"]
    ] == [
        ("850", "0001", "A", []),
        ("850", "0002", "R", ["5"]),
    ]
    assert group["sets"][1]["segment_errors"][0]["segment_id"] == "PO1"


def test_856_item_before_its_order_still_finds_it():
    from ingestion.x12 import parse_text

    text = (
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250301*1200*U*"
        "00401*000000001*0*P*>~GS*SH*A*B*20250301*1200*1*X*004010~ST*856*0001~"
        "BSN*00*S1*20250301~HL*1**S~HL*3*2*I~LIN*1*VP*LATE~SN1*1*6*EA~HL*2*1*O~PRF*PO-LATER~"
        "SE*9*0001~GE*1*1~IEA*1*000000001~"
    )
    (parsed,) = parse_text(text)
    assert parsed.errors == []
    assert items_by_order(parsed.document) == [("PO-LATER", [("LATE", 6.0, "EA")])]


def test_product_id_pairs():
    from ingestion.x12.values import product_ids

    assert product_ids(["LIN", "1", "VP", "A"], 2) == {"VP": "A"}
    assert product_ids(["LIN", "1", "VP", "A", "UP", "1"], 2) == {"VP": "A", "UP": "1"}
    assert product_ids(["LIN", "1", "VP", "A", "", "", "BP", "B"], 2) == {"VP": "A", "BP": "B"}
    assert product_ids(["LIN", "1", "VP", "", "BP", "B"], 2) == {"BP": "B"}
    assert product_ids(["LIN", "1", "VP", "A", "BP"], 2) == {"VP": "A"}  # a dangling qualifier
    assert product_ids(["LIN", "1"], 2) == {}
    many = ["LIN", "1", "VP", "A", "BP", "B", "UP", "1", "EN", "2"]
    assert product_ids(many, 2) == {"VP": "A", "BP": "B", "UP": "1", "EN": "2"}


def test_856_sn1_before_lin_in_the_same_hl_is_one_item():
    from ingestion.x12 import parse_text

    text = (
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250301*1200*U*"
        "00401*000000001*0*P*>~GS*SH*A*B*20250301*1200*1*X*004010~ST*856*0001~"
        "BSN*00*S1*20250301~HL*1**S~PRF*PO-1~HL*2*1*I~SN1**3*CS~LIN**VP*FIRST~"
        "HL*3*1*I~LIN**VP*SECOND~SN1**4*EA~SE*11*0001~GE*1*1~IEA*1*000000001~"
    )
    (parsed,) = parse_text(text)
    assert parsed.errors == []
    assert items_by_order(parsed.document) == [
        ("PO-1", [("FIRST", 3.0, "CS"), ("SECOND", 4.0, "EA")])
    ]
