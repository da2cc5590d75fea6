"""Resources: where the landing zone and the working warehouse are, configurable per run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from backbone.config import paths


class WarehouseResource(dg.ConfigurableResource):
    """The landing zone a run reads and the working DuckDB file it writes.

    Empty fields fall back to BACKBONE_HOME's defaults, so a fresh clone needs no configuration
    and a test hands in a temporary world by setting `landing` and `warehouse`.
    """

    landing: str = ""
    warehouse: str = ""
    erp_url: str = ""

    @property
    def landing_path(self) -> Path:
        return Path(self.landing) if self.landing else paths().landing

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse) if self.warehouse else paths().warehouse

    @property
    def erp_database_url(self) -> str | None:
        return self.erp_url or os.environ.get("BACKBONE_ERP_URL") or None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A writer connection; runs use the in-process executor, so there is one writer at a time."""
        from ingestion.warehouse import connect

        con = connect(self.warehouse_path)
        try:
            yield con
        finally:
            con.close()
