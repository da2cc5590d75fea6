"""Where things live: every path a run writes derives from one root, ``BACKBONE_HOME``.

A fresh clone works with no variable set (``./data``). Two different homes never touch each
other, which is what lets tests run whole pipelines in temporary directories.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    home: Path

    @property
    def landing(self) -> Path:
        """Where `backbone generate` writes the source systems and `backbone run` reads them."""
        return Path(os.environ.get("BACKBONE_LANDING", self.home / "landing"))

    @property
    def warehouse(self) -> Path:
        """The working DuckDB file: one writer (a run), no readers."""
        return Path(
            os.environ.get("BACKBONE_WAREHOUSE", self.home / "warehouse" / "backbone.duckdb")
        )

    @property
    def published(self) -> Path:
        """The published copy that dashboards, `backbone sql` and `backbone kpi` read."""
        return Path(
            os.environ.get(
                "BACKBONE_PUBLISHED", self.home / "published" / "backbone_published.duckdb"
            )
        )

    @property
    def workflow_store(self) -> Path:
        return Path(
            os.environ.get("BACKBONE_WORKFLOW_DB", self.home / "workflow" / "workflow.sqlite")
        )

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME", self.home / "dagster"))


def backbone_home() -> Path:
    return Path(os.environ.get("BACKBONE_HOME", "data")).resolve()


def paths(home: Path | str | None = None) -> Paths:
    return Paths(Path(home).resolve() if home is not None else backbone_home())
