"""856 Ship Notice/Manifest: a hierarchy of HL levels resolved to orders and their items.

Partners send S-O-P-I (shipment, order, pack, item), S-O-I, S-I with no order level, and
cross-dock shipments (one shipment, many orders). HL segments need not come in nesting order,
so every item is placed by walking its HL02 parents, never by what came before it.
"""

from __future__ import annotations

from typing import Any

from ingestion.x12.mappers._common import MapContext, add_address, party
from ingestion.x12.model import CONTENT, EdiError, Reason, ShipItem, ShipNotice, ShipOrder
from ingestion.x12.values import PAD, iso_date, product_ids


def map_ship_notice(segments: list[list[str]], ctx: MapContext) -> ShipNotice:
    doc: ShipNotice = {
        "shipment_id": None,
        "ship_date": None,
        "asn_date": None,
        "purpose": None,
        "structure_code": None,
        "estimated_delivery_date": None,
        "carrier": {"scac": None, "mode": None, "routing": None},
        "tracking_numbers": [],
        "bill_of_lading": None,
        "dates": {},
        "references": {},
        "parties": [],
        "orders": [],
    }
    nodes: dict[str, dict[str, Any]] = {}
    hl_nodes: list[dict[str, Any]] = []
    order_nodes: list[dict[str, Any]] = []
    node: dict[str, Any] | None = None
    item: ShipItem | None = None
    seen_bsn = False
    for offset, segment in enumerate(segments):
        tag = segment[0]
        try:
            if tag == "HL":
                e = segment if len(segment) > 3 else segment + PAD
                node = {
                    "id": e[1].strip(),
                    "parent": e[2].strip() or None,
                    "level": e[3].strip(),
                    "po_number": None,
                    "po_date": None,
                    "package_id": None,
                    "items": [],
                    "offset": offset,
                }
                item = None
                hl_nodes.append(node)
                if node["id"] in nodes:
                    ctx.errors.append(
                        EdiError(
                            Reason.HL_DUPLICATE_ID,
                            f"HL01 {node['id']} repeats",
                            ctx.st_position + offset,
                            CONTENT,
                        )
                    )
                else:
                    nodes[node["id"]] = node
                if node["level"] == "O":
                    order_nodes.append(node)
            elif tag == "LIN":
                if node is None:
                    ctx.out_of_context(offset, tag, "LIN before any HL")
                    continue
                line_no = (segment[1] or None) if len(segment) > 1 else None
                ids = product_ids(segment, 2)
                if item is not None and not item["item_ids"] and item["hl_id"] == node["id"]:
                    # an SN1 came first in this HL: the LIN names the item it counted
                    item["item_ids"] = ids
                    item["line_no"] = item["line_no"] or line_no
                else:
                    item = {
                        "hl_id": node["id"],
                        "line_no": line_no,
                        "item_ids": ids,
                        "qty_shipped": None,
                        "uom": None,
                        "package_id": None,
                        "description": None,
                    }
                    node["items"].append(item)
            elif tag == "SN1":
                if node is None:
                    ctx.out_of_context(offset, tag, "SN1 before any HL")
                    continue
                e = segment if len(segment) > 3 else segment + PAD
                if item is None or item["qty_shipped"] is not None:
                    item = _item(node, e[1] or None, {})
                item["qty_shipped"] = float(e[2]) if e[2] else None
                item["uom"] = e[3] or None
                if item["line_no"] is None:
                    item["line_no"] = e[1] or None
            elif tag == "PID":
                if item is not None and item["description"] is None and len(segment) > 5:
                    item["description"] = segment[5] or None
            elif tag == "PRF":
                e = segment + PAD
                if node is not None:
                    node["po_number"] = e[1].strip() or None
                    node["po_date"] = iso_date(e[4])
            elif tag == "MAN":
                if node is not None and node["package_id"] is None and len(segment) > 2:
                    node["package_id"] = segment[2] or None
            elif tag == "REF":
                e = segment + PAD
                if e[1] == "CN":
                    doc["tracking_numbers"].append(e[2])
                elif e[1] == "BM" and doc["bill_of_lading"] is None:
                    doc["bill_of_lading"] = e[2]
                else:
                    doc["references"].setdefault(e[1], e[2])
            elif tag == "TD5":
                e = segment + PAD
                carrier = doc["carrier"]
                if carrier["scac"] is None:
                    carrier["scac"] = e[3] or None
                    carrier["mode"] = e[4] or None
                    carrier["routing"] = e[5] or None
            elif tag == "DTM":
                e = segment + PAD
                doc["dates"].setdefault(e[1], iso_date(e[2]))
            elif tag == "BSN":
                e = segment + PAD
                seen_bsn = True
                doc["purpose"] = e[1] or None
                doc["shipment_id"] = e[2].strip() or None
                doc["asn_date"] = iso_date(e[3])
                doc["structure_code"] = e[5] or None
            elif tag == "N1":
                doc["parties"].append(party(segment))
            elif tag in ("N3", "N4"):
                add_address(doc["parties"], tag, segment)
        except ValueError as exc:
            ctx.bad_value(offset, tag, exc)
    if not seen_bsn:
        ctx.missing("BSN", "shipment id and date")
    # DTM*011 is the shipped date; BSN03 (the notice's own date) stands in when it is absent
    doc["ship_date"] = doc["dates"].get("011") or doc["asn_date"]
    doc["estimated_delivery_date"] = doc["dates"].get("017")
    doc["orders"] = _resolve(nodes, hl_nodes, order_nodes, ctx)
    return doc


