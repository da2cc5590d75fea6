"""SQL console (analysts): read-only queries on the published warehouse, guarded like `backbone sql`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import console, ui

DEFAULT_QUERY = "select * from kpi_monthly where entity_code = 'GROUP' order by month, kpi"

user, data = ui.page("sql", "SQL console")
st.caption(
    "One read-only statement on the published warehouse: no file or network access, "
    f"{console.DEFAULT_TIMEOUT_S:g} s timeout, at most {console.DEFAULT_ROW_LIMIT:,} rows. "
    "Tables resolve without a schema (`select * from kpi_monthly`)."
)

left, right = st.columns([3, 2])
with right:
    st.markdown("**Models**")
    docs = console.model_docs()
    catalog = console.published_models(data.path)
    names = list(dict.fromkeys(catalog["schema_name"] + "." + catalog["table_name"]))
    default = names.index("marts.kpi_monthly") if "marts.kpi_monthly" in names else 0
    chosen = st.selectbox("Model", names, index=default, key="sql_model")
    schema, table = chosen.split(".", 1)
    doc = docs.get(table, {})
    if doc.get("description"):
        st.caption(doc["description"])
    columns = catalog[(catalog["schema_name"] == schema) & (catalog["table_name"] == table)][
        ["column_name", "data_type"]
    ]
    described = {c["name"]: c["description"] for c in doc.get("columns", [])}
    columns = columns.assign(description=columns["column_name"].map(described).fillna(""))
    st.dataframe(columns, hide_index=True, width="stretch", height=320)

with left:
    st.session_state.setdefault("sql_text", DEFAULT_QUERY)
    sql = st.text_area("SQL", height=180, key="sql_text")
    run = st.button("Run", type="primary", key="sql_run")
    if run:
        try:
            result = console.run_query(sql, data.path)
        except console.QueryTimeout as exc:
            st.session_state["sql_result"] = None
            st.error(f"Stopped: {exc}")
        except console.QueryRejected as exc:
            st.session_state["sql_result"] = None
            st.error(f"Refused: {exc}")
        else:
            st.session_state["sql_result"] = result
    result = st.session_state.get("sql_result")
    if result is not None:
        note = f"{len(result.frame):,} rows in {result.elapsed_ms:,.0f} ms"
        if result.truncated:
            note += f" (cut at the {result.row_limit:,}-row limit)"
        st.caption(note)
        frame: pd.DataFrame = result.frame
        ui.table(frame, "query result")
