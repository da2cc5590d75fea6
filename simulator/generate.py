"""Generate the landing zone: build the world, write every source system, inject faults, write truth.

Layout and formats: simulator/SOURCES.md. A fresh run replaces what an earlier run wrote; an
append run (`append_days`) continues an existing landing zone by N days, writing files only
for the new days and updating the ERP rows that changed in them.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import sqlalchemy as sa

from simulator.config import HORIZON_START
from simulator.faults import FaultLog, FaultPlan
from simulator.world import World, build_world
from simulator.writers import WriteContext
from simulator.writers.edi import write_edi
from simulator.writers.erp_db import write_erp
from simulator.writers.legacy_exports import write_legacy_exports
from simulator.writers.planning import write_planning
from simulator.writers.wms import write_wms

STEPS = ("world", "erp_db", "legacy exports", "wms", "edi", "planning", "crosswalk", "truth")
_OUTPUTS = ("erp", "exports", "wms", "edi", "planning", "crosswalk", "truth", "world.json")
# Legacy customers the steward has not mapped yet, at least one (the xref frames carry this for
# items and suppliers).
_UNMAPPED_CUSTOMER_SHARE = 0.05


@dataclass
class GenerationSummary:
    out: Path
    scale: str
    seed: int
    start: date
    days: int
    written_from: date
    entities: list[str]
    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def generate_world(
    out: Path,
    scale: str = "s",
    seed: int = 42,
    fault_rate: float = 0.005,
    erp_url: str | None = None,
    append_days: int | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    days: int = 365,
) -> GenerationSummary:
    """Write the landing zone under `out` (see SOURCES.md); `progress` is called with each step of STEPS."""
    began = time.perf_counter()
    out = Path(out).resolve()
    report = progress or (lambda step: None)
    start = HORIZON_START
    meta_path = out / "world.json"
    previous: dict | None = None
    if fault_rate < 0:
        raise ValueError("fault_rate must be >= 0")
    if append_days is not None:
        if append_days < 1:
            raise ValueError("append_days must be at least 1")
        if not meta_path.exists():
            raise FileNotFoundError(
                f"{meta_path} not found: generate a world before appending to it"
            )
        previous = json.loads(meta_path.read_text(encoding="utf-8"))
        scale, seed, fault_rate = (
            previous["scale"],
            int(previous["seed"]),
            float(previous["fault_rate"]),
        )
        start = date.fromisoformat(previous["start"])
        days = int(previous["days"]) + append_days
        # A world copied or moved elsewhere keeps writing to its own SQLite file, not the original's.
        if erp_url is None and not previous.get("erp_in_landing", False):
            erp_url = previous["erp_url"]
        write_from = start + timedelta(days=int(previous["days"]))
        faults = FaultLog.continuing(out / "truth" / "faults.csv")
    else:
        _clear(out)
        write_from = start
        faults = FaultLog()
    out.mkdir(parents=True, exist_ok=True)
    erp_in_landing = erp_url is None
    if erp_in_landing:
        (out / "erp").mkdir(parents=True, exist_ok=True)
        erp_url = f"sqlite:///{out / 'erp' / 'group_erp.sqlite'}"

    report("world")
    world = build_world(scale, seed, days=days, start=start)
    plan = FaultPlan(rate=fault_rate, seed=seed, first_day_index=(write_from - start).days)
    ctx = WriteContext(out, world, start, days, write_from, plan, faults)
    summary = GenerationSummary(
        out, scale, seed, start, days, write_from, entities=world.entities["entity_code"].to_list()
    )

    report("erp_db")
    since = write_from - timedelta(days=1) if previous else None
    summary.rows = write_erp(ctx, erp_url, since=since)
    report("legacy exports")
    summary.files.update(write_legacy_exports(ctx))
    report("wms")
    summary.files["wms"] = write_wms(ctx)
    report("edi")
    summary.files["edi"] = write_edi(ctx)
    report("planning")
    summary.files["planning"] = write_planning(ctx)
    report("crosswalk")
    summary.files["crosswalk"] = write_crosswalk(out, world, seed)
    _write_event_log(out, world)
    report("truth")
    # The writers are done: truth reads the event log back from its files, so the world built
    # in memory can go before the KPI joins need theirs.
    del ctx, world
    _write_truth(out, faults)
    summary.faults = faults.counts()
    summary.seconds = round(time.perf_counter() - began, 2)
    _write_meta(meta_path, summary, fault_rate, erp_url, erp_in_landing, previous)
    return summary


def write_crosswalk(out: Path, world: World, seed: int) -> int:
    """The steward's partial crosswalk of legacy codes; unmapped codes are absent. Returns files written."""
    source = pl.col("entity_code").replace_strict(
        {"MX02": "legacy_mx", "US02": "legacy_us"}, default=None
    )
    legacy = pl.col("entity_code").is_in(["MX02", "US02"])
    customers = world.customers.filter(legacy).sort("entity_code", "local_customer_code")
    rng = np.random.default_rng([seed, 0xC0DE])
    n_unmapped = (
        max(1, round(_UNMAPPED_CUSTOMER_SHARE * customers.height)) if customers.height else 0
    )
    unmapped = rng.choice(customers.height, size=n_unmapped, replace=False)
    customers = customers.filter(~pl.int_range(pl.len()).is_in(unmapped.tolist()))
    frames = {
        "items": world.item_xref.filter(legacy & pl.col("mapped")).select(
            "entity_code", local_code="local_item_code", golden_code="item_id"
        ),
        "customers": customers.select(
            "entity_code", local_code="local_customer_code", golden_code="customer_id"
        ),
        "suppliers": world.supplier_xref.filter(legacy & pl.col("mapped")).select(
            "entity_code", local_code="local_supplier_code", golden_code="supplier_id"
        ),
    }
    folder = out / "crosswalk"
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.select(source.alias("source_system"), *frame.columns).sort(
            "source_system", "local_code"
        ).write_csv(folder / f"{name}.csv")
    return len(frames)


