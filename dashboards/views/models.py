"""Model report: what each intelligence model was trained on, when, and how good it measured
(against the simulator's truth when the landing zone has one). Same data as `backbone intel`."""

from __future__ import annotations

import streamlit as st

from dashboards import ui

# The headline metric of each model, with the target issue 7 set for it.
HEADLINES = (
    ("anomaly_detection.precision", "Anomaly precision", 0.8),
    ("anomaly_detection.recall", "Anomaly recall", 0.8),
    ("late_delivery.auc", "Late-delivery ROC AUC", 0.75),
    ("margin_leakage.recall", "Below-floor prices found", 1.0),
)

user, data = ui.page("models", "Model report")
report = data.model_report()
if report.empty:
    st.info(
        "No model report published yet: run `backbone run` (the intelligence models run in it)."
    )
    st.stop()

values = dict(zip(report["metric"], report["value"], strict=True))
for column, (metric, label, target) in zip(st.columns(len(HEADLINES)), HEADLINES, strict=True):
    value = values.get(metric)
    column.metric(
        label,
        "–" if value is None or value != value else f"{value:.2f}",
        help=f"`{metric}`; target {target:.2f}",
    )

for model, rows in report.groupby("model", sort=True):
    first = rows.iloc[0]
    st.subheader(model.replace("_", " "))
    st.caption(
        f"Trained on {first['trained_on']} · at {first['trained_at']} · evaluated on"
        f" {first['evaluated_on']} · measured against {first['measured_against']}"
    )
    ui.table(rows[["metric", "value"]], f"model_report_{model}")
