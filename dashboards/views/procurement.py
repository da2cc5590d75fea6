"""Procurement: supplier scorecard (on-time in-full, lead time mean and variance, acknowledgement
time) and late open PO lines."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboards import ui
from dashboards.data import GROUP, PROCUREMENT_KPIS

LABELS = {
    "supplier_otif": ("Supplier OTIF", "pct"),
    "lead_time_variance_days": ("Lead-time variance", "days"),
    "lead_time_variance_days_std": ("Lead-time variance σ", "days"),
    "po_ack_time_days": ("PO acknowledgement", "days"),
}

user, data = ui.page("procurement", "Procurement")
months = data.months()
if not months:
    st.info("No KPI cells published yet: run `backbone run`.")
    st.stop()

left, right = st.columns([1, 2])
entity = left.selectbox("Entity", data.entity_choices(), key="proc_entity")
first, last = right.select_slider(
    "Months (by the PO line's expected date)",
    options=months,
    value=(months[max(0, len(months) - 3)], months[-1]),
    key="proc_months",
)
window = tuple(m for m in months if first <= m <= last)

cells = data.kpi_cells(PROCUREMENT_KPIS, (entity,), (last,))
values = dict(zip(cells["kpi"], cells["value"], strict=True))
st.caption(f"Governed KPIs for {entity} in {last}")
for column, kpi in zip(st.columns(len(PROCUREMENT_KPIS)), PROCUREMENT_KPIS, strict=True):
    label, kind = LABELS[kpi]
    column.metric(label, ui.fmt(values.get(kpi), kind), help=f"Governed KPI `{kpi}`")

st.subheader(f"Supplier scorecard · {first} to {last}")
scorecard = data.supplier_scorecard(window, None if entity == GROUP else entity)
if scorecard.empty:
    st.info("No PO lines due in these months.")
else:
    # supplier names repeat across entities' local records: label by name and golden id
    scorecard.insert(
        0,
        "supplier",
        scorecard["supplier_name"].fillna("unmapped")
        + " · "
        + scorecard["supplier_id"].fillna("?"),
    )
    st.altair_chart(
        alt.Chart(scorecard.head(30))
        .mark_bar()
        .encode(
            y=alt.Y("supplier:N", sort="x", title="supplier (worst 30 first)"),
            x=alt.X("supplier_otif:Q", axis=alt.Axis(format="%"), title="on-time in-full"),
            tooltip=[
                "supplier_id",
                "supplier_name",
                "po_lines_due",
                alt.Tooltip("supplier_otif:Q", format=".1%"),
                alt.Tooltip("lead_time_mean_days:Q", format=".1f"),
                alt.Tooltip("lead_time_variance_days_std:Q", format=".1f"),
            ],
        ),
        width="stretch",
    )
    ui.table(scorecard, f"supplier scorecard {first} {last}")

st.subheader("Late open PO lines")
late = data.late_open_po_lines()
if entity != GROUP:
    late = late[late["entity_code"] == entity]
if late.empty:
    st.success("No open PO line is past its expected date.")
else:
    st.metric("Late open PO lines", f"{len(late):,}")
    ui.table(late, "late open po lines")