def _write_event_log(out: Path, world: World) -> None:
    folder = out / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    world.write_parquet(folder / "event_log")
    world.anomalies.write_csv(folder / "anomalies.csv")


def _write_truth(out: Path, faults: FaultLog) -> None:
    """kpis.csv from the written event log (truth/event_log), and faults.csv."""
    from simulator.truth import compute_kpis

    folder = out / "truth"
    world = World.read_parquet(folder / "event_log")
    # Float sums in simulator/truth run over sorted values (deterministic); rounding keeps the
    # file short.
    compute_kpis(world).with_columns(pl.col("value").round(10)).write_csv(folder / "kpis.csv")
    faults.write(folder / "faults.csv")


def _write_meta(
    path: Path,
    summary: GenerationSummary,
    fault_rate: float,
    erp_url: str,
    erp_in_landing: bool,
    previous: dict | None,
) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = summary.start + timedelta(days=summary.days - 1)
    generations = list(previous["generations"]) if previous else []
    generations.append(
        {"from": summary.written_from.isoformat(), "to": end.isoformat(), "generated_at": now}
    )
    meta = {
        "seed": summary.seed,
        "scale": summary.scale,
        "start": summary.start.isoformat(),
        "days": summary.days,
        "end": end.isoformat(),
        "fault_rate": fault_rate,
        "erp_url": sa.engine.make_url(erp_url)
        .set(password=None)
        .render_as_string(hide_password=False),
        "erp_in_landing": erp_in_landing,  # the default SQLite file under the landing zone
        "generated_at": now,
        "generations": generations,
        "summary": {
            key: value
            for key, value in asdict(summary).items()
            if key in ("entities", "files", "rows", "faults", "seconds")
        },
    }
    path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _clear(out: Path) -> None:
    """Remove what an earlier generation wrote (only the landing zone's own entries)."""
    for name in _OUTPUTS:
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
