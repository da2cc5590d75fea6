"""Fulfilment: cancellations, allocation of open lines to stock, and shipments.

Allocation is first come, first served per item x warehouse: sort the released open lines by
(pair, line key), take a running sum of what they need and give each line what is left of the
available stock. A line allocated today either ships today or is picked for tomorrow
(`committed` until then); whatever is short stays open as a backorder and ships, with the next
shipment_seq, when receipts or returns bring stock.
"""

from __future__ import annotations

import numpy as np

from simulator import config as cfg
from simulator.engine.arrays import cumsum_before_within, rank_within
from simulator.engine.master_data import WAREHOUSE_COUNTRY, WAREHOUSE_ENTITY
from simulator.engine.rng import Stream, day_rng
from simulator.engine.state import BOOK_RATE, NEVER, SECONDS_PER_DAY, State

SAME_DAY_SHARE = 0.65
BACKORDER_CANCEL_PER_DAY = 0.02
COUNTRY_CARRIERS = {c: list(v) for c, v in cfg.CARRIERS.items()}
PICKUP = "Customer Pickup"
ALL_CARRIERS = [*sorted({c for v in cfg.CARRIERS.values() for c in v}), PICKUP]
COUNTER = cfg.CHANNELS.index("COUNTER")


def cancel_due(state: State, day: int) -> None:
    """Cancellations decided at booking that fall today, and customers giving up on backorders."""
    rng = day_rng(state.seed, day, Stream.FULFILMENT)
    b = state.backlog
    due = b.cancel_day <= day
    # A customer may cancel what is still owed on a line that has waited ten days or more.
    waiting = (b.release_day <= day - 10) & (b.remaining > 0)
    gives_up = waiting & (rng.random(len(b.key)) < BACKORDER_CANCEL_PER_DAY)
    gone = due | gives_up
    idx = np.flatnonzero(gone)
    ts = day * SECONDS_PER_DAY + rng.integers(7 * 3600, 18 * 3600, len(idx))
    state.log.add("cancel", key=b.key[idx], ts=ts)
    b.keep(~gone)


def ship_staged(state: State) -> dict[str, np.ndarray]:
    """Yesterday's picks leave today: off the books before today's allocation looks at stock."""
    staged = state.staged or _empty_batch()
    state.staged = {}
    np.subtract.at(state.committed, staged["pair"], staged["qty"])
    np.subtract.at(state.on_hand, staged["pair"], staged["qty"])
    return staged


def allocate(state: State, day: int, leaving: np.ndarray) -> dict[str, np.ndarray]:
    """Allocate open released lines; returns what ships today, stages what ships tomorrow.

    Lines in `leaving` (yesterday's picks shipping today) wait a day for their rest, so one
    shipment never carries the same order line twice.
    """
    rng = day_rng(state.seed, day, Stream.ALLOCATION)
    b = state.backlog
    stock = state.master.pairs.is_stock
    ready = (b.release_day <= day) & (b.remaining > 0) & ~np.isin(b.key, leaving)
    idx = np.flatnonzero(ready)
    idx = idx[np.lexsort((b.key[idx], b.pair[idx]))]
    need = b.remaining[idx]
    pair = b.pair[idx]
    available = np.maximum(state.on_hand - state.committed, 0)[pair]
    before = cumsum_before_within(pair, need)
    alloc = np.where(stock[pair], np.clip(available - before, 0, need), need)
    got = alloc > 0
    idx, alloc, pair = idx[got], alloc[got], pair[got]

    seq = b.shipments[idx] + 1
    keys = b.key[idx]
    b.remaining[idx] -= alloc
    b.shipments[idx] = seq
    # New orders are often picked for tomorrow (the whole order together); backorders, special
    # orders and counter sales go out at once.
    order = state.lines["order"][keys]
    counter = state.master.customers.channel[state.orders["customer"][order]] == COUNTER
    fresh = (seq == 1) & (b.release_day[idx] == day) & stock[pair] & ~counter
    orders, of_order = np.unique(order, return_inverse=True)
    later = fresh & (rng.random(len(orders)) > SAME_DAY_SHARE)[of_order]
    np.add.at(state.committed, pair[later], alloc[later])
    now = ~later
    leaves = now & stock[pair]
    np.subtract.at(state.on_hand, pair[leaves], alloc[leaves])
    state.staged = {"key": keys[later], "pair": pair[later], "qty": alloc[later], "seq": seq[later]}
    b.keep(b.remaining > 0)
    return {"key": keys[now], "pair": pair[now], "qty": alloc[now], "seq": seq[now]}


