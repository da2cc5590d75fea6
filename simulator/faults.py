"""Faults injected into the written source files (never into the event log), and their record.

Every writer asks a `FaultPlan` how many faults of each kind to inject and which records or
files get them, then logs each injected fault with `FaultLog.add`. The log becomes
`truth/faults.csv`, which is what the loaders' quarantine and envelope checks are scored against.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FAULT_COLUMNS = ("fault_id", "kind", "source", "file", "locator", "detail", "expected_handling")

ROW_KINDS = ("malformed_row", "bad_date", "bad_quantity", "unknown_code")
FILE_KINDS = ("duplicate_file", "late_file")
X12_KINDS = ("x12_control_mismatch", "x12_segment_count")

EXPECTED_HANDLING = {
    "malformed_row": "quarantine_row",
    "bad_date": "quarantine_row",
    "bad_quantity": "quarantine_row",
    "unknown_code": "flag_unmapped",
    "duplicate_file": "skip_duplicate_file",
    "late_file": "load_late_file",
    "x12_control_mismatch": "envelope_error",
    "x12_segment_count": "envelope_error",
}

SOURCE_SALT = {"legacy_mx": 11, "legacy_us": 13, "wms": 17, "edi": 19, "erp_db": 23}


@dataclass
class FaultLog:
    """The faults injected so far, in injection order."""

    rows: list[dict[str, str]] = field(default_factory=list)
    first_id: int = 1

    def add(self, kind: str, source: str, file: str, locator: str, detail: str) -> None:
        self.rows.append(
            {
                "fault_id": f"F{self.first_id + len(self.rows):06d}",
                "kind": kind,
                "source": source,
                "file": file,
                "locator": locator,
                "detail": detail,
                "expected_handling": EXPECTED_HANDLING[kind],
            }
        )

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(r["kind"] for r in self.rows).items()))

    @classmethod
    def continuing(cls, path: Path) -> FaultLog:
        """The log of an earlier generation, so appended faults keep their predecessors' ids."""
        if not path.exists():
            return cls()
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        return cls(rows=rows)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=FAULT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(self.rows)


@dataclass(frozen=True)
class FaultPlan:
    """How many faults of each kind a source gets, and a seeded generator to place them.

    At a positive rate every kind appears at least once per source, so even a tiny world
    exercises every quarantine path; at rate 0 nothing is injected.
    """

    rate: float
    seed: int
    first_day_index: int

    def rng(self, source: str, stream: int = 0) -> np.random.Generator:
        # Seeded by the first day written, so an appended run places faults only in its own
        # days and never re-draws those of earlier runs.
        return np.random.default_rng([self.seed, SOURCE_SALT[source], self.first_day_index, stream])

    def count(self, n_candidates: int, share: float = 1.0) -> int:
        if self.rate <= 0 or n_candidates <= 0:
            return 0
        return min(n_candidates, max(1, round(self.rate * share * n_candidates)))


def pick(rng: np.random.Generator, n_candidates: int, k: int) -> np.ndarray:
    """k distinct indices in [0, n_candidates), sorted."""
    if k <= 0 or n_candidates <= 0:
        return np.empty(0, dtype=np.int64)
    return np.sort(rng.choice(n_candidates, size=min(k, n_candidates), replace=False))


def duplicate_name(name: str) -> str:
    """`pedidos_20250107.csv` → `pedidos_20250107_r1.csv`: how a re-sent file is named."""
    stem, dot, ext = name.rpartition(".")
    return f"{stem}_r1{dot}{ext}" if dot else f"{name}_r1"
