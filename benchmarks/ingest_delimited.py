"""Delimited load throughput: Backbone's loader against DuckDB's own CTAS over the same files.

    .venv/bin/python -m benchmarks.ingest_delimited [--rows 2000000] [--files 4] [--keep DIR]

Writes large order-line exports in both legacy formats (MX02: Latin-1, ';', decimal ',',
dd.mm.yyyy; US02: UTF-8, ',', quoted fields with commas and line breaks, MM/DD/YYYY), then times,
side by side in one process on the same disk:

- baseline: `create table t as select * from read_csv([files], <format options>)` (DuckDB
  infers the types; no lineage, no quarantine, no manifest, one transaction);
- backbone: `Loader.load_files` with the real mappings (hash check, all-VARCHAR read with rejects,
  typed conversion with quarantine, lineage columns, manifest rows, one transaction per batch).

Each side runs `--repeat` times (alternating, fresh warehouse files) and its best time counts.

Prints rows/s of each and the ratio backbone / baseline (the target is >= 0.5). A few rows are
made bad on purpose so the quarantine path is exercised too.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from benchmarks.result import Result
from ingestion.loader import Loader
from ingestion.mapping import load_sources
from ingestion.readers.delimited import declare_raw_table, delimited_stager
from ingestion.warehouse import connect


def run(
    rows: int = 2_000_000, files: int = 4, keep: Path | None = None, repeat: int = 3
) -> list[Result]:
    """The harness entry point (`make bench`): one result per legacy format.

    Baseline and loader alternate `repeat` times and each keeps its best time: on a shared
    machine a single pair of timings swings by 2x either way.
    """
    work = keep or Path(tempfile.mkdtemp(prefix="backbone-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        landing = work / "landing"
        written = {
            "legacy_mx": _write_mx(landing / "exports" / "legacy_mx", rows, files),
            "legacy_us": _write_us(landing / "exports" / "legacy_us", rows, files),
        }
        total_bytes = sum(p.stat().st_size for fs in written.values() for p in fs)
        print(f"{2 * rows:,} rows in {2 * files} files, {total_bytes / 1e6:,.0f} MB")
        for system, paths in written.items():
            base_times, our_times = [], []
            for attempt in range(repeat):
                base_times.append(
                    _baseline(work / f"baseline_{system}_{attempt}.duckdb", system, paths)
                )
                elapsed, loaded, quarantined = _backbone(
                    work / f"backbone_{system}_{attempt}.duckdb", landing, system, paths
                )
                our_times.append(elapsed)
            base, ours = min(base_times), min(our_times)
            print(
                f"{system:10s} baseline CTAS {rows / base:>12,.0f} rows/s ({base:6.2f} s)   "
                f"backbone {rows / ours:>12,.0f} rows/s ({ours:6.2f} s)   "
                f"ratio {base / ours:.2f}   loaded {loaded:,} quarantined {quarantined:,}"
            )
            results.append(
                Result(
                    name=f"ingest_delimited {system}",
                    measured=f"{rows / ours:,.0f} rows/s",
                    baseline=f"{rows / base:,.0f} rows/s (DuckDB CTAS read_csv)",
                    ratio=base / ours,
                    minimum_ratio=0.5,
                )
            )
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows per format (all files)")
    parser.add_argument("--files", type=int, default=4, help="files per format")
    parser.add_argument(
        "--keep", type=Path, help="write the files and warehouses here and keep them"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timings per side (best counts)")
    args = parser.parse_args()
    results = run(args.rows, args.files, args.keep, args.repeat)
    worst = min(r.ratio for r in results)
    print(f"throughput ratio backbone / DuckDB CTAS: {worst:.2f} (worst format; target >= 0.5)")


def _baseline(warehouse: Path, system: str, paths: list[Path]) -> float:
    options = {
        "legacy_mx": "delim = ';', decimal_separator = ',', encoding = 'latin-1', dateformat = '%d.%m.%Y',"
        " timestampformat = '%d.%m.%Y %H:%M:%S'",
        "legacy_us": "delim = ',', quote = '\"', escape = '\"', dateformat = '%m/%d/%Y',"
        " timestampformat = '%m/%d/%Y %H:%M:%S', ignore_errors = true",
    }[system]
    listed = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
    con = duckdb.connect(str(warehouse))
    started = time.perf_counter()
    con.execute(f"create table t as select * from read_csv({listed}, {options})")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def _backbone(
    warehouse: Path, landing: Path, system: str, paths: list[Path]
) -> tuple[float, int, int]:
    source = load_sources()[system]
    feed = source.feed("sales_order_lines")
    con = connect(warehouse)
    declare_raw_table(con, feed)
    started = time.perf_counter()
    results = Loader(con, landing).load_files(system, feed.name, paths, delimited_stager(feed))
    elapsed = time.perf_counter() - started
    con.close()
    failed = [r for r in results if r.status != "loaded"]
    if failed:
        raise SystemExit(f"load failed: {failed[0]}")
    return elapsed, sum(r.rows_loaded for r in results), sum(r.rows_quarantined for r in results)


def _lines(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    order = rng.integers(1, max(2, n // 3), n)
    day = rng.integers(1, 28, n)
    qty = rng.integers(1, 500, n)
    return pl.DataFrame(
        {
            "order": order,
            "line": np.arange(n) % 7 + 1,
            "item": rng.integers(1, 60_000, n),
            "uom": rng.choice(["EA", "CS", "PK"], n),
            "qty": qty,
            "price": np.round(rng.uniform(0.5, 900, n), 4),
            "disc": np.round(rng.uniform(0, 0.2, n), 4),
            "day": day,
            "status": rng.choice(["open", "shipped", "cancelled"], n),
        }
    )


def _split(frame: pl.DataFrame, parts: int) -> list[pl.DataFrame]:
    size = -(-frame.height // parts)
    return [frame.slice(i * size, size) for i in range(parts)]


def _write_mx(root: Path, rows: int, files: int) -> list[Path]:
    frame = _lines(rows, 1).select(
        folio_pedido=pl.format("PED-{}", pl.col("order")),
        partida=pl.col("line"),
        codigo_articulo=pl.format("ART-{}", pl.col("item").cast(pl.String).str.zfill(5)),
        unidad=pl.col("uom").replace({"EA": "PZA", "CS": "CJA", "PK": "PAQ"}),
        cantidad=pl.col("qty").cast(pl.String),
        cantidad_piezas=pl.col("qty"),
        cantidad_original=pl.col("qty").cast(pl.String),
        precio_unitario=pl.col("price").cast(pl.String).str.replace(".", ",", literal=True),
        descuento_pct=pl.col("disc").cast(pl.String).str.replace(".", ",", literal=True),
        estatus_partida=pl.col("status").replace(
            {"open": "ABIERTA", "shipped": "SURTIDA", "cancelled": "CANCELADA"}
        ),
        sustituye_partida=pl.lit(None, pl.String),
        fecha_cancelacion=pl.lit(None, pl.String),
        fecha_modificacion=pl.format(
            "{}.01.2025 10:15:00", pl.col("day").cast(pl.String).str.zfill(2)
        ),
    )
    frame = _with_faults(frame, "cantidad", "N/D", "fecha_modificacion", "31.02.2025 10:15:00")
    paths = []
    for i, part in enumerate(_split(frame, files)):
        folder = root / f"202501{i + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"pedidos_partidas_202501{i + 1:02d}.csv"
        text = part.write_csv(
            separator=";", line_terminator="\r\n", quote_style="never", null_value=""
        )
        path.write_bytes(text.encode("latin-1"))
        paths.append(path)
    return paths


def _write_us(root: Path, rows: int, files: int) -> list[Path]:
    frame = _lines(rows, 2).select(
        ORDER_NO=pl.format("SO{}", pl.col("order")),
        LINE_NO=pl.col("line"),
        ITEM_NO=pl.format("GL.{}.A", pl.col("item")),
        UM=pl.col("uom"),
        QTY_ORD=pl.col("qty").cast(pl.String),
        QTY_ORD_EA=pl.col("qty"),
        ORIG_QTY_ORD=pl.col("qty"),
        UNIT_PRICE=pl.col("price"),
        DISC_PCT=pl.col("disc"),
        LINE_STATUS=pl.col("status").replace({"open": "O", "shipped": "S", "cancelled": "X"}),
        SUBST_FOR_LINE=pl.lit(None, pl.Int64),
        CANCEL_TS=pl.lit(None, pl.String),
        CHANGED_TS=pl.format("01/{}/2025 10:15:00", pl.col("day").cast(pl.String).str.zfill(2)),
        NOTE=pl.when(pl.col("line") == 3)
        .then(pl.lit('Call first, "dock B"\nGate 4411'))
        .otherwise(pl.lit(None, pl.String)),
    )
    frame = _with_faults(frame, "QTY_ORD", "TBD", "CHANGED_TS", "13/45/2025 10:15:00")
    paths = []
    for i, part in enumerate(_split(frame, files)):
        folder = root / f"202501{i + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"so_detail_202501{i + 1:02d}.csv"
        path.write_text(
            part.write_csv(
                separator=",", line_terminator="\r\n", quote_style="necessary", null_value=""
            ),
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def _with_faults(frame: pl.DataFrame, qty: str, bad_qty: str, ts: str, bad_ts: str) -> pl.DataFrame:
    """One row in 100,000 gets a non-numeric quantity, another an impossible date."""
    index = pl.int_range(pl.len())
    return frame.with_columns(
        pl.when(index % 100_000 == 17).then(pl.lit(bad_qty)).otherwise(pl.col(qty)).alias(qty),
        pl.when(index % 100_000 == 71).then(pl.lit(bad_ts)).otherwise(pl.col(ts)).alias(ts),
    )


if __name__ == "__main__":
    main()
