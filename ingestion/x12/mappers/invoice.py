"""810 Invoice: BIG header, IT1 lines, TDS total (two implied decimals), SAC charges."""

from __future__ import annotations

from ingestion.x12.mappers._common import MapContext, add_address, charge, party
from ingestion.x12.model import Invoice, InvoiceLine
from ingestion.x12.values import PAD, cents, implied2, iso_date, product_ids, to_float, to_int


def map_invoice(segments: list[list[str]], ctx: MapContext) -> Invoice:
    doc: Invoice = {
        "invoice_number": None,
        "invoice_date": None,
        "po_number": None,
        "po_date": None,
        "currency": None,
        "total_amount": None,
        "terms": {},
        "dates": {},
        "references": {},
        "parties": [],
        "charges": [],
        "lines": [],
    }
    lines = doc["lines"]
    line: InvoiceLine | None = None
    seen_big = seen_tds = False
    for offset, segment in enumerate(segments):
        tag = segment[0]
        try:
            if tag == "IT1":
                e = segment if len(segment) > 5 else segment + PAD
                qty = float(e[2]) if e[2] else None
                price = float(e[4]) if e[4] else None
                ids = product_ids(segment, 6)
                line = {
                    "line_seq": len(lines) + 1,
                    "line_no": e[1] or None,
                    "qty": qty,
                    "uom": e[3] or None,
                    "unit_price": price,
                    "amount": None if qty is None or price is None else cents(qty * price),
                    "item_ids": ids,
                    "description": None,
                }
                lines.append(line)
            elif tag == "PID":
                if line is not None and line["description"] is None and len(segment) > 5:
                    line["description"] = segment[5] or None
            elif tag == "SAC":
                doc["charges"].append(charge(segment, line["line_no"] if line else None))
            elif tag == "TDS":
                seen_tds = True
                line = None  # the summary area: a SAC after TDS is an invoice-level charge
                doc["total_amount"] = implied2((segment + PAD)[1])
            elif tag == "BIG":
                e = segment + PAD
                seen_big = True
                doc["invoice_date"] = iso_date(e[1])
                doc["invoice_number"] = e[2].strip() or None
                doc["po_date"] = iso_date(e[3])
                doc["po_number"] = e[4].strip() or None
            elif tag == "DTM":
                e = segment + PAD
                if line is None:
                    doc["dates"].setdefault(e[1], iso_date(e[2]))
            elif tag == "ITD":
                e = segment + PAD
                doc["terms"] = {
                    "type": e[1] or None,
                    "discount_percent": to_float(e[3]),
                    "discount_days": to_int(e[5]),
                    "net_days": to_int(e[7]),
                    "description": e[12] or None,
                }
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
        except ValueError as exc:
            ctx.bad_value(offset, tag, exc)
    if not seen_big:
        ctx.missing("BIG", "invoice number and date")
    if not seen_tds:
        ctx.missing("TDS", "invoice total")
    return doc
