"""Data quality (stewards): the latest gates, loads, freshness, quarantine browser, unmapped codes.

The numbers come from `quality.report`'s own functions, so this page and the offline HTML
report never disagree.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import ui

user, data = ui.page("quality", "Data quality")
report = data.quality()
summary = report["summary"]

if summary["ok"] is None:
    st.info("No gate results in the published warehouse yet.")
elif summary["ok"]:
    st.success(f"Latest gates passed · run {summary['run_id']} at {summary['checked_at']}")
else:
    blocked = ", ".join(f"{b['asset']}:{b['check']}" for b in summary["blocked_by"])
    st.error(f"Latest run blocked by {blocked}")

results = pd.DataFrame(summary["results"])
c1, c2, c3, c4 = st.columns(4)
c1.metric("Gates checked", f"{len(results):,}")
c2.metric("Gates failing", f"{int((~results['passed']).sum()) if not results.empty else 0:,}")
c3.metric("Rows quarantined", f"{int(report['loads']['rows_quarantined'].sum()):,}")
c4.metric("Unmapped codes", f"{len(report['unmapped']):,}")

st.download_button(
    "Download the steward's HTML report",
    lambda: data.quality_html().encode("utf-8"),  # built on the click, not on every render
    file_name="backbone_quality_report.html",
    mime="text/html",
    key="quality_html",
)

tab_gates, tab_loads, tab_quarantine, tab_unmapped = st.tabs(
    ["Gates", "Loads and freshness", "Quarantine", "Unmapped codes"]
)
with tab_gates:
    if results.empty:
        st.info("No gate results yet.")
    else:
        failing_first = results.sort_values(["passed", "severity", "asset"])
        ui.table(
            failing_first.drop(columns=["sample_failing_rows"]),
            "quality gates",
        )
        failing = results[~results["passed"]]
        for row in failing.itertuples():
            with st.expander(f"{row.asset} · {row.check}: {row.failing_count:,} failing"):
                st.dataframe(pd.DataFrame(row.sample_failing_rows or []), hide_index=True)
with tab_loads:
    ui.table(report["loads"], "loads per feed")
    st.markdown("**Freshness: newest data per feed**")
    ui.table(report["freshness"], "freshness")
with tab_quarantine:
    st.markdown("**By reason**")
    ui.table(report["quarantine"], "quarantine by reason")
    st.markdown("**Browse records**")
    reasons = report["quarantine"]
    left, right = st.columns(2)
    source = left.selectbox(
        "Source",
        [None, *sorted(reasons["source_system"].unique())],
        key="q_source",
        format_func=lambda s: "all sources" if s is None else s,
    )
    codes = reasons if source is None else reasons[reasons["source_system"] == source]
    reason = right.selectbox(
        "Reason",
        [None, *sorted(codes["reason_code"].unique())],
        key="q_reason",
        format_func=lambda r: "all reasons" if r is None else r,
    )
    records = data.quarantine_records(source, reason)
    if records.empty:
        st.success("Nothing quarantined here.")
    else:
        ui.table(records, f"quarantine {source or 'all'} {reason or 'all'}")
with tab_unmapped:
    if report["unmapped"].empty:
        st.success("Every code is mapped.")
    else:
        ui.table(report["unmapped"], "unmapped codes")
