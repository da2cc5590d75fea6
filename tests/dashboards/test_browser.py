"""The real thing: `backbone dashboard` on a free port, driven by headless Chromium.

Logs in, reads the executive KPI tiles and checks them against `backbone kpi --json`, resolves
an exception and sees it in the workflow store; screenshots go to BACKBONE_SCREENSHOTS (or the
test's temporary directory).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboards.ui import parse
from tests.dashboards.conftest import PASSWORDS
from tests.dashboards.test_pages import TILE_KPIS, TOLERANCE

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("dashboard_world"),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(home, tmp_path):
    port = _free_port()
    env = dict(os.environ, BACKBONE_HOME=str(home.published.parent.parent))
    log = (tmp_path / "dashboard.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "backbone.cli", "dashboard", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the dashboard did not start: {(tmp_path / 'dashboard.log').read_text()}")
        time.sleep(0.5)
    yield url
    process.terminate()  # `backbone dashboard` passes it on to the streamlit server
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    # nothing of the session may outlive the test: the server is in the child's process group
    deadline = time.monotonic() + 20
    while _alive_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive_in_group(process.pid):
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the streamlit server outlived `backbone dashboard`")


def _alive_in_group(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_login_read_tiles_and_resolve_an_exception(served, home, tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright
    from typer.testing import CliRunner

    from backbone.cli import app

    shots = Path(os.environ.get("BACKBONE_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(60_000)
        page.goto(served)
        page.get_by_role("textbox", name="User name").fill("ceo")
        page.get_by_role("textbox", name="Password").fill(PASSWORDS["ceo"])
        page.screenshot(path=str(shots / "01_login.png"))
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Executive overview")).to_be_visible()
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        page.wait_for_timeout(1500)  # let the charts draw before the screenshot
        page.screenshot(path=str(shots / "02_executive.png"), full_page=True)

        heading = page.get_by_role("heading", name=re.compile(r"^GROUP · \d{4}-\d{2}$"))
        month = heading.inner_text().split("·")[-1].strip()
        tiles = {}
        for metric in page.get_by_test_id("stMetric").all():
            label = metric.get_by_test_id("stMetricLabel").inner_text().strip()
            tiles[label] = metric.get_by_test_id("stMetricValue").inner_text().strip()
        result = CliRunner().invoke(app, ["kpi", "--entity", "GROUP", "--month", month, "--json"])
        expected = {r["kpi"]: r["value"] for r in json.loads(result.stdout)}
        checked = 0
        for label, kpi in TILE_KPIS.items():
            if kpi in expected:
                tolerance = next(t for s, t in TOLERANCE.items() if tiles[label].endswith(s))
                assert parse(tiles[label]) == pytest.approx(expected[kpi], abs=tolerance), label
                checked += 1
        assert checked >= 8, tiles

        # click the first (largest) bar of the breakdown by entity: the drill-down opens on it
        breakdown = page.get_by_test_id("stVegaLiteChart").nth(1)
        expect(page.get_by_text("Customer (or click its bar)")).not_to_be_visible()
        breakdown.locator("path.mark-rect, g.mark-rect path").first.click(force=True)
        expect(page.get_by_text("Customer (or click its bar)")).to_be_visible()
        page.wait_for_timeout(1000)
        page.screenshot(path=str(shots / "03_drill_down.png"), full_page=True)

        page.get_by_role("link", name="Exceptions queue").click()
        expect(page.get_by_role("heading", name="Exceptions queue")).to_be_visible()
        shown = page.get_by_test_id("stMetric").filter(has_text="Exceptions shown")
        before = int(shown.get_by_test_id("stMetricValue").inner_text().replace(",", ""))
        page.get_by_text("resolve", exact=True).click()
        page.get_by_role("textbox", name="Comment").fill("resolved in the browser test")
        page.get_by_role("button", name="Record action").click()
        flash = page.get_by_text(re.compile(r"^resolve recorded on "))
        expect(flash).to_be_visible()
        exception_id = flash.inner_text().strip().removeprefix("resolve recorded on ").rstrip(".")
        # resolved: it leaves the default (open, acknowledged, assigned) queue at once
        expect(shown.get_by_test_id("stMetricValue")).to_have_text(f"{before - 1:,}")
        flash.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "04_exception_resolved.png"))
        browser.close()

    con = sqlite3.connect(home.workflow_store)
    rows = con.execute(
        "select action, actor, comment from exception_actions where exception_id = ?",
        [exception_id],
    ).fetchall()
    con.close()
    assert ("resolve", "ceo", "resolved in the browser test") in rows
