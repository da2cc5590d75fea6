"""WMS event files: one NDJSON file per warehouse and day (receipts, picks, shipments, counts, on-hand)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from simulator.faults import duplicate_name, pick
from simulator.world import World
from simulator.writers import WriteContext, ymd

SOURCE = "wms"
_QTY = re.compile(r'"(qty_received_ea|qty_picked_ea|counted_qty)":(-?\d+)')
_ITEM = re.compile(r'"item_code":"([^"]*)"')
_OCCURRED = re.compile(r'"occurred_at":"([^"]*)"')
_BAD_TIMESTAMP = "2025-02-30T25:61:00Z"
_UNKNOWN_FORMAT = {"MX02": "ART-9{:05d}", "US02": "GL.99-{:03d}.Z"}


def write_wms(ctx: WriteContext) -> int:
    """Write every warehouse-day file of the days being generated; returns the number of files.

    Faults are planned on a light index of all events; the event text is then built, edited and
    written one warehouse at a time, which keeps memory to one warehouse's snapshots.
    """
    index = (
        wms_events(ctx.world, ctx.write_from, ctx.end)
        .select("warehouse_code", "_day", "line", "event_type")
        .collect()
    )
    placement, duplicates = _plan_file_faults(ctx, index)
    planned = _plan_row_faults(ctx, index)
    wh_entity = dict(
        zip(
            ctx.world.warehouses["warehouse_code"], ctx.world.warehouses["entity_code"], strict=True
        )
    )
    corrupt = _Corrupter(ctx, wh_entity)
    n_files = 0
    folders: set[Path] = set()
    for wh in sorted(wh_entity):
        events = wms_events(ctx.world, ctx.write_from, ctx.end, wh).collect()
        events = corrupt(events, planned.get(wh, {}), placement)
        bodies = events.group_by("_day", maintain_order=True).agg(
            pl.concat_str(pl.col("json"), pl.lit("\n")).str.join("")
        )
        by_day = dict(bodies.iter_rows())
        for day in ctx.write_days():
            data = by_day.get(day, "").encode("utf-8")
            path = _path(ctx, wh, day, placement.get((wh, day), day))
            if path.parent not in folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            path.write_bytes(data)
            n_files += 1
            if (wh, day) in duplicates:
                path.with_name(duplicate_name(path.name)).write_bytes(data)
                n_files += 1
    return n_files


def wms_events(world: World, first: date, last: date, warehouse: str | None = None) -> pl.LazyFrame:
    """Events of the days [first, last] (of one warehouse, or all), in file order.

    Columns: warehouse_code, _day, line (1-based in its file), event_type, json. Lazy, so that
    selecting the index columns never builds the JSON text.
    """
    codes = _item_codes(world).lazy()
    here = pl.lit(True) if warehouse is None else pl.col("warehouse_code") == warehouse

    def local(frame: pl.LazyFrame) -> pl.LazyFrame:
        return frame.join(codes, on=["warehouse_code", "item_id"], how="left")

    def within(frame: pl.DataFrame, day_col: str) -> pl.LazyFrame:
        return frame.lazy().filter(pl.col(day_col).is_between(first, last) & here)

    receipts = local(within(world.receipts, "receipt_date")).select(
        "warehouse_code",
        _day=pl.col("receipt_date"),
        _minute=_minutes(pl.col("receipt_id"), 6 * 60, 600),
        event_type=pl.lit("receipt"),
        _key=pl.col("receipt_id"),
        payload=pl.struct(
            "receipt_id", "po_id", "po_line_no", "item_code", "qty_received_ea"
        ).struct.json_encode(),
    )
    ship_lines = local(within(world.shipments, "ship_date")).with_columns(
        _base=_minutes(pl.col("shipment_id"), 8 * 60, 360)
    )
    picks = ship_lines.select(
        "warehouse_code",
        _day=pl.col("ship_date"),
        _minute=pl.col("_base") + pl.col("shipment_line_no").clip(upper_bound=50),
        event_type=pl.lit("pick"),
        _key=pl.format(
            "{}-{}", "shipment_id", pl.col("shipment_line_no").cast(pl.Utf8).str.zfill(4)
        ),
        payload=pl.struct(
            pick_id=pl.format("{}-{}", "shipment_id", "shipment_line_no"),
            shipment_id="shipment_id",
            order_id="order_id",
            order_line_no="order_line_no",
            item_code="item_code",
            qty_picked_ea="qty_shipped_ea",
        ).struct.json_encode(),
    )
    shipments = (
        ship_lines.sort("shipment_id", "shipment_line_no")
        .group_by("shipment_id", maintain_order=True)
        .agg(
            pl.col(
                "warehouse_code",
                "order_id",
                "carrier",
                "tracking_number",
                "ship_date",
                "_base",
            ).first(),
            lines=pl.struct("shipment_line_no", "order_line_no", "item_code", "qty_shipped_ea"),
        )
        .select(
            "warehouse_code",
            _day=pl.col("ship_date"),
            _minute=pl.col("_base") + 60,
            event_type=pl.lit("shipment"),
            _key=pl.col("shipment_id"),
            payload=pl.struct(
                "shipment_id",
                "order_id",
                "carrier",
                "tracking_number",
                pl.col("ship_date").dt.strftime("%Y-%m-%d"),
                "lines",
            ).struct.json_encode(),
        )
    )
    counts = local(within(world.cycle_counts, "count_date")).select(
        "warehouse_code",
        _day=pl.col("count_date"),
        _minute=_minutes(pl.col("count_id"), 16 * 60, 120),
        event_type=pl.lit("cycle_count"),
        _key=pl.col("count_id"),
        payload=pl.struct(
            "count_id", "item_code", "abc_class", "system_qty", "counted_qty"
        ).struct.json_encode(),
    )
    snapshots = (
        local(within(world.inventory_daily, "snapshot_date"))
        .sort("warehouse_code", "snapshot_date", "item_code")
        .group_by("warehouse_code", "snapshot_date", maintain_order=True)
        .agg(
            items=pl.struct(
                "item_code", "on_hand_ea", "available_ea", backordered_ea="open_demand_ea"
            )
        )
        .select(
            "warehouse_code",
            _day=pl.col("snapshot_date"),
            _minute=pl.lit(23 * 60 + 59, dtype=pl.Int64),
            event_type=pl.lit("on_hand_snapshot"),
            _key=pl.lit(""),
            payload=pl.struct(
                pl.col("snapshot_date").dt.strftime("%Y-%m-%d"), "items"
            ).struct.json_encode(),
        )
    )
    order = {"receipt": 0, "pick": 1, "shipment": 2, "cycle_count": 3, "on_hand_snapshot": 4}
    events = (
        pl.concat(
            [
                f.with_columns(pl.col("_minute").cast(pl.Int64))
                for f in (receipts, picks, shipments, counts, snapshots)
            ]
        )
        .with_columns(_order=pl.col("event_type").replace_strict(order, return_dtype=pl.Int8))
        .sort("warehouse_code", "_day", "_minute", "_order", "_key")
        .with_columns(line=pl.int_range(1, pl.len() + 1).over("warehouse_code", "_day"))
    )
    occurred = pl.concat_str(
        pl.col("_day").dt.strftime("%Y-%m-%d"),
        pl.lit("T"),
        (pl.col("_minute") // 60).cast(pl.Utf8).str.zfill(2),
        pl.lit(":"),
        (pl.col("_minute") % 60).cast(pl.Utf8).str.zfill(2),
        pl.lit(":00Z"),
    )
    event_id = pl.format(
        "{}-{}-{}",
        "warehouse_code",
        pl.col("_day").dt.strftime("%Y%m%d"),
        pl.col("line").cast(pl.Utf8).str.zfill(6),
    )
    return events.select(
        "warehouse_code",
        "_day",
        "line",
        "event_type",
        json=pl.concat_str(
            pl.lit('{"event_id":"'),
            event_id,
            pl.lit('","event_type":"'),
            pl.col("event_type"),
            pl.lit('","warehouse_code":"'),
            pl.col("warehouse_code"),
            pl.lit('","occurred_at":"'),
            occurred,
            pl.lit('","payload":'),
            pl.col("payload"),
            pl.lit("}"),
        ),
    )


def _item_codes(world: World) -> pl.DataFrame:
    """(warehouse_code, item_id) → the code the warehouse's entity uses for the item."""
    return (
        world.warehouses.select("warehouse_code", "entity_code")
        .join(
            world.item_xref.select("entity_code", "item_id", item_code="local_item_code").unique(
                ["entity_code", "item_id"], keep="first", maintain_order=True
            ),
            on="entity_code",
        )
        .drop("entity_code")
    )


