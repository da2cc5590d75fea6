"""Element values to Python values: dates, decimals, implied decimals, product ids.

Converters raise ValueError on a malformed value; the mapper turns that into a BAD_VALUE error
at the segment's position. Empty elements are None, never an error.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

PAD = [""] * 32
"""Appended to a segment so optional trailing elements read as "" without length checks."""


def to_float(value: str) -> float | None:
    """X12 R (decimal) and N0 values; "" is None."""
    if not value:
        return None
    return float(value)


def implied2(value: str) -> float | None:
    """X12 N2 (two implied decimals: "12345" is 123.45); an explicit point is taken as written."""
    value = value.strip()
    if not value:
        return None
    if "." in value:
        return float(value)
    if not value.lstrip("-+").isdigit():
        raise ValueError(f"{value!r} is not an N2 amount")
    return int(value) / 100


def cents(amount: float) -> float:
    """Rounded to the cent, half away from zero (`round(x, 2)` costs ten times more)."""
    return int(amount * 100 + (0.5 if amount >= 0 else -0.5)) / 100


def to_int(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    return int(value)


@lru_cache(maxsize=8192)  # a file holds few distinct dates, each on many segments
def iso_date(value: str) -> str | None:
    """CCYYMMDD (or YYMMDD, as in ISA09) to ISO 8601; "" is None."""
    if not value:
        return None
    if len(value) == 8 and value.isdigit():
        year = int(value[:4])
    elif len(value) == 6 and value.isdigit():
        # X12's own rule for two-digit years is a window; this one covers EDI's lifetime
        year = 2000 + int(value[:2]) if int(value[:2]) < 70 else 1900 + int(value[:2])
        value = f"{year}{value[2:]}"
    else:
        raise ValueError(f"{value!r} is not a CCYYMMDD date")
    return date(year, int(value[4:6]), int(value[6:8])).isoformat()


def iso_date_or_none(value: str) -> str | None:
    try:
        return iso_date(value)
    except ValueError:
        return None


def product_ids(segment: list[str], start: int) -> dict[str, str]:
    """Qualifier/id pairs from `start` (PO106/PO107, IT106/IT107, LIN02/LIN03, ...).

    A repeated qualifier keeps its last id; pairs with an empty qualifier or id are dropped.
    One to three complete pairs (nearly every line) take a fast path: this runs once per line.
    """
    n = len(segment) - start
    if n == 2:
        q1, v1 = segment[start:]
        if q1 and v1:
            return {q1: v1}
    elif n == 4:
        q1, v1, q2, v2 = segment[start:]
        if q1 and v1 and q2 and v2:
            return {q1: v1, q2: v2}
    elif n == 6:
        q1, v1, q2, v2, q3, v3 = segment[start:]
        if q1 and v1 and q2 and v2 and q3 and v3:
            return {q1: v1, q2: v2, q3: v3}
    pairs = iter(segment[start:])
    return {q: v for q, v in zip(pairs, pairs, strict=False) if q and v}
