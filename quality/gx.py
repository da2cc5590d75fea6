"""Great Expectations, validating pandas frames read from DuckDB (Arrow).

GX 1.x can't validate DuckDB through SQLAlchemy (it closes the connection before fetching), so
each gate reads the rows it needs with DuckDB SQL and hands GX a pandas frame. One ephemeral
context per process: no GX project directory, no Data Docs (they load CSS from CDNs).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

SAMPLE_SIZE = 5


@dataclass
class Check:
    """One expectation on one frame, with the label a steward reads."""

    label: str
    expectation: Any  # a gx.expectations.Expectation
    table: str | None = None


@dataclass
class Outcome:
    label: str
    table: str | None
    expectation: str  # GX expectation type, e.g. expect_column_values_to_be_in_set
    success: bool
    element_count: int
    failing_count: int
    observed: Any = None
    sample: list[dict[str, Any]] = field(default_factory=list)  # failing rows (whole frame rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "table": self.table,
            "expectation": self.expectation,
            "success": self.success,
            "element_count": self.element_count,
            "failing_count": self.failing_count,
            "observed": jsonable(self.observed),
            "sample": self.sample,
        }


def validate(
    frame: pd.DataFrame, checks: list[Check], sample_size: int = SAMPLE_SIZE
) -> list[Outcome]:
    """Run the checks' expectations on a frame; failing rows are sampled from the frame itself."""
    if not checks:
        return []
    import great_expectations as gx

    frame = frame.reset_index(drop=True)
    batch_definition = _batch_definition()  # creates the context GX needs before a suite
    suite = gx.ExpectationSuite(name="gate")
    for check in checks:
        suite.add_expectation(check.expectation)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": sample_size}
    )
    outcomes = []
    # GX keeps the suite's order; match results to checks by position.
    for check, res in zip(checks, result.results, strict=True):
        info = dict(res.result or {})
        failing = info.get("unexpected_count")
        indexes = info.get("partial_unexpected_index_list") or []
        sample = [_row(frame, i) for i in indexes[:sample_size] if isinstance(i, int)]
        observed = info.get("observed_value")
        if failing is None:  # table-level expectations report an observed value, not rows
            failing = 0 if res.success else 1
            details = info.get("details")
            if not res.success and details:
                sample = [jsonable(details)]
        outcomes.append(
            Outcome(
                label=check.label,
                table=check.table,
                expectation=res.expectation_config.type,
                success=bool(res.success),
                element_count=int(info.get("element_count") or len(frame)),
                failing_count=int(failing),
                observed=observed,
                sample=sample,
            )
        )
    return outcomes


@cache
def _batch_definition():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # GX draws a progress bar per validation on stderr: dozens of gates would bury the run summary.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("raw_layer").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def _row(frame: pd.DataFrame, index: int) -> dict[str, Any]:
    return {str(k): jsonable(v) for k, v in frame.iloc[index].to_dict().items()}


def jsonable(value: Any) -> Any:
    """A value as plain JSON (numpy scalars, dates, decimals, NaN -> None)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is pd.NaT:
        return None
    if isinstance(value, bool | int | str):
        return value
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)
