"""940 Warehouse Shipping Order: W05 header, LX/W01 lines."""

from __future__ import annotations

from ingestion.x12.mappers._common import MapContext, add_address, party
from ingestion.x12.model import Line, WarehouseOrder
from ingestion.x12.values import PAD, iso_date, to_float


def map_warehouse_order(segments: list[list[str]], ctx: MapContext) -> WarehouseOrder:
    doc: WarehouseOrder = {
        "order_number": None,
        "po_number": None,
        "order_status": None,
        "master_reference": None,
        "requested_ship_date": None,
        "dates": {},
        "references": {},
        "parties": [],
        "carrier": {"scac": None, "mode": None, "routing": None},
        "lines": [],
    }
    lines = doc["lines"]
    line: Line | None = None
    line_no: str | None = None
    seen_w05 = False
    for offset, segment in enumerate(segments):
        tag = segment[0]
        try:
            if tag == "W01":
                e = segment + PAD
                line = {
                    "line_seq": len(lines) + 1,
                    "line_no": line_no,
                    "qty": to_float(e[1]),
                    "uom": e[2] or None,
                    "unit_price": None,
                    "item_ids": warehouse_ids(e, 3, ((4, 5), (6, 7), (15, 16))),
                    "description": None,
                }
                lines.append(line)
            elif tag == "LX":
                line_no = (segment + PAD)[1] or None
            elif tag == "G69":
                if line is not None and line["description"] is None:
                    line["description"] = (segment + PAD)[1] or None
            elif tag == "W05":
                e = segment + PAD
                seen_w05 = True
                doc["order_status"] = e[1] or None
                doc["order_number"] = e[2].strip() or None
                doc["po_number"] = e[3].strip() or None
                doc["master_reference"] = e[5] or None
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
            elif tag == "W66":
                e = segment + PAD
                doc["carrier"] = {
                    "scac": e[10] or None,
                    "mode": e[2] or None,
                    "routing": e[5] or None,
                }
        except ValueError as exc:
            ctx.bad_value(offset, tag, exc)
    if not seen_w05:
        ctx.missing("W05", "depositor order number")
    doc["requested_ship_date"] = doc["dates"].get("10")
    return doc


def warehouse_ids(
    e: list[str], upc_index: int, pairs: tuple[tuple[int, int], ...]
) -> dict[str, str]:
    """W01/W12 ids: the U.P.C. case code (reported under "UA", the X12 qualifier for it) and pairs."""
    ids: dict[str, str] = {}
    for q, v in pairs:
        if e[q] and e[v] and e[q] not in ids:
            ids[e[q]] = e[v]
    if e[upc_index] and "UA" not in ids:
        ids["UA"] = e[upc_index]
    return ids
