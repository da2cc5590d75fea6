"""Backbone's dashboard: `backbone dashboard` runs `streamlit run dashboards/app.py`.

Login first; then one menu per role (st.navigation). Every page reads the published warehouse
through `dashboards.data`, which applies the user's entity scope.
"""

from __future__ import annotations

import streamlit as st

from dashboards import ui

st.set_page_config(page_title="Backbone", page_icon=":material/hub:", layout="wide")

user = ui.current_user()
navigation = ui.navigation(user)
if user is not None:
    ui.sidebar(user)
navigation.run()
