"""855 Purchase Order Acknowledgment: BAK header, PO1 lines, each with its ACK statuses."""

from __future__ import annotations

from ingestion.x12.mappers._common import MapContext, add_address, party
from ingestion.x12.mappers.purchase_order import po1_line
from ingestion.x12.model import Ack, PoAck, PoAckLine
from ingestion.x12.values import PAD, iso_date, to_float


def map_po_ack(segments: list[list[str]], ctx: MapContext) -> PoAck:
    doc: PoAck = {
        "po_number": None,
        "ack_type": None,
        "purpose": None,
        "po_date": None,
        "ack_date": None,
        "seller_order_number": None,
        "promised_ship_date": None,
        "promised_delivery_date": None,
        "dates": {},
        "references": {},
        "parties": [],
        "lines": [],
    }
    lines = doc["lines"]
    line: PoAckLine | None = None
    seen_bak = False
    for offset, segment in enumerate(segments):
        tag = segment[0]
        try:
            if tag == "PO1":
                line = po1_line(segment, len(lines) + 1)  # type: ignore[assignment]
                line["acks"] = []
                lines.append(line)
            elif tag == "ACK":
                if line is None:
                    ctx.out_of_context(offset, tag, "ACK before any PO1")
                else:
                    line["acks"].append(ack(segment))
            elif tag == "PID":
                if line is not None and line["description"] is None and len(segment) > 5:
                    line["description"] = segment[5] or None
            elif tag == "DTM":
                e = segment + PAD
                (doc if line is None else line)["dates"][e[1]] = iso_date(e[2])
            elif tag == "BAK":
                e = segment + PAD
                seen_bak = True
                doc["purpose"] = e[1] or None
                doc["ack_type"] = e[2] or None
                doc["po_number"] = e[3].strip() or None
                doc["po_date"] = iso_date(e[4])
                doc["seller_order_number"] = e[8] or None
                doc["ack_date"] = iso_date(e[9])
            elif tag == "N1":
                doc["parties"].append(party(segment))
            elif tag in ("N3", "N4"):
                add_address(doc["parties"], tag, segment)
            elif tag == "REF":
                e = segment + PAD
                if line is None:
                    doc["references"].setdefault(e[1], e[2])
        except ValueError as exc:
            ctx.bad_value(offset, tag, exc)
    if not seen_bak:
        ctx.missing("BAK", "acknowledgment type and purchase order number")
    # DTM*068 current schedule ship, DTM*067 current schedule delivery: the promised dates
    doc["promised_ship_date"] = doc["dates"].get("068")
    doc["promised_delivery_date"] = doc["dates"].get("067")
    return doc


def ack(segment: list[str]) -> Ack:
    """ACK: line status (IA accepted, IB backordered, IR rejected, ...), qty, unit, date."""
    e = segment + PAD
    return {
        "status": e[1],
        "qty": to_float(e[2]),
        "uom": e[3] or None,
        "date_qualifier": e[4] or None,
        "date": iso_date(e[5]),
    }