def ship(state: State, day: int, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Turn picked lines into shipments (one per order and day); returns the shipment lines.

    Stock already left the books when the lines were picked (allocate, ship_staged).
    """
    rng = day_rng(state.seed, day, Stream.SHIPPING)
    lines, orders, pairs = state.lines, state.orders, state.master.pairs
    keep = batch["qty"] > 0
    key, pair, qty, seq = (batch[c][keep] for c in ("key", "pair", "qty", "seq"))
    order = lines["order"][key]
    sort = np.lexsort((lines["line_no"][key], order))
    key, pair, qty, seq, order = key[sort], pair[sort], qty[sort], seq[sort], order[sort]
    n_lines = len(key)
    first = np.r_[True, order[1:] != order[:-1]] if n_lines else np.zeros(0, bool)
    shipment = np.cumsum(first) - 1
    n_ship = int(first.sum())
    wh = pairs.warehouse[pair[first]]
    customer = orders["customer"][order[first]]
    cross_border = _cross_border(state, customer, wh)

    carrier = np.empty(n_ship, np.int64)
    country = np.array(WAREHOUSE_COUNTRY)[wh]
    for code, names in COUNTRY_CARRIERS.items():
        here = np.flatnonzero(country == code)
        choice = np.array([ALL_CARRIERS.index(c) for c in names])
        carrier[here] = choice[rng.integers(0, len(names), len(here))]
    transit = np.where(cross_border, rng.integers(3, 8, n_ship), rng.integers(1, 4, n_ship))
    tracking = rng.integers(10**11, 10**12, n_ship)
    # Counter customers collect their goods: no carrier, no transit, no freight.
    pickup = state.master.customers.channel[customer] == COUNTER
    carrier[pickup] = ALL_CARRIERS.index(PICKUP)
    transit[pickup] = 0
    tracking[pickup] = -1
    ship_s = day * SECONDS_PER_DAY + rng.integers(13 * 3600, 19 * 3600, n_ship)
    units = np.bincount(shipment, weights=qty, minlength=n_ship)
    entity = WAREHOUSE_ENTITY[wh]
    freight = np.round((9.0 + 0.9 * units**0.6) * rng.uniform(0.8, 1.25, n_ship)
                       * np.where(cross_border, 2.5, 1.0) * ~pickup / BOOK_RATE[entity], 2)  # fmt: skip
    item = pairs.item[pair]
    unit_cost = np.where(
        pairs.is_stock[pair], state.cost[WAREHOUSE_ENTITY[pairs.warehouse[pair]], item], np.nan
    )

    state.log.add(
        "shipment", day=np.full(n_ship, day), seq=np.arange(1, n_ship + 1), order=order[first],
        warehouse=wh, carrier=carrier, tracking=tracking, transit=transit, ship_s=ship_s,
        freight=freight,
    )  # fmt: skip
    line_no = rank_within(shipment) + 1
    state.log.add(
        "shipment_line", day=np.full(n_lines, day), seq=shipment + 1, line_no=line_no, key=key,
        pair=pair, qty=qty, shipment_seq=seq, unit_cost=unit_cost,
    )  # fmt: skip
    return {"shipment": shipment, "key": key, "pair": pair, "qty": qty, "unit_cost": unit_cost,
            "order": order, "first": first, "freight": freight, "customer": customer,
            "line_no": line_no, "ship_s": ship_s}  # fmt: skip


def open_demand(state: State) -> np.ndarray:
    """Released quantity still owed per pair: the backorders."""
    b = state.backlog
    released = (b.release_day < NEVER) & (b.remaining > 0)
    return np.bincount(b.pair[released], weights=b.remaining[released],
                       minlength=len(state.on_hand)).astype(np.int64)  # fmt: skip


def _cross_border(state: State, customer: np.ndarray, wh: np.ndarray) -> np.ndarray:
    """Intercompany shipments go to the buying entity, in most cases across a border."""
    return state.master.customers.is_intercompany[customer] & (wh >= 0)


def _empty_batch() -> dict[str, np.ndarray]:
    return {c: np.empty(0, np.int64) for c in ("key", "pair", "qty", "seq")}
