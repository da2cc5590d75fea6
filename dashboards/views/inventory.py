"""Inventory: turns, days of supply, stockouts and record accuracy, by entity, warehouse and item."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboards import ui
from dashboards.data import GROUP, INVENTORY_KPIS

LABELS = {
    "inventory_turns": ("Inventory turns", "turns"),
    "days_on_hand": ("Days on hand", "days"),
    "days_of_supply": ("Days of supply", "days"),
    "inventory_record_accuracy": ("Record accuracy", "pct"),
    "stockout_rate": ("Stockout rate", "pct"),
    "average_inventory_usd": ("Average inventory", "musd"),
}

user, data = ui.page("inventory", "Inventory")
months = data.months()
if not months:
    st.info("No KPI cells published yet: run `backbone run`.")
    st.stop()

left, right = st.columns([2, 1])
entity = left.selectbox("Entity", data.entity_choices(), key="inv_entity")
month = right.selectbox("Month", months[::-1], key="inv_month")

cells = data.kpi_cells(INVENTORY_KPIS, (entity,), (month,))
values = dict(zip(cells["kpi"], cells["value"], strict=True))
columns = st.columns(len(INVENTORY_KPIS))
for column, kpi in zip(columns, INVENTORY_KPIS, strict=True):
    label, kind = LABELS[kpi]
    column.metric(label, ui.fmt(values.get(kpi), kind), help=f"Governed KPI `{kpi}`")

trend = data.kpi_cells(("inventory_turns", "stockout_rate", "inventory_record_accuracy"), (entity,))
if not trend.empty:
    st.altair_chart(
        alt.Chart(trend)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O"),
            y=alt.Y("value:Q"),
            color=alt.Color("kpi:N", legend=None),
            facet=alt.Facet("kpi:N", columns=3),
            tooltip=["month", "kpi", alt.Tooltip("value:Q", format=",.4f")],
        )
        .resolve_scale(y="independent")
        .properties(height=180, width=260),
    )

st.subheader(f"By warehouse · {month}")
warehouses = data.inventory_by_warehouse(month)
if entity != GROUP:
    warehouses = warehouses[warehouses["entity_code"] == entity]
if warehouses.empty:
    st.info("No inventory snapshots for this month.")
else:
    st.altair_chart(
        alt.Chart(warehouses)
        .mark_bar()
        .encode(
            y=alt.Y("warehouse_code:N", sort="-x", title="warehouse"),
            x=alt.X("stockout_rate:Q", axis=alt.Axis(format="%"), title="stockout rate"),
            color="entity_code:N",
            tooltip=[
                "warehouse_name",
                "stockout_rate",
                "inventory_record_accuracy",
                "days_of_supply",
            ],
        ),
        width="stretch",
    )
    ui.table(warehouses, f"inventory by warehouse {month}")

st.subheader("Items with the most stockout days")
warehouse = st.selectbox(
    "Warehouse",
    [None, *warehouses["warehouse_code"]],
    key="inv_warehouse",
    format_func=lambda w: "all warehouses in view" if w is None else w,
)
items = data.inventory_items(month, warehouse, entity)
ui.table(items, f"inventory items {warehouse or entity} {month}")
