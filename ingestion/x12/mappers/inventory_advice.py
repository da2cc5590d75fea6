"""846 Inventory Inquiry/Advice: LIN items with QTY quantities by qualifier."""

from __future__ import annotations

from ingestion.x12.mappers._common import MapContext, add_address, party
from ingestion.x12.model import InventoryAdvice, InventoryItem
from ingestion.x12.values import PAD, iso_date, product_ids, to_float


def map_inventory_advice(segments: list[list[str]], ctx: MapContext) -> InventoryAdvice:
    doc: InventoryAdvice = {
        "report_id": None,
        "report_date": None,
        "purpose": None,
        "report_type": None,
        "parties": [],
        "items": [],
    }
    items = doc["items"]
    item: InventoryItem | None = None
    seen_bia = False
    component = ctx.component
    for offset, segment in enumerate(segments):
        tag = segment[0]
        try:
            if tag == "QTY":
                if item is None:
                    ctx.out_of_context(offset, tag, "QTY before any LIN")
                    continue
                e = segment + PAD
                # QTY03 is a composite (C001) whose first component is the unit
                uom = e[3].split(component, 1)[0] or None
                qty = to_float(e[2])
                item["quantities"].setdefault(e[1], qty)
                item["quantity_details"].append({"qualifier": e[1], "qty": qty, "uom": uom})
                if item["uom"] is None:
                    item["uom"] = uom
            elif tag == "LIN":
                item = {
                    "line_seq": len(items) + 1,
                    "line_no": (segment + PAD)[1] or None,
                    "item_ids": product_ids(segment, 2),
                    "description": None,
                    "quantities": {},
                    "quantity_details": [],
                    "uom": None,
                }
                items.append(item)
            elif tag == "PID":
                if item is not None and item["description"] is None and len(segment) > 5:
                    item["description"] = segment[5] or None
            elif tag == "BIA":
                e = segment + PAD
                seen_bia = True
                doc["purpose"] = e[1] or None
                doc["report_type"] = e[2] or None
                doc["report_id"] = e[3].strip() or None
                doc["report_date"] = iso_date(e[4])
            elif tag == "N1":
                doc["parties"].append(party(segment))
            elif tag in ("N3", "N4"):
                add_address(doc["parties"], tag, segment)
        except ValueError as exc:
            ctx.bad_value(offset, tag, exc)
    if not seen_bia:
        ctx.missing("BIA", "report id and date")
    return doc
