from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One benchmark outcome: `ratio` compared with `minimum_ratio` (higher is better)."""

    name: str
    measured: str
    baseline: str
    ratio: float
    minimum_ratio: float

    @property
    def target(self) -> str:
        return f">= {self.minimum_ratio:g}"

    @property
    def ok(self) -> bool:
        return self.ratio >= self.minimum_ratio
