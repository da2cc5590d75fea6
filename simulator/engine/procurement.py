"""Procurement: a daily reorder-point review per item x warehouse, POs per supplier x warehouse,
and receipts that arrive with each supplier's own lateness.

The expected date is the first promise (PO date + planned lead time) and never moves; when a
supplier knows it will be late it often sends a new promise, which moves `promised_day` on the
day it is announced. Delays active at PO time (supplier_delay anomalies) add to the lateness.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.fulfilment import open_demand
from simulator.engine.rng import Stream, day_rng
from simulator.engine.state import State

SHORT_RECEIPT = 0.03
SPLIT_RECEIPT = 0.04


def reorder(state: State, day: int) -> None:
    """Raise POs for every stocked pair whose inventory position fell to its reorder point."""
    rng = day_rng(state.seed, day, Stream.PROCUREMENT)
    m = state.master
    pairs, items, sup = m.pairs, m.items, m.suppliers
    position = state.on_hand - state.committed + state.on_order - open_demand(state)
    # Each supplier is reviewed on two fixed weekdays, so its lines share POs.
    weekday = state.date_of(day).weekday()
    supplier_of_pair = items.supplier[pairs.item]
    reviewed = ((supplier_of_pair % 5) == weekday) | (((supplier_of_pair + 3) % 5) == weekday)
    need = np.flatnonzero(pairs.is_stock & reviewed & (position <= state.reorder_point))
    if len(need) == 0:
        return
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
    on_time = rng.random(n_po) < sup.on_time[po_sup]
    lateness = np.where(on_time, rng.integers(-2, 1, n_po), 1 + rng.geometric(0.25, n_po))
    lateness = lateness + np.where(state.delay_until[po_sup] >= day, state.delay_days[po_sup], 0)
    expected = day + lead
    arrival = np.maximum(expected + lateness, day + 1)
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


def receive(state: State, day: int) -> None:
    """Today's receipts: stock up, shrink what is on order, close lines (short ones too)."""
    due = state.due("receipt", day)
    if due is None:
        return
    order = np.argsort(due["line"], kind="stable")
    line, qty, closes = due["line"][order], due["qty"][order], due["closes"][order]
    pl_ = state.po_lines
    pair = pl_["pair"][line]
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
