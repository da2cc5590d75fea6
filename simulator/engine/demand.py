"""Demand: the day's promotions and shocks, and the sales orders customers place.

Orders are drawn per warehouse (Poisson, weekly and yearly seasonality), each from one of the
warehouse's customers, with lines for items drawn by popularity x season x promotion x shock.
The booking desk's reality is here too: amendments, cancellations decided at booking (they
never reach the warehouse), substitutions when the item is out of stock, credit holds.
"""

from __future__ import annotations

import numpy as np

from simulator import config as cfg
from simulator.engine.arrays import draw_in_group, rank_within
from simulator.engine.calendar_fx import category_season, weekday_factor
from simulator.engine.master_data import WAREHOUSE_ENTITY, Pairs
from simulator.engine.rng import Stream, day_rng
from simulator.engine.state import NEVER, SECONDS_PER_DAY, State, week_of

# Extra lines per order beyond the first, by channel (EDI, ECOM, REP, COUNTER).
CASE_PROBABILITY = np.array([0.65, 0.2, 0.45, 0.1])
REQUEST_LEAD = (np.array([3, 2, 2, 0]), np.array([11, 6, 7, 1]))  # [low, high) days by channel
UNCONFIRMED = np.array([0.04, 0.3, 0.06, 0.5])
MANUAL_TOUCH = np.array([0.02, 0.03, 0.35, 0.6])
PROMO_LIFT = 1.7
EDI = cfg.CHANNELS.index("EDI")
SCHEDULED_SHARE = 0.5
# Kinds recorded in the anomalies log; the ids are numbered per day in this order.
ANOMALY_KINDS = ("demand_shock", "supplier_delay", "price_below_floor")
# Demand shocks (a customer's project, a competitor's stockout, a lost account) hit the pairs
# that sell: stocked pairs expecting at least SHOCK_MIN_WEEKLY_LINES order lines a week (and each
# warehouse's busiest stocked pair, so a tiny world has them too), more often the more they sell.
# Each such pair sees SHOCKS_PER_PAIR_YEAR shocks a year on average, one at a time; a shock lasts
# SHOCK_DAYS days (at least two whole Monday-Sunday weeks) and multiplies the pair's demand.
SHOCK_MIN_WEEKLY_LINES = 8.0
SHOCKS_PER_PAIR_YEAR = 0.8
SHOCK_DAYS = (21, 42)  # inclusive
SHOCK_REST_DAYS = 90  # a pair's demand settles this long between two shocks
SHOCK_UP_SHARE = 0.7
SHOCK_UP = (2.0, 4.0)
SHOCK_DOWN = (0.1, 0.4)


def start_events(state: State, day: int) -> None:
    """Promotions, demand shocks and supplier delays that begin today."""
    rng = day_rng(state.seed, day, Stream.EVENTS)
    pairs = state.master.pairs
    n = len(pairs.item)
    idle = (state.promo_until < day) & pairs.is_stock
    starts = idle & (rng.random(n) < 1 / 150)
    state.promo_until[starts] = day + 13
    state.promo_discount[starts] = np.round(rng.uniform(0.04, 0.10, starts.sum()), 2)

    rested = (state.shock_until < 0) | (state.shock_until < day - SHOCK_REST_DAYS)
    quiet = rested & pairs.is_stock
    shock = np.flatnonzero(quiet & (rng.random(n) < shock_start_probability(pairs)))
    up = rng.random(len(shock)) < SHOCK_UP_SHARE
    factor = np.where(up, rng.uniform(*SHOCK_UP, len(shock)), rng.uniform(*SHOCK_DOWN, len(shock)))
    length = rng.integers(SHOCK_DAYS[0], SHOCK_DAYS[1] + 1, len(shock))
    state.shock_until[shock] = day + length - 1
    state.shock_factor[shock] = factor
    state.log.add(
        "anomaly", day=np.full(len(shock), day), kind=np.zeros(len(shock), np.int8),
        entity=WAREHOUSE_ENTITY[pairs.warehouse[shock]], pair=shock,
        supplier=np.full(len(shock), -1), start=np.full(len(shock), day),
        end=day + length - 1, magnitude=np.round(factor, 3), up=up,
    )  # fmt: skip

    n_sup = len(state.delay_until)
    delayed = np.flatnonzero((state.delay_until < day) & (rng.random(n_sup) < 1 / 300))
    length = rng.integers(10, 31, len(delayed))
    extra = rng.integers(5, 21, len(delayed))
    state.delay_until[delayed] = day + length - 1
    state.delay_days[delayed] = extra
    state.log.add(
        "anomaly", day=np.full(len(delayed), day), kind=np.ones(len(delayed), np.int8),
        entity=np.full(len(delayed), -1), pair=np.full(len(delayed), -1), supplier=delayed,
        start=np.full(len(delayed), day), end=day + length - 1,
        magnitude=extra.astype(float), up=np.ones(len(delayed), bool),
    )  # fmt: skip


