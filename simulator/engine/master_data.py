"""Master data: the group, items, customers, suppliers and who stocks what where.

Everything here comes from the master generator (seed, 'master'), never from a day's
generator, so it is identical for every horizon length. Besides the WORLD.md frames it returns
numpy arrays the daily simulation indexes by position (item, warehouse, customer, supplier and
item x warehouse pair), which keeps the daily loop free of joins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator import config as cfg
from simulator.engine.rng import master_rng

ENTITY_CODES = [e.code for e in cfg.ENTITIES]
ENTITY_CURRENCY = [e.currency for e in cfg.ENTITIES]
WAREHOUSE_CODES = [w.code for w in cfg.WAREHOUSES]
WAREHOUSE_ENTITY = np.array([ENTITY_CODES.index(w.entity_code) for w in cfg.WAREHOUSES])
WAREHOUSE_COUNTRY = [w.country for w in cfg.WAREHOUSES]
LEGACY = {"MX02", "US02"}

_REGIONS = {
    "US01-ATL": "Southeast", "US01-DAL": "South Central", "US01-CHI": "Midwest",
    "CA01-TOR": "Ontario", "CA01-VAN": "British Columbia", "MX01-MTY": "Noreste",
    "MX01-QRO": "Bajío", "MX02-GDL": "Occidente", "US02-DET": "Great Lakes",
}  # fmt: skip
_NOUNS = {
    "Fasteners": ["Hex Bolt", "Lag Screw", "Flat Washer", "Hex Nut", "Anchor", "Rivet"],
    "Electrical": ["Wire Nut", "Conduit", "Breaker", "Cable Tie", "Receptacle", "Switch"],
    "Plumbing": ["Ball Valve", "PVC Elbow", "Copper Tee", "Gasket", "Coupling", "Hose Clamp"],
    "HVAC": ["Air Filter", "Duct Tape", "Thermostat", "Fan Belt", "Register", "Damper"],
    "Safety": [
        "Nitrile Glove",
        "Safety Glass",
        "Ear Plug",
        "Hard Hat",
        "Hi-Vis Vest",
        "Respirator",
    ],
    "Tools": ["Drill Bit", "Utility Knife", "Tape Measure", "Saw Blade", "Screwdriver", "Wrench"],
    "Janitorial": ["Trash Liner", "Paper Towel", "Floor Cleaner", "Mop Head", "Hand Soap", "Wipe"],
    "Packaging": ["Stretch Film", "Carton", "Packing Tape", "Bubble Wrap", "Label", "Void Fill"],
}
_SIZES = ["1/4in", "3/8in", "1/2in", "3/4in", "1in", "Small", "Medium", "Large", "XL", "2in"]
_NAME_A = ["Acme", "Summit", "Pioneer", "Keystone", "Atlas", "Granite", "Harbor", "Liberty",
           "Northern", "Prairie", "Redwood", "Sterling", "Titan", "Vanguard", "Apex", "Beacon"]  # fmt: skip
_NAME_B = {
    "US": ["Industrial Supply", "Mechanical", "Facilities", "Contractors", "Manufacturing"],
    "CA": ["Industrial Supply", "Building Services", "Mechanical", "Fabrication"],
    "MX": ["Industrial", "Construcciones", "Manufacturas", "Servicios Técnicos"],
}
_SUFFIX = {
    "US": ["Inc.", "LLC", "Co."],
    "CA": ["Ltd.", "Inc."],
    "MX": ["S.A. de C.V.", "S. de R.L."],
}
_SUPPLIER_COUNTRIES = (("US", 0.55), ("CA", 0.10), ("MX", 0.15), ("CN", 0.20))
_LEAD_RANGE = {"US": (5, 14), "CA": (7, 15), "MX": (5, 12), "CN": (35, 60)}
_COUNTRY_CURRENCY = {"US": "USD", "CA": "CAD", "MX": "MXN", "CN": "USD"}
_STOCK_PROBABILITY = {"US01": 0.92, "CA01": 0.75, "MX01": 0.75, "MX02": 0.6, "US02": 0.7}


@dataclass
class Items:
    item_id: np.ndarray
    category: np.ndarray  # index into cfg.CATEGORIES
    abc: np.ndarray  # 'A'/'B'/'C'
    case_size: np.ndarray
    pack_size: np.ndarray
    cost_usd: np.ndarray  # NaN for non-stock
    list_usd: np.ndarray
    floor_usd: np.ndarray
    is_stock: np.ndarray
    popularity: np.ndarray
    line_qty_ea: np.ndarray  # typical EA per order line
    supplier: np.ndarray  # primary supplier index


@dataclass
class Pairs:
    """Item x warehouse pairs that can be sold; stock ones also hold inventory."""

    item: np.ndarray
    warehouse: np.ndarray
    is_stock: np.ndarray
    weight: np.ndarray  # relative chance that a line at this warehouse is for this item
    daily_demand_ea: np.ndarray  # planning rate, used for reorder points and forecast priors
    substitute: np.ndarray  # pair index of a same-category stocked item, or -1
    daily_lines: np.ndarray  # expected order lines a day (before season, promotions, shocks)


@dataclass
class Customers:
    """One row per (entity, customer): national accounts appear once per entity."""

    customer_id: np.ndarray
    entity: np.ndarray
    warehouse: np.ndarray
    channel: np.ndarray  # index into cfg.CHANNELS
    weight: np.ndarray
    credit_limit: np.ndarray
    terms_days: np.ndarray
    late_days: np.ndarray  # mean extra days a late payer takes (0 = pays on time)
    is_intercompany: np.ndarray
    discount: np.ndarray  # the customer's standard discount off list (fraction)


@dataclass
class Suppliers:
    lead_days: np.ndarray
    on_time: np.ndarray
    is_edi: np.ndarray
    supplier_id: np.ndarray
    is_overseas: np.ndarray  # ships by sea from Asia (country CN): long lead, Lunar New Year


@dataclass
class Master:
    frames: dict[str, pl.DataFrame]
    items: Items
    pairs: Pairs
    customers: Customers
    suppliers: Suppliers
    warehouse_lines_per_day: np.ndarray
    warehouse_orders_per_day: np.ndarray


def build_master(seed: int, scale: cfg.ScaleConfig) -> Master:
    """All master data of one world; the order of draws is fixed, so keep additions at the end."""
    rng = master_rng(seed)
    suppliers, supplier_country = _suppliers(rng, scale.n_suppliers)
    items = _items(rng, scale.n_items, scale.n_suppliers)
    warehouse_lines = np.array(
        [
            scale.order_lines_per_year / 365 * cfg.ENTITY_VOLUME_SHARE[w.entity_code] * w.weight
            for w in cfg.WAREHOUSES
        ]
    )
    pairs = _pairs(rng, items, warehouse_lines)
    customers, customer_frame = _customers(
        rng, scale.n_customers, items, pairs, warehouse_lines, scale.n_edi_customer_partners
    )
    frames = {
        "entities": pl.DataFrame(
            {
                "entity_code": ENTITY_CODES,
                "entity_name": [e.name for e in cfg.ENTITIES],
                "country": [e.country for e in cfg.ENTITIES],
                "currency": ENTITY_CURRENCY,
                "source_system": [e.source_system for e in cfg.ENTITIES],
            }
        ),
        "warehouses": pl.DataFrame(
            {
                "warehouse_code": WAREHOUSE_CODES,
                "entity_code": [w.entity_code for w in cfg.WAREHOUSES],
                "warehouse_name": [w.name for w in cfg.WAREHOUSES],
                "city": [w.city for w in cfg.WAREHOUSES],
                "country": WAREHOUSE_COUNTRY,
            }
        ),
        "items": _items_frame(rng, items),
        "item_xref": _item_xref(rng, items, pairs),
        "customers": customer_frame,
        "suppliers": _suppliers_frame(rng, suppliers, supplier_country),
        "supplier_xref": _supplier_xref(rng, suppliers),
    }
    orders = warehouse_lines / _distinct_lines_per_order(pairs, customers)
    return Master(frames, items, pairs, customers, suppliers, warehouse_lines, orders)


def _distinct_lines_per_order(pairs: Pairs, customers: Customers) -> np.ndarray:
    """Expected lines per order in each warehouse once repeated items are merged.

    An order drawing n items with chances p_i holds Σ 1 − (1 − p_i)^n distinct ones; with few
    items (small scales) that is well below n, so orders per day are set from this, not from n.
    n is 1 + Poisson(extra lines of the channel), channels mixed as the customers' weights are.
    """
    n = np.arange(1, 60)
    factorial = np.cumprod(np.r_[1.0, np.arange(1, 59)])
    extra = np.array(cfg.EXTRA_LINES)
    poisson = np.exp(-extra[:, None]) * extra[:, None] ** (n - 1)[None, :] / factorial[None, :]
    out = np.empty(len(cfg.WAREHOUSES))
    for w in range(len(cfg.WAREHOUSES)):
        here = customers.warehouse == w
        mix = np.bincount(customers.channel[here], weights=customers.weight[here], minlength=4)
        p_n = (mix / mix.sum()) @ poisson
        p = pairs.weight[pairs.warehouse == w]
        p = p / p.sum()
        distinct = (1 - (1 - p[None, :]) ** n[:, None]).sum(axis=1)
        out[w] = float(np.dot(p_n, distinct))
    return out


def _suppliers(rng: np.random.Generator, n: int) -> tuple[Suppliers, np.ndarray]:
    countries = np.array([c for c, _ in _SUPPLIER_COUNTRIES])
    country = rng.choice(countries, size=n, p=[p for _, p in _SUPPLIER_COUNTRIES])
    low = np.array([_LEAD_RANGE[c][0] for c in country])
    high = np.array([_LEAD_RANGE[c][1] for c in country])
    lead = rng.integers(low, high + 1)
    # Most suppliers are decent; a tail is unreliable, which supplier OTIF should reveal.
    on_time = np.round(np.clip(rng.beta(8, 1.6, size=n), 0.45, 0.99), 2)
    ids = code("S-", rng.choice(np.arange(100, 9999), size=n, replace=False), 4).astype(str)
    return Suppliers(lead, on_time, rng.random(n) < 0.5, ids, country == "CN"), country


def _items(rng: np.random.Generator, n: int, n_suppliers: int) -> Items:
    ids = np.sort(rng.choice(np.arange(100_000, 999_999), size=n, replace=False))
    category = rng.integers(0, len(cfg.CATEGORIES), size=n)
    popularity = rng.lognormal(0.0, 1.6, size=n)
    order = np.argsort(-popularity)
    share = np.cumsum(popularity[order]) / popularity.sum()
    abc = np.empty(n, dtype="<U1")
    abc[order] = np.where(share <= 0.8, "A", np.where(share <= 0.95, "B", "C"))
    case_size = rng.choice([6, 10, 12, 20, 24, 50, 100], size=n)
    pack_size = np.minimum(rng.choice([2, 3, 4, 5], size=n), case_size // 2)
    cost = np.round(np.clip(rng.lognormal(np.log(6.0), 1.1, size=n), 0.15, 900.0), 2)
    is_stock = rng.random(n) >= 0.05
    list_usd = np.round(cost * rng.uniform(1.3, 1.75, size=n), 2)
    floor_usd = np.round(cost * rng.uniform(1.06, 1.15, size=n), 2)
    # Cheap items move by the case, expensive ones a few at a time.
    line_qty = np.where(
        cost > 80, rng.uniform(1, 4, size=n), case_size * rng.uniform(0.4, 2.5, size=n)
    )
    supplier_weight = rng.lognormal(0, 0.8, size=n_suppliers)
    supplier = rng.choice(n_suppliers, size=n, p=supplier_weight / supplier_weight.sum())
    return Items(
        code("BB-", ids).astype(str), category, abc, case_size, pack_size,
        np.where(is_stock, cost, np.nan), list_usd, floor_usd, is_stock, popularity,
        np.maximum(line_qty, 1.0), supplier,
    )  # fmt: skip


def _pairs(rng: np.random.Generator, items: Items, warehouse_lines: np.ndarray) -> Pairs:
    n_items, n_wh = len(items.item_id), len(cfg.WAREHOUSES)
    item = np.repeat(np.arange(n_items), n_wh)
    wh = np.tile(np.arange(n_wh), n_items)
    entity = np.array([ENTITY_CODES[e] for e in WAREHOUSE_ENTITY[wh]])
    # Slow movers are kept in fewer warehouses than the rest.
    abc_factor = np.select([items.abc[item] == "B", items.abc[item] == "C"], [0.85, 0.6], 1.0)
    p_stock = np.array([_STOCK_PROBABILITY[e] for e in entity]) * abc_factor
    # A items are stocked everywhere; non-stock items are sellable everywhere (special order).
    stocked = (rng.random(len(item)) < p_stock) | (items.abc[item] == "A")
    keep = stocked | ~items.is_stock[item]
    item, wh = item[keep], wh[keep]
    is_stock = items.is_stock[item]
    local = rng.lognormal(0, 0.35, size=len(item))
    # Special-order items are a small share of lines.
    weight = items.popularity[item] * local * np.where(is_stock, 1.0, 0.3)
    wh_total = np.bincount(wh, weights=weight, minlength=n_wh)
    lines = warehouse_lines[wh] * weight / wh_total[wh]
    daily = lines * items.line_qty_ea[item]
    substitute = _substitutes(item, wh, is_stock, items.category)
    return Pairs(item, wh, is_stock, weight, daily, substitute, lines)


def _substitutes(item, wh, is_stock, category) -> np.ndarray:
    """For each stocked pair, the next stocked pair of the same category in the same warehouse."""
    idx = np.arange(len(item))
    frame = pl.DataFrame({"p": idx, "w": wh, "c": category[item], "s": is_stock})
    ring = (
        frame.filter(pl.col("s"))
        .sort("w", "c", "p")
        .with_columns(sub=pl.col("p").shift(-1).over("w", "c"))
        .with_columns(sub=pl.col("sub").fill_null(pl.col("p").first().over("w", "c")))
    )
    out = np.full(len(item), -1, dtype=np.int64)
    p, s = ring["p"].to_numpy(), ring["sub"].to_numpy()
    out[p] = np.where(s == p, -1, s)
    return out


def _customers(
    rng, n: int, items: Items, pairs: Pairs, warehouse_lines: np.ndarray, n_edi_partners: int
):
    ent_share = np.array([cfg.ENTITY_VOLUME_SHARE[e] for e in ENTITY_CODES])
    home = rng.choice(len(ENTITY_CODES), size=n, p=ent_share / ent_share.sum())
    # Even the smallest scale gives every entity a handful of customers of its own.
    per_entity = min(8, n // 8)
    home[: per_entity * len(ENTITY_CODES)] = np.tile(np.arange(len(ENTITY_CODES)), per_entity)
    golden = np.sort(rng.choice(np.arange(1, 899_999), size=n, replace=False))
    rows_cust, rows_ent = list(range(n)), list(home)
    # National accounts buy from one or two more entities under the same golden id.
    national = np.flatnonzero(rng.random(n) < 0.07)
    for c in national:
        others = [e for e in range(len(ENTITY_CODES)) if e != home[c]]
        for e in rng.choice(others, size=rng.integers(1, 3), replace=False):
            rows_cust.append(c)
            rows_ent.append(e)
    cust, ent = np.array(rows_cust), np.array(rows_ent)
    m = len(cust)
    channel = rng.choice(len(cfg.CHANNELS), size=m, p=cfg.CHANNEL_SHARE)
    for e in range(len(ENTITY_CODES)):  # every entity sells through every channel
        first = np.flatnonzero(ent == e)[: len(cfg.CHANNELS)]
        channel[first] = np.arange(len(first))
    wh = np.empty(m, dtype=np.int64)
    for e in range(len(ENTITY_CODES)):
        in_e = np.flatnonzero(e == WAREHOUSE_ENTITY)
        w = np.array([cfg.WAREHOUSES[k].weight for k in in_e])
        sel = ent == e
        wh[sel] = rng.choice(in_e, size=sel.sum(), p=w / w.sum())
    size = rng.lognormal(0, 1.0, size=m) * np.where(channel == 3, 0.3, 1.0)
    terms = np.where(channel == 3, 0, rng.choice([15, 30, 30, 30, 45, 60], size=m))
    late = np.where((rng.random(m) < 0.18) & (channel != 3), rng.uniform(8, 45, size=m), 0.0)
    is_ic = np.zeros(m, dtype=bool)
    customer_id = code("C-", golden[cust], 6)
    # A national account trades under its home country's name everywhere.
    names = _company_names(rng, cust, home[cust])

    ic_rows = _intercompany_rows(size, wh)
    if ic_rows:
        k = len(ic_rows)
        ent = np.concatenate([ent, [r[0] for r in ic_rows]])
        wh = np.concatenate([wh, [r[2] for r in ic_rows]])
        channel = np.concatenate([channel, np.full(k, 0)])
        size = np.concatenate([size, [r[3] for r in ic_rows]])
        terms = np.concatenate([terms, np.full(k, 30)])
        late = np.concatenate([late, np.zeros(k)])
        is_ic = np.concatenate([is_ic, np.ones(k, dtype=bool)])
        customer_id = np.concatenate([customer_id, [f"C-9{90000 + i:05d}" for i in range(k)]])
        names = np.concatenate(
            [names, [f"{cfg.ENTITIES[r[1]].name} (intercompany)" for r in ic_rows]]
        )
    counterparty = np.full(len(ent), None, dtype=object)
    for i, r in enumerate(ic_rows):
        counterparty[m + i] = ENTITY_CODES[r[1]]

    credit = _credit_limits(rng, size, wh, terms + late, is_ic, items, pairs, warehouse_lines)
    tier = np.array([0.05, 0.01, 0.04, 0.0])[channel]
    discount = np.where(is_ic, 0.0, np.round(rng.uniform(0.0, 2.0, len(ent)) * tier, 3))
    customers = Customers(customer_id, ent, wh, channel, size, credit, terms, late, is_ic, discount)
    local = _local_customer_codes(rng, customer_id, ent)
    channel_name = np.array(cfg.CHANNELS)[channel]
    frame = pl.DataFrame(
        {
            "entity_code": np.array(ENTITY_CODES)[ent],
            "local_customer_code": local,
            "customer_id": customer_id.astype(str),
            "customer_name": names.astype(str),
            "channel": channel_name,
            "region": np.array([_REGIONS[c] for c in WAREHOUSE_CODES])[wh],
            "credit_limit": credit,
            "payment_terms_days": terms.astype(np.int64),
            "is_intercompany": is_ic,
            "counterparty_entity_code": pl.Series(counterparty.tolist(), dtype=pl.Utf8),
            "edi_partner_id": pl.Series(_edi_partner_ids(customer_id, n_edi_partners)).scatter(
                np.flatnonzero(channel_name != "EDI"), None
            ),
        }
    )
    return customers, frame


def _edi_partner_ids(customer_id: np.ndarray, n_partners: int) -> np.ndarray:
    """The trading partner (chain) a customer account orders through.

    Derived from the golden customer number, so a national account present in several entities
    trades through the same partner everywhere.
    """
    number = np.char.lstrip(customer_id.astype(str), "C-").astype(np.int64)
    return np.char.add("EDI", np.char.zfill((number % n_partners + 1).astype(str), 3))


def _intercompany_rows(size: np.ndarray, wh: np.ndarray) -> list[tuple[int, int, int, float]]:
    """(seller entity, buyer entity, shipping warehouse, weight) per intercompany customer.

    Weights are set so the buyers together place INTERCOMPANY_ORDER_SHARE of the seller's orders.
    """
    rows = []
    for seller, buyer in cfg.INTERCOMPANY_PAIRS:
        s, b = ENTITY_CODES.index(seller), ENTITY_CODES.index(buyer)
        n_buyers = sum(1 for x, _ in cfg.INTERCOMPANY_PAIRS if x == seller)
        seller_wh = np.flatnonzero(s == WAREHOUSE_ENTITY)
        # Ship from the seller's warehouse nearest the buyer: the last listed for the US.
        ship_wh = int(seller_wh[-1] if seller == "US01" else seller_wh[0])
        # Orders per warehouse are fixed, customers share them by weight: scale the buyer's
        # weight so it books its part of the seller's orders out of this one warehouse.
        wh_fraction = cfg.WAREHOUSES[ship_wh].weight / sum(
            cfg.WAREHOUSES[w].weight for w in seller_wh
        )
        share = min(0.5, cfg.INTERCOMPANY_ORDER_SHARE / n_buyers / wh_fraction)
        local_weight = size[wh == ship_wh].sum()
        rows.append((s, b, ship_wh, local_weight * share / (1 - share)))
    return rows


def _credit_limits(rng, size, wh, pay_days, is_ic, items: Items, pairs: Pairs, warehouse_lines):
    """Limits of a few times the receivable a customer carries (its purchases over the days it
    takes to pay); a tight tail runs into credit holds."""
    line_value = pairs.weight * items.list_usd[pairs.item] * items.line_qty_ea[pairs.item]
    wh_line_value = np.bincount(pairs.warehouse, weights=line_value) / np.bincount(
        pairs.warehouse, weights=pairs.weight
    )
    fx = np.array([cfg.FX_START[ENTITY_CURRENCY[e]] for e in WAREHOUSE_ENTITY])
    wh_size = np.bincount(wh, weights=size, minlength=len(cfg.WAREHOUSES))
    daily_value = warehouse_lines[wh] * wh_line_value[wh] / fx[wh] * size / wh_size[wh]
    exposure_days = np.maximum(pay_days, 10) + 10
    factor = np.where(rng.random(len(size)) < 0.07, rng.uniform(0.5, 0.9, len(size)),
                      rng.uniform(2.0, 4.0, len(size)))  # fmt: skip
    limit = np.ceil(daily_value * exposure_days * factor / 1000.0) * 1000.0
    return np.where(is_ic, limit * 100, np.maximum(limit, 2000.0))


def code(prefix: str, numbers: np.ndarray, width: int = 0, suffix: str = "") -> np.ndarray:
    """Codes like `prefix + zero-padded number + suffix`, formatted column-wise."""
    digits = pl.Series(np.asarray(numbers, dtype=np.int64)).cast(pl.Utf8).str.zfill(width)
    return (prefix + digits + suffix).to_numpy().astype(object)


def _company_names(rng, cust: np.ndarray, ent: np.ndarray) -> np.ndarray:
    n_golden = int(cust.max()) + 1
    a = rng.integers(0, len(_NAME_A), size=n_golden)
    b = rng.integers(0, 100, size=n_golden)
    s = rng.integers(0, 100, size=n_golden)
    country = np.array([e.country for e in cfg.ENTITIES])[ent]
    out = np.empty(len(cust), dtype=object)
    for c in ("US", "CA", "MX"):
        here = country == c
        words, suffixes = np.array(_NAME_B[c]), np.array(_SUFFIX[c])
        first = np.array(_NAME_A)[a[cust[here]]]
        middle = words[b[cust[here]] % len(words)]
        last = suffixes[s[cust[here]] % len(suffixes)]
        out[here] = np.char.add(
            np.char.add(np.char.add(first, " "), np.char.add(middle, " ")), last
        )
    return out


def _local_customer_codes(rng, customer_id: np.ndarray, ent: np.ndarray) -> list[str]:
    local = customer_id.astype(object).copy()
    for entity, prefix, width, lo, hi in (
        ("MX02", "CLI-", 4, 1000, 9999),
        ("US02", "GLC", 5, 10000, 99999),
    ):
        sel = np.flatnonzero(ent == ENTITY_CODES.index(entity))
        local[sel] = code(
            prefix, rng.choice(np.arange(lo, hi), size=len(sel), replace=False), width
        )
    return local.astype(str).tolist()


def _items_frame(rng, items: Items) -> pl.DataFrame:
    n = len(items.item_id)
    noun_pick = rng.integers(0, 6, size=n)
    size_pick = rng.integers(0, len(_SIZES), size=n)
    nouns = np.array([_NOUNS[c] for c in cfg.CATEGORIES])[items.category, noun_pick]
    desc = np.char.add(np.char.add(nouns, " "), np.array(_SIZES)[size_pick])
    return pl.DataFrame(
        {
            "item_id": items.item_id,
            "description": desc,
            "category": np.array(cfg.CATEGORIES)[items.category],
            "abc_class": items.abc,
            "stock_uom": ["EA"] * n,
            "case_size": items.case_size.astype(np.int64),
            "pack_size": items.pack_size.astype(np.int64),
            "standard_cost_usd": pl.Series(items.cost_usd).fill_nan(None),
            "list_price_usd": items.list_usd,
            "floor_price_usd": items.floor_usd,
            "is_stock_item": items.is_stock,
        }
    )


def _item_xref(rng, items: Items, pairs: Pairs) -> pl.DataFrame:
    parts = []
    for e, entity in enumerate(ENTITY_CODES):
        sold = np.unique(pairs.item[WAREHOUSE_ENTITY[pairs.warehouse] == e])
        ids = items.item_id[sold]
        if entity == "MX02":
            local = code("ART-", rng.choice(np.arange(1, 99_999), len(sold), replace=False), 5)
        elif entity == "US02":
            nums = rng.choice(np.arange(0, 99_999), len(sold), replace=False)
            letters = rng.choice(list("ABCDEFGH"), len(sold))
            local = np.char.add(
                np.char.add(
                    code("GL.", nums // 1000, 2).astype(str), code("-", nums % 1000, 3).astype(str)
                ),
                np.char.add(".", letters),
            )
        else:
            local = ids
        mapped = rng.random(len(sold)) >= 0.04 if entity in LEGACY else np.ones(len(sold), bool)
        parts.append(
            pl.DataFrame(
                {"entity_code": entity, "local_item_code": local.astype(str), "item_id": ids,
                 "mapped": mapped}
            )
        )  # fmt: skip
    return pl.concat(parts)


def _suppliers_frame(rng, suppliers: Suppliers, country: np.ndarray) -> pl.DataFrame:
    n = len(suppliers.supplier_id)
    a = rng.integers(0, len(_NAME_A), size=n)
    kinds = ["Manufacturing", "Products", "Industries", "Components", "Supply"]
    k = rng.integers(0, len(kinds), size=n)
    return pl.DataFrame(
        {
            "supplier_id": suppliers.supplier_id,
            "supplier_name": np.char.add(
                np.char.add(np.array(_NAME_A)[a], " "), np.array(kinds)[k]
            ),
            "country": country,
            "currency": np.vectorize(_COUNTRY_CURRENCY.get)(country),
            "planned_lead_time_days": suppliers.lead_days.astype(np.int64),
            "on_time_probability": suppliers.on_time,
            "edi_partner_id": pl.Series(
                np.char.add(
                    np.char.add("SUP", np.char.lstrip(suppliers.supplier_id.astype(str), "S-")),
                    "EDI",
                )
            ).scatter(np.flatnonzero(~suppliers.is_edi), None),
        }
    )


def _supplier_xref(rng, suppliers: Suppliers) -> pl.DataFrame:
    n = len(suppliers.supplier_id)
    parts = []
    for entity in ENTITY_CODES:
        if entity == "MX02":
            local = code("PROV-", rng.choice(np.arange(100, 1000), n, replace=False), 3)
        elif entity == "US02":
            local = code("V", rng.choice(np.arange(2000, 9999), n, replace=False))
        else:
            local = suppliers.supplier_id
        mapped = rng.random(n) >= 0.04 if entity in LEGACY else np.ones(n, bool)
        parts.append(
            pl.DataFrame(
                {"entity_code": entity, "local_supplier_code": local.astype(str),
                 "supplier_id": suppliers.supplier_id, "mapped": mapped}
            )
        )  # fmt: skip
    return pl.concat(parts)
