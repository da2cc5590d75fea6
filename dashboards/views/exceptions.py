"""Operations: the exceptions queue, worked here (acknowledge, assign, resolve, comment).

Filtering, counting, sorting and paging happen in SQL (`Data.exception_queue`): a page of the
queue comes back, never the whole queue.

Actions go to the workflow store (backbone.workflow), never the warehouse, and show at once;
ingestion reads the store on the next run so resolution time becomes a governed KPI.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from backbone.workflow import ACTIONS, STATUS_AFTER, history
from dashboards import ui
from dashboards.data import EXCEPTIONS_PAGE_SIZE as PAGE_SIZE

ACTIVE = ["open", "acknowledged", "assigned"]

user, data = ui.page("exceptions", "Exceptions queue")

options = data.exception_options()
if not options["exception_type"]:
    st.success("No exceptions in your scope.")
    st.stop()

flash = st.session_state.pop("exceptions_flash", None)
if flash:
    st.success(flash)

c1, c2, c3, c4, c5 = st.columns(5)
types = c1.multiselect("Type", options["exception_type"], key="exc_type")
entities = c2.multiselect("Entity", options["entity_code"], key="exc_entity")
owners = c3.multiselect("Owner role", options["owner_role"], key="exc_owner")
statuses = c4.multiselect(
    "Status",
    sorted(set(options["status"]) | set(STATUS_AFTER.values()) | set(ACTIVE)),
    default=ACTIVE,
    key="exc_status",
)
assignee = c5.text_input("Assignee contains", key="exc_assignee")
filters = {
    "types": tuple(types),
    "entities": tuple(entities),
    "owners": tuple(owners),
    "statuses": tuple(statuses),
    "assignee": assignee or None,
}
# a new filter starts at the first page
if st.session_state.get("exc_filters") != filters:
    st.session_state["exc_filters"] = filters
    st.session_state["exc_page"] = 1

number = st.session_state.get("exc_page", 1)
shown, totals = data.exception_queue(**filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
pages = max(1, math.ceil(totals["exceptions"] / PAGE_SIZE))
if number > pages:  # the queue shrank under this page (an action, a new publication)
    number = st.session_state["exc_page"] = pages
    shown, totals = data.exception_queue(
        **filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )

m1, m2, m3, m4 = st.columns(4)
m1.metric("Exceptions shown", f"{totals['exceptions']:,}")
m2.metric("Money at stake (USD)", f"{totals['money_at_stake_usd']:,.0f}")
m3.metric("Past SLA", f"{totals['past_sla']:,}")
m4.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, key="exc_page")
if not shown.empty:
    st.caption(
        f"Rows {(number - 1) * PAGE_SIZE + 1:,}–{(number - 1) * PAGE_SIZE + len(shown):,}"
        f" of {totals['exceptions']:,}, most money at stake first, then the nearest SLA."
    )

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
ids = list(shown["exception_id"])
labels = {
    r.exception_id: f"{r.exception_id} · {r.status} · {r.money_at_stake_usd or 0:,.0f} USD"
    for r in shown.itertuples()
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
