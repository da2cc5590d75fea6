"""One mapper per transaction set: segments (ST to SE) in, a typed document dict out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ingestion.x12.mappers._common import MapContext
from ingestion.x12.mappers.functional_ack import map_functional_ack
from ingestion.x12.mappers.inventory_advice import map_inventory_advice
from ingestion.x12.mappers.invoice import map_invoice
from ingestion.x12.mappers.po_ack import map_po_ack
from ingestion.x12.mappers.purchase_order import map_purchase_order
from ingestion.x12.mappers.ship_notice import map_ship_notice
from ingestion.x12.mappers.warehouse_order import map_warehouse_order
from ingestion.x12.mappers.warehouse_ship_advice import map_warehouse_ship_advice

Mapper = Callable[[list[list[str]], MapContext], Any]

MAPPERS: dict[str, Mapper] = {
    "850": map_purchase_order,
    "855": map_po_ack,
    "856": map_ship_notice,
    "810": map_invoice,
    "846": map_inventory_advice,
    "940": map_warehouse_order,
    "945": map_warehouse_ship_advice,
    "997": map_functional_ack,
}

__all__ = ["MAPPERS", "MapContext", "Mapper"]
