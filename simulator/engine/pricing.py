"""Costs, price lists and rebate agreements as they change over the horizon.

A cost change moves the entity's cost from that day on (COGS uses the cost on the shipment
date); half the time the price list follows with the same ratio. Rebate agreements run for a
calendar year and are signed on January 1 (or the horizon's first day), with a few new ones
signed on the first of a month.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.master_data import WAREHOUSE_ENTITY
from simulator.engine.rng import Stream, day_rng
from simulator.engine.state import State

COST_CHANGES_PER_YEAR = 3.0
REBATE_SHARE = np.array([0.25, 0.08, 0.25, 0.0])  # by channel


def change_costs(state: State, day: int) -> None:
    if day == 0:
        return  # day 0 is the opening price book
    rng = day_rng(state.seed, day, Stream.PRICING)
    items = state.master.items
    n_ent, n_items = state.cost.shape
    sold = _sold_in_entity(state)
    changes = (
        sold
        & items.is_stock[None, :]
        & (rng.random((n_ent, n_items)) < COST_CHANGES_PER_YEAR / 365)
    )
    e, i = np.nonzero(changes)
    ratio = np.clip(rng.normal(1.02, 0.035, len(e)), 0.9, 1.15)
    state.cost[e, i] = np.round(state.cost[e, i] * ratio, 4)
    follows = rng.random(len(e)) < 0.5
    state.list_price[e[follows], i[follows]] = np.round(
        state.list_price[e[follows], i[follows]] * ratio[follows], 2
    )
    state.floor_price[e[follows], i[follows]] = np.round(
        state.floor_price[e[follows], i[follows]] * ratio[follows], 2
    )
    state.log.add("cost_change", day=np.full(len(e), day), entity=e, item=i, cost=state.cost[e, i])
    state.log.add(
        "price_change",
        day=np.full(follows.sum(), day),
        entity=e[follows],
        item=i[follows],
        list_price=state.list_price[e[follows], i[follows]],
        floor_price=state.floor_price[e[follows], i[follows]],
    )


def sign_rebates(state: State, day: int) -> None:
    today = state.date_of(day)
    if today.day != 1 and day != 0:
        return
    rng = day_rng(state.seed, day, Stream.CONTRACTS)
    cust = state.master.customers
    n = len(cust.customer_id)
    new_year = today.month == 1 or day == 0
    if new_year:
        state.rebate_rate[:] = 0.0
        signs = rng.random(n) < REBATE_SHARE[cust.channel]
    else:
        signs = (state.rebate_rate == 0) & (rng.random(n) < REBATE_SHARE[cust.channel] / 12)
    signs &= ~cust.is_intercompany
    rows = np.flatnonzero(signs)
    rate = np.round(rng.uniform(0.01, 0.04, len(rows)), 3)
    state.rebate_rate[rows] = rate
    state.log.add(
        "rebate",
        day=np.full(len(rows), day),
        seq=np.arange(1, len(rows) + 1),
        customer=rows,
        rate=rate,
        year=np.full(len(rows), today.year),
    )


def _sold_in_entity(state: State) -> np.ndarray:
    """(entity, item) mask of the items each entity sells."""
    pairs = state.master.pairs
    mask = np.zeros(state.cost.shape, bool)
    mask[WAREHOUSE_ENTITY[pairs.warehouse], pairs.item] = True
    return mask
