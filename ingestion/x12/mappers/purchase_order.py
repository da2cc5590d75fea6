"""850 Purchase Order: BEG header, PO1 lines with their product ids."""

from __future__ import annotations

from ingestion.x12.mappers._common import MapContext, add_address, charge, party
from ingestion.x12.model import PurchaseOrder, PurchaseOrderLine
from ingestion.x12.values import PAD, iso_date, product_ids, to_int


def map_purchase_order(segments: list[list[str]], ctx: MapContext) -> PurchaseOrder:
    doc: PurchaseOrder = {
        "po_number": None,
        "po_date": None,
        "purpose": None,
        "po_type": None,
        "release_number": None,
        "currency": None,
        "requested_delivery_date": None,
        "requested_ship_date": None,
        "dates": {},
        "references": {},
        "parties": [],
        "charges": [],
        "declared_line_count": None,
        "lines": [],
    }
    lines = doc["lines"]
    line: PurchaseOrderLine | None = None
    seen_beg = False
    for offset, segment in enumerate(segments):
        tag = segment[0]
        try:
            if tag == "PO1":
                # po1_line(), inlined: this runs once per line of every order
                e = segment if len(segment) > 5 else segment + PAD
                line = {
                    "line_seq": len(lines) + 1,
                    "line_no": e[1] or None,
                    "qty": float(e[2]) if e[2] else None,
                    "uom": e[3] or None,
                    "unit_price": float(e[4]) if e[4] else None,
                    "price_basis": e[5] or None,
                    "item_ids": product_ids(segment, 6),
                    "description": None,
                    "dates": {},
                }
                lines.append(line)
            elif tag == "PID":
                if line is not None and line["description"] is None and len(segment) > 5:
                    line["description"] = segment[5] or None
            elif tag == "DTM":
                e = segment + PAD
                if line is None:
                    doc["dates"][e[1]] = iso_date(e[2])
                else:
                    line["dates"][e[1]] = iso_date(e[2])
            elif tag == "BEG":
                e = segment + PAD
                seen_beg = True
                doc["purpose"] = e[1] or None
                doc["po_type"] = e[2] or None
                doc["po_number"] = e[3].strip() or None
                doc["release_number"] = e[4] or None
                doc["po_date"] = iso_date(e[5])
            elif tag == "N1":
                doc["parties"].append(party(segment))
            elif tag in ("N3", "N4"):
                add_address(doc["parties"], tag, segment)
            elif tag == "REF":
                e = segment + PAD
                if line is None:
                    doc["references"].setdefault(e[1], e[2])
            elif tag == "CUR":
                doc["currency"] = (segment + PAD)[2] or None
            elif tag == "SAC":
                doc["charges"].append(charge(segment, line["line_no"] if line else None))
            elif tag == "CTT":
                line = None  # the summary area
                doc["declared_line_count"] = to_int((segment + PAD)[1])
        except ValueError as exc:
            ctx.bad_value(offset, tag, exc)
    if not seen_beg:
        ctx.missing("BEG", "purchase order number and date")
    doc["requested_delivery_date"] = doc["dates"].get("002")
    doc["requested_ship_date"] = doc["dates"].get("010")
    return doc


def po1_line(segment: list[str], line_seq: int) -> PurchaseOrderLine:
    """PO1: line number (may be empty), quantity, unit, price, basis, qualifier/id pairs."""
    e = segment if len(segment) > 5 else segment + PAD
    ids = product_ids(segment, 6)
    return {
        "line_seq": line_seq,
        "line_no": e[1] or None,
        "qty": float(e[2]) if e[2] else None,
        "uom": e[3] or None,
        "unit_price": float(e[4]) if e[4] else None,
        "price_basis": e[5] or None,
        "item_ids": ids,
        "description": None,
        "dates": {},
    }
