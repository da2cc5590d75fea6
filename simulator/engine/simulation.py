"""The daily loop: one pass per day, each step vectorised over all items, lines or orders."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from simulator import config as cfg
from simulator.engine import (
    demand,
    finance,
    forecasting,
    fulfilment,
    inventory,
    pricing,
    procurement,
)
from simulator.engine.master_data import build_master
from simulator.engine.rng import Stream, day_rng
from simulator.engine.state import State, initial_state
from simulator.engine.store import Log


def simulate(scale: str, seed: int, days: int, start: date, spill_dir: Path | None = None) -> State:
    """Run the business for `days` days; the returned state holds the event logs.

    With `spill_dir`, each month's events go to files there at the month's end (Log.spill): the
    loop then carries only the state that lasts (stock, backlog, open supply, scheduled events,
    prices, the order and PO stores), and assemble() reads the events back kind by kind.
    """
    master = build_master(seed, cfg.scale_config(scale))
    state = initial_state(seed, start, days, master)
    state.log = Log(spill_dir)
    for day in range(days):
        run_day(state, day)
        if (state.date_of(day) + timedelta(days=1)).day == 1:
            state.log.spill()
    return state


def run_day(state: State, day: int) -> None:
    """One day, in the order a distributor lives it; the order of steps is part of the model."""
    pricing.sign_rebates(state, day)
    pricing.change_costs(state, day)
    demand.start_events(state, day)
    # Warehouses close on Sundays: nothing is received, restocked, picked or shipped.
    if state.date_of(day).weekday() == 6:
        state.postpone("receipt", day)
        state.postpone("return", day)
        fulfilment.cancel_due(state, day)
        demand.book_orders(state, day)
    else:
        _warehouse_day(state, day)
    # Cash comes last: today's counter sales and credit memos are settled today.
    finance.collect_payments(state, day)
    procurement.reorder(state, day)
    inventory.cycle_count(state, day)
    inventory.snapshot(state, day)
    forecasting.forecast(state, day)


def _warehouse_day(state: State, day: int) -> None:
    """Receive, restock returns, ship yesterday's picks, book, allocate, ship and bill."""
    procurement.receive(state, day)
    finance.credit_returns(state, day)
    picked_yesterday = fulfilment.ship_staged(state)
    fulfilment.cancel_due(state, day)
    demand.book_orders(state, day)
    picked_today = fulfilment.allocate(state, day, picked_yesterday["key"])
    batch = {
        k: np.concatenate([picked_yesterday[k].astype(np.int64), picked_today[k].astype(np.int64)])
        for k in picked_today
    }
    shipped = fulfilment.ship(state, day, batch)
    finance.invoice(state, day, shipped, day_rng(state.seed, day, Stream.FINANCE))
