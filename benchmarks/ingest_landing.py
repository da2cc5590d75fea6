"""A whole landing zone of many small daily files: first load against a re-run with nothing new.

    .venv/bin/python -m benchmarks.ingest_landing [--scale xs] [--days 365] [--seed 11] [--keep DIR]

Generates a world (`simulator.generate.generate_world`; xs over 365 days is about 25,000 files:
two legacy ERPs' daily CSV exports, mostly tiny or header-only, WMS NDJSON per warehouse-day,
EDI X12 per partner), then times, in one process on the same disk:

- the first load of every source into a fresh warehouse (`load_source` per source, as
  `backbone run` does), printed per source;
- a re-run over the unchanged landing zone (stat cache, no file read, nothing loaded).

The result is first load / re-run (the target is >= 10: a re-run with nothing new must take
seconds, not a fraction of a full load). Files per second of the first load are printed too.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.result import Result
from ingestion.mapping import load_sources
from ingestion.runner import load_source
from ingestion.warehouse import connect


def run(
    scale: str = "xs", days: int = 365, seed: int = 11, keep: Path | None = None
) -> list[Result]:
    """The harness entry point (`make bench`)."""
    from simulator.generate import generate_world

    work = keep or Path(tempfile.mkdtemp(prefix="backbone-bench-landing-"))
    work.mkdir(parents=True, exist_ok=True)
    landing, warehouse = work / "landing", work / "warehouse.duckdb"
    try:
        if not (landing / "world.json").exists():
            generate_world(landing, scale=scale, seed=seed, days=days)
        files = sum(1 for p in landing.rglob("*") if p.is_file())
        for stale in work.glob("warehouse.duckdb*"):
            stale.unlink()
        first = _load(landing, warehouse, "first load")
        again = _load(landing, warehouse, "re-run")
        print(
            f"{files:,} files: first load {first:.1f} s ({files / first:,.0f} files/s),"
            f" re-run {again:.1f} s, ratio {first / again:.1f}"
        )
        return [
            Result(
                name=f"ingest_landing {scale} {days} days re-run",
                measured=f"re-run {again:.1f} s",
                baseline=f"first load {first:.1f} s ({files:,} files)",
                ratio=first / again,
                minimum_ratio=10,
            )
        ]
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _load(landing: Path, warehouse: Path, label: str) -> float:
    started = time.perf_counter()
    con = connect(warehouse)
    try:
        for source in load_sources().values():
            began = time.perf_counter()
            summary = load_source(con, source, landing, None)
            if summary.errors:
                raise SystemExit(f"{label}: {summary.source_system} failed: {summary.errors[:3]}")
            print(
                f"  {label:10s} {summary.source_system:10s} {time.perf_counter() - began:7.1f} s"
                f"  loads {summary.loads:>6,}  skipped {summary.skipped:>6,}"
                f"  rows {summary.rows_read:>9,}"
            )
    finally:
        con.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="xs", help="world scale (xs, s, ...)")
    parser.add_argument("--days", type=int, default=365, help="days of history")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="generate (or reuse) the world here and keep it")
    args = parser.parse_args()
    result = run(args.scale, args.days, args.seed, args.keep)[0]
    print(f"first load / re-run: {result.ratio:.1f} (target >= {result.minimum_ratio:g})")


if __name__ == "__main__":
    main()