def shock_start_probability(pairs: Pairs) -> np.ndarray:
    """Per pair, the daily probability that a demand shock starts (0 where none can).

    Eligible pairs share SHOCKS_PER_PAIR_YEAR × their number of shocks a year in proportion to
    their expected lines, so the busiest pairs are shocked most often.
    """
    weekly = pairs.daily_lines * 7
    stocked = np.where(pairs.is_stock, weekly, -1.0)
    busiest = np.zeros(len(weekly), bool)
    order = np.lexsort((-stocked, pairs.warehouse))
    first = np.r_[True, pairs.warehouse[order][1:] != pairs.warehouse[order][:-1]]
    busiest[order[first]] = True
    eligible = pairs.is_stock & ((weekly >= SHOCK_MIN_WEEKLY_LINES) | busiest)
    volume = np.where(eligible, weekly, 0.0)
    per_year = SHOCKS_PER_PAIR_YEAR * eligible.sum() * volume / max(volume.sum(), 1e-12)
    return per_year / 365


def book_orders(state: State, day: int) -> None:
    """Today's sales orders and lines, appended to the stores and the backlog."""
    rng = day_rng(state.seed, day, Stream.ORDERS)
    m = state.master
    pairs, items, cust = m.pairs, m.items, m.customers
    today = state.date_of(day)
    level = weekday_factor(today) * (
        1 + 0.08 * np.cos(2 * np.pi * (today.timetuple().tm_yday - 160) / 365.25)
    )
    n_orders = rng.poisson(m.warehouse_orders_per_day * level)
    order_wh = np.repeat(np.arange(len(n_orders)), n_orders)
    n = len(order_wh)
    if n == 0:
        return
    customer = draw_in_group(rng, cust.warehouse, cust.weight, order_wh)
    channel = cust.channel[customer]
    entity = cust.entity[customer]
    created_s = day * SECONDS_PER_DAY + rng.integers(6 * 3600, 15 * 3600, n)
    order_sort = np.lexsort((created_s, order_wh))  # ids follow warehouse, then booking time
    customer, channel, entity, created_s, order_wh = (
        a[order_sort] for a in (customer, channel, entity, created_s, order_wh)
    )

    # Lines: draw items, drop repeats of an item within an order, number them.
    n_lines = 1 + rng.poisson(np.array(cfg.EXTRA_LINES)[channel])
    line_order = np.repeat(np.arange(n), n_lines)
    weight = _pair_weights(state, day, today)
    pair = draw_in_group(rng, pairs.warehouse, weight, order_wh[line_order])
    _, first = np.unique(line_order * len(pairs.item) + pair, return_index=True)
    first.sort()
    line_order, pair = line_order[first], pair[first]
    line_no = rank_within(line_order) + 1
    k = len(pair)
    item = pairs.item[pair]
    ch = channel[line_order]
    ent = entity[line_order]
    is_ic = cust.is_intercompany[customer[line_order]]

    # Quantity and unit of measure.
    size = np.maximum(1.0, items.line_qty_ea[item] * rng.gamma(3.0, 1 / 3.0, k))
    qty_ea = np.maximum(1, np.round(size)).astype(np.int64)
    case, pack = items.case_size[item], items.pack_size[item]
    u = rng.random(k)
    uom = np.where((u < CASE_PROBABILITY[ch]) & (qty_ea * 2 >= case), 1,
                   np.where((u > 0.8) & (pack > 1), 2, 0)).astype(np.int8)  # fmt: skip
    factor = np.choose(uom, [np.ones_like(case), case, pack])
    qty = np.maximum(1, np.round(qty_ea / factor)).astype(np.int64)

    # Price per UoM and discount: list less the customer's discount and any promotion;
    # intercompany trade at a transfer price just above floor, without discount.
    promo = np.where(state.promo_until[pair] >= day, state.promo_discount[pair], 0.0)
    list_ea = state.list_price[ent, item]
    floor_ea = state.floor_price[ent, item]
    unit_price = np.round(np.where(is_ic, floor_ea * 1.03, list_ea) * factor, 2)
    discount = np.where(is_ic, 0.0, np.round(cust.discount[customer[line_order]] + promo, 3))
    override = ~is_ic & (rng.random(k) < 0.004)
    unit_price = np.where(
        override, np.round(floor_ea * rng.uniform(0.75, 0.97, k) * factor, 2), unit_price
    )
    discount = np.where(override, 0.0, discount)

    # Amendments change the quantity shortly after booking, before the warehouse sees it.
    original = qty.copy()
    amended = rng.random(k) < 0.03
    change = np.maximum(1, np.round(qty * rng.uniform(0.4, 1.6, k))).astype(np.int64)
    change = np.where(change == qty, qty + 1, change)
    qty = np.where(amended, change, qty)
    qty_ea = qty * factor
    amended_s = np.where(amended, created_s[line_order] + rng.integers(600, 7200, k), -1)

    # Substitution: an out-of-stock item swapped for a same-category one that is in stock.
    available = state.on_hand - state.committed
    sub_pair = pairs.substitute[pair]
    substituted = (
        pairs.is_stock[pair] & (available[pair] <= 0) & (sub_pair >= 0)
        & (available[np.maximum(sub_pair, 0)] >= qty_ea) & ~amended & (rng.random(k) < 0.5)
    )  # fmt: skip
    subs = np.flatnonzero(substituted)

    # Order-level decisions: cancellations, credit holds, dates.
    value = np.bincount(line_order, weights=qty * unit_price * (1 - discount), minlength=n)
    hold = ~cust.is_intercompany[customer] & (
        state.receivable[customer] + value > cust.credit_limit[customer]
    )
    hold_released = rng.random(n) < 0.75
    hold_days = rng.integers(1, 5, n)
    cancel_order = ~cust.is_intercompany[customer] & (rng.random(n) < 0.015)
    cancel_after = rng.integers(0, 3, n)
    requested = day + rng.integers(REQUEST_LEAD[0][channel], REQUEST_LEAD[1][channel])
    transit = np.where(cust.is_intercompany[customer], 8, np.where(channel == 3, 0, 3))
    # Half the EDI orders are scheduled: released to the warehouse in time for the requested
    # date rather than at once, so they wait in the backlog meanwhile.
    scheduled = (channel == EDI) & (rng.random(n) < SCHEDULED_SHARE)
    release = np.where(scheduled, np.maximum(day, requested - transit), day).astype(np.int64)
    cancel = np.full(n, NEVER, np.int64)
    release = np.where(
        hold, np.where(hold_released, np.maximum(release, day + hold_days), NEVER), release
    )
    cancel = np.where(hold & ~hold_released, day + hold_days + 1, cancel)
    release = np.where(cancel_order, NEVER, release)
    cancel = np.where(cancel_order, day + cancel_after, cancel)

    short = pairs.is_stock[pair] & ~substituted & (available[pair] < qty_ea)
    any_short = np.bincount(line_order, weights=short, minlength=n) > 0
    # The desk confirms what it can deliver: pick and transit time at least, later when short.
    confirmed = np.maximum(requested, day + transit)
    confirmed = np.where(any_short, confirmed + rng.integers(2, 11, n), confirmed)
    confirmed = np.where(rng.random(n) < UNCONFIRMED[channel], -1, confirmed)
    below_floor = unit_price / factor * (1 - discount) < floor_ea - 1e-9
    touched = np.bincount(line_order, weights=amended | substituted | below_floor, minlength=n) > 0
    manual = touched | hold | (rng.random(n) < MANUAL_TOUCH[channel])
    po_number = np.where(channel == 3, -1, rng.integers(1_000_000, 9_999_999, n))

    order_keys = state.orders.append(
        day=np.full(n, day), seq=np.arange(1, n + 1), customer=customer, warehouse=order_wh,
        created_s=created_s,
        requested_day=requested, confirmed_day=confirmed, credit_hold=hold, manual=manual,
        po_number=po_number,
    )  # fmt: skip

    # Lines of special-order (non-stock) items ship when the supplier's drop shipment is ready.
    line_release = release[line_order]
    special = ~pairs.is_stock[pair]
    line_release = np.where(
        special & (line_release < NEVER), line_release + rng.integers(2, 9, k), line_release
    )
    line_cancel = cancel[line_order]
    single = (rng.random(k) < 0.01) & (line_cancel == NEVER) & ~substituted
    line_release = np.where(single, NEVER, line_release)
    line_cancel = np.where(single, day + rng.integers(0, 3, k), line_cancel)

    keys = state.lines.append(
        order=order_keys[line_order], line_no=line_no, pair=pair, uom=uom, qty=qty,
        qty_ea=qty_ea, original_qty=original, unit_price=unit_price, discount=discount,
        substitute_for=np.full(k, -1), amended_s=amended_s,
    )  # fmt: skip
    state.log.add(
        "cancel", key=keys[subs], ts=created_s[line_order[subs]] + rng.integers(60, 1800, len(subs))
    )
    live = ~substituted
    state.backlog.append(
        key=keys[live], pair=pair[live], remaining=qty_ea[live], release_day=line_release[live],
        cancel_day=line_cancel[live], shipments=np.zeros(live.sum()),
    )  # fmt: skip

    np.add.at(state.week_demand[week_of(state, day)], pair[live], qty_ea[live])
    _log_below_floor(state, day, ent[live], pair[live], unit_price[live] / factor[live],
                     discount[live], floor_ea[live])  # fmt: skip
    if len(subs):
        price_ea = np.round(unit_price[subs] / factor[subs], 2)
        _add_substitutes(state, day, subs, line_order, line_no, pair, qty_ea, price_ea, discount,
                         order_keys, release, cancel, ent)  # fmt: skip


