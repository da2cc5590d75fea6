"""Writers that turn the event log into what each source system would produce (see SOURCES.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from simulator.faults import FaultLog, FaultPlan
from simulator.world import World


@dataclass
class WriteContext:
    """One generation run: the world, the days whose files are written, the fault plan and log."""

    out: Path
    world: World
    start: date
    days: int
    write_from: date
    plan: FaultPlan
    faults: FaultLog

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def write_days(self) -> list[date]:
        n = (self.end - self.write_from).days + 1
        return [self.write_from + timedelta(days=i) for i in range(n)]

    def rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()


def ymd(day: date) -> str:
    return day.strftime("%Y%m%d")
