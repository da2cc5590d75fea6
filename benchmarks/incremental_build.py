"""A daily increment against the full build, side by side: `backbone run` on a fresh warehouse,
then `backbone generate --append-days 1` and `backbone run` again.

    .venv/bin/python -m benchmarks.incremental_build [HOME]

The issue's target: the increment rebuilds in at most 15 % of the full build's time at scale m.
The result's ratio is 0.15 ÷ (increment ÷ full), so >= 1 meets it. Both runs are the whole
pipeline (loads, raw gates, dbt build and tests, intelligence, publish), timed in the same process
on the same machine; each run's slowest steps are printed.

HOME (else `BACKBONE_BENCH_INCREMENTAL_HOME`) is a directory whose `landing/` holds a generated
world; its warehouse and published copy are rebuilt, and the world is appended to (one day per
run of this benchmark). Without one, a world of `BACKBONE_BENCH_SCALE` (default xs; m takes an hour
or more on two cores) is generated in a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.result import Result

TARGET_SHARE = 0.15
SLOWEST_STEPS = 6


def run(home: Path | None = None) -> list[Result]:
    given = home or _given_home()
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as scratch:
        home = given or _generated_home(Path(scratch), os.environ.get("BACKBONE_BENCH_SCALE", "xs"))
        return [_measure(home)]


def _measure(home: Path) -> Result:
    from simulator.generate import generate_world

    landing = home / "landing"
    warehouse = home / "warehouse" / "backbone.duckdb"
    published = home / "published" / "backbone_published.duckdb"
    for built in (warehouse.parent, published.parent):
        shutil.rmtree(built, ignore_errors=True)  # the full build starts from nothing

    full_seconds, full = _timed_run(landing, warehouse, published)
    generate_world(landing, append_days=1)
    increment_seconds, increment = _timed_run(landing, warehouse, published)

    for label, seconds, result in (
        ("full", full_seconds, full),
        ("increment", increment_seconds, increment),
    ):
        slowest = sorted(result.step_seconds.items(), key=lambda kv: -kv[1])[:SLOWEST_STEPS]
        steps = ", ".join(f"{step} {s:.1f}s" for step, s in slowest)
        print(f"{label:<9} {seconds:8.1f} s  published={result.published}  slowest: {steps}")

    share = increment_seconds / full_seconds
    return Result(
        name=f"daily increment vs full build ({_scale(landing)})",
        measured=f"increment {increment_seconds:.0f} s = {share:.1%} of full",
        baseline=f"full build {full_seconds:.0f} s",
        ratio=TARGET_SHARE / share,
        minimum_ratio=1.0,
    )


def _timed_run(landing: Path, warehouse: Path, published: Path):
    from dagster_project.pipeline import run_pipeline

    started = time.perf_counter()
    result = run_pipeline(landing, warehouse, published=published)
    seconds = time.perf_counter() - started
    if not result.published:
        raise RuntimeError(f"the run did not publish: {result.failures or result.blocked_by}")
    return seconds, result


def _given_home() -> Path | None:
    value = sys.argv[1] if __name__ == "__main__" and len(sys.argv) > 1 else None
    value = value or os.environ.get("BACKBONE_BENCH_INCREMENTAL_HOME")
    return Path(value) if value else None


def _generated_home(scratch: Path, scale: str) -> Path:
    from simulator.generate import generate_world

    generate_world(scratch / "landing", scale=scale, seed=42)
    return scratch


def _scale(landing: Path) -> str:
    import json

    world = json.loads((landing / "world.json").read_text())
    return f"scale {world['scale']}, {world['days']} days"


if __name__ == "__main__":
    for result in run():
        print(f"{result.name}: {result.measured}; {result.baseline}; ratio {result.ratio:.2f}")
