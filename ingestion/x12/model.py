"""Records that cross the parser's boundary: envelopes, errors, parsed sets, document shapes.

Documents are plain dicts (typed below as `TypedDict`s) because they go straight to JSON and to
columnar tables; building dataclasses per line would cost a third of the parser's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

ENVELOPE = "envelope"
"""Error level: the envelope (ISA/GS/ST control structure) is broken; the set is suspect."""
CONTENT = "content"
"""Error level: the envelope is fine, but the set's content could not be fully read."""


class Reason:
    """Stable reason codes, used by the loader's quarantine and the steward's report."""

    # file level (no interchange to pin them on)
    NO_ISA = "NO_ISA"
    ISA_INVALID = "ISA_INVALID"
    TEXT_OUTSIDE_INTERCHANGE = "TEXT_OUTSIDE_INTERCHANGE"
    UNREADABLE_FILE = "UNREADABLE_FILE"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    # interchange level (every set of the interchange carries them)
    IEA_MISSING = "IEA_MISSING"
    IEA_CONTROL_MISMATCH = "IEA_CONTROL_MISMATCH"
    IEA_GROUP_COUNT = "IEA_GROUP_COUNT"
    SEGMENT_OUTSIDE_GROUP = "SEGMENT_OUTSIDE_GROUP"
    # group level (every set of the group carries them)
    GS_MISSING = "GS_MISSING"
    GE_MISSING = "GE_MISSING"
    GE_CONTROL_MISMATCH = "GE_CONTROL_MISMATCH"
    GE_SET_COUNT = "GE_SET_COUNT"
    SEGMENT_OUTSIDE_SET = "SEGMENT_OUTSIDE_SET"
    # set level
    SE_MISSING = "SE_MISSING"
    SE_CONTROL_MISMATCH = "SE_CONTROL_MISMATCH"
    SE_SEGMENT_COUNT = "SE_SEGMENT_COUNT"
    ST_CONTROL_DUPLICATE = "ST_CONTROL_DUPLICATE"
    # content level (envelope fine)
    UNSUPPORTED_SET = "UNSUPPORTED_SET"
    MISSING_SEGMENT = "MISSING_SEGMENT"
    BAD_VALUE = "BAD_VALUE"
    HL_PARENT_UNKNOWN = "HL_PARENT_UNKNOWN"
    HL_DUPLICATE_ID = "HL_DUPLICATE_ID"
    SEGMENT_OUT_OF_CONTEXT = "SEGMENT_OUT_OF_CONTEXT"
    MAPPING_FAILED = "MAPPING_FAILED"


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str
    component: str
    segment: str
    repetition: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "element": self.element,
            "component": self.component,
            "segment": self.segment,
            "repetition": self.repetition,
        }


@dataclass(frozen=True, slots=True)
class EdiError:
    code: str
    message: str
    segment: int | None = None
    """Position (1-based segment number in the file) where the problem was seen."""
    level: str = ENVELOPE

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": self.level,
            "segment": self.segment,
            "message": self.message,
        }


@dataclass(slots=True)
class Interchange:
    """What the ISA says (fixed-width fields stripped)."""

    control: str
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str | None
    time: str
    version: str
    usage: str
    delimiters: Delimiters
    position: int


@dataclass(slots=True)
class Group:
    """What the GS says."""

    control: str
    functional_id: str
    sender_id: str
    receiver_id: str
    date: str | None
    time: str
    agency: str
    version: str
    """GS08 as sent (`004010VICS`); `x12_version` is its first six characters."""
    position: int

    @property
    def x12_version(self) -> str:
        return self.version[:6]


@dataclass(slots=True)
class ParsedSet:
    """One transaction set (or, with `set_id` None, a file-level problem that belongs to none)."""

    file: str
    interchange: Interchange | None
    group: Group | None
    set_id: str | None
    st_control: str | None
    st_position: int | None
    """Segment number of the ST in the file (1-based): the lineage key for every row it yields."""
    segment_count: int = 0
    errors: list[EdiError] = field(default_factory=list)
    document: dict[str, Any] | None = None
    segments: list[str] | None = field(default=None, repr=False)
    """The set's segments as text (no terminator); kept only with `keep_segments=True`."""

    @property
    def isa_control(self) -> str | None:
        return self.interchange.control if self.interchange else None

    @property
    def gs_control(self) -> str | None:
        return self.group.control if self.group else None

    @property
    def envelope_ok(self) -> bool:
        return self.set_id is not None and not any(e.level == ENVELOPE for e in self.errors)

    def raw_text(self) -> str | None:
        """The set as X12 text (for quarantine), when its segments were kept."""
        if self.segments is None or self.interchange is None:
            return None
        terminator = self.interchange.delimiters.segment
        return terminator.join(self.segments) + terminator

    def to_record(self) -> dict[str, Any]:
        """The JSON line `backbone edi parse --json` prints (documented in README.md)."""
        ic, gr = self.interchange, self.group
        return {
            "file": self.file,
            "isa_control": self.isa_control,
            "gs_control": self.gs_control,
            "set": self.set_id,
            "st_control": self.st_control,
            "envelope_ok": self.envelope_ok,
            "errors": [e.to_dict() for e in self.errors],
            "document": self.document,
            "st_position": self.st_position,
            "envelope": {
                "isa_sender_qualifier": ic.sender_qualifier if ic else None,
                "isa_sender_id": ic.sender_id if ic else None,
                "isa_receiver_qualifier": ic.receiver_qualifier if ic else None,
                "isa_receiver_id": ic.receiver_id if ic else None,
                "isa_date": ic.date if ic else None,
                "isa_version": ic.version if ic else None,
                "usage": ic.usage if ic else None,
                "delimiters": ic.delimiters.to_dict() if ic else None,
                "functional_id": gr.functional_id if gr else None,
                "gs_sender_id": gr.sender_id if gr else None,
                "gs_receiver_id": gr.receiver_id if gr else None,
                "gs_date": gr.date if gr else None,
                "gs_version": gr.version if gr else None,
            },
        }


