"""997 Functional Acknowledgment: AK1 groups, AK2/AK5 set results, AK9 group result."""

from __future__ import annotations

from ingestion.x12.mappers._common import MapContext
from ingestion.x12.model import FunctionalAck, GroupAck, SetAck
from ingestion.x12.values import PAD, to_int


def map_functional_ack(segments: list[list[str]], ctx: MapContext) -> FunctionalAck:
    doc: FunctionalAck = {"acks": []}
    group: GroupAck | None = None
    set_ack: SetAck | None = None
    for offset, segment in enumerate(segments):
        tag = segment[0]
        try:
            if tag == "AK1":
                e = segment + PAD
                group = {
                    "group_id": e[1],
                    "group_control": e[2].strip() or None,
                    "group_status": None,
                    "sets_included": None,
                    "sets_received": None,
                    "sets_accepted": None,
                    "sets": [],
                }
                doc["acks"].append(group)
                set_ack = None
            elif tag == "AK2":
                if group is None:
                    ctx.out_of_context(offset, tag, "AK2 before AK1")
                    continue
                e = segment + PAD
                set_ack = {
                    "set_id": e[1],
                    "set_control": e[2].strip() or None,
                    "status": None,
                    "error_codes": [],
                    "segment_errors": [],
                }
                group["sets"].append(set_ack)
            elif tag in ("AK3", "AK4"):
                if set_ack is None:
                    ctx.out_of_context(offset, tag, f"{tag} before AK2")
                    continue
                e = segment + PAD
                if tag == "AK3":
                    detail = {
                        "segment_id": e[1],
                        "position": e[2] or None,
                        "error_code": e[4] or None,
                    }
                else:
                    detail = {"element_position": e[1] or None, "error_code": e[3] or None}
                set_ack["segment_errors"].append(detail)
            elif tag == "AK5":
                if set_ack is None:
                    ctx.out_of_context(offset, tag, "AK5 before AK2")
                    continue
                e = segment + PAD
                set_ack["status"] = e[1] or None
                set_ack["error_codes"] = [v for v in e[2:7] if v]
            elif tag == "AK9":
                if group is None:
                    ctx.out_of_context(offset, tag, "AK9 before AK1")
                    continue
                e = segment + PAD
                group["group_status"] = e[1] or None
                group["sets_included"] = to_int(e[2])
                group["sets_received"] = to_int(e[3])
                group["sets_accepted"] = to_int(e[4])
        except ValueError as exc:
            ctx.bad_value(offset, tag, exc)
    if not doc["acks"]:
        ctx.missing("AK1", "acknowledged group")
    return doc
