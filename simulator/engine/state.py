"""The simulation's mutable state: stock per item x warehouse, open demand, open supply, AR.

Arrays indexed by pair (item x warehouse), customer row, supplier or (entity, item). Future
events decided on day d (a receipt arriving on d+9, a payment on d+40) wait in `scheduled`
buckets keyed by their day; the loop only ever reaches them when that day comes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

import numpy as np

from simulator import config as cfg
from simulator.engine.master_data import ENTITY_CURRENCY, WAREHOUSE_ENTITY, Master
from simulator.engine.rng import master_rng
from simulator.engine.store import Log, Store

NEVER = np.iinfo(np.int32).max
SECONDS_PER_DAY = 86_400
UOM_CODES = ("EA", "CS", "PK")
BOOK_RATE = np.array([cfg.FX_START[c] for c in ENTITY_CURRENCY])  # USD per entity-currency unit


@dataclass
class Backlog:
    """Order lines not yet fully allocated (including held and not-yet-released ones)."""

    key: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    pair: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    remaining: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    release_day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    cancel_day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    shipments: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def append(self, **cols: np.ndarray) -> None:
        for name, values in cols.items():
            setattr(self, name, np.concatenate([getattr(self, name), values.astype(np.int64)]))

    def keep(self, mask: np.ndarray) -> None:
        for name in ("key", "pair", "remaining", "release_day", "cancel_day", "shipments"):
            setattr(self, name, getattr(self, name)[mask])


@dataclass
class State:
    seed: int
    start: date
    days: int
    master: Master
    on_hand: np.ndarray
    committed: np.ndarray  # allocated, picked tomorrow: still on hand, no longer available
    on_order: np.ndarray
    reorder_point: np.ndarray
    order_up_to: np.ndarray
    cost: np.ndarray  # (entity, item) per EA in entity currency; NaN for non-stock
    list_price: np.ndarray  # (entity, item)
    floor_price: np.ndarray
    opening_prices: tuple[np.ndarray, np.ndarray, np.ndarray]  # cost, list, floor on day 0
    promo_until: np.ndarray
    promo_discount: np.ndarray
    shock_until: np.ndarray
    shock_factor: np.ndarray
    delay_until: np.ndarray  # per supplier
    delay_days: np.ndarray
    supplier_open_lines: np.ndarray  # per supplier: PO lines ordered, nothing received yet
    supplier_usual_lines: np.ndarray  # per supplier: planned open lines, until it has a history
    supplier_first_receipt: np.ndarray  # per supplier: day of its first receipt (-1: none yet)
    supplier_open_sum: np.ndarray  # per supplier: Σ open lines over its counted days so far
    supplier_open_days: np.ndarray  # per supplier: how many days that sum counts
    receivable: np.ndarray  # open AR per customer row, entity currency
    rebate_rate: np.ndarray  # per customer row, the agreement in force (0 = none)
    week_demand: np.ndarray  # (week, pair) EA ordered
    orders: Store
    lines: Store
    pos: Store
    po_lines: Store
    backlog: Backlog = field(default_factory=Backlog)
    staged: dict[str, np.ndarray] = field(default_factory=dict)
    scheduled: dict[str, dict[int, list[dict[str, np.ndarray]]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    log: Log = field(default_factory=Log)

    @property
    def pair_entity(self) -> np.ndarray:
        return WAREHOUSE_ENTITY[self.master.pairs.warehouse]

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def schedule(self, kind: str, days: np.ndarray, **cols: np.ndarray) -> None:
        """Park rows until their day: each row goes to the bucket of its own day."""
        if not len(days):
            return
        order = np.argsort(days, kind="stable")
        days = days[order]
        cols = {k: v[order] for k, v in cols.items()}
        bounds = np.r_[0, np.flatnonzero(np.diff(days)) + 1, len(days)]
        for lo, hi in pairwise(bounds):
            self.scheduled[kind][int(days[lo])].append({k: v[lo:hi] for k, v in cols.items()})

    def postpone(self, kind: str, day: int) -> None:
        """Move the rows parked for this day to the next day."""
        parts = self.scheduled[kind].pop(day, None)
        if parts:
            self.scheduled[kind][day + 1].extend(parts)

    def due(self, kind: str, day: int) -> dict[str, np.ndarray] | None:
        """The rows parked for this day, concatenated, or None."""
        parts = self.scheduled[kind].pop(day, None)
        if not parts:
            return None
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def initial_state(seed: int, start: date, days: int, master: Master) -> State:
    """Opening stock, planning parameters and prices: all from master data, not from a day."""
    rng = master_rng(seed, part=1)
    items, pairs, suppliers = master.items, master.pairs, master.suppliers
    n_pairs, n_items = len(pairs.item), len(items.item_id)
    lead = suppliers.lead_days[items.supplier[pairs.item]]
    rate = pairs.daily_demand_ea
    abc = items.abc[pairs.item]
    safety_days = np.maximum(5.0, 0.6 * lead) * np.select([abc == "A", abc == "B"], [1.3, 1.0], 0.8)
    cycle_days = np.select([abc == "A", abc == "B"], [21.0, 35.0], 60.0)
    # Reviews come twice a week, so the reorder point also covers the days until the next one.
    rop = np.where(pairs.is_stock, np.ceil(rate * (lead + safety_days + 3.5)), 0).astype(np.int64)
    up_to = np.where(pairs.is_stock, rop + np.ceil(rate * cycle_days) + 1, 0).astype(np.int64)
    on_hand = (rop + rng.uniform(0.2, 1.0, n_pairs) * (up_to - rop)).astype(np.int64)
    on_hand = np.where(pairs.is_stock, on_hand, 0)

    n_ent = len(cfg.ENTITIES)
    landed = rng.uniform(0.97, 1.06, size=(n_ent, n_items))
    cost = np.round(items.cost_usd[None, :] / BOOK_RATE[:, None] * landed, 4)
    list_price = np.round(items.list_usd[None, :] / BOOK_RATE[:, None] * landed, 2)
    floor_price = np.round(items.floor_usd[None, :] / BOOK_RATE[:, None] * landed, 2)
    n_cust = len(master.customers.customer_id)
    n_sup = len(suppliers.lead_days)
    n_weeks = (days + start.weekday()) // 7 + 4
    return State(
        seed=seed, start=start, days=days, master=master,
        on_hand=on_hand, committed=np.zeros(n_pairs, np.int64), on_order=np.zeros(n_pairs, np.int64),
        reorder_point=rop, order_up_to=up_to,
        cost=cost, list_price=list_price, floor_price=floor_price,
        opening_prices=(cost.copy(), list_price.copy(), floor_price.copy()),
        promo_until=np.full(n_pairs, -1, np.int64), promo_discount=np.zeros(n_pairs),
        shock_until=np.full(n_pairs, -1, np.int64), shock_factor=np.ones(n_pairs),
        delay_until=np.full(n_sup, -1, np.int64), delay_days=np.zeros(n_sup, np.int64),
        supplier_open_lines=np.zeros(n_sup, np.int64),
        supplier_usual_lines=_usual_open_lines(master, lead, rate, up_to - rop),
        supplier_first_receipt=np.full(n_sup, -1, np.int64), supplier_open_sum=np.zeros(n_sup),
        supplier_open_days=np.zeros(n_sup, np.int64),
        receivable=np.zeros(n_cust), rebate_rate=np.zeros(n_cust),
        week_demand=np.zeros((n_weeks, n_pairs), np.float32),
        orders=Store(
            day=np.int32, seq=np.int32, customer=np.int32, warehouse=np.int32, created_s=np.int64,
            requested_day=np.int32, confirmed_day=np.int32, credit_hold=np.bool_,
            manual=np.bool_, po_number=np.int64,
        ),
        lines=Store(
            order=np.int64, line_no=np.int32, pair=np.int32, uom=np.int8, qty=np.int64,
            qty_ea=np.int64, original_qty=np.int64, unit_price=np.float64, discount=np.float64,
            substitute_for=np.int32, amended_s=np.int64,
        ),
        pos=Store(day=np.int32, seq=np.int32, supplier=np.int32, warehouse=np.int32,
                  sent_day=np.int32, ack_day=np.int32),
        po_lines=Store(
            po=np.int64, line_no=np.int32, pair=np.int32, qty=np.int64, qty_ea=np.int64,
            unit_cost=np.float64, expected_day=np.int32, promised_day=np.int32,
            promise_moved_day=np.int32, received=np.int64,
        ),
    )  # fmt: skip


def _usual_open_lines(master: Master, lead, rate, cycle_qty) -> np.ndarray:
    """Per supplier, the PO lines its planned business keeps open: each stocked pair orders its
    cycle quantity in whole cases about every order quantity / rate days (at most twice a week),
    and a line stays open `lead` days."""
    pairs, items = master.pairs, master.items
    case = items.case_size[pairs.item]
    order_qty = np.ceil((cycle_qty + 1.75 * rate) / case) * case
    interval = np.maximum(3.5, order_qty / np.maximum(rate, 1e-9))
    per_pair = np.where(pairs.is_stock & (rate > 0), lead / interval, 0.0)
    n_sup = len(master.suppliers.lead_days)
    usual = np.bincount(items.supplier[pairs.item], weights=per_pair, minlength=n_sup)
    return np.maximum(usual, 1.0)


def week_of(state: State, day: int) -> int:
    """Monday-aligned week index; week 0 holds the horizon's first (possibly partial) week."""
    return (day + state.start.weekday()) // 7