# ---- document shapes (what the mappers return; see README.md for each field's source) ----


class Party(TypedDict):
    qualifier: str
    name: str | None
    id_qualifier: str | None
    id: str | None
    address: list[str]
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None


class Charge(TypedDict):
    indicator: str  # A allowance, C charge
    code: str | None  # e.g. D240 freight
    amount: float | None  # SAC05, two implied decimals
    description: str | None
    line_no: str | None  # None: a header/summary charge


class Line(TypedDict):
    line_seq: int  # 1-based position among the set's lines (line_no may be empty)
    line_no: str | None
    qty: float | None
    uom: str | None
    unit_price: float | None
    item_ids: dict[str, str]  # qualifier -> id (VP, BP, UP, ...)
    description: str | None


class PurchaseOrderLine(Line):
    price_basis: str | None
    dates: dict[str, str]


class PurchaseOrder(TypedDict):
    po_number: str | None
    po_date: str | None
    purpose: str | None
    po_type: str | None
    release_number: str | None
    currency: str | None
    requested_delivery_date: str | None  # DTM*002
    requested_ship_date: str | None  # DTM*010
    dates: dict[str, str]
    references: dict[str, str]
    parties: list[Party]
    charges: list[Charge]
    declared_line_count: int | None
    lines: list[PurchaseOrderLine]


class Ack(TypedDict):
    status: str
    qty: float | None
    uom: str | None
    date_qualifier: str | None
    date: str | None


class PoAckLine(PurchaseOrderLine):
    acks: list[Ack]


class PoAck(TypedDict):
    po_number: str | None
    ack_type: str | None
    purpose: str | None
    po_date: str | None
    ack_date: str | None
    seller_order_number: str | None
    promised_ship_date: str | None  # DTM*068
    promised_delivery_date: str | None  # DTM*067
    dates: dict[str, str]
    references: dict[str, str]
    parties: list[Party]
    lines: list[PoAckLine]


class ShipItem(TypedDict):
    hl_id: str | None
    line_no: str | None
    item_ids: dict[str, str]
    qty_shipped: float | None
    uom: str | None
    package_id: str | None
    description: str | None


class ShipOrder(TypedDict):
    hl_id: str | None
    po_number: str | None
    po_date: str | None
    items: list[ShipItem]


class ShipNotice(TypedDict):
    shipment_id: str | None
    ship_date: str | None
    asn_date: str | None
    purpose: str | None
    structure_code: str | None
    estimated_delivery_date: str | None
    carrier: dict[str, str | None]
    tracking_numbers: list[str]
    bill_of_lading: str | None
    dates: dict[str, str]
    references: dict[str, str]
    parties: list[Party]
    orders: list[ShipOrder]


class InvoiceLine(Line):
    amount: float | None


class Invoice(TypedDict):
    invoice_number: str | None
    invoice_date: str | None
    po_number: str | None
    po_date: str | None
    currency: str | None
    total_amount: float | None
    terms: dict[str, Any]
    dates: dict[str, str]
    references: dict[str, str]
    parties: list[Party]
    charges: list[Charge]
    lines: list[InvoiceLine]


class Quantity(TypedDict):
    qualifier: str
    qty: float | None
    uom: str | None


class InventoryItem(TypedDict):
    line_seq: int
    line_no: str | None
    item_ids: dict[str, str]
    description: str | None
    quantities: dict[str, float | None]  # first quantity per qualifier
    quantity_details: list[Quantity]  # every QTY, in order
    uom: str | None


class InventoryAdvice(TypedDict):
    report_id: str | None
    report_date: str | None
    purpose: str | None
    report_type: str | None
    parties: list[Party]
    items: list[InventoryItem]


class WarehouseOrder(TypedDict):
    order_number: str | None
    po_number: str | None
    order_status: str | None
    master_reference: str | None
    requested_ship_date: str | None
    dates: dict[str, str]
    references: dict[str, str]
    parties: list[Party]
    carrier: dict[str, str | None]
    lines: list[Line]


class WarehouseShipLine(Line):
    status: str | None
    qty_ordered: float | None
    qty_shipped: float | None
    qty_difference: float | None
    lot_number: str | None


class WarehouseShipAdvice(TypedDict):
    order_number: str | None
    po_number: str | None
    shipment_id: str | None
    ship_date: str | None
    reporting_code: str | None
    dates: dict[str, str]
    references: dict[str, str]
    parties: list[Party]
    carrier: dict[str, str | None]
    lines: list[WarehouseShipLine]


class SetAck(TypedDict):
    set_id: str
    set_control: str | None
    status: str | None
    error_codes: list[str]
    segment_errors: list[dict[str, str | None]]


class GroupAck(TypedDict):
    group_id: str
    group_control: str | None
    group_status: str | None
    sets_included: int | None
    sets_received: int | None
    sets_accepted: int | None
    sets: list[SetAck]


class FunctionalAck(TypedDict):
    acks: list[GroupAck]
