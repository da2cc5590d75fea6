"""The dashboards' one data-access module: every query a page runs is here, and row-level security too.

Pages never write SQL and never open the warehouse. They get a `Data` for the logged-in user;
`Data` opens the *published* warehouse read-only (`backbone.readers`) and, in that connection,
builds a `scoped` schema of views: every published table with an `entity_code` column is
filtered by a parameterised semi-join on the user's entities (a table filled with bound
parameters, no SQL built from entity codes); tables without one are offered only when they
hold no entity data (dimensions, reference) or the user may see everything. Every query below
reads `scoped.*` only, so a page cannot forget the filter, and a table added to the marts later
is filtered the day it appears.

GROUP (consolidated) rows are all-entity data: only users allowed every entity see them.

Connections (with their views) are pooled per publication and scope, and results are cached
per publication (file identity), scope and call: a rerun of a page is served from memory, and a
new publication is picked up at the next call. The exceptions workflow store is read fresh.

Pages read as little as they show: the exceptions queue is filtered, counted, sorted and paged in
SQL; inventory and data quality read the pre-aggregated marts of `dbt/models/marts/dashboards`
(`agg_*`) when the publication has them (and, for quality, when they cover every load), else the
detail tables, with the same numbers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from backbone.readers import CATALOG, NotPublishedError, published_connection
from dashboards.auth import User

SCOPED = "scoped"
PUBLISHED_SCHEMAS = ("marts", "reference", "intelligence", "snapshots", "audit", "quarantine")
# tables without entity_code that entity-scoped users may still read (no entity data in them)
SHARED_TABLES = {"dim_item", "dim_channel", "dim_date", "kpi_definitions"}
GROUP = "GROUP"

# the executive tiles: KPI name, label, better when higher?, display format
TILES: tuple[tuple[str, str, bool, str], ...] = (
    ("gross_margin_pct", "Gross margin", True, "pct"),
    ("pocket_margin_pct", "Pocket margin", True, "pct"),
    ("line_fill_rate", "Line fill rate", True, "pct"),
    ("unit_fill_rate", "Unit fill rate", True, "pct"),
    ("otif", "OTIF", True, "pct"),
    ("order_cycle_time_days", "Order cycle time", False, "days"),
    ("inventory_turns", "Inventory turns", True, "turns"),
    ("backlog_value_usd", "Backlog", False, "usd"),
    ("dso_days", "DSO", False, "days"),
)
# targets shown next to the tiles: management's goals, not part of a KPI's definition
TARGETS: dict[str, float] = {
    "gross_margin_pct": 0.25,
    "pocket_margin_pct": 0.18,
    "line_fill_rate": 0.95,
    "unit_fill_rate": 0.97,
    "otif": 0.90,
    "order_cycle_time_days": 5.0,
    "inventory_turns": 6.0,
    "dso_days": 45.0,
}
INVENTORY_KPIS = (
    "inventory_turns",
    "days_on_hand",
    "days_of_supply",
    "inventory_record_accuracy",
    "stockout_rate",
    "average_inventory_usd",
)
PROCUREMENT_KPIS = (
    "supplier_otif",
    "lead_time_variance_days",
    "lead_time_variance_days_std",
    "po_ack_time_days",
)
BREAKDOWNS = ("entity", "country", "channel", "customer", "category")
DEMAND_WINDOW_DAYS = 90  # days of supply: trailing demand window, as the governed KPI

# pre-aggregated marts (dbt/models/marts/dashboards): read when the publication has them, else
# the pages fall back to the detail tables (a publication from before the marts existed)
# (the quality marts are read by quality.report, which the quality page calls)
INVENTORY_MONTHLY = "agg_inventory_monthly"
DEMAND_DAILY = "agg_demand_daily"
QUARANTINE_SAMPLE = 100  # quarantined rows shown per source when browsing every source
EXCEPTIONS_PAGE_SIZE = 200  # rows of the queue a page shows
_CACHE_SIZE = 512


class AccessDenied(PermissionError):
    """The user's role or entity scope does not allow this."""


def published_path() -> Path:
    from backbone.config import paths

    return paths().published


def publication_key(path: Path | None = None) -> tuple | None:
    """Identity of the live publication (it is swapped atomically: a new inode each time)."""
    target = Path(path) if path is not None else published_path()
    try:
        stat = target.stat()
    except FileNotFoundError:
        return None
    return (str(target), stat.st_ino, stat.st_mtime_ns)


def status(path: Path | None = None) -> dict[str, Any]:
    """`<published>.status.json` plus whether a published file exists at all."""
    from backbone.readers import publication_status

    target = Path(path) if path is not None else published_path()
    doc = dict(publication_status(target))
    doc["exists"] = target.exists()
    return doc


def banner_text(doc: dict[str, Any]) -> tuple[str, str]:
    """(level, text) for the data-as-of banner: level is 'ok', 'blocked' or 'empty'."""
    if not doc.get("exists"):
        return "empty", "No data published yet: run `backbone run` (or `backbone demo`)."
    live = doc.get("published") or {}
    as_of = live.get("data_as_of") or "unknown"
    text = f"Data as of {as_of[:10]} (published {live.get('published_at') or '?'})."
    latest = doc.get("latest_run") or {}
    if latest.get("outcome") == "blocked":
        gates = ", ".join(
            f"{g.get('asset')}:{g.get('check')}" for g in latest.get("blocked_by", [])
        )
        return "blocked", f"{text} The latest run ({latest.get('at')}) was blocked by {gates}."
    return "ok", text


# --- the cache ---------------------------------------------------------------------------------

