"""X12 end to end: a generated world's EDI files parsed AND loaded into DuckDB, in MB/s.

    .venv/bin/python -m benchmarks.x12_load [--scale xs] [--days 365] [--seed 11] [--landing DIR]

The EDI feed of a world (`simulator.generate.generate_world`, or an existing landing zone with
`--landing`) goes through `ingestion.runner.load_edi` into a fresh warehouse, as `backbone run`
loads it: hashing, parsing, `to_tables`, raw tables with lineage, quarantine and manifest, one
transaction per batch. Then a re-run over the unchanged files. In the same process, on the same
files, the baseline is the parser alone: every file read and parsed, and `to_tables` over the
sets (what the loader can't do without).

Times are CPU seconds (`time.process_time`, DuckDB's threads included) of the loading process
plus those of the parser's worker processes (`ingestion.x12.pool`, `BACKBONE_X12_WORKERS`; as
they count themselves: a forkserver's children are not this process's children). The
development VM is shared, so wall time also measures the neighbours; it is printed too, with
the worker count.

Results:
- end to end / parse alone (CPU): the share of the parser's speed the load keeps (the loader's own
  cost is hashing, the manifest, DuckDB inserts and commits); target >= 0.35;
- first load / re-run: a re-run with nothing new must take seconds; target >= 5.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.result import Result
from ingestion.memory import gc_paused
from ingestion.readers.edi import BATCH_BYTES, BATCH_FILES
from ingestion.x12 import parse_file, pool, to_tables

MINIMUM_SHARE = 0.35  # measured 0.44 at xs (fixed costs weigh more), 0.54-0.59 at s and m
# The first load got fast, so this ratio is modest; what the issue asks is the re-run's absolute
# time (10 s for the 373,536 files of scale m, 2 s for the 78,631 of s).
MINIMUM_RERUN_RATIO = 5


def run(
    scale: str = "xs", days: int = 365, seed: int = 11, landing: Path | None = None
) -> list[Result]:
    """The harness entry point (`make bench`)."""
    work = Path(tempfile.mkdtemp(prefix="backbone-bench-x12-"))
    try:
        if landing is None:
            from simulator.generate import generate_world

            landing = work / "landing"
            generate_world(landing, scale=scale, seed=seed, days=days)
        files = sorted((landing / "edi").glob("*/*/*.x12"))
        megabytes = sum(p.stat().st_size for p in files) / 1e6
        _warm_up(files[:200], work)
        parse_cpu = _parse_only(files)
        first_cpu, first_wall, summary = _load(landing, work / "warehouse.duckdb")
        again_cpu, again_wall, again = _load(landing, work / "warehouse.duckdb")
        if summary.errors or again.errors or again.loads:
            raise SystemExit(f"the EDI load failed: {summary.errors[:3] or again.errors[:3]}")
        label = f"{len(files):,} files, {megabytes:.1f} MB"
        print(
            f"x12 {label}: parse alone {megabytes / parse_cpu:.2f} MB/s; end to end"
            f" {megabytes / first_cpu:.2f} MB/s CPU ({first_cpu:.1f} s),"
            f" {megabytes / first_wall:.2f} MB/s wall ({first_wall:.1f} s,"
            f" 1 + {pool.worker_count()} worker processes);"
            f" rows {summary.rows_read:,} = {summary.rows_loaded:,} loaded"
            f" + {summary.rows_quarantined:,} quarantined;"
            f" re-run {again_cpu:.1f} s CPU, {again_wall:.1f} s wall"
        )
        return [
            Result(
                name=f"x12 load end to end ({label})",
                measured=f"{megabytes / first_cpu:.2f} MB/s CPU ({megabytes / first_wall:.2f} wall)",
                baseline=f"{megabytes / parse_cpu:.2f} MB/s parse + to_tables alone",
                ratio=parse_cpu / first_cpu,
                minimum_ratio=MINIMUM_SHARE,
            ),
            Result(
                name=f"x12 load re-run ({len(files):,} files)",
                measured=f"re-run {again_cpu:.1f} s CPU ({again_wall:.1f} s wall)",
                baseline=f"first load {first_cpu:.1f} s CPU",
                ratio=first_cpu / again_cpu,
                minimum_ratio=MINIMUM_RERUN_RATIO,
            ),
        ]
    finally:
        pool.shutdown()
        shutil.rmtree(work, ignore_errors=True)


def _warm_up(files: list[Path], work: Path) -> None:
    """Pay the first-use costs (imports, pyarrow's first conversion: a second or two) outside
    the timings: a process that loads pays them once, whatever its size."""
    from ingestion.loader import Loader
    from ingestion.readers.edi import edi_stager
    from ingestion.warehouse import connect

    con = connect(work / "warm-up.duckdb")
    try:
        Loader(con, work).load_files("edi", "x12", files, edi_stager(work))
    finally:
        con.close()


def _parse_only(files: list[Path]) -> float:
    """CPU seconds to read and parse every file and build the tables, in batches as the reader
    makes them (files and bytes)."""
    started = time.process_time()
    for batch in _batches(files):
        with gc_paused():
            sets = [s for path in batch for s in parse_file(path)]
            tables = to_tables(sets)
            del sets, tables
    return time.process_time() - started


def _batches(files: list[Path]) -> Iterator[list[Path]]:
    batch: list[Path] = []
    size = 0
    for path in files:
        file_bytes = path.stat().st_size
        if batch and (len(batch) >= BATCH_FILES or size + file_bytes > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += file_bytes
    if batch:
        yield batch


def _load(landing: Path, warehouse: Path):  # type: ignore[no-untyped-def]
    """(CPU seconds, wall seconds, summary) of the EDI feed, connection opened and closed; the
    CPU of this process and of the parser's workers."""
    from ingestion.runner import load_edi
    from ingestion.warehouse import connect

    workers_cpu = pool.worker_cpu_seconds()
    cpu, wall = time.process_time(), time.perf_counter()
    con = connect(warehouse)
    try:
        summary = load_edi(con, landing)
    finally:
        con.close()
    cpu = time.process_time() - cpu + pool.worker_cpu_seconds() - workers_cpu
    return cpu, time.perf_counter() - wall, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", default="xs", help="world scale (xs, s, ...)")
    parser.add_argument("--days", type=int, default=365, help="days of history")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--landing", type=Path, help="an existing landing zone (no generation)")
    args = parser.parse_args()
    for result in run(args.scale, args.days, args.seed, args.landing):
        print(
            f"{result.name}: {result.measured}; baseline {result.baseline};"
            f" ratio {result.ratio:.2f} (target {result.target})"
        )


if __name__ == "__main__":
    main()