def _item(node: dict[str, Any], line_no: str | None, ids: dict[str, str]) -> ShipItem:
    item: ShipItem = {
        "hl_id": node["id"],
        "line_no": line_no,
        "item_ids": ids,
        "qty_shipped": None,
        "uom": None,
        "package_id": None,
        "description": None,
    }
    node["items"].append(item)
    return item


def _resolve(
    nodes: dict[str, dict[str, Any]],
    hl_nodes: list[dict[str, Any]],
    order_nodes: list[dict[str, Any]],
    ctx: MapContext,
) -> list[ShipOrder]:
    """Each item goes to its nearest O ancestor; with no order level, to its nearest PRF's PO."""
    orders: list[ShipOrder] = []
    by_node: dict[str, ShipOrder] = {}
    for node in order_nodes:
        if node["id"] in by_node:
            continue
        order: ShipOrder = {
            "hl_id": node["id"],
            "po_number": node["po_number"],
            "po_date": node["po_date"],
            "items": [],
        }
        by_node[node["id"]] = order
        orders.append(order)
    by_po: dict[str | None, ShipOrder] = {}
    for node in hl_nodes:
        if not node["items"]:
            continue
        po_number = po_date = package_id = None
        target: ShipOrder | None = None
        current: dict[str, Any] | None = node
        for _ in range(len(nodes) + 1):  # bounded: a cycle in HL02 can't hang the parser
            if current is None:
                break
            if po_number is None and current["po_number"]:
                po_number, po_date = current["po_number"], current["po_date"]
            if package_id is None and current["package_id"]:
                package_id = current["package_id"]
            if current["level"] == "O" and current["id"] in by_node:
                target = by_node[current["id"]]
                break
            parent = current["parent"]
            if parent is None:
                break
            current = nodes.get(parent)
            if current is None:
                ctx.errors.append(
                    EdiError(
                        Reason.HL_PARENT_UNKNOWN,
                        f"HL02 {parent} names no HL",
                        ctx.st_position + node["offset"],
                        CONTENT,
                    )
                )
        if target is None:
            target = by_po.get(po_number)
            if target is None:
                target = {"hl_id": None, "po_number": po_number, "po_date": po_date, "items": []}
                by_po[po_number] = target
                orders.append(target)
        elif target["po_number"] is None and po_number is not None:
            target["po_number"], target["po_date"] = po_number, po_date
        for item in node["items"]:
            item["package_id"] = package_id
        target["items"].extend(node["items"])
    return orders
