"""What every mapper shares: its context (errors, positions) and the common header segments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingestion.x12.model import CONTENT, EdiError, Party, Reason
from ingestion.x12.values import PAD, implied2


@dataclass(slots=True)
class MapContext:
    st_position: int
    """Segment number of the ST in the file; a segment's position is this plus its offset."""
    errors: list[EdiError]
    component: str

    def bad_value(self, offset: int, tag: str, exc: Exception) -> None:
        self.errors.append(
            EdiError(Reason.BAD_VALUE, f"{tag}: {exc}", self.st_position + offset, CONTENT)
        )

    def missing(self, tag: str, what: str) -> None:
        self.errors.append(
            EdiError(Reason.MISSING_SEGMENT, f"no {tag} ({what})", self.st_position, CONTENT)
        )

    def out_of_context(self, offset: int, tag: str, why: str) -> None:
        self.errors.append(
            EdiError(
                Reason.SEGMENT_OUT_OF_CONTEXT, f"{tag}: {why}", self.st_position + offset, CONTENT
            )
        )


def party(segment: list[str]) -> Party:
    """N1: entity (ST ship-to, BY buyer, SU supplier, SF ship-from, ...), name, id."""
    e = segment + PAD
    return {
        "qualifier": e[1],
        "name": e[2] or None,
        "id_qualifier": e[3] or None,
        "id": e[4].strip() or None,
        "address": [],
        "city": None,
        "state": None,
        "postal_code": None,
        "country": None,
    }


def add_address(parties: list[Party], tag: str, segment: list[str]) -> bool:
    """N3/N4 belong to the N1 before them; False when there is none."""
    if not parties:
        return False
    e = segment + PAD
    target = parties[-1]
    if tag == "N3":
        target["address"].extend(v for v in e[1:3] if v)
    else:
        target["city"], target["state"] = e[1] or None, e[2] or None
        target["postal_code"], target["country"] = e[3] or None, e[4] or None
    return True


def charge(segment: list[str], line_no: str | None) -> dict[str, Any]:
    """SAC: allowance (A) or charge (C), code (D240 freight), SAC05 amount in cents."""
    e = segment + PAD
    return {
        "indicator": e[1],
        "code": e[2] or None,
        "amount": implied2(e[5]),
        "description": e[15] or None,
        "line_no": line_no,
    }


def first_party_id(parties: list[Party], qualifier: str) -> tuple[str | None, str | None]:
    for p in parties:
        if p["qualifier"] == qualifier:
            return p["id"], p["name"]
    return None, None
