"""Procurement: a daily reorder-point review per item x warehouse, POs per supplier x warehouse,
and receipts that arrive with each supplier's own lateness.

The expected date is the first promise (PO date + planned lead time) and never moves; when a
supplier knows it will be late it often sends a new promise, which moves `promised_day` on the
day it is announced. Delays active at PO time (supplier_delay anomalies) add to the lateness.

Whether a PO is late is decided when it is placed, from what makes suppliers late in practice
(`late_probability`): the supplier's own reliability, how loaded it is (its open PO lines
against the lines its usual business keeps open), the lead time (long ocean lead times go wrong
more often), goods due in the Q4 rush, and overseas goods made across the Lunar New Year
factory closure.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from simulator.engine.fulfilment import open_demand
from simulator.engine.rng import Stream, day_rng
from simulator.engine.state import State

SHORT_RECEIPT = 0.03
SPLIT_RECEIPT = 0.04

# Lateness drivers, as odds multipliers on the supplier's own late odds (1 - on_time) / on_time.
LOAD_ELASTICITY = 4.0  # × (open lines / usual open lines) ** this: a busy supplier slips
LEAD_ODDS_PER_30_DAYS = 2.5  # × this ** ((lead − 10) / 30): long (ocean) lead times slip more
PEAK_ODDS = 1.5  # goods due in the Q4 rush (October to December)
LUNAR_NEW_YEAR_ODDS = 4.0  # overseas goods in the making across the factory closure
# Factories close from a week before the Lunar New Year to two weeks after it.
LUNAR_NEW_YEAR_CLOSURE = (-7, 14)
LUNAR_NEW_YEAR = {
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
    2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
    2030: date(2030, 2, 3), 2031: date(2031, 1, 23), 2032: date(2032, 2, 11),
}  # fmt: skip
# Days late when late: 1 + geometric(p); overseas shipments slip further.
LATE_DAYS_P = (0.25, 0.12)  # (domestic, overseas)


def reorder(state: State, day: int) -> None:
    """Raise POs for every stocked pair whose inventory position fell to its reorder point."""
    rng = day_rng(state.seed, day, Stream.PROCUREMENT)
    pairs, items = state.master.pairs, state.master.items
    position = state.on_hand - state.committed + state.on_order - open_demand(state)
    # Each supplier is reviewed on two fixed weekdays, so its lines share POs.
    weekday = state.date_of(day).weekday()
    supplier_of_pair = items.supplier[pairs.item]
    reviewed = ((supplier_of_pair % 5) == weekday) | (((supplier_of_pair + 3) % 5) == weekday)
    need = np.flatnonzero(pairs.is_stock & reviewed & (position <= state.reorder_point))
    if len(need):
        _place_orders(state, day, rng, need, position)
    _count_load(state, day)


def _count_load(state: State, day: int) -> None:
    """Add today's open lines (today's POs included) to each supplier's history of its load, from
    its first receipt on (when its pipeline of our orders has filled)."""
    counted = state.supplier_first_receipt >= 0
    state.supplier_open_sum += np.where(counted, state.supplier_open_lines, 0)
    state.supplier_open_days += counted


def _place_orders(state: State, day: int, rng, need: np.ndarray, position: np.ndarray) -> None:
    m = state.master
    pairs, items, sup = m.pairs, m.items, m.suppliers
    item = pairs.item[need]
    case = items.case_size[item]
    qty = np.ceil((state.order_up_to[need] - position[need]) / case).astype(np.int64)
    qty = np.maximum(qty, 1)
    qty_ea = qty * case
    supplier = items.supplier[item]
    wh = pairs.warehouse[need]
    sort = np.lexsort((need, wh, supplier))
    need, item, case, qty, qty_ea, supplier, wh = (
        a[sort] for a in (need, item, case, qty, qty_ea, supplier, wh)
    )
    first = np.r_[True, (supplier[1:] != supplier[:-1]) | (wh[1:] != wh[:-1])]
    po = np.cumsum(first) - 1
    n_po = int(first.sum())
    po_sup = supplier[first]
    edi = sup.is_edi[po_sup]
    sent = day + np.where(edi, 0, rng.integers(0, 2, n_po))
    never_ack = rng.random(n_po) < np.where(edi, 0.03, 0.10)
    ack = np.where(
        never_ack, -1, sent + np.where(edi, rng.integers(0, 2, n_po), rng.integers(1, 6, n_po))
    )
    lead = sup.lead_days[po_sup]
    expected = day + lead
    # Today's lines count towards the supplier's load.
    new_lines = np.bincount(supplier, minlength=len(sup.lead_days))
    state.supplier_open_lines += new_lines
    p_late = late_probability(state, day, po_sup, expected)
    late = rng.random(n_po) < p_late
    overseas = sup.is_overseas[po_sup]
    late_days = 1 + rng.geometric(np.where(overseas, LATE_DAYS_P[1], LATE_DAYS_P[0]))
    lateness = np.where(late, late_days, rng.integers(-2, 1, n_po))
    lateness = lateness + np.where(state.delay_until[po_sup] >= day, state.delay_days[po_sup], 0)
    arrival = np.maximum(expected + lateness, day + 1)
    # An on-time supplier does not deliver on a Sunday, when the warehouse is closed: it comes
    # the day before.
    sunday = (state.start.weekday() + arrival) % 7 == 6
    arrival = np.where(sunday & (lateness <= 0) & (arrival - 1 > day), arrival - 1, arrival)
    announces = (arrival > expected + 1) & (ack >= 0) & (rng.random(n_po) < 0.6)
    moved_on = np.maximum(np.maximum(ack, day + 1), arrival - rng.integers(1, 6, n_po))
    promised = np.where(announces, arrival, expected)
    moved_on = np.where(announces, moved_on, -1)

    po_keys = state.pos.append(
        day=np.full(n_po, day), seq=np.arange(1, n_po + 1), supplier=po_sup, warehouse=wh[first],
        sent_day=sent, ack_day=ack,
    )  # fmt: skip
    entity = state.pair_entity[need]
    unit_cost = np.round(state.cost[entity, item] * case, 4)
    k = len(need)
    line_no = np.arange(k) - np.flatnonzero(first)[po] + 1
    line_keys = state.po_lines.append(
        po=po_keys[po], line_no=line_no, pair=need, qty=qty, qty_ea=qty_ea, unit_cost=unit_cost,
        expected_day=expected[po], promised_day=promised[po], promise_moved_day=moved_on[po],
        received=np.zeros(k),
    )  # fmt: skip
    np.add.at(state.on_order, need, qty_ea)

    # Most lines arrive whole; some short (the rest never comes), some in two parts.
    u = rng.random(k)
    short = u < SHORT_RECEIPT
    split = (u >= SHORT_RECEIPT) & (u < SHORT_RECEIPT + SPLIT_RECEIPT) & (qty_ea > 1)
    part = np.where(short, np.floor(qty_ea * rng.uniform(0.8, 0.98, k)),
                    np.where(split, np.floor(qty_ea * rng.uniform(0.3, 0.8, k)), qty_ea))  # fmt: skip
    part = np.maximum(part, 1).astype(np.int64)
    day_one = arrival[po]
    state.schedule("receipt", day_one.astype(np.int64), line=line_keys, qty=part, closes=~split)
    later = np.flatnonzero(split)
    state.schedule(
        "receipt",
        (day_one[later] + rng.integers(2, 8, len(later))).astype(np.int64),
        line=line_keys[later],
        qty=qty_ea[later] - part[later],
        closes=np.ones(len(later), bool),
    )


def late_probability(
    state: State, day: int, supplier: np.ndarray, expected: np.ndarray
) -> np.ndarray:
    """Per PO placed today, the probability that it arrives after its expected date."""
    sup = state.master.suppliers
    reliability = sup.on_time[supplier]
    odds = (1 - reliability) / reliability
    load = state.supplier_open_lines[supplier] / usual_open_lines(state, supplier)
    odds = odds * np.clip(load, 0.25, 4.0) ** LOAD_ELASTICITY
    odds = odds * LEAD_ODDS_PER_30_DAYS ** ((sup.lead_days[supplier] - 10) / 30)
    due = [state.date_of(int(d)) for d in expected]
    odds = odds * np.where([d.month >= 10 for d in due], PEAK_ODDS, 1.0)
    closed = np.array([_spans_lunar_new_year(state.date_of(day), d) for d in due], bool)
    odds = odds * np.where(sup.is_overseas[supplier] & closed, LUNAR_NEW_YEAR_ODDS, 1.0)
    return odds / (1 + odds)


def usual_open_lines(state: State, supplier: np.ndarray) -> np.ndarray:
    """A supplier's usual number of our open lines: its mean over its counted days so far (the
    capacity it has been keeping for us), its planned number before it has any."""
    days = state.supplier_open_days[supplier]
    mean = state.supplier_open_sum[supplier] / np.maximum(days, 1)
    return np.where(days > 0, np.maximum(mean, 1.0), state.supplier_usual_lines[supplier])


def _spans_lunar_new_year(ordered: date, due: date) -> bool:
    """Whether the factory closure around a Lunar New Year falls between order and due date."""
    for year in {ordered.year, due.year}:
        new_year = LUNAR_NEW_YEAR.get(year, date(year, 2, 5))
        closes = new_year + timedelta(days=LUNAR_NEW_YEAR_CLOSURE[0])
        opens = new_year + timedelta(days=LUNAR_NEW_YEAR_CLOSURE[1])
        if ordered <= opens and due >= closes:
            return True
    return False


def receive(state: State, day: int) -> None:
    """Today's receipts: stock up, shrink what is on order, close lines (short ones too)."""
    due = state.due("receipt", day)
    if due is None:
        return
    order = np.argsort(due["line"], kind="stable")
    line, qty, closes = due["line"][order], due["qty"][order], due["closes"][order]
    pl_ = state.po_lines
    pair = pl_["pair"][line]
    first = np.unique(line[pl_["received"][line] == 0])
    supplier = state.pos["supplier"][pl_["po"][first]]
    np.subtract.at(state.supplier_open_lines, supplier, 1)
    state.supplier_first_receipt[supplier[state.supplier_first_receipt[supplier] < 0]] = day
    np.add.at(pl_["received"], line, qty)
    np.add.at(state.on_hand, pair, qty)
    # A closing receipt also releases whatever was ordered and will never come.
    open_rest = np.where(closes, pl_["qty_ea"][line] - pl_["received"][line], 0)
    np.subtract.at(state.on_order, pair, qty + np.maximum(open_rest, 0))
    state.log.add(
        "receipt",
        day=np.full(len(line), day),
        seq=np.arange(1, len(line) + 1),
        line=line,
        qty=qty,
        closes=closes,
    )
