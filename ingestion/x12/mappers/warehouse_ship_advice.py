"""945 Warehouse Shipping Advice: W06 header, LX/W12 lines with ordered and shipped quantities."""

from __future__ import annotations

from ingestion.x12.mappers._common import MapContext, add_address, party
from ingestion.x12.mappers.warehouse_order import warehouse_ids
from ingestion.x12.model import WarehouseShipAdvice, WarehouseShipLine
from ingestion.x12.values import PAD, iso_date, to_float


def map_warehouse_ship_advice(segments: list[list[str]], ctx: MapContext) -> WarehouseShipAdvice:
    doc: WarehouseShipAdvice = {
        "order_number": None,
        "po_number": None,
        "shipment_id": None,
        "ship_date": None,
        "reporting_code": None,
        "dates": {},
        "references": {},
        "parties": [],
        "carrier": {"scac": None, "mode": None, "routing": None},
        "lines": [],
    }
    lines = doc["lines"]
    line: WarehouseShipLine | None = None
    line_no: str | None = None
    w06_date: str | None = None
    seen_w06 = False
    for offset, segment in enumerate(segments):
        tag = segment[0]
        try:
            if tag == "W12":
                e = segment + PAD
                shipped = to_float(e[3])
                line = {
                    "line_seq": len(lines) + 1,
                    "line_no": line_no,
                    "status": e[1] or None,
                    "qty_ordered": to_float(e[2]),
                    "qty_shipped": shipped,
                    "qty_difference": to_float(e[4]),
                    "qty": shipped,
                    "uom": e[5] or None,
                    "unit_price": None,
                    "item_ids": warehouse_ids(e, 6, ((7, 8), (17, 18))),
                    "lot_number": e[9] or None,
                    "description": None,
                }
                lines.append(line)
            elif tag == "LX":
                line_no = (segment + PAD)[1] or None
            elif tag == "G69":
                if line is not None and line["description"] is None:
                    line["description"] = (segment + PAD)[1] or None
            elif tag == "W06":
                e = segment + PAD
                seen_w06 = True
                doc["reporting_code"] = e[1] or None
                doc["order_number"] = e[2].strip() or None
                w06_date = iso_date(e[3])
                doc["shipment_id"] = e[4].strip() or None
                doc["po_number"] = e[6].strip() or None
            elif tag == "G62":
                e = segment + PAD
                doc["dates"].setdefault(e[1], iso_date(e[2]))
            elif tag == "N1":
                doc["parties"].append(party(segment))
            elif tag in ("N3", "N4"):
                add_address(doc["parties"], tag, segment)
            elif tag == "N9":
                e = segment + PAD
                doc["references"].setdefault(e[1], e[2])
            elif tag == "W27":
                e = segment + PAD
                doc["carrier"] = {
                    "scac": e[2] or None,
                    "mode": e[1] or None,
                    "routing": e[3] or None,
                }
        except ValueError as exc:
            ctx.bad_value(offset, tag, exc)
    if not seen_w06:
        ctx.missing("W06", "depositor order number")
    # G62*11 is "shipped on this date"; W0603 (the advice's date) stands in when it is absent
    doc["ship_date"] = doc["dates"].get("11") or w06_date
    return doc
