"""Turn the simulation's stores and event logs into the WORLD.md frames.

Ids are made here, from (day, sequence of the day), so they are stable when the horizon
grows. Facts that keep changing after they happen (a line's status, an order's updated_at, a
promise moved later) are derived from the events that happened inside the horizon.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from simulator import config as cfg
from simulator.engine.calendar_fx import fx_rates, period_postings
from simulator.engine.demand import ANOMALY_KINDS
from simulator.engine.fulfilment import ALL_CARRIERS
from simulator.engine.master_data import (
    ENTITY_CODES,
    ENTITY_CURRENCY,
    WAREHOUSE_CODES,
    WAREHOUSE_ENTITY,
)
from simulator.engine.schema import conform
from simulator.engine.state import NEVER, SECONDS_PER_DAY, UOM_CODES, State

I64, I32, F64, B = np.int64, np.int32, np.float64, np.bool_
# Statuses are computed as small codes and turned into text once, column-wise.
STATUS_NAMES = pl.Series(["open", "shipped", "cancelled", "closed", "received"])
OPEN, SHIPPED, CANCELLED, CLOSED, RECEIVED = range(5)


def assemble(state: State) -> dict[str, pl.DataFrame]:
    a = _Assembler(state)
    frames = dict(state.master.frames)
    frames["fx_rates"] = fx_rates(state.seed, state.start, state.days)
    frames["period_postings"] = period_postings(state.seed, state.start, state.days)
    frames.update(a.prices())
    frames["rebate_agreements"] = a.rebates()
    frames.update(a.sales())
    frames.update(a.shipping())
    frames.update(a.billing())
    frames.update(a.purchasing())
    frames.update(a.stock())
    frames["anomalies"] = a.anomalies()
    # Not a World frame: every forecast made inside the horizon, for the planning export.
    planned = conform("forecasts", frames.pop("planned_forecasts"))
    return {name: conform(name, frame) for name, frame in frames.items()} | {
        "planned_forecasts": planned
    }


class _Assembler:
    def __init__(self, state: State) -> None:
        self.s = state
        self.epoch = (state.start - date(1970, 1, 1)).days
        self.last = state.days - 1
        m = state.master
        self.item_codes = pl.Series(m.items.item_id.astype(str))
        self.wh_codes = pl.Series(WAREHOUSE_CODES)
        self.entity_codes = pl.Series(ENTITY_CODES)
        self.currency = pl.Series(ENTITY_CURRENCY)
        self.customer_ids = pl.Series(m.customers.customer_id.astype(str))
        self.supplier_ids = pl.Series(m.suppliers.supplier_id.astype(str))
        lines = state.lines
        self.line_order = lines["order"].copy()
        self.line_no = lines["line_no"].astype(I64)
        self.line_pair = lines["pair"].astype(I64)
        self.order_day = state.orders["day"].astype(I64)
        self.order_seq = state.orders["seq"].astype(I64)
        self.order_customer = state.orders["customer"].astype(I64)
        first = pl.date(state.start.year, state.start.month, state.start.day)
        self.day_text = pl.select(
            pl.date_range(
                first, first + pl.duration(days=state.days + 400), eager=True
            ).dt.strftime("%y%m%d")
        ).to_series()
        self.order_id_by_key = self.ids("SO", self.order_day, self.order_seq)

    # -- helpers -------------------------------------------------------------------------
    def date(self, days) -> pl.Series:
        """Day numbers to dates; negative or NEVER become null."""
        d = np.asarray(days, dtype=I64)
        valid = (d >= 0) & (d < NEVER)
        return (
            pl.Series(np.where(valid, d + self.epoch, 0), dtype=pl.Int32)
            .cast(pl.Date)
            .scatter(np.flatnonzero(~valid), None)
        )

    def ts(self, seconds) -> pl.Series:
        s = np.asarray(seconds, dtype=I64)
        out = pl.Series((s + self.epoch * SECONDS_PER_DAY) * 1_000_000).cast(pl.Datetime("us"))
        return out.scatter(np.flatnonzero(s < 0), None)

    def ids(self, prefix: str, days, seqs, width: int = 6) -> pl.Series:
        day_txt = self.day_text.gather(np.asarray(days, dtype=I64))
        seq_txt = pl.Series(np.asarray(seqs, dtype=I64)).cast(pl.Utf8).str.zfill(width)
        return (
            pl.DataFrame({"d": day_txt, "s": seq_txt})
            .select(pl.concat_str(pl.lit(prefix), pl.col("d"), pl.col("s"), separator="-"))
            .to_series()
        )

    @staticmethod
    def pick(codes: pl.Series, idx) -> pl.Series:
        idx = np.asarray(idx, dtype=I64)
        out = codes.gather(np.maximum(idx, 0))
        return out.scatter(np.flatnonzero(idx < 0), None) if (idx < 0).any() else out

    def order_ids(self, order_keys) -> pl.Series:
        return self.order_id_by_key.gather(np.asarray(order_keys, dtype=I64))

    def log(self, name: str, keep: bool = False, **dtypes) -> dict[str, np.ndarray]:
        return self.s.log.columns(name, keep=keep, **dtypes)

    # -- master data that moves ------------------------------------------------------------
    def prices(self) -> dict[str, pl.DataFrame]:
        s = self.s
        cost0, list0, floor0 = s.opening_prices
        sold = np.zeros(cost0.shape, bool)
        sold[WAREHOUSE_ENTITY[s.master.pairs.warehouse], s.master.pairs.item] = True
        e, i = np.nonzero(sold)
        stock = s.master.items.is_stock[i]
        cc = self.log("cost_change", day=I64, entity=I64, item=I64, cost=F64)
        pc = self.log(
            "price_change", day=I64, entity=I64, item=I64, list_price=F64, floor_price=F64
        )
        costs = self._segments(
            np.concatenate([np.zeros(stock.sum(), I64), cc["day"]]),
            np.concatenate([e[stock], cc["entity"]]),
            np.concatenate([i[stock], cc["item"]]),
            unit_cost=np.concatenate([cost0[e[stock], i[stock]], cc["cost"]]),
        )
        prices = self._segments(
            np.concatenate([np.zeros(len(e), I64), pc["day"]]),
            np.concatenate([e, pc["entity"]]),
            np.concatenate([i, pc["item"]]),
            list_price=np.concatenate([list0[e, i], pc["list_price"]]),
            floor_price=np.concatenate([floor0[e, i], pc["floor_price"]]),
        )
        return {"item_costs": costs, "price_lists": prices}

    def _segments(self, day, entity, item, **values) -> pl.DataFrame:
        frame = pl.DataFrame({"day": day, "e": entity, "i": item, **values}).sort("e", "i", "day")
        frame = frame.with_columns(to=pl.col("day").shift(-1).over("e", "i").fill_null(-1))
        return frame.select(
            entity_code=self.pick(self.entity_codes, frame["e"].to_numpy()),
            item_id=self.pick(self.item_codes, frame["i"].to_numpy()),
            valid_from=self.date(frame["day"].to_numpy()),
            valid_to=self.date(frame["to"].to_numpy()),
            **{k: pl.col(k) for k in values},
        )

    def rebates(self) -> pl.DataFrame:
        r = self.log("rebate", day=I64, seq=I64, customer=I64, rate=F64, year=I64)
        cust = self.s.master.customers
        years, of_year = np.unique(r["year"], return_inverse=True)
        next_year = np.array([(date(int(y) + 1, 1, 1) - self.s.start).days for y in years], I64)
        next_year = next_year[of_year]
        return pl.DataFrame(
            {
                "agreement_id": self.ids("RB", r["day"], r["seq"], 5),
                "entity_code": self.pick(self.entity_codes, cust.entity[r["customer"]]),
                "customer_id": self.pick(self.customer_ids, r["customer"]),
                "rebate_rate": r["rate"],
                "valid_from": self.date(r["day"]),
                "valid_to": self.date(next_year),
            }
        )

    # -- order to cash ---------------------------------------------------------------------
    def sales(self) -> dict[str, pl.DataFrame]:
        s = self.s
        lines, orders, cust = s.lines, s.orders, s.master.customers
        n_lines = lines.size
        sl = self.log("shipment_line", keep=True, day=I64, seq=I64, key=I64, qty=I64)
        sh = self.log("shipment", keep=True, day=I64, seq=I64, ship_s=I64)
        ship_s = self._shipment_time(sl, sh)
        shipped = np.bincount(sl["key"], weights=sl["qty"], minlength=n_lines).astype(I64)
        last_ship = np.full(n_lines, -1, I64)
        np.maximum.at(last_ship, sl["key"], ship_s)
        cancel = self.log("cancel", key=I64, ts=I64)
        cancelled_at = np.full(n_lines, -1, I64)
        cancelled_at[cancel["key"]] = cancel["ts"]
        qty_ea = lines["qty_ea"]
        status = np.where(
            cancelled_at >= 0, np.where(shipped > 0, SHIPPED, CANCELLED),
            np.where(shipped >= qty_ea, SHIPPED, OPEN),
        )  # fmt: skip
        created = orders["created_s"][self.line_order]
        updated = np.maximum.reduce([created, lines["amended_s"], last_ship, cancelled_at])

        order_keys = np.arange(orders.size)
        n_lines_per = np.bincount(self.line_order, minlength=orders.size)
        n_cancel = np.bincount(self.line_order, weights=status == CANCELLED, minlength=orders.size)
        n_open = np.bincount(self.line_order, weights=status == OPEN, minlength=orders.size)
        order_status = np.where(
            n_cancel == n_lines_per, CANCELLED, np.where(n_open > 0, OPEN, CLOSED)
        )
        order_updated = orders["created_s"].astype(I64).copy()
        np.maximum.at(order_updated, self.line_order, updated)
        customer = self.order_customer
        channel = self.pick(pl.Series(cfg.CHANNELS), cust.channel[customer])
        po = orders["po_number"].astype(I64)
        customer_po = pl.DataFrame({"c": channel, "n": po}).select(
            pl.when(pl.col("n") < 0).then(None)
            .when(pl.col("c") == "ECOM").then(pl.format("WEB{}", pl.col("n")))
            .when(pl.col("c") == "EDI").then(pl.format("PO{}", pl.col("n")))
            .otherwise(pl.col("n").cast(pl.Utf8))
        ).to_series()  # fmt: skip
        sales_orders = pl.DataFrame(
            {
                "order_id": self.order_ids(order_keys),
                "entity_code": self.pick(self.entity_codes, cust.entity[customer]),
                "customer_id": self.pick(self.customer_ids, customer),
                "warehouse_code": self.pick(self.wh_codes, orders["warehouse"]),
                "channel": channel,
                "order_date": self.date(self.order_day),
                "requested_date": self.date(orders["requested_day"]),
                "confirmed_date": self.date(orders["confirmed_day"]),
                "customer_po": customer_po,
                "currency": self.pick(self.currency, cust.entity[customer]),
                "credit_hold": orders["credit_hold"],
                "manual_touch": orders["manual"],
                "is_intercompany": cust.is_intercompany[customer],
                "status": self.pick(STATUS_NAMES, order_status),
                "created_at": self.ts(orders["created_s"]),
                "updated_at": self.ts(order_updated),
            }
        )
        sub = lines["substitute_for"].astype(I64)
        sales_order_lines = pl.DataFrame(
            {
                "order_id": self.order_ids(self.line_order),
                "line_no": self.line_no,
                "item_id": self.pick(self.item_codes, s.master.pairs.item[self.line_pair]),
                "uom": self.pick(pl.Series(UOM_CODES), lines["uom"]),
                "qty_ordered": lines["qty"],
                "qty_ordered_ea": qty_ea,
                "original_qty_ordered": lines["original_qty"],
                "unit_price": lines["unit_price"],
                "discount_pct": lines["discount"],
                "line_status": self.pick(STATUS_NAMES, status),
                "substitute_for_line_no": pl.Series(sub).scatter(np.flatnonzero(sub < 0), None),
                "cancelled_at": self.ts(cancelled_at),
                "updated_at": self.ts(updated),
            }
        )
        return {"sales_orders": sales_orders, "sales_order_lines": sales_order_lines}

    def _shipment_time(self, sl, sh) -> np.ndarray:
        """Each shipment line's ship timestamp (from its shipment)."""
        if not len(sl["day"]):
            return np.empty(0, I64)
        key_sh = sh["day"] * 10_000_000 + sh["seq"]
        key_sl = sl["day"] * 10_000_000 + sl["seq"]
        order = np.argsort(key_sh)
        return sh["ship_s"][order][np.searchsorted(key_sh[order], key_sl)]

    def shipping(self) -> dict[str, pl.DataFrame]:
        pairs = self.s.master.pairs
        sh = self.log("shipment", day=I64, seq=I64, order=I64, warehouse=I64, carrier=I64,
                      tracking=I64, transit=I64, ship_s=I64, freight=F64)  # fmt: skip
        sl = self.log("shipment_line", day=I64, seq=I64, line_no=I64, key=I64, pair=I64, qty=I64,
                      shipment_seq=I64, unit_cost=F64)  # fmt: skip
        # Both logs were written day by day in shipment order: a line finds its shipment by
        # binary search, and the result is already sorted by shipment and line.
        row = np.searchsorted(
            sh["day"] * 10_000_000 + sh["seq"], sl["day"] * 10_000_000 + sl["seq"]
        )
        ship_id = self.ids("SH", sh["day"], sh["seq"])
        carrier = self.pick(pl.Series(ALL_CARRIERS), sh["carrier"])
        tracking = pl.DataFrame({"c": carrier, "t": sh["tracking"]}).select(
            pl.when(pl.col("t") < 0).then(None)
            .when(pl.col("c") == "UPS").then(pl.format("1Z{}", pl.col("t")))
            .otherwise(pl.col("t").cast(pl.Utf8))
        ).to_series()  # fmt: skip
        delivery = sh["day"] + sh["transit"]
        delivery = self.date(np.where(delivery <= self.last, delivery, -1))
        line_wh = pairs.warehouse[sl["pair"]]
        shipments = pl.DataFrame(
            {
                "shipment_id": ship_id.gather(row),
                "shipment_line_no": sl["line_no"],
                "order_id": self.order_ids(self.line_order[sl["key"]]),
                "order_line_no": self.line_no[sl["key"]],
                "entity_code": self.pick(self.entity_codes, WAREHOUSE_ENTITY[line_wh]),
                "warehouse_code": self.pick(self.wh_codes, line_wh),
                "item_id": self.pick(self.item_codes, pairs.item[sl["pair"]]),
                "ship_date": self.date(sl["day"]),
                "delivery_date": delivery.gather(row),
                "qty_shipped_ea": sl["qty"],
                "shipment_seq": sl["shipment_seq"],
                "carrier": carrier.gather(row),
                "tracking_number": tracking.gather(row),
                "unit_cost_ea": pl.Series(sl["unit_cost"]).fill_nan(None),
            }
        )
        freight = pl.DataFrame({"shipment_id": ship_id, "freight_cost": sh["freight"]})
        return {"shipments": shipments, "shipment_freight": freight}

    def billing(self) -> dict[str, pl.DataFrame]:
        cust = self.s.master.customers
        inv = self.log(
            "invoice", ship_day=I64, seq=I64, inv_day=I64, due_day=I64, customer=I64, order=I64
        )
        il = self.log("invoice_line", ship_day=I64, seq=I64, line_no=I64, key=I64, qty=I64,
                      unit_price_ea=F64, gross=F64, discount=F64, net=F64, cogs=F64, rebate=F64,
                      freight=F64)  # fmt: skip
        # An invoice dated after the horizon (shipped on its last day, billed the next) is not
        # there yet, nor are its lines.
        row = np.searchsorted(inv["ship_day"] * 10_000_000 + inv["seq"],
                              il["ship_day"] * 10_000_000 + il["seq"])  # fmt: skip
        billed = inv["inv_day"] <= self.last
        inv = {k: v[billed] for k, v in inv.items()}
        il = {k: v[billed[row]] for k, v in il.items()}
        n_inv = len(inv["seq"])
        invoices = pl.DataFrame(
            {
                "invoice_id": self.ids("IN", inv["ship_day"], inv["seq"]),
                "entity_code": self.pick(self.entity_codes, cust.entity[inv["customer"]]),
                "customer_id": self.pick(self.customer_ids, inv["customer"]),
                "invoice_type": "INV",
                "invoice_date": self.date(inv["inv_day"]),
                "due_date": self.date(inv["due_day"]),
                "currency": self.pick(self.currency, cust.entity[inv["customer"]]),
                "order_id": self.order_ids(inv["order"]),
                "shipment_id": self.ids("SH", inv["ship_day"], inv["seq"]),
                "original_invoice_id": pl.Series([None] * n_inv, dtype=pl.Utf8),
                "_day": inv["inv_day"],
                "_kind": np.zeros(n_inv, I64),
            }
        )
        cm = self.log(
            "credit_memo", day=I64, seq=I64, orig_ship_day=I64, orig_seq=I64, customer=I64
        )
        cl = self.log("credit_memo_line", day=I64, seq=I64, line_no=I64, key=I64, qty=I64,
                      unit_price_ea=F64, gross=F64, discount=F64, net=F64, cogs=F64, rebate=F64,
                      freight=F64)  # fmt: skip
        first_line = np.r_[True, (np.diff(cl["day"]) != 0) | (np.diff(cl["seq"]) != 0)]
        n_cm = len(cm["seq"])
        credit_memos = pl.DataFrame(
            {
                "invoice_id": self.ids("CM", cm["day"], cm["seq"]),
                "entity_code": self.pick(self.entity_codes, cust.entity[cm["customer"]]),
                "customer_id": self.pick(self.customer_ids, cm["customer"]),
                "invoice_type": "CM",
                "invoice_date": self.date(cm["day"]),
                "due_date": self.date(cm["day"]),
                "currency": self.pick(self.currency, cust.entity[cm["customer"]]),
                "order_id": self.order_ids(
                    self.line_order[cl["key"][first_line[: len(cl["key"])]]]
                ),
                "shipment_id": pl.Series([None] * n_cm, dtype=pl.Utf8),
                "original_invoice_id": self.ids("IN", cm["orig_ship_day"], cm["orig_seq"]),
                "_day": cm["day"],
                "_kind": np.ones(n_cm, I64),
            }
        )
        # Documents in date order, invoices before credit memos of the same day.
        invoices_all = (
            pl.concat([invoices, credit_memos])
            .with_row_index("_row")
            .sort("_day", "_kind", "_row")
            .drop("_day", "_kind", "_row")
        )
        invoice_lines = pl.concat(
            [
                self._invoice_lines("IN", il["ship_day"], il),
                self._invoice_lines("CM", cl["day"], cl),
            ]
        )

        pay = self.log(
            "payment", day=I64, seq=I64, ship_day=I64, inv_seq=I64, customer=I64, amount=F64
        )
        is_cm = pay["ship_day"] < 0
        inv_ref = (
            pl.DataFrame(
                {
                    "in": self.ids("IN", np.where(is_cm, 0, pay["ship_day"]), pay["inv_seq"]),
                    "cm": self.ids("CM", np.where(is_cm, -1 - pay["ship_day"], 0), pay["inv_seq"]),
                    "is_cm": is_cm,
                }
            )
            .select(pl.when(pl.col("is_cm")).then(pl.col("cm")).otherwise(pl.col("in")))
            .to_series()
        )
        payments = pl.DataFrame(
            {
                "payment_id": self.ids("PY", pay["day"], pay["seq"]),
                "invoice_id": inv_ref,
                "customer_id": self.pick(self.customer_ids, pay["customer"]),
                "payment_date": self.date(pay["day"]),
                "amount": pay["amount"],
            }
        )
        return {"invoices": invoices_all, "invoice_lines": invoice_lines, "payments": payments}

    def _invoice_lines(self, prefix: str, days, cols) -> pl.DataFrame:
        pairs = self.s.master.pairs
        key = cols["key"]
        return pl.DataFrame(
            {
                "invoice_id": self.ids(prefix, days, cols["seq"]),
                "line_no": cols["line_no"],
                "order_id": self.order_ids(self.line_order[key]),
                "order_line_no": self.line_no[key],
                "item_id": self.pick(self.item_codes, pairs.item[self.line_pair[key]]),
                "qty_ea": cols["qty"],
                "unit_price_ea": np.round(cols["unit_price_ea"], 4),
                "gross_amount": cols["gross"],
                "discount_amount": cols["discount"],
                "net_amount": cols["net"],
                "cogs_amount": cols["cogs"],
                "rebate_amount": cols["rebate"],
                "freight_amount": cols["freight"],
            }
        )

    # -- procure to pay ---------------------------------------------------------------------
    def purchasing(self) -> dict[str, pl.DataFrame]:
        s = self.s
        pos, pls, pairs = s.pos, s.po_lines, s.master.pairs
        rc = self.log("receipt", day=I64, seq=I64, line=I64, qty=I64, closes=B)
        n_lines = pls.size
        closed = np.zeros(n_lines, bool)
        closed[rc["line"][rc["closes"]]] = True
        received = np.bincount(rc["line"], weights=rc["qty"], minlength=n_lines).astype(I64)
        last_rc = np.full(n_lines, -1, I64)
        np.maximum.at(last_rc, rc["line"], rc["day"] * SECONDS_PER_DAY + 14 * 3600)
        po_key = pls["po"].astype(I64)
        po_day = pos["day"].astype(I64)
        created = po_day * SECONDS_PER_DAY + 9 * 3600 + pos["seq"].astype(I64) * 7
        moved = pls["promise_moved_day"].astype(I64)
        moved_in = (moved >= 0) & (moved <= self.last)
        promised = np.where(moved_in, pls["promised_day"], pls["expected_day"])
        line_status = np.where(closed, np.where(received >= pls["qty_ea"], RECEIVED, CLOSED), OPEN)
        line_updated = np.maximum.reduce(
            [created[po_key], np.where(moved_in, moved * SECONDS_PER_DAY + 11 * 3600, -1), last_rc]
        )
        sent = pos["sent_day"].astype(I64)
        ack = pos["ack_day"].astype(I64)
        sent = np.where(sent <= self.last, sent, -1)
        ack = np.where(ack <= self.last, ack, -1)
        po_updated = np.maximum.reduce(
            [created, np.where(sent >= 0, sent * SECONDS_PER_DAY + 10 * 3600, -1),
             np.where(ack >= 0, ack * SECONDS_PER_DAY + 16 * 3600, -1)]
        )  # fmt: skip
        np.maximum.at(po_updated, po_key, line_updated)
        open_lines = np.bincount(po_key, weights=line_status == OPEN, minlength=pos.size)
        po_wh = pos["warehouse"].astype(I64)
        po_ids = self.ids("PO", po_day, pos["seq"], 5)
        purchase_orders = pl.DataFrame(
            {
                "po_id": po_ids,
                "entity_code": self.pick(self.entity_codes, WAREHOUSE_ENTITY[po_wh]),
                "supplier_id": self.pick(self.supplier_ids, pos["supplier"]),
                "warehouse_code": self.pick(self.wh_codes, po_wh),
                "po_date": self.date(po_day),
                "sent_date": self.date(sent),
                "ack_date": self.date(ack),
                "currency": self.pick(self.currency, WAREHOUSE_ENTITY[po_wh]),
                "status": self.pick(STATUS_NAMES, np.where(open_lines > 0, OPEN, CLOSED)),
                "created_at": self.ts(created),
                "updated_at": self.ts(po_updated),
            }
        )
        line_item = pairs.item[pls["pair"]]
        po_lines = pl.DataFrame(
            {
                "po_id": po_ids.gather(po_key),
                "line_no": pls["line_no"].astype(I64),
                "item_id": self.pick(self.item_codes, line_item),
                "uom": "CS",
                "qty_ordered": pls["qty"],
                "qty_ordered_ea": pls["qty_ea"],
                "unit_cost": pls["unit_cost"],
                "expected_date": self.date(pls["expected_day"]),
                "promised_date": self.date(promised),
                "line_status": self.pick(STATUS_NAMES, line_status),
                "updated_at": self.ts(line_updated),
            }
        )
        rc_pair = pls["pair"][rc["line"]]
        receipts = pl.DataFrame(
            {
                "receipt_id": self.ids("RC", rc["day"], rc["seq"], 5),
                "po_id": po_ids.gather(po_key[rc["line"]]),
                "po_line_no": pls["line_no"][rc["line"]].astype(I64),
                "item_id": self.pick(self.item_codes, pairs.item[rc_pair]),
                "warehouse_code": self.pick(self.wh_codes, pairs.warehouse[rc_pair]),
                "receipt_date": self.date(rc["day"]),
                "qty_received_ea": rc["qty"],
            }
        )
        return {"purchase_orders": purchase_orders, "po_lines": po_lines, "receipts": receipts}

    # -- stock and planning -------------------------------------------------------------------
    def stock(self) -> dict[str, pl.DataFrame]:
        pairs, items = self.s.master.pairs, self.s.master.items
        inv = self.log("inventory", day=I32, pair=I32, on_hand=I32, available=I32,
                       open_demand=I32, unit_cost=F64)  # fmt: skip
        inventory = pl.DataFrame(
            {
                "snapshot_date": self.date(inv["day"]),
                "warehouse_code": self.pick(self.wh_codes, pairs.warehouse[inv["pair"]]),
                "item_id": self.pick(self.item_codes, pairs.item[inv["pair"]]),
                "on_hand_ea": inv["on_hand"],
                "available_ea": inv["available"],
                "open_demand_ea": inv["open_demand"],
                "unit_cost_ea": inv["unit_cost"],
            }
        )
        cc = self.log("count", day=I64, seq=I64, pair=I64, system=I64, counted=I64)
        counts = pl.DataFrame(
            {
                "count_id": self.ids("CC", cc["day"], cc["seq"], 5),
                "count_date": self.date(cc["day"]),
                "warehouse_code": self.pick(self.wh_codes, pairs.warehouse[cc["pair"]]),
                "item_id": self.pick(self.item_codes, pairs.item[cc["pair"]]),
                "abc_class": self.pick(pl.Series(items.abc.astype(str)), pairs.item[cc["pair"]]),
                "system_qty": cc["system"],
                "counted_qty": cc["counted"],
            }
        )
        fc = self.log("forecast", pair=I64, week_day=I64, made_day=I64, qty=F64)
        planned = self._forecasts(fc)
        # The event log holds forecast weeks inside the horizon; the planning export all of them.
        forecasts = planned.filter(pl.col("week_start") <= self.date([self.last])[0])
        return {
            "inventory_daily": inventory,
            "cycle_counts": counts,
            "forecasts": forecasts,
            "planned_forecasts": planned,
        }

    def _forecasts(self, fc) -> pl.DataFrame:
        pairs = self.s.master.pairs
        return pl.DataFrame(
            {
                "item_id": self.pick(self.item_codes, pairs.item[fc["pair"]]),
                "warehouse_code": self.pick(self.wh_codes, pairs.warehouse[fc["pair"]]),
                "week_start": self.date(fc["week_day"]),
                "made_on": self.date(fc["made_day"]),
                "lag_weeks": cfg.FORECAST_LAG_WEEKS,
                "forecast_qty_ea": fc["qty"],
            }
        )

    def anomalies(self) -> pl.DataFrame:
        pairs = self.s.master.pairs
        an = self.log("anomaly", day=I64, kind=I64, entity=I64, pair=I64, supplier=I64,
                      start=I64, end=I64, magnitude=F64, up=B)  # fmt: skip
        order = np.lexsort((np.arange(len(an["day"])), an["kind"], an["day"]))
        an = {k: v[order] for k, v in an.items()}
        day = an["day"]
        seq = np.arange(len(day)) - np.searchsorted(day, day) + 1
        pair = an["pair"]
        has_pair = pair >= 0
        return pl.DataFrame(
            {
                "anomaly_id": self.ids("AN", day, seq, 5),
                "kind": np.array(ANOMALY_KINDS)[an["kind"]] if len(day) else np.empty(0, str),
                "entity_code": self.pick(self.entity_codes, an["entity"]),
                "item_id": self.pick(
                    self.item_codes, np.where(has_pair, pairs.item[np.maximum(pair, 0)], -1)
                ),
                "warehouse_code": self.pick(
                    self.wh_codes, np.where(has_pair, pairs.warehouse[np.maximum(pair, 0)], -1)
                ),
                "supplier_id": self.pick(self.supplier_ids, an["supplier"]),
                "start_date": self.date(an["start"]),
                "end_date": self.date(an["end"]),
                "magnitude": an["magnitude"],
                "direction": np.where(an["up"], "up", "down"),
            }
        )
