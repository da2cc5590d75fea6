"""Billing and cash: invoices per shipment, credit memos for returns, payments by terms.

Everything a later day needs (a payment, a return) is decided when the invoice is made, from
that day's generator, and parked in `state.scheduled` until its day comes.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.arrays import rank_within
from simulator.engine.state import State

# Share of invoice lines that come back, by channel (EDI, ECOM, REP, COUNTER).
RETURN_RATE = np.array([0.01, 0.045, 0.02, 0.015])

COLLECTIONS_DAYS = 120


def invoice(
    state: State, day: int, shipped: dict[str, np.ndarray], rng: np.random.Generator
) -> None:
    """One INV per shipment, its lines priced from the order line, payment and returns scheduled."""
    n_ship = int(shipped["first"].sum())
    if n_ship == 0:
        return
    lines, cust = state.lines, state.master.customers
    key, qty, shipment = shipped["key"], shipped["qty"], shipped["shipment"]
    customer = shipped["customer"]
    uom_factor = lines["qty_ea"][key] / lines["qty"][key]
    unit_price_ea = lines["unit_price"][key] / uom_factor
    gross = np.round(qty * unit_price_ea, 2)
    discount = np.round(gross * lines["discount"][key], 2)
    net = np.round(gross - discount, 2)
    cogs = np.round(qty * np.nan_to_num(shipped["unit_cost"]), 2)
    line_customer = customer[shipment]
    rebate = np.round(net * state.rebate_rate[line_customer], 2)
    freight = _allocate_by(shipped["freight"], shipment, net)

    inv_day = day + (rng.random(n_ship) < 0.3)
    terms = cust.terms_days[customer]
    state.log.add(
        "invoice", ship_day=np.full(n_ship, day), seq=np.arange(1, n_ship + 1),
        inv_day=inv_day, due_day=inv_day + terms, customer=customer, order=shipped["order"][shipped["first"]],
    )  # fmt: skip
    state.log.add(
        "invoice_line", ship_day=np.full(len(key), day), seq=shipment + 1,
        line_no=shipped["line_no"], key=key, qty=qty, unit_price_ea=unit_price_ea, gross=gross,
        discount=discount, net=net, cogs=cogs, rebate=rebate, freight=freight,
    )  # fmt: skip

    total = np.bincount(shipment, weights=net, minlength=n_ship)
    state.receivable += np.bincount(customer, weights=total, minlength=len(state.receivable))
    late = cust.late_days[customer]
    # A late payer's slip is exponential, but collections step in: no invoice stays unpaid
    # more than COLLECTIONS_DAYS past its due date.
    slip = np.where(
        late > 0,
        np.minimum(rng.exponential(np.maximum(late, 1e-9)), COLLECTIONS_DAYS),
        rng.normal(-2.0, 3.0, n_ship),
    )
    pay_day = np.where(terms == 0, inv_day, inv_day + np.maximum(0, np.round(terms + slip)))
    state.schedule(
        "payment", pay_day.astype(np.int64), ship_day=np.full(n_ship, day),
        seq=np.arange(1, n_ship + 1), customer=customer, amount=np.round(total, 2),
        is_credit=np.zeros(n_ship, bool),
    )  # fmt: skip

    stock = state.master.pairs.is_stock[shipped["pair"]]
    channel = cust.channel[line_customer]
    back = (
        stock & ~cust.is_intercompany[line_customer] & (rng.random(len(key)) < RETURN_RATE[channel])
    )
    r = np.flatnonzero(back)
    returned = np.where(rng.random(len(r)) < 0.7, qty[r], rng.integers(1, qty[r] + 1))
    share = returned / qty[r]
    state.schedule(
        "return", (inv_day[shipment[r]] + rng.integers(5, 41, len(r))).astype(np.int64),
        ship_day=np.full(len(r), day), seq=shipment[r] + 1, key=key[r], pair=shipped["pair"][r],
        customer=line_customer[r], qty=returned, unit_price_ea=unit_price_ea[r],
        gross=np.round(gross[r] * share, 2), discount=np.round(discount[r] * share, 2),
        cogs=np.round(cogs[r] * share, 2), rebate=np.round(rebate[r] * share, 2),
        freight=np.round(freight[r] * share, 2),
    )  # fmt: skip


def credit_returns(state: State, day: int) -> None:
    """Returns arriving today: restock, one CM per original invoice, the credit applied."""
    due = state.due("return", day)
    if due is None:
        return
    original = due["ship_day"] * 10_000_000 + due["seq"]
    sort = np.argsort(original, kind="stable")
    due = {k: v[sort] for k, v in due.items()}
    original = original[sort]
    first = np.r_[True, original[1:] != original[:-1]]
    cm = np.cumsum(first) - 1
    n_cm = int(first.sum())
    np.add.at(state.on_hand, due["pair"], due["qty"])
    net = due["gross"] - due["discount"]
    state.log.add(
        "credit_memo", day=np.full(n_cm, day), seq=np.arange(1, n_cm + 1),
        orig_ship_day=due["ship_day"][first], orig_seq=due["seq"][first],
        customer=due["customer"][first],
    )  # fmt: skip
    state.log.add(
        "credit_memo_line", day=np.full(len(cm), day), seq=cm + 1, line_no=rank_within(cm) + 1,
        key=due["key"], qty=-due["qty"], unit_price_ea=due["unit_price_ea"], gross=-due["gross"],
        discount=-due["discount"], net=-np.round(net, 2), cogs=-due["cogs"], rebate=-due["rebate"],
        freight=-due["freight"], pair=due["pair"],
    )  # fmt: skip
    # The credit is applied to the customer's account the same day (a negative payment).
    total = np.bincount(cm, weights=-np.round(net, 2), minlength=n_cm)
    state.schedule(
        "payment", np.full(n_cm, day, np.int64), ship_day=np.full(n_cm, -1 - day),
        seq=np.arange(1, n_cm + 1), customer=due["customer"][first], amount=np.round(total, 2),
        is_credit=np.ones(n_cm, bool),
    )  # fmt: skip


def collect_payments(state: State, day: int) -> None:
    """Payments (and applied credits) dated today."""
    due = state.due("payment", day)
    if due is None:
        return
    n = len(due["amount"])
    order = np.lexsort((due["seq"], due["ship_day"]))
    due = {k: v[order] for k, v in due.items()}
    paid = ~due["is_credit"]
    state.receivable -= np.bincount(due["customer"][paid], weights=due["amount"][paid],
                                    minlength=len(state.receivable))  # fmt: skip
    state.log.add(
        "payment", day=np.full(n, day), seq=np.arange(1, n + 1), ship_day=due["ship_day"],
        inv_seq=due["seq"], customer=due["customer"], amount=due["amount"],
    )  # fmt: skip


def _allocate_by(cost: np.ndarray, group: np.ndarray, driver: np.ndarray) -> np.ndarray:
    """Split each group's cost over its rows by driver, in cents, the rounding rest on row one."""
    total = np.bincount(group, weights=driver, minlength=len(cost))
    count = np.bincount(group, minlength=len(cost))
    share = np.where(total[group] > 0, driver / np.where(total[group] > 0, total[group], 1),
                     1.0 / count[group])  # fmt: skip
    alloc = np.round(cost[group] * share, 2)
    rest = cost - np.bincount(group, weights=alloc, minlength=len(cost))
    first = np.r_[True, group[1:] != group[:-1]]
    alloc[first] += rest[group[first]]
    return np.round(alloc, 2)
