"""Every page and role through Streamlit's AppTest, on the published test world.

Numbers read off the page are compared with `backbone kpi --json` and the published marts.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from dashboards.ui import parse
from tests.dashboards.conftest import PASSWORDS, login, published_con

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dashboard_world")]

TILE_KPIS = {
    "Gross margin": "gross_margin_pct",
    "Pocket margin": "pocket_margin_pct",
    "Line fill rate": "line_fill_rate",
    "Unit fill rate": "unit_fill_rate",
    "OTIF": "otif",
    "Order cycle time": "order_cycle_time_days",
    "Inventory turns": "inventory_turns",
    "Backlog": "backlog_value_usd",
    "DSO": "dso_days",
}
# how many decimals each tile shows: the page value must equal the KPI to that precision
TOLERANCE = {"%": 0.00005, " d": 0.05, "×": 0.005, "USD": 0.5}


def backbone_kpi(entity: str, month: str) -> dict[str, float]:
    from backbone.cli import app

    result = CliRunner().invoke(app, ["kpi", "--entity", entity, "--month", month, "--json"])
    assert result.exit_code == 0, result.output
    return {row["kpi"]: row["value"] for row in json.loads(result.stdout)}


def assert_tiles_match(at, entity: str, month: str) -> None:
    expected = backbone_kpi(entity, month)
    shown = {m.label: m.value for m in at.metric}
    checked = 0
    for label, kpi in TILE_KPIS.items():
        value = parse(shown[label])
        if kpi not in expected:
            assert value is None, label
            continue
        tolerance = next(t for suffix, t in TOLERANCE.items() if shown[label].endswith(suffix))
        assert value == pytest.approx(expected[kpi], abs=tolerance), label
        checked += 1
    assert checked >= 8


def _months(home) -> list[str]:
    con = published_con(home)
    months = [
        r[0]
        for r in con.execute("select distinct month from marts.kpi_monthly order by 1").fetchall()
    ]
    con.close()
    return months


def test_login_is_required_and_checks_the_password(home) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.dashboards.conftest import APP

    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert [t.value for t in at.title] == ["Backbone"] and not at.metric
    bad = login("ceo", "not-the-password")
    assert any("wrong password" in e.value for e in bad.error)
    assert not bad.metric


def test_executive_tiles_equal_backbone_kpi(home) -> None:
    months = _months(home)
    at = login("ceo", PASSWORDS["ceo"])
    assert not at.exception, at.exception
    assert at.title[0].value == "Executive overview"
    assert at.selectbox(key="exec_entity").value == "GROUP"
    assert_tiles_match(at, "GROUP", months[-1])
    middle = months[len(months) // 2]
    at.selectbox(key="exec_month").set_value(middle).run()
    at.selectbox(key="exec_entity").set_value("CA01").run()
    assert not at.exception
    assert_tiles_match(at, "CA01", middle)
    banner = " ".join(c.value for c in at.caption)
    assert "Data as of" in banner


def test_executive_drill_down_entity_customer_order_in_entity_currency(home) -> None:
    month = _months(home)[len(_months(home)) // 2]
    at = login("ceo", PASSWORDS["ceo"])
    at.selectbox(key="exec_month").set_value(month).run()
    at.radio(key="exec_currency").set_value("Entity currency").run()
    at.selectbox(key="exec_drill_entity").set_value("CA01").run()
    customers = at.selectbox(key="exec_drill_customer")
    customer_id = customers.options[1].split(":")[0]  # options[0] is "choose a customer"
    customers.set_value(customer_id).run()
    assert not at.exception
    orders = at.dataframe[-1].value.set_index("order_id")
    con = published_con(home)
    expected = con.execute(
        "select order_id, sum(qty_ordered_ea * net_price_per_ea) as local, min(currency)"
        " from marts.fct_order_lines where entity_code = 'CA01'"
        " and customer_id = ? and order_month = ? and not is_cancelled group by 1",
        [customer_id, month],
    ).fetchall()
    con.close()
    assert expected and set(orders.index) == {r[0] for r in expected}
    for order_id, local, currency in expected:
        assert currency == "CAD"
        assert orders.loc[order_id, "order_value_local"] == pytest.approx(local)
        assert orders.loc[order_id, "currency"] == "CAD"
    assert "order_value_usd" not in orders.columns


def test_a_blocked_run_is_announced_over_the_last_good_data(home, tmp_path, monkeypatch) -> None:
    import shutil

    from backbone.publish import record_blocked, status_path
    from dashboards.data import clear_cache

    target = tmp_path / "published" / "backbone_published.duckdb"
    target.parent.mkdir()
    shutil.copy(home.published, target)
    shutil.copy(status_path(home.published), status_path(target))
    record_blocked(target, "run-x", [{"asset": "raw/legacy_mx", "check": "value_domains"}])
    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    clear_cache()
    at = login("ceo", PASSWORDS["ceo"])
    assert not at.exception
    assert any("blocked by raw/legacy_mx:value_domains" in w.value for w in at.warning)
    assert len(at.metric) == 9  # the last good publication is still shown


def test_entity_manager_sees_only_their_entities(home) -> None:
    months = _months(home)
    at = login("us_manager", PASSWORDS["us_manager"])
    assert not at.exception
    assert at.selectbox(key="exec_entity").options == [
        "US01: Backbone Distribution Inc.",
        "US02: Great Lakes Industrial Supply LLC",
    ]
    assert_tiles_match(at, "US01", months[-1])
    # every row of the breakdown is theirs, and the totals are theirs
    at.radio(key="exec_dimension").set_value("entity").run()
    breakdown = at.dataframe[1].value
    assert set(breakdown["key"]) <= {"US01", "US02"}
    at.switch_page("views/exceptions.py").run()
    queue = at.dataframe[0].value
    assert len(queue) and set(queue["entity_code"]) <= {"US01", "US02"}
    at.switch_page("views/inventory.py").run()
    assert set(at.dataframe[0].value["entity_code"]) <= {"US01", "US02"}
    # pages for all-data users are not in their menu
    with pytest.raises(ValueError):
        at.switch_page("views/sql_console.py")


def test_exception_resolved_on_the_page_goes_to_the_store(home) -> None:
    at = login("ceo", PASSWORDS["ceo"])
    at.switch_page("views/exceptions.py").run()
    assert not at.exception
    queue = at.dataframe[0].value
    # the queue is sorted by money at stake, largest first
    money = queue["money_at_stake_usd"].fillna(-1).tolist()
    assert money == sorted(money, reverse=True)
    target = at.selectbox(key="exc_chosen").value
    # form widgets take their values with the submit click (no rerun in between)
    at.radio(key="exc_action").set_value("assign")
    at.text_input(key="exc_assign_to").input("dana")
    at.text_area(key="exc_comment").input("credit check with dana")
    at.button(key="FormSubmitter:exception_action-Record action").click().run()
    assert any("assign recorded" in s.value for s in at.success)
    at.selectbox(key="exc_chosen").set_value(target).run()
    at.radio(key="exc_action").set_value("resolve")
    at.text_area(key="exc_comment").input("released by credit control")
    at.button(key="FormSubmitter:exception_action-Record action").click().run()
    assert not at.exception, at.exception
    con = sqlite3.connect(home.workflow_store)
    rows = con.execute(
        "select action, assignee, comment, actor from exception_actions where exception_id = ? order by acted_at",
        [target],
    ).fetchall()
    con.close()
    assert rows == [
        ("assign", "dana", "credit check with dana", "ceo"),
        ("resolve", None, "released by credit control", "ceo"),
    ]
    # the queue shows it at once: resolved, with a resolution time, when the filter includes resolved
    at.multiselect(key="exc_status").set_value(["resolved"]).run()
    queue = at.dataframe[0].value.set_index("exception_id")
    assert queue.loc[target, "status"] == "resolved"
    assert queue.loc[target, "assignee"] == "dana"
    assert queue.loc[target, "resolution_hours"] > 0


def test_inventory_and_procurement_pages(home) -> None:
    months = _months(home)
    at = login("ceo", PASSWORDS["ceo"])
    at.switch_page("views/inventory.py").run()
    assert not at.exception
    expected = backbone_kpi("GROUP", months[-1])
    shown = {m.label: m.value for m in at.metric}
    assert parse(shown["Stockout rate"]) == pytest.approx(expected["stockout_rate"], abs=0.00005)
    assert parse(shown["Record accuracy"]) == pytest.approx(
        expected["inventory_record_accuracy"], abs=0.00005
    )
    at.switch_page("views/procurement.py").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert parse(shown["Supplier OTIF"]) == pytest.approx(expected["supplier_otif"], abs=0.00005)
    assert len(at.dataframe[0].value) > 0  # the scorecard


def test_steward_quality_page(home) -> None:
    at = login("steward", PASSWORDS["steward"])
    assert not at.exception, at.exception
    assert at.title[0].value == "Data quality"
    con = published_con(home)
    run_id = con.execute(
        "select run_id from audit.quality_results group by run_id order by max(checked_at) desc limit 1"
    ).fetchone()[0]
    gates = con.execute(
        "select count(*) from audit.quality_results where run_id = ?", [run_id]
    ).fetchone()[0]
    quarantined = con.execute(
        "select coalesce(sum(rows_quarantined), 0) from audit.load_manifest"
    ).fetchone()[0]
    con.close()
    shown = {m.label: m.value for m in at.metric}
    assert parse(shown["Gates checked"]) == gates
    assert parse(shown["Rows quarantined"]) == quarantined


def test_analyst_sql_console(home) -> None:
    at = login("analyst", PASSWORDS["analyst"])
    at.switch_page("views/sql_console.py").run()
    assert not at.exception
    at.text_area(key="sql_text").input(
        "select value from kpi_monthly where entity_code = 'GROUP' and kpi = 'revenue_usd' order by month"
    )
    at.button(key="sql_run").click().run()
    assert not at.error
    con = published_con(home)
    expected = [
        r[0]
        for r in con.execute(
            "select value from marts.kpi_monthly where entity_code = 'GROUP' and kpi = 'revenue_usd' order by month"
        ).fetchall()
    ]
    con.close()
    assert at.columns[0].dataframe[0].value["value"].tolist() == pytest.approx(expected)
    at.text_area(key="sql_text").input("delete from marts.kpi_monthly")
    at.button(key="sql_run").click().run()
    assert any("Refused" in e.value for e in at.error)
    at.text_area(key="sql_text").input("select * from read_csv('/etc/passwd')")
    at.button(key="sql_run").click().run()
    assert any("disabled by configuration" in e.value for e in at.error)


def test_empty_state_before_any_publication(tmp_path, monkeypatch) -> None:
    from dashboards.data import clear_cache

    monkeypatch.setenv("BACKBONE_HOME", str(tmp_path))
    monkeypatch.delenv("BACKBONE_PUBLISHED", raising=False)
    clear_cache()
    for username in ("ceo", "steward", "analyst"):
        at = login(username, PASSWORDS[username])
        assert not at.exception, at.exception
        assert any("backbone run" in i.value for i in at.info), username
        assert not at.metric


def test_model_report_page_shows_the_published_report(home) -> None:
    at = login("analyst", PASSWORDS["analyst"])
    at.switch_page("views/models.py").run()
    assert not at.exception, at.exception
    con = published_con(home)
    expected = dict(
        con.execute(
            "select metric, value from intelligence.model_report"
            " where metric in ('late_delivery.auc', 'margin_leakage.recall')"
        ).fetchall()
    )
    con.close()
    shown = {m.label: m.value for m in at.metric}
    assert float(shown["Late-delivery ROC AUC"]) == pytest.approx(
        expected["late_delivery.auc"], abs=0.005
    )
    assert float(shown["Below-floor prices found"]) == pytest.approx(
        expected["margin_leakage.recall"], abs=0.005
    )
    from dashboards.auth import authenticate

    # the report is about the whole group: entity managers don't get the page
    assert not authenticate("us_manager", PASSWORDS["us_manager"]).may_open("models")