def _minutes(key: pl.Expr, first: int, span: int) -> pl.Expr:
    """A stable minute of the day in [first, first + span) derived from a record's id."""
    return (key.hash(11) % span).cast(pl.Int64) + first


def _path(ctx: WriteContext, wh: str, day: date, folder_day: date) -> Path:
    return ctx.out / "wms" / wh / ymd(folder_day) / f"events_{wh}_{ymd(day)}.ndjson"


def _plan_file_faults(ctx: WriteContext, events: pl.DataFrame) -> tuple[dict, set]:
    rng = ctx.plan.rng(SOURCE)
    candidates = sorted(
        (wh, day)
        for wh, day in events.select("warehouse_code", "_day").unique().iter_rows()
        if day < ctx.end
    )
    k = ctx.plan.count(len(candidates), share=0.2)
    chosen = [candidates[i] for i in pick(rng, len(candidates), 2 * k)]
    rng.shuffle(chosen)
    late, dups = chosen[:k], chosen[k : 2 * k]
    placement: dict[tuple[str, date], date] = {}
    for wh, day in sorted(late):
        target = min(day + timedelta(days=int(rng.integers(1, 4))), ctx.end)
        placement[(wh, day)] = target
        ctx.faults.add(
            "late_file",
            SOURCE,
            ctx.rel(_path(ctx, wh, day, target)),
            "",
            f"file of {day} delivered on {target}",
        )
    for wh, day in sorted(dups):
        original = _path(ctx, wh, day, day)
        copy = original.with_name(duplicate_name(original.name))
        ctx.faults.add(
            "duplicate_file",
            SOURCE,
            ctx.rel(copy),
            "",
            f"byte-identical copy of {ctx.rel(original)}",
        )
    return placement, set(dups)


