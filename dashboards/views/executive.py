"""Executive overview: governed KPI tiles against the prior month and a target, trends,
breakdowns, and a drill-down from entity to customer to order."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboards import ui
from dashboards.data import BREAKDOWNS, GROUP, TILES

user, data = ui.page("executive", "Executive overview")

months = data.months()
if not months:
    st.info("The published warehouse has no KPI cells yet: run `backbone run`.")
    st.stop()
choices = data.entity_choices()
names = dict(zip(data.entities()["entity_code"], data.entities()["entity_name"], strict=True))
currencies = dict(zip(data.entities()["entity_code"], data.entities()["currency"], strict=True))

left, middle, right = st.columns([2, 1, 1])
entity = left.selectbox(
    "Entity",
    choices,
    key="exec_entity",
    format_func=lambda e: (
        "GROUP: consolidated, intercompany eliminated" if e == GROUP else f"{e}: {names.get(e, '')}"
    ),
)
month = middle.selectbox("Month", months[::-1], key="exec_month")
currency_mode = right.radio(
    "Amounts in", ["USD", "Entity currency"], key="exec_currency", horizontal=True
)

# --- tiles -------------------------------------------------------------------------------------
tiles = data.tiles(entity, month)
st.subheader(f"{entity} · {month}")
for row in (tiles[:5], tiles[5:]):
    columns = st.columns(5)
    for column, tile in zip(columns, row, strict=False):
        target = tile["target"]
        help_text = f"Governed KPI `{tile['kpi']}` from kpi_monthly."
        if tile["prior_month"]:
            help_text += f" Change against {tile['prior_month']}."
        if target is not None:
            help_text += f" Target: {ui.fmt(target, tile['format'])}."
        column.metric(
            tile["label"],
            ui.fmt(tile["value"], tile["format"]),
            delta=ui.delta(tile["value"], tile["prior"], tile["format"]),
            delta_color="normal" if tile["higher_is_better"] else "inverse",
            help=help_text,
        )
        if target is not None and tile["value"] is not None:
            met = tile["value"] >= target if tile["higher_is_better"] else tile["value"] <= target
            column.caption(
                f"target {ui.fmt(target, tile['format'])} · {'met' if met else 'missed'}"
            )
st.caption("Amount KPIs are governed in USD at each transaction date's rate.")

# --- trend -------------------------------------------------------------------------------------
st.subheader("Trend by month")
labels = {kpi: label for kpi, label, *_ in TILES}
formats = {kpi: fmt for kpi, _, _, fmt in TILES}
trend_kpi = st.selectbox("KPI", list(labels), format_func=labels.get, key="exec_trend_kpi", index=0)
compare = [entity] if entity != GROUP else choices
trend = data.kpi_cells((trend_kpi,), tuple(compare))
if trend.empty:
    st.info("No values for this KPI yet.")
else:
    line = (
        alt.Chart(trend)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="month"),
            y=alt.Y(
                "value:Q",
                title=labels[trend_kpi],
                axis=alt.Axis(format="%" if formats[trend_kpi] == "pct" else ",.1f"),
            ),
            color=alt.Color("entity_code:N", title="entity"),
            tooltip=["entity_code", "month", alt.Tooltip("value:Q", format=",.4f")],
        )
    )
    layers = [line]
    from dashboards.data import TARGETS

    if trend_kpi in TARGETS:
        rule = pd.DataFrame({"target": [TARGETS[trend_kpi]]})
        layers.append(
            alt.Chart(rule).mark_rule(strokeDash=[4, 4], color="gray").encode(y="target:Q")
        )
    st.altair_chart(alt.layer(*layers), width="stretch")
    with st.expander("Trend data"):
        ui.table(
            trend.pivot(index="month", columns="entity_code", values="value").reset_index(),
            f"trend {trend_kpi}",
        )

# --- breakdown and drill-down ------------------------------------------------------------------
st.subheader("Breakdown")
dimension = st.radio("By", BREAKDOWNS, horizontal=True, key="exec_dimension")
measure = st.radio(
    "Measure",
    ["revenue", "gross_margin_pct", "line_fill_rate"],
    horizontal=True,
    key="exec_measure",
    format_func={
        "revenue": "Revenue",
        "gross_margin_pct": "Gross margin %",
        "line_fill_rate": "Line fill rate",
    }.get,
)
scope = None if entity == GROUP else entity
frame = data.breakdown(dimension, month, scope)
local = currency_mode == "Entity currency"
if measure == "revenue" and local:
    frame = frame.assign(amount=frame["revenue_local"])
    value_field, value_title = "amount", "revenue (entity currency)"
    if frame["currency"].isna().any() and dimension != "entity":
        st.caption("Rows mixing currencies have no entity-currency amount; choose one entity.")
else:
    value_field = "revenue_usd" if measure == "revenue" else measure
    value_title = {"revenue_usd": "revenue (USD)"}.get(value_field, measure)
if frame.empty:
    st.info("No sales in this month.")
else:
    pick = alt.selection_point(name="pick", fields=["key"])
    shown = frame.head(25)
    bars = (
        alt.Chart(shown)
        .mark_bar()
        .encode(
            y=alt.Y("key:N", sort="-x", title=dimension),
            x=alt.X(f"{value_field}:Q", title=value_title),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
            tooltip=["key", "revenue_usd", "gross_margin_pct", "line_fill_rate", "currency"],
        )
        .add_params(pick)
    )
    event = st.altair_chart(bars, on_select="rerun", key=f"exec_bars_{dimension}", width="stretch")
    clicked = [p.get("key") for p in (event.selection.get("pick") or [])] if event else []
    if dimension == "entity" and clicked and clicked[0] != st.session_state.get("_clicked_entity"):
        st.session_state["_clicked_entity"] = clicked[0]
        st.session_state["exec_drill_entity"] = clicked[0]
    ui.table(frame, f"breakdown by {dimension} {month}")

st.subheader("Drill down: entity → customer → order")
drillable = [c for c in choices if c != GROUP]
drill_entity = st.selectbox(
    "Entity (or click its bar in the breakdown by entity)",
    [None, *drillable],
    key="exec_drill_entity",
    format_func=lambda e: "choose an entity" if e is None else f"{e}: {names.get(e, '')}",
)
if drill_entity:
    customers = data.customers(drill_entity, month)
    money = "revenue_local" if local else "revenue_usd"
    unit = currencies.get(drill_entity, "USD") if local else "USD"
    if customers.empty:
        st.info(f"No customer activity for {drill_entity} in {month}.")
    else:
        pick_customer = alt.selection_point(name="customer", fields=["customer_id"])
        chart = (
            alt.Chart(customers.head(20))
            .mark_bar()
            .encode(
                y=alt.Y("customer_name:N", sort="-x", title="customer"),
                x=alt.X(f"{money}:Q", title=f"revenue ({unit})"),
                tooltip=["customer_id", "customer_name", "channel", money, "gross_margin_pct"],
            )
            .add_params(pick_customer)
        )
        event = st.altair_chart(chart, on_select="rerun", key="exec_customer_bars", width="stretch")
        clicked = (
            [p.get("customer_id") for p in (event.selection.get("customer") or [])] if event else []
        )
        if clicked and clicked[0] != st.session_state.get("_clicked_customer"):
            st.session_state["_clicked_customer"] = clicked[0]
            st.session_state["exec_drill_customer"] = clicked[0]
        ui.table(customers, f"customers {drill_entity} {month}")
        customer_names = dict(
            zip(customers["customer_id"], customers["customer_name"], strict=True)
        )
        customer = st.selectbox(
            "Customer (or click its bar)",
            [None, *customers["customer_id"].dropna()],
            key="exec_drill_customer",
            format_func=lambda c: (
                "choose a customer" if c is None else f"{c}: {customer_names.get(c) or ''}"
            ),
        )
        if customer:
            orders = data.orders(drill_entity, customer, month)
            st.markdown(
                f"**Orders of {customer_names.get(customer) or customer} in {month}** (amounts in {unit})"
            )
            if local:
                orders = orders.drop(columns=["order_value_usd"])
            else:
                orders = orders.drop(columns=["order_value_local", "currency"])
            ui.table(orders, f"orders {drill_entity} {customer} {month}")
