"""Operations: the exceptions queue, worked here (acknowledge, assign, resolve, comment).

Actions go to the workflow store (backbone.workflow), never the warehouse, and show at once;
ingestion reads the store on the next run so resolution time becomes a governed KPI.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from backbone.workflow import ACTIONS, history
from dashboards import ui

ACTIVE = ["open", "acknowledged", "assigned"]

user, data = ui.page("exceptions", "Exceptions queue")

queue = data.exception_queue()
if queue.empty:
    st.success("No exceptions in your scope.")
    st.stop()

flash = st.session_state.pop("exceptions_flash", None)
if flash:
    st.success(flash)

c1, c2, c3, c4, c5 = st.columns(5)
types = c1.multiselect("Type", sorted(queue["exception_type"].dropna().unique()), key="exc_type")
entities = c2.multiselect(
    "Entity", sorted(queue["entity_code"].dropna().unique()), key="exc_entity"
)
owners = c3.multiselect(
    "Owner role", sorted(queue["owner_role"].dropna().unique()), key="exc_owner"
)
statuses = c4.multiselect(
    "Status", sorted(set(queue["status"].dropna()) | set(ACTIVE)), default=ACTIVE, key="exc_status"
)
assignee = c5.text_input("Assignee contains", key="exc_assignee")

shown = queue
if types:
    shown = shown[shown["exception_type"].isin(types)]
if entities:
    shown = shown[shown["entity_code"].isin(entities)]
if owners:
    shown = shown[shown["owner_role"].isin(owners)]
if statuses:
    shown = shown[shown["status"].isin(statuses)]
if assignee:
    shown = shown[shown["assignee"].fillna("").str.contains(assignee, case=False, regex=False)]

m1, m2, m3 = st.columns(3)
m1.metric("Exceptions shown", f"{len(shown):,}")
m2.metric("Money at stake (USD)", f"{shown['money_at_stake_usd'].fillna(0).sum():,.0f}")
m3.metric("Past SLA", f"{int(shown['sla_breached'].sum()):,}")

columns = [
    "exception_id",
    "exception_type",
    "severity",
    "entity_code",
    "owner_role",
    "money_at_stake_usd",
    "sla_due",
    "status",
    "assignee",
    "last_action",
    "resolution_hours",
    "detected_at",
    "published_status",
    "detail",
]
ui.table(
    shown[columns],
    "exceptions",
    column_config={
        "money_at_stake_usd": st.column_config.NumberColumn("money at stake (USD)", format="%,.0f"),
        "resolution_hours": st.column_config.NumberColumn("resolution (h)", format="%.1f"),
    },
)

st.subheader("Work an exception")
if shown.empty:
    st.info("No exception matches the filters.")
    st.stop()
ids = list(shown["exception_id"].head(500))
labels = {
    r.exception_id: f"{r.exception_id} · {r.status} · {r.money_at_stake_usd or 0:,.0f} USD"
    for r in shown.head(500).itertuples()
}
chosen = st.selectbox("Exception", ids, format_func=labels.get, key="exc_chosen")
with st.form("exception_action", clear_on_submit=True):
    action = st.radio("Action", ACTIONS, horizontal=True, key="exc_action")
    assign_to = st.text_input("Assignee (for assign)", key="exc_assign_to")
    comment = st.text_area("Comment", key="exc_comment")
    submitted = st.form_submit_button("Record action")
if submitted:
    try:
        data.act_on_exception(chosen, action, assignee=assign_to or None, comment=comment or None)
    except (ValueError, PermissionError) as exc:
        st.error(str(exc))
    else:
        st.session_state["exceptions_flash"] = f"{action} recorded on {chosen}."
        st.rerun()

log = pd.DataFrame(history(chosen))
if not log.empty:
    st.markdown("**History**")
    ui.table(log[["acted_at", "action", "actor", "assignee", "comment"]], f"history {chosen}")
