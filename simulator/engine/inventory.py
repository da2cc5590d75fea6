"""Inventory: cycle counts that correct the books, and the end-of-day snapshot."""

from __future__ import annotations

import numpy as np

from simulator.engine.fulfilment import open_demand
from simulator.engine.rng import Stream, day_rng
from simulator.engine.state import State

# Days between counts of one item x warehouse, and how often a count finds the books exact.
COUNT_INTERVAL = {"A": 30, "B": 90, "C": 180}
EXACT_SHARE = {"A": 0.88, "B": 0.82, "C": 0.75}


def cycle_count(state: State, day: int) -> None:
    """On weekdays, count a sample of pairs (A items most often) and book the difference."""
    if state.date_of(day).weekday() >= 5:
        return
    rng = day_rng(state.seed, day, Stream.COUNTS)
    pairs, items = state.master.pairs, state.master.items
    abc = items.abc[pairs.item]
    interval = np.select([abc == "A", abc == "B"], [COUNT_INTERVAL["A"], COUNT_INTERVAL["B"]],
                         COUNT_INTERVAL["C"])  # fmt: skip
    exact = np.select(
        [abc == "A", abc == "B"], [EXACT_SHARE["A"], EXACT_SHARE["B"]], EXACT_SHARE["C"]
    )
    n = len(pairs.item)
    picked = np.flatnonzero(pairs.is_stock & (rng.random(n) < 7 / 5 / interval))
    system = state.on_hand[picked]
    off = rng.random(len(picked)) >= exact[picked]
    # Shrinkage outweighs found stock; errors scale with the quantity on the shelf.
    size = np.maximum(1.0, 0.04 * system)
    delta = np.round(rng.normal(-0.3 * size, size)).astype(np.int64)
    delta = np.where(delta == 0, -1, delta)
    counted = np.where(off, system + delta, system)
    counted = np.maximum(counted, state.committed[picked])  # picked stock is on the dock
    counted = np.maximum(counted, 0)
    state.on_hand[picked] = counted
    state.log.add(
        "count", day=np.full(len(picked), day), seq=np.arange(1, len(picked) + 1), pair=picked,
        system=system, counted=counted,
    )  # fmt: skip


def snapshot(state: State, day: int) -> None:
    """End-of-day stock of every stocked pair, valued at today's cost."""
    pairs = state.master.pairs
    stocked = np.flatnonzero(pairs.is_stock)
    state.log.add(
        "inventory", day=np.full(len(stocked), day, np.int32), pair=stocked.astype(np.int32),
        on_hand=state.on_hand[stocked].astype(np.int32),
        available=np.maximum(state.on_hand - state.committed, 0)[stocked].astype(np.int32),
        open_demand=open_demand(state)[stocked].astype(np.int32),
        unit_cost=state.cost[state.pair_entity[stocked], pairs.item[stocked]],
    )  # fmt: skip