def _log_below_floor(state, day, ent, pair, price_ea, discount, floor_ea) -> None:
    """One price_below_floor anomaly per line whose net price per EA is under the floor."""
    net_ea = price_ea * (1 - discount)
    bad = np.flatnonzero(net_ea < floor_ea - 1e-9)
    state.log.add(
        "anomaly", day=np.full(len(bad), day), kind=np.full(len(bad), 2, np.int8), entity=ent[bad],
        pair=pair[bad], supplier=np.full(len(bad), -1), start=np.full(len(bad), day),
        end=np.full(len(bad), day), magnitude=np.round(1 - net_ea[bad] / floor_ea[bad], 4),
        up=np.zeros(len(bad), bool),
    )  # fmt: skip


def _add_substitutes(state, day, subs, line_order, line_no, pair, qty_ea, price_ea, discount,
                     order_keys, release, cancel, ent) -> None:  # fmt: skip
    """One new EA line per substituted line, numbered after the order's existing lines.

    The customer gets the substitute at the original item's price per EA.
    """
    last_no = np.zeros(len(order_keys), np.int64)
    np.maximum.at(last_no, line_order, line_no)
    orders = line_order[subs]
    new_no = last_no[orders] + rank_within(orders) + 1
    new_pair = state.master.pairs.substitute[pair[subs]]
    item = state.master.pairs.item[new_pair]
    k = len(subs)
    keys = state.lines.append(
        order=order_keys[orders], line_no=new_no, pair=new_pair, uom=np.zeros(k, np.int8),
        qty=qty_ea[subs], qty_ea=qty_ea[subs], original_qty=qty_ea[subs],
        unit_price=price_ea, discount=discount[subs],
        substitute_for=line_no[subs], amended_s=np.full(k, -1),
    )  # fmt: skip
    state.backlog.append(
        key=keys,
        pair=new_pair,
        remaining=qty_ea[subs],
        release_day=release[orders],
        cancel_day=cancel[orders],
        shipments=np.zeros(k),
    )
    np.add.at(state.week_demand[week_of(state, day)], new_pair, qty_ea[subs])
    _log_below_floor(state, day, ent[subs], new_pair, price_ea, discount[subs],
                     state.floor_price[ent[subs], item])  # fmt: skip


def _pair_weights(state: State, day: int, today) -> np.ndarray:
    pairs, items = state.master.pairs, state.master.items
    w = pairs.weight * category_season(today)[items.category[pairs.item]]
    w = w * np.where(state.promo_until >= day, PROMO_LIFT, 1.0)
    return w * np.where(state.shock_until >= day, state.shock_factor, 1.0)
