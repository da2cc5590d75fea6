"""The steward's HTML report opens offline in headless Chromium: no network, inline styles only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.quality.conftest import MiniWarehouse

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
)


def _report(mini: MiniWarehouse) -> str:
    from quality.report import render_html
    from quality.runner import run_gates
    from quality.suites import Gate, Suite

    mini.table("legacy_mx_sales_orders", "order_id varchar, status varchar")
    load = mini.add_load("legacy_mx", "sales_orders", date(2025, 1, 2), 4, rows_quarantined=1)
    mini.rows(
        "legacy_mx_sales_orders", load, [("O1", "ABIERTO"), ("O2", "PERDIDO"), ("O3", "<b>x</b>")]
    )
    gates = (
        Gate(
            "legacy_mx",
            "value_domains",
            "domains",
            "error",
            "Status codes MX02 uses.",
            rules=({"table": "legacy_mx_sales_orders", "column": "status", "values": ["ABIERTO"]},),
        ),
        Gate(
            "legacy_mx",
            "quarantine_rate",
            "quarantine_rate",
            "error",
            "Quarantined share.",
            options={"max_rate": 0.5},
        ),
    )
    suites = {"legacy_mx": Suite("legacy_mx", ("MX02",), gates)}
    run_gates(mini.con, suites=suites, run_id="run-a")
    run_gates(mini.con, suites=suites, run_id="run-b")
    status = {
        "message": "data as of 2025-01-01 (published 2026-01-01T00:00:00Z); the latest run was blocked by raw/legacy_mx:value_domains"
    }
    return render_html(mini.con, status, suites=suites)


def test_report_is_self_contained(mini: MiniWarehouse) -> None:
    html = _report(mini)
    head = html.split("<body>")[0]
    assert "<style>" in head
    for external in ("<link", "<script", "@import", "url(", "http://", "https://"):
        assert external not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html  # values are escaped


def test_report_opens_offline_in_headless_chromium(mini: MiniWarehouse, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "quality.html"
    page_file.write_text(_report(mini), encoding="utf-8")
    screenshot = tmp_path / "quality.png"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            assert page.title() == "Backbone data quality report"
            assert page.get_by_text("Latest run BLOCKED").is_visible()
            assert page.locator("#src-legacy_mx").get_by_text("value_domains").first.is_visible()
            # styles applied from the inline sheet: the header is dark
            assert (
                page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor")
                == "rgb(15, 23, 42)"
            )
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert [u for u in requests if not u.startswith("file:")] == []
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")