_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget cached results and pooled connections (tests, benchmarks, a changed users file)."""
    with _cache_lock:
        _cache.clear()
    close_pool()


def _cached(method):
    @wraps(method)
    def wrapper(self: Data, *args, **kwargs):
        key = (
            publication_key(self.path),
            self.user.entities,
            method.__name__,
            args,
            tuple(sorted(kwargs.items())),
        )
        if self.use_cache:
            with _cache_lock:
                if key in _cache:
                    _cache.move_to_end(key)
                    return _copy(_cache[key])
        value = method(self, *args, **kwargs)
        if self.use_cache:
            with _cache_lock:
                _cache[key] = value
                while len(_cache) > _CACHE_SIZE:
                    _cache.popitem(last=False)
        return _copy(value)

    return wrapper


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, pd.DataFrame) else value


# --- the scoped connection ---------------------------------------------------------------------


@dataclass
class Data:
    """Everything a page may read, for one user; construct one per script run."""

    user: User
    path: Path | None = None
    use_cache: bool = True

    def __post_init__(self) -> None:
        self.path = Path(self.path) if self.path is not None else published_path()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._session_key: tuple | None = None

    @property
    def published(self) -> bool:
        return self.path.exists()

    # -- connection --

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection whose `scoped` schema is all this user may read."""
        cursor = _scoped_cursor(self.path, self.user)
        try:
            yield cursor
        finally:
            cursor.close()

    def _df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run on this object's cursor (taken at first use, kept for one page run)."""
        if not self.published:
            raise NotPublishedError(f"no published warehouse at {self.path}")
        if self._con is None or self._session_key != publication_key(self.path):
            self.close()
            self._con = _scoped_cursor(self.path, self.user)
            self._session_key = publication_key(self.path)
        return self._con.execute(sql, params or []).df()

    def close(self) -> None:
        if self._con is not None:
            con, self._con = self._con, None
            con.close()

    def __enter__(self) -> Data:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with suppress(Exception):  # interpreter shutdown
            self.close()

    def has_table(self, name: str) -> bool:
        return name in self.tables()

    @_cached
    def tables(self) -> tuple[str, ...]:
        return tuple(
            self._df(
                "select view_name from duckdb_views() where database_name = 'memory'"
                " and schema_name = ? order by 1",
                [SCOPED],
            )["view_name"]
        )

    # -- shared --

    @_cached
    def entities(self) -> pd.DataFrame:
        return self._df(
            "select entity_code, entity_name, country, currency from scoped.dim_entity order by 1"
        )

    def entity_choices(self) -> list[str]:
        """GROUP first when the user may see it, then their entities."""
        codes = list(self.entities()["entity_code"])
        return ([GROUP] if self.user.all_data else []) + codes

    @_cached
    def months(self) -> list[str]:
        return list(
            self._df("select distinct month from scoped.kpi_monthly order by month")["month"]
        )

    @_cached
    def kpi_definitions(self) -> pd.DataFrame:
        return self._df(
            "select kpi, area, unit, owner, formula, description from scoped.kpi_definitions"
            " order by area, kpi"
        )

    @_cached
    def kpi_cells(
        self,
        kpis: tuple[str, ...],
        entities: tuple[str, ...] | None = None,
        months: tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        """Governed KPI cells (entity_code, month, kpi, value) as published in kpi_monthly."""
        sql = "select entity_code, month, kpi, value from scoped.kpi_monthly where kpi in (select unnest(?))"
        params: list[Any] = [list(kpis)]
        if entities:
            sql += " and entity_code in (select unnest(?))"
            params.append(list(entities))
        if months:
            sql += " and month in (select unnest(?))"
            params.append(list(months))
        return self._df(sql + " order by entity_code, month, kpi", params)

    # -- executive --

    def tiles(self, entity: str, month: str) -> list[dict[str, Any]]:
        """One dict per tile: value, the prior month's value, the target."""
        months = self.months()
        prior = months[months.index(month) - 1] if month in months and months.index(month) else None
        wanted = tuple(m for m in (month, prior) if m)
        cells = self.kpi_cells(tuple(k for k, *_ in TILES), (entity,), wanted)
        values = {(r.month, r.kpi): r.value for r in cells.itertuples()}
        out = []
        for kpi, label, higher_better, fmt in TILES:
            out.append(
                {
                    "kpi": kpi,
                    "label": label,
                    "value": values.get((month, kpi)),
                    "prior": values.get((prior, kpi)) if prior else None,
                    "prior_month": prior,
                    "target": TARGETS.get(kpi),
                    "higher_is_better": higher_better,
                    "format": fmt,
                }
            )
        return out

    @_cached
    def breakdown(self, dimension: str, month: str, entity: str | None = None) -> pd.DataFrame:
        """Revenue, gross margin and line fill rate of a month by one dimension.

        Sums of the governed line-level amounts (fct_invoice_lines, by invoice month) and
        fill flags (fct_order_lines, by order month), grouped; `entity` narrows to one entity
        (GROUP or None: every entity the user may see, intercompany eliminated for GROUP).
        Entity-currency columns are filled when the rows share one currency.
        """
        if dimension not in BREAKDOWNS:
            raise ValueError(f"dimension must be one of {BREAKDOWNS}")
        key_inv, key_ord, joins_inv, joins_ord = _dimension_sql(dimension)
        filt_inv, filt_ord, params = _entity_filter(entity)
        sql = f"""
            with inv as (
                select {key_inv} as key,
                       sum(i.net_amount_usd) as revenue_usd,
                       sum(i.gross_margin_usd) as gross_margin_usd,
                       sum(i.pocket_margin_usd) as pocket_margin_usd,
                       sum(i.net_amount) as revenue_local,
                       sum(i.net_amount - i.cogs_amount) as gross_margin_local,
                       count(distinct i.currency) as currencies,
                       min(i.currency) as currency
                from scoped.fct_invoice_lines i {joins_inv}
                where i.invoice_month = ? {filt_inv}
                group by 1
            ), ord as (
                select {key_ord} as key,
                       count(*) as order_lines,
                       sum(case when o.is_filled_on_first_shipment then 1 else 0 end) as lines_filled
                from scoped.fct_order_lines o {joins_ord}
                where o.order_month = ? and not o.is_cancelled {filt_ord}
                group by 1
            )
            select coalesce(inv.key, ord.key) as key,
                   coalesce(inv.revenue_usd, 0) as revenue_usd,
                   coalesce(inv.gross_margin_usd, 0) as gross_margin_usd,
                   case when inv.revenue_usd > 0 then inv.gross_margin_usd / inv.revenue_usd end
                       as gross_margin_pct,
                   case when inv.revenue_usd > 0 then inv.pocket_margin_usd / inv.revenue_usd end
                       as pocket_margin_pct,
                   case when inv.currencies = 1 then inv.currency end as currency,
                   case when inv.currencies = 1 then inv.revenue_local end as revenue_local,
                   case when inv.currencies = 1 then inv.gross_margin_local end as gross_margin_local,
                   coalesce(ord.order_lines, 0) as order_lines,
                   case when ord.order_lines > 0
                        then cast(ord.lines_filled as double) / ord.order_lines end as line_fill_rate
            from inv full outer join ord on inv.key = ord.key
            order by revenue_usd desc, key
        """
        return self._df(sql, [month, *params, month, *params])

    @_cached
    def customers(self, entity: str, month: str) -> pd.DataFrame:
        """Drill level 2: an entity's customers in a month (revenue, margin, fill)."""
        self._require_entity(entity)
        return self._df(
            """
            with inv as (
                select i.customer_id, sum(i.net_amount_usd) as revenue_usd,
                       sum(i.gross_margin_usd) as gross_margin_usd,
                       sum(i.net_amount) as revenue_local, min(i.currency) as currency
                from scoped.fct_invoice_lines i
                where i.entity_code = ? and i.invoice_month = ?
                group by 1
            ), ord as (
                select o.customer_id, count(distinct o.order_id) as orders,
                       avg(case when o.is_filled_on_first_shipment then 1.0 else 0.0 end)
                           as line_fill_rate
                from scoped.fct_order_lines o
                where o.entity_code = ? and o.order_month = ? and not o.is_cancelled
                group by 1
            ), customers as (
                select customer_id, min(customer_name) as customer_name, min(channel) as channel,
                       min(region) as region
                from scoped.dim_customer where entity_code = ? group by 1
            )
            select coalesce(inv.customer_id, ord.customer_id) as customer_id,
                   c.customer_name, c.channel, c.region,
                   coalesce(inv.revenue_usd, 0) as revenue_usd,
                   case when inv.revenue_usd > 0 then inv.gross_margin_usd / inv.revenue_usd end
                       as gross_margin_pct,
                   inv.revenue_local, inv.currency,
                   coalesce(ord.orders, 0) as orders, ord.line_fill_rate
            from inv full outer join ord on inv.customer_id = ord.customer_id
            left join customers c on c.customer_id = coalesce(inv.customer_id, ord.customer_id)
            order by revenue_usd desc, customer_id
            """,
            [entity, month, entity, month, entity],
        )

    @_cached
    def orders(self, entity: str, customer_id: str, month: str) -> pd.DataFrame:
        """Drill level 3: one customer's orders of a month."""
        self._require_entity(entity)
        return self._df(
            """
            select o.order_id, min(o.order_date) as order_date, min(o.promised_date) as promised_date,
                   min(o.channel) as channel, count(*) as lines,
                   sum(o.qty_ordered_ea) as qty_ordered_ea, sum(o.shipped_qty_ea) as shipped_qty_ea,
                   sum(o.qty_ordered_ea * o.net_price_per_ea_usd) as order_value_usd,
                   sum(o.qty_ordered_ea * o.net_price_per_ea) as order_value_local,
                   min(o.currency) as currency,
                   bool_and(o.is_filled_on_first_shipment) as filled_on_first_shipment,
                   bool_and(o.is_in_full_on_time) as in_full_on_time,
                   max(o.last_ship_date) as last_ship_date
            from scoped.fct_order_lines o
            where o.entity_code = ? and o.customer_id = ? and o.order_month = ?
              and not o.is_cancelled
            group by o.order_id
            order by order_value_usd desc, o.order_id
            """,
            [entity, customer_id, month],
        )

    # -- exceptions --

    @_cached
    def exceptions(self) -> pd.DataFrame:
        """The whole published queue in scope, most money at stake first, then the nearest SLA.

        Every row: for exports and checks. The page reads `exception_queue` (one page, totals).
        """
        return self._df(
            f"""
            select exception_id, exception_type, exception_key, severity, entity_code, owner_role,
                   detected_at, {self._exception_clock()} as clock_start, sla_due,
                   money_at_stake_usd, status as published_status, detail
            from scoped.fct_exceptions e
            order by money_at_stake_usd desc nulls last, sla_due nulls last, exception_id
            """
        )

    @_cached
    def exception_options(self) -> dict[str, list[str]]:
        """The queue's filter choices in scope (types, entities, owner roles, published statuses)."""
        frame = self._df(
            "select exception_type, entity_code, owner_role, status from scoped.fct_exceptions"
            " group by all"
        )
        return {
            column: sorted(frame[column].dropna().unique().tolist())
            for column in ("exception_type", "entity_code", "owner_role", "status")
        }

    def exception_queue(
        self,
        *,
        types: tuple[str, ...] = (),
        entities: tuple[str, ...] = (),
        owners: tuple[str, ...] = (),
        statuses: tuple[str, ...] = (),
        assignee: str | None = None,
        limit: int = EXCEPTIONS_PAGE_SIZE,
        offset: int = 0,
        store: Path | None = None,
    ) -> tuple[pd.DataFrame, dict[str, Any]]:
        """One page of the queue, and the totals of every exception the filters match.

        The published queue joined with the workflow store (read fresh: an action shows at
        once; the store holds only exceptions someone acted on, passed in as bound lists), then
        filtered, counted and sorted (most money at stake first, then the nearest SLA) in SQL:
        only the page's rows come back. The store's latest action wins over the status the last
        run published; without any action, the published status (e.g. the source resolved it).
        Totals: `exceptions` (matching), `money_at_stake_usd` and `past_sla`.
        """
        from backbone.workflow import current_state

        states = list(current_state(store=store).values())
        resolved = pd.to_datetime([s.resolved_at for s in states], utc=True).tz_localize(None)
        params: list[Any] = [
            [s.exception_id for s in states],
            [s.status for s in states],
            [s.assignee for s in states],
            [f"{s.last_action} by {s.last_actor}" for s in states],
            [None if pd.isna(t) else t.to_pydatetime() for t in resolved],
            pd.Timestamp.now(tz="UTC").tz_localize(None).to_pydatetime(),
        ]
        where = ["true"]
        for column, chosen in (
            ("exception_type", types),
            ("entity_code", entities),
            ("owner_role", owners),
            ("status", statuses),
        ):
            if chosen:
                where.append(f"{column} in (select unnest(?))")
                params.append(list(chosen))
        if assignee:
            where.append("contains(lower(coalesce(assignee, '')), lower(?))")
            params.append(assignee)
        shown = f"""
            with state as (
                select unnest(cast(? as varchar[])) as exception_id,
                       unnest(cast(? as varchar[])) as workflow_status,
                       unnest(cast(? as varchar[])) as assignee,
                       unnest(cast(? as varchar[])) as last_action,
                       unnest(cast(? as timestamp[])) as resolved_at
            ), queue as (
                select e.exception_id, e.exception_type, e.entity_code, e.owner_role,
                       e.money_at_stake_usd, e.sla_due,
                       coalesce(s.workflow_status, e.status, 'open') as status,
                       s.assignee, s.last_action, s.resolved_at,
                       e.sla_due is not null
                           and coalesce(s.resolved_at, cast(? as timestamp)) > e.sla_due
                           as sla_breached
                from scoped.fct_exceptions e
                left join state s on s.exception_id = e.exception_id
            ), shown as (
                select * from queue where {" and ".join(where)}
            )
        """
        totals = self._df(
            shown + "select count(*) as exceptions,"
            " coalesce(sum(money_at_stake_usd), 0) as money_at_stake_usd,"
            " count(*) filter (where sla_breached) as past_sla from shown",
            params,
        ).iloc[0]
        # sort and cut on the narrow columns first, then fetch the page's wide ones
        page = self._df(
            shown
            + f"""
            , page as (
                select exception_id, status, assignee, last_action, resolved_at, sla_breached
                from shown
                order by money_at_stake_usd desc nulls last, sla_due nulls last, exception_id
                limit ? offset ?
            )
            select e.exception_id, e.exception_type, e.exception_key, e.severity, e.entity_code,
                   e.owner_role, e.detected_at, e.sla_due, e.money_at_stake_usd,
                   e.status as published_status, e.detail, p.status, p.assignee, p.last_action,
                   p.resolved_at,
                   date_diff('microsecond', {self._exception_clock()}, p.resolved_at) / 3600e6
                       as resolution_hours,
                   p.sla_breached
            from page p
            join scoped.fct_exceptions e on e.exception_id = p.exception_id
            order by e.money_at_stake_usd desc nulls last, e.sla_due nulls last, e.exception_id
            """,
            [*params, int(limit), int(offset)],
        )
        return page, {
            "exceptions": int(totals["exceptions"]),
            "money_at_stake_usd": float(totals["money_at_stake_usd"]),
            "past_sla": int(totals["past_sla"]),
        }

    @_cached
    def _exception_clock(self) -> str:
        """Where resolution time starts: the governed `first_seen_at` (when a run first showed
        the exception) once fct_exceptions carries it, else `detected_at` (as SQL on `e`)."""
        found = self._df(
            "select count(*) as n from duckdb_columns() where database_name = 'memory'"
            " and schema_name = ? and table_name = 'fct_exceptions'"
            " and column_name = 'first_seen_at'",
            [SCOPED],
        )["n"].iloc[0]
        return "coalesce(e.first_seen_at, e.detected_at)" if found else "e.detected_at"

    def act_on_exception(
        self,
        exception_id: str,
        action: str,
        *,
        assignee: str | None = None,
        comment: str | None = None,
        store: Path | None = None,
    ) -> str:
        """Record a workflow action, if the exception is in this user's scope."""
        from backbone.workflow import record_action

        in_scope = self._df(
            "select count(*) as n from scoped.fct_exceptions where exception_id = ?",
            [exception_id],
        )["n"].iloc[0]
        if not in_scope:
            raise AccessDenied(f"exception {exception_id} is not in your scope")
        return record_action(
            exception_id,
            action,
            self.user.username,
            assignee=assignee if action == "assign" else None,
            comment=comment,
            store=store,
        )

    # -- inventory --

    @_cached
    def inventory_by_warehouse(self, month: str) -> pd.DataFrame:
        """Per warehouse in a month: stock value at month end, stockouts, accuracy, days of supply.

        Stockout rate and record accuracy use the governed KPIs' counts (item × warehouse days,
        cycle counts), so warehouses add up to the entity's `stockout_rate` and
        `inventory_record_accuracy`. Days of supply: month-end on hand ÷ mean daily ordered
        quantity over the trailing window, as the governed KPI does per entity.
        """
        first_day, last_day = self._snapshot_bounds(month)
        if last_day is None:
            return self._df("select * from scoped.dim_warehouse where false")
        window_start = max(
            first_day, last_day - pd.Timedelta(days=DEMAND_WINDOW_DAYS - 1).to_pytimedelta()
        )
        if self.has_table(INVENTORY_MONTHLY):
            stock = f"""
            with stock as (
                select warehouse_code, cast(sum(item_days) as bigint) as positions,
                       cast(sum(stockout_days) as bigint) as stocked_out,
                       max(warehouse_month_end_date) as last_date,
                       sum(inventory_value_usd_month_end) as inventory_value_usd,
                       sum(inventory_value_month_end) as inventory_value_local,
                       min(entity_currency) filter (where is_at_month_end) as currency,
                       sum(on_hand_ea_month_end) as on_hand_ea,
                       count(*) filter (where is_stocked_out_month_end) as items_stocked_out
                from scoped.{INVENTORY_MONTHLY} where snapshot_month = ? group by 1
            ), stockouts as (
                select warehouse_code, positions, stocked_out, last_date from stock
            ), month_end as (
                select warehouse_code, inventory_value_usd, inventory_value_local, currency,
                       on_hand_ea, items_stocked_out
                from stock
            """
        else:  # a publication from before the mart: the month's daily positions
            stock = """
            with stockouts as (
                select warehouse_code, count(*) as positions,
                       count(*) filter (where is_stocked_out) as stocked_out,
                       max(snapshot_date) as last_date
                from scoped.fct_inventory_daily where snapshot_month = ? group by 1
            ), month_end as (
                -- each warehouse's last snapshot; the date filter first keeps this to a few days
                select i.warehouse_code, sum(i.inventory_value_usd) as inventory_value_usd,
                       sum(i.inventory_value) as inventory_value_local,
                       min(i.entity_currency) as currency, sum(i.on_hand_ea) as on_hand_ea,
                       count(*) filter (where i.is_stocked_out) as items_stocked_out
                from scoped.fct_inventory_daily i
                join stockouts s on s.warehouse_code = i.warehouse_code and s.last_date = i.snapshot_date
                where i.snapshot_date >= (select min(last_date) from stockouts)
                  and i.snapshot_month = ?
                group by 1
            """
        # ordered quantity per day × warehouse: the mart, else the order lines themselves
        demand = (
            f"scoped.{DEMAND_DAILY}"
            if self.has_table(DEMAND_DAILY)
            else "(select order_date, warehouse_code, qty_ordered_ea"
            " from scoped.fct_order_lines where not is_cancelled)"
        )
        return self._df(
            stock
            + f"""
            ), counts as (
                select warehouse_code, count(*) as counts,
                       count(*) filter (where is_accurate) as accurate_counts
                from scoped.fct_cycle_counts where count_month = ? group by 1
            ), demand as (
                select warehouse_code, sum(qty_ordered_ea) as window_demand_ea
                from {demand}
                where order_date between ? and ?
                group by 1
            )
            select w.warehouse_code, w.warehouse_name, w.entity_code, w.country,
                   m.inventory_value_usd, m.inventory_value_local, m.currency, m.on_hand_ea,
                   m.items_stocked_out,
                   s.positions, s.stocked_out,
                   case when s.positions > 0 then cast(s.stocked_out as double) / s.positions end
                       as stockout_rate,
                   c.counts, c.accurate_counts,
                   case when c.counts > 0 then cast(c.accurate_counts as double) / c.counts end
                       as inventory_record_accuracy,
                   case when d.window_demand_ea > 0
                        then m.on_hand_ea / (d.window_demand_ea / ?) end as days_of_supply
            from scoped.dim_warehouse w
            join month_end m on m.warehouse_code = w.warehouse_code
            left join stockouts s on s.warehouse_code = w.warehouse_code
            left join counts c on c.warehouse_code = w.warehouse_code
            left join demand d on d.warehouse_code = w.warehouse_code
            order by w.entity_code, w.warehouse_code
            """,
            [
                month,
                *([] if self.has_table(INVENTORY_MONTHLY) else [month]),
                month,
                window_start,
                last_day,
                (last_day - window_start).days + 1,
            ],
        )

    @_cached
    def inventory_items(
        self, month: str, warehouse_code: str | None = None, entity: str | None = None
    ) -> pd.DataFrame:
        """Items by stockout days in a month (a warehouse, an entity or all in scope), worst first."""
        _first, last_day = self._snapshot_bounds(month)
        where, params = "inv.snapshot_month = ?", [last_day, last_day, month]
        if entity and entity != GROUP:
            where += " and inv.entity_code = ?"
            params.append(entity)
        if warehouse_code:
            where += " and inv.warehouse_code = ?"
            params.append(warehouse_code)
        if self.has_table(INVENTORY_MONTHLY):
            # month-end columns hold the position on the warehouse's last day: those whose last
            # day is the month's last day are the rows the daily table has on that day
            measures = """
                   cast(sum(inv.stockout_days) as bigint) as stockout_days,
                   cast(sum(inv.item_days) as bigint) as item_days,
                   sum(inv.on_hand_ea_month_end) filter (where inv.warehouse_month_end_date = ?)
                       as on_hand_ea_month_end,
                   sum(inv.inventory_value_usd_month_end)
                       filter (where inv.warehouse_month_end_date = ?)
                       as inventory_value_usd_month_end"""
            source = f"scoped.{INVENTORY_MONTHLY}"
        else:  # a publication from before the mart: the month's daily positions
            measures = """
                   count(*) filter (where inv.is_stocked_out) as stockout_days,
                   count(*) as item_days,
                   sum(inv.on_hand_ea) filter (where inv.snapshot_date = ?) as on_hand_ea_month_end,
                   sum(inv.inventory_value_usd) filter (where inv.snapshot_date = ?)
                       as inventory_value_usd_month_end"""
            source = "scoped.fct_inventory_daily"
        items = self._df(
            f"""
            select inv.item_id, min(inv.abc_class) as abc_class,{measures}
            from {source} inv
            where {where}
            group by inv.item_id
            order by stockout_days desc, inventory_value_usd_month_end desc nulls last, inv.item_id
            limit 200
            """,
            params,
        )
        names = self._df(
            "select item_id, description, category from scoped.dim_item"
            " where item_id in (select unnest(?))",
            [list(items["item_id"].dropna())],
        )
        out = items.merge(names, on="item_id", how="left")
        return out[["item_id", "description", "category", *items.columns.drop("item_id")]]

    @_cached
    def _snapshot_bounds(self, month: str) -> tuple[date | None, date | None]:
        """(first snapshot day of the data, last snapshot day of the month)."""
        if self.has_table(INVENTORY_MONTHLY):
            sql = (
                f"select (select min(first_snapshot_date) from scoped.{INVENTORY_MONTHLY}),"
                f" max(last_snapshot_date) from scoped.{INVENTORY_MONTHLY} where snapshot_month = ?"
            )
        else:
            sql = (
                "select (select min(snapshot_date) from scoped.fct_inventory_daily),"
                " max(snapshot_date) from scoped.fct_inventory_daily where snapshot_month = ?"
            )
        first, last = self._df(sql, [month]).iloc[0]
        convert = lambda v: None if pd.isna(v) else pd.Timestamp(v).date()  # noqa: E731
        return convert(first), convert(last)

    # -- procurement --

    @_cached
    def supplier_scorecard(
        self, months: tuple[str, ...], entity: str | None = None
    ) -> pd.DataFrame:
        """Per supplier over the months (by expected month): OTIF, lead time, acknowledgement.

        Lines in scope as the governed `supplier_otif`: not cancelled, expected by the horizon.
        """
        narrow = "" if entity in (None, GROUP) else " and entity_code = ?"
        extra = [] if entity in (None, GROUP) else [entity]
        return self._df(
            f"""
            with lines as (
                select * from scoped.fct_po_lines
                where not is_cancelled and expected_month in (select unnest(?))
                  and expected_date <= (select max(month_end) from scoped.dim_date){narrow}
            ), pos as (
                select supplier_id, avg(ack_time_days) as po_ack_time_days, count(*) as pos
                from scoped.fct_purchase_orders
                where strftime(sent_date, '%Y-%m') in (select unnest(?)){narrow}
                group by 1
            ), suppliers as (
                select supplier_id, min(supplier_name) as supplier_name, min(country) as country
                from scoped.dim_supplier group by 1
            )
            select l.supplier_id, s.supplier_name, s.country,
                   count(*) as po_lines_due,
                   avg(case when l.is_on_time_in_full then 1.0 else 0.0 end) as supplier_otif,
                   avg(l.actual_lead_time_days) filter (where l.completed_on is not null)
                       as lead_time_mean_days,
                   avg(l.planned_lead_time_days) as planned_lead_time_days,
                   avg(l.lead_time_variance_days) filter (where l.completed_on is not null)
                       as lead_time_variance_days,
                   stddev_samp(l.lead_time_variance_days) filter (where l.completed_on is not null)
                       as lead_time_variance_days_std,
                   p.po_ack_time_days
            from lines l
            left join suppliers s on s.supplier_id = l.supplier_id
            left join pos p on p.supplier_id = l.supplier_id
            group by l.supplier_id, s.supplier_name, s.country, p.po_ack_time_days
            order by supplier_otif, po_lines_due desc, l.supplier_id
            """,
            [list(months), *extra, list(months), *extra],
        )

    @_cached
    def late_open_po_lines(self, as_of: date | None = None) -> pd.DataFrame:
        """PO lines past their expected date and not completed, as of the data date."""
        sql = """
            with as_of as (
                select coalesce(cast(? as date), max(snapshot_date)) as d
                from scoped.fct_inventory_daily
            )
            select l.po_id, l.line_no, l.entity_code, l.supplier_id, s.supplier_name, l.item_id,
                   l.expected_date, date_diff('day', l.expected_date, (select d from as_of)) as days_late,
                   l.qty_ordered_ea, l.received_qty_ea,
                   l.qty_ordered_ea - coalesce(l.received_qty_ea, 0) as open_qty_ea,
                   (l.qty_ordered_ea - coalesce(l.received_qty_ea, 0)) * l.unit_cost
                       / nullif(l.qty_ordered_ea / nullif(l.qty_ordered, 0), 0) as open_value_local,
                   l.currency
            from scoped.fct_po_lines l
            left join (select supplier_id, min(supplier_name) as supplier_name
                       from scoped.dim_supplier group by 1) s on s.supplier_id = l.supplier_id
            where not l.is_cancelled and l.completed_on is null
              and coalesce(l.line_status, 'open') not in ('closed', 'received', 'cancelled')
              and l.expected_date < (select d from as_of)
            order by days_late desc, l.po_id, l.line_no
        """
        return self._df(sql, [as_of])

    # -- the intelligence models' report (all-data users: it is about the whole group) --

    def model_report(self) -> pd.DataFrame:
        """Per model and metric: its value, what it was trained on, when, against what truth."""
        self._require_all_data()
        if not self.has_table("model_report"):
            return pd.DataFrame()
        return self._df("select * from scoped.model_report order by model, metric")

    # -- data quality (all-data users: audit and quarantine are not split by entity) --

    def quality(self) -> dict[str, Any]:
        """The steward report's data (quality.report's own functions), on the published copy."""
        from quality import report

        self._require_all_data()
        key = (publication_key(self.path), "quality")
        with _cache_lock:
            if self.use_cache and key in _cache:
                return _cache[key]
        with self._unscoped() as con:
            suites = _suites()
            summary = report.build_summary(con, status(self.path), suites)
            fast = report.marts_current(con)
            out = {
                "summary": summary,
                "loads": _frame(
                    report._loads(con, from_marts=fast),
                    [
                        "feed",
                        "loads",
                        "files_rejected",
                        "duplicates_skipped",
                        "rows_read",
                        "rows_loaded",
                        "rows_quarantined",
                        "last_finished_at",
                    ],
                ),
                "freshness": _frame(
                    report._freshness(con, from_marts=fast),
                    ["feed", "newest_data_day", "last_loaded_at", "days_behind_newest"],
                ),
                "quarantine": _frame(
                    report._quarantine(con, from_marts=fast),
                    [
                        "feed",
                        "reason_code",
                        "rows",
                        "example_detail",
                        "example_position",
                        "example_raw",
                    ],
                ),
                "unmapped": _frame(report._unmapped(con, suites), ["where", "code", "rows"]),
            }
        with _cache_lock:
            if self.use_cache:
                _cache[key] = out
        return out

    def quality_html(self) -> str:
        from quality import report

        self._require_all_data()
        with self._unscoped() as con:
            return report.render_html(con, status(self.path), source_note=str(self.path))

    @_cached
    def quarantine_records(
        self, source_system: str | None = None, reason_code: str | None = None, limit: int = 500
    ) -> pd.DataFrame:
        """Quarantined rows to browse: up to `limit` of a source (and reason), or a sample of
        each source (`QUARANTINE_SAMPLE` rows) across them all.

        The rows are the first the scan finds (load order), so no query sorts the whole
        quarantine; the sample is then ordered by position for display.
        """
        self._require_all_data()
        where, params = ["true"], []
        if reason_code:
            where.append("reason_code = ?")
            params.append(reason_code)
        if source_system:
            sources, per_source = [source_system], limit
        else:
            sources = list(
                self._df("select distinct source_system from scoped.records order by 1")[
                    "source_system"
                ]
            )
            per_source = min(limit, QUARANTINE_SAMPLE)
        if not sources:
            return self._df("select * from scoped.records where false")
        parts = [
            f"(select * from scoped.records where source_system = ? and {' and '.join(where)}"
            " limit ?)"
            for _ in sources
        ]
        return self._df(
            f"select * from ({' union all '.join(parts)})"
            " order by source_system, feed, source_file, source_row limit ?",
            [value for source in sources for value in (source, *params, per_source)] + [limit],
        )

    @contextmanager
    def _unscoped(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The published catalog itself (audit, quarantine by their own names): all-data users."""
        self._require_all_data()
        cursor = _scoped_cursor(self.path, self.user)
        try:
            cursor.execute(f"use {CATALOG}")
            yield cursor
        finally:
            cursor.close()

    # -- checks --

    def _require_all_data(self) -> None:
        if not self.user.all_data:
            raise AccessDenied("this needs access to every entity's data")

    def _require_entity(self, entity: str) -> None:
        if not self.user.all_data and entity not in (self.user.entities or ()):
            raise AccessDenied(f"entity {entity} is not in your scope")


def _suites() -> dict[str, Any]:
    """The quality suites (YAML config), parsed once per change of their files."""
    from quality.suites import SUITES_DIR

    files = tuple((str(p), p.stat().st_mtime_ns) for p in sorted(SUITES_DIR.glob("*.yaml")))
    return _parse_suites(files)


@lru_cache(maxsize=2)
def _parse_suites(_files: tuple) -> dict[str, Any]:
    from quality.suites import load_suites

    return load_suites()


def _entity_filter(entity: str | None) -> tuple[str, str, list[Any]]:
    """Narrowing to one entity or to the consolidated view (intercompany eliminated)."""
    if entity in (None, GROUP):
        return "and not i.is_intercompany", "and not o.is_intercompany", []
    return "and i.entity_code = ?", "and o.entity_code = ?", [entity]


def _dimension_sql(dimension: str) -> tuple[str, str, str, str]:
    """(invoice key, order key, invoice joins, order joins) for a breakdown dimension."""
    if dimension == "entity":
        return "i.entity_code", "o.entity_code", "", ""
    if dimension == "country":
        join_i = "left join scoped.dim_entity e on e.entity_code = i.entity_code"
        join_o = "left join scoped.dim_entity e on e.entity_code = o.entity_code"
        return "e.country", "e.country", join_i, join_o
    if dimension == "channel":
        return "i.channel", "o.channel", "", ""
    if dimension == "customer":
        # customers are entity-local records: name the entity with the customer
        return (
            "i.entity_code || ' · ' || coalesce(i.customer_id, i.customer_code)",
            "o.entity_code || ' · ' || coalesce(o.customer_id, o.customer_code)",
            "",
            "",
        )
    join_i = "left join scoped.dim_item it on it.item_id = i.item_id"
    join_o = "left join scoped.dim_item it on it.item_id = o.item_id"
    return "coalesce(it.category, 'unmapped')", "coalesce(it.category, 'unmapped')", join_i, join_o


def _frame(by_source: dict[str, list[tuple]], columns: list[str]) -> pd.DataFrame:
    rows = [(source, *row) for source, items in by_source.items() for row in items]
    return pd.DataFrame(rows, columns=["source_system", *columns])


# --- building the scope -----------------------------------------------------------------------

_layout_cache: dict[tuple, list[tuple[str, str, bool]]] = {}


_pool: OrderedDict[tuple, tuple[Any, duckdb.DuckDBPyConnection]] = OrderedDict()
_pool_lock = threading.Lock()
_POOL_SIZE = 8
_IDLE_S = 60.0  # a connection on a replaced publication is closed once idle this long
_last_used: dict[tuple, float] = {}


def _scoped_cursor(path: Path, user: User) -> duckdb.DuckDBPyConnection:
    """A cursor on a pooled connection (one per publication and entity scope) with its views.

    Opening the file and building the views costs tens of milliseconds, so it is done once per
    publication and scope; each page run takes its own cursor (thread-safe in DuckDB). A new
    publication has a new file identity, hence new connections; old ones age out of the pool.
    """
    key = (publication_key(path), user.entities)
    with _pool_lock:
        entry = _pool.get(key)
        if entry is None:
            session = published_connection(path)
            con = session.__enter__()
            try:
                _build_scope(con, user)
            except BaseException:
                session.__exit__(None, None, None)
                raise
            entry = _pool[key] = (session, con)
            _retire(key)
        _pool.move_to_end(key)
        _last_used[key] = time.monotonic()
        cursor = entry[1].cursor()
    cursor.execute(f"use memory.{SCOPED}")
    return cursor


def _retire(current: tuple) -> None:
    """Close pooled connections beyond the pool size, and those on replaced publications that
    no page run has used for a while (a replaced file stays on disk while it is open)."""
    now = time.monotonic()
    path = current[0][0] if current[0] else None
    for key in list(_pool):
        replaced = key[0] and key[0][0] == path and key[0] != current[0]
        idle = now - _last_used.get(key, now) > _IDLE_S
        if len(_pool) > _POOL_SIZE or (replaced and idle):
            session, _con = _pool.pop(key)
            _last_used.pop(key, None)
            session.__exit__(None, None, None)


def close_pool() -> None:
    with _pool_lock:
        while _pool:
            _, (session, _con) = _pool.popitem(last=False)
            session.__exit__(None, None, None)
        _last_used.clear()


def _build_scope(con: duckdb.DuckDBPyConnection, user: User) -> None:
    """Create `memory.scoped`: one view per published table this user may read, filtered."""
    layout = _layout(con)
    con.execute("create schema memory.scope_meta")
    con.execute("create table memory.scope_meta.entities (entity_code varchar primary key)")
    if user.entities:
        con.executemany(
            "insert into memory.scope_meta.entities values (?)", [[e] for e in user.entities]
        )
    con.execute(f"create schema memory.{SCOPED}")
    statements = []
    for schema, table, has_entity in layout:
        source = f'{CATALOG}."{schema}"."{table}"'
        if user.all_data:
            body = f"select * from {source}"
        elif has_entity:
            body = (
                f"select * from {source}"
                " where entity_code in (select entity_code from memory.scope_meta.entities)"
            )
        elif table in SHARED_TABLES:
            body = f"select * from {source}"
        else:
            continue
        statements.append(f'create view memory.{SCOPED}."{table}" as {body}')
    if statements:
        con.execute(";\n".join(statements))


def _layout(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, bool]]:
    """(schema, table, has entity_code) of the published tables, cached per publication."""
    key = con.execute(
        "select path from duckdb_databases() where database_name = ?", [CATALOG]
    ).fetchone()
    key = publication_key(Path(key[0])) if key and key[0] else None
    if key is not None and key in _layout_cache:
        return _layout_cache[key]
    rows = con.execute(
        """
        select t.schema_name, t.table_name,
               bool_or(c.column_name = 'entity_code') as has_entity
        from duckdb_tables() t
        join duckdb_columns() c
          on c.database_name = t.database_name and c.schema_name = t.schema_name
         and c.table_name = t.table_name
        where t.database_name = ? and t.schema_name in (select unnest(?))
        group by 1, 2
        order by case t.schema_name when 'marts' then 0 when 'reference' then 1 else 2 end, 2
        """,
        [CATALOG, list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    seen: set[str] = set()
    layout = []
    for schema, table, has_entity in rows:
        if table in seen:  # the marts' name wins over a same-named table elsewhere
            continue
        seen.add(table)
        layout.append((schema, table, bool(has_entity)))
    if key is not None:
        _layout_cache[key] = layout
    return layout


def timed(fn, *args, **kwargs) -> tuple[Any, float]:
    """(result, milliseconds): for the benchmark and the console's footer."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, (time.perf_counter() - start) * 1000