def _plan_row_faults(
    ctx: WriteContext, index: pl.DataFrame
) -> dict[str, dict[tuple[date, int], str]]:
    """Which event lines get which row fault: {warehouse: {(day, line): kind}}."""
    rng = ctx.plan.rng(SOURCE, stream=1)
    k = ctx.plan.count(index.height, share=0.25)
    planned: dict[str, dict[tuple[date, int], str]] = {}
    if k == 0:
        return planned
    with_item = np.isin(index["event_type"].to_numpy(), ["receipt", "pick", "cycle_count"])
    used = np.zeros(index.height, dtype=bool)
    for kind in ("malformed_row", "bad_date", "bad_quantity", "unknown_code"):
        eligible = with_item if kind in ("bad_quantity", "unknown_code") else np.ones_like(used)
        pool = np.flatnonzero(eligible & ~used)
        for i in pool[pick(rng, len(pool), k)]:
            used[i] = True
            wh, day, line, _ = index.row(int(i))
            planned.setdefault(wh, {})[(day, line)] = kind
    return planned


class _Corrupter:
    """Applies planned row faults to one warehouse's events and logs them."""

    def __init__(self, ctx: WriteContext, wh_entity: dict[str, str]) -> None:
        self.ctx = ctx
        self.wh_entity = wh_entity
        self.rng = ctx.plan.rng(SOURCE, stream=2)
        self.known = set(ctx.world.item_xref["local_item_code"].to_list())
        self.counters: dict[str, int] = {}

    def unknown(self, entity: str) -> str:
        fmt = _UNKNOWN_FORMAT.get(entity, "BB-9{:05d}")
        while True:
            self.counters[entity] = self.counters.get(entity, 0) + 1
            code = fmt.format(self.counters[entity])
            if code not in self.known:
                return code

    def __call__(self, events: pl.DataFrame, planned: dict, placement: dict) -> pl.DataFrame:
        if not planned:
            return events
        rows = events.with_row_index("_rid").filter(
            pl.struct("_day", "line").is_in(
                pl.Series(
                    [{"_day": d, "line": n} for d, n in planned],
                    dtype=pl.Struct({"_day": pl.Date, "line": pl.Int64}),
                )
            )
        )
        edits: dict[int, str] = {}
        for rid, wh, day, line, _, text in rows.sort("_day", "line").iter_rows():
            kind = planned[(day, line)]
            edits[rid], detail = self.corrupt(kind, text, wh)
            path = _path(self.ctx, wh, day, placement.get((wh, day), day))
            self.ctx.faults.add(kind, SOURCE, self.ctx.rel(path), f"line={line}", detail)
        index = list(edits)
        return (
            events.with_row_index("_rid")
            .with_columns(
                json=pl.col("_rid").replace_strict(
                    index, [edits[i] for i in index], default=pl.col("json"), return_dtype=pl.Utf8
                )
            )
            .drop("_rid")
        )

    def corrupt(self, kind: str, text: str, wh: str) -> tuple[str, str]:
        if kind == "malformed_row":
            return text[: -int(self.rng.integers(5, 15))], "line cut short (invalid JSON)"
        if kind == "bad_date":
            bad = _OCCURRED.sub(f'"occurred_at":"{_BAD_TIMESTAMP}"', text, count=1)
            return bad, f"occurred_at {_OCCURRED.search(text).group(1)!r} -> {_BAD_TIMESTAMP!r}"
        if kind == "bad_quantity":
            m = _QTY.search(text)
            value = f"-{m.group(2)}" if self.rng.random() < 0.5 and int(m.group(2)) > 0 else '"n/a"'
            return text[: m.start(2)] + value + text[
                m.end(2) :
            ], f"{m.group(1)} {m.group(2)} -> {value}"
        m = _ITEM.search(text)
        code = self.unknown(self.wh_entity[wh])
        return text[: m.start(1)] + code + text[m.end(1) :], f"item_code {m.group(1)!r} -> {code!r}"
