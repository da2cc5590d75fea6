"""Weekly forecasts per item x warehouse, made every Monday for the week `lag` weeks ahead.

Every Monday of the horizon makes its forecast, also when the target week lies beyond the
horizon (the planning tool published it that day: the planning export carries it, so a longer
world's export equals a shorter one's on their common days); the World's `forecasts` frame keeps
only target weeks inside the horizon (assemble.py).

The planner sees only history up to the day of the forecast: a trailing average of the last
eight full weeks blended with the planning rate while history is short, a seasonal adjustment,
and noise. It knows nothing of promotions or shocks to come, which is where error comes from.
"""

from __future__ import annotations

import numpy as np

from simulator import config as cfg
from simulator.engine.calendar_fx import category_season
from simulator.engine.rng import Stream, day_rng
from simulator.engine.state import State, week_of

HISTORY_WEEKS = 8
PRIOR_WEEKS = 4


def forecast(state: State, day: int) -> None:
    today = state.date_of(day)
    if today.weekday() != 0:
        return
    target = day + 7 * cfg.FORECAST_LAG_WEEKS
    rng = day_rng(state.seed, day, Stream.FORECAST)
    pairs, items = state.master.pairs, state.master.items
    stocked = np.flatnonzero(pairs.is_stock)
    week = week_of(state, day)
    # Week 0 is partial unless the horizon starts on a Monday.
    first_full = 0 if state.start.weekday() == 0 else 1
    lo = max(first_full, week - HISTORY_WEEKS)
    n_hist = max(0, week - lo)
    observed = state.week_demand[lo:week, stocked].sum(axis=0) if n_hist else 0.0
    prior = pairs.daily_demand_ea[stocked] * 7
    base = (observed + PRIOR_WEEKS * prior) / (n_hist + PRIOR_WEEKS)
    season = category_season(state.date_of(target + 3)) / category_season(state.date_of(day - 28))
    qty = base * season[items.category[pairs.item[stocked]]] * rng.lognormal(0, 0.12, len(stocked))
    state.log.add(
        "forecast",
        pair=stocked,
        week_day=np.full(len(stocked), target),
        made_day=np.full(len(stocked), day),
        qty=np.round(qty, 1),
    )
