"""What every page shares: login, the role's menu, the data-as-of banner, formats, CSV downloads."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
import streamlit as st

from dashboards.auth import User, authenticate
from dashboards.data import Data, banner_text, status

PAGES: tuple[tuple[str, str, str, str], ...] = (
    # id, file, title, icon
    ("executive", "views/executive.py", "Executive overview", ":material/monitoring:"),
    ("exceptions", "views/exceptions.py", "Exceptions queue", ":material/assignment_late:"),
    ("inventory", "views/inventory.py", "Inventory", ":material/inventory_2:"),
    ("procurement", "views/procurement.py", "Procurement", ":material/local_shipping:"),
    ("quality", "views/quality.py", "Data quality", ":material/fact_check:"),
    ("models", "views/models.py", "Model report", ":material/model_training:"),
    ("sql", "views/sql_console.py", "SQL console", ":material/terminal:"),
)
# the page a role lands on after login
HOME = {
    "executive": "executive",
    "entity_manager": "executive",
    "steward": "quality",
    "analyst": "executive",
}


def current_user() -> User | None:
    return st.session_state.get("user")


def login_form() -> None:
    """The login page (the only page until someone logs in)."""
    st.title("Backbone")
    st.caption("Governed analytics for the distribution group. Please log in.")
    with st.form("login"):
        username = st.text_input("User name", key="login_user")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Log in")
    if submitted:
        user = authenticate(username, password)
        if user is None:
            st.error("Unknown user name or wrong password.")
        else:
            st.session_state["user"] = user
            st.rerun()


def navigation(user: User | None):
    if user is None:
        return st.navigation([st.Page(login_form, title="Log in", url_path="login")])
    allowed = [p for p in PAGES if user.may_open(p[0])]
    home = HOME.get(user.role) if any(p[0] == HOME.get(user.role) for p in allowed) else None
    home = home or allowed[0][0]
    pages = [
        st.Page(file, title=title, icon=icon, default=page_id == home)
        for page_id, file, title, icon in allowed
    ]
    return st.navigation(pages)


def sidebar(user: User) -> None:
    with st.sidebar:
        scope = "all entities" if user.all_data else ", ".join(user.entities or ()) or "no entities"
        st.markdown(f"**{user.name}**  \n{user.role.replace('_', ' ')} · {scope}")
        if st.button("Log out", key="logout"):
            for key in list(st.session_state.keys()):
                del st.session_state[key]
            st.rerun()


def page(page_id: str, title: str) -> tuple[User, Data]:
    """Start a page: check the role may open it, show the banner, stop on the empty state."""
    user = current_user()
    if user is None:
        st.stop()
    st.title(title)
    if not user.may_open(page_id):
        st.error("Your role can't open this page.")
        st.stop()
    doc = status()
    level, text = banner_text(doc)
    if level == "empty":
        st.info(text, icon=":material/hourglass_empty:")
        st.stop()
    (st.warning if level == "blocked" else st.caption)(text)
    return user, Data(user)


def table(frame: pd.DataFrame, name: str, **kwargs: Any) -> None:
    """A dataframe with its CSV download button."""
    st.dataframe(frame, hide_index=True, width="stretch", **kwargs)
    download(frame, name)


def download(frame: pd.DataFrame, name: str) -> None:
    st.download_button(
        f"Download {name}.csv",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{_slug(name)}.csv",
        mime="text/csv",
        key=f"download-{_slug(name)}",
    )


def fmt(value: float | None, kind: str, currency: str = "USD") -> str:
    """How a KPI value is written on a tile (tests parse it back with `parse`)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "pct":
        return f"{value:.2%}"
    if kind == "days":
        return f"{value:,.1f} d"
    if kind == "turns":
        return f"{value:,.2f}×"
    if kind in ("usd", "money"):
        return f"{value:,.0f} {currency}"
    if kind == "musd":
        return f"{value / 1e6:,.2f} M {currency}"
    return f"{value:,.2f}"


def parse(text: str) -> float | None:
    """A number back from `fmt` (percentages as fractions)."""
    if text in ("–", "", None):
        return None
    number = float(re.sub(r"[^0-9.\-]", "", text))
    return number / 100 if text.strip().endswith("%") else number


def delta(value: float | None, prior: float | None, kind: str) -> str | None:
    """Change against the prior period, signed (st.metric colours it by the sign)."""
    if value is None or prior is None:
        return None
    change = value - prior
    if kind == "pct":
        return f"{change * 100:+.2f} pp"
    if kind == "days":
        return f"{change:+,.1f} d"
    if kind in ("usd", "money"):
        return f"{change:+,.0f}"
    return f"{change:+,.2f}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
