"""The dashboard in a real browser: Debian's Chromium driven by Playwright for Python.

One server is started for the module (a fresh run store, a free port on 127.0.0.1); each
test opens its own tab. Skipped, with the reason shown, when Playwright or Chromium is
missing. Screenshots go to a temporary folder, or to ``$PANOPTICUM_DASHBOARD_SHOTS``
(``PANOPTICUM_DASHBOARD_SHOTS=docs/img pytest tests/test_dashboard_browser.py`` refreshes
the ones in docs/dashboard.md).
"""

from __future__ import annotations

import re

import pytest

from browser_helpers import Tab, assert_not_blank, chromium, dashboard, require_browser, shots_folder
from panopticum.dashboard.form import _slider_step
from panopticum.params.schema import SPEC_BY_PATH
from panopticum.params.spec import format_value

require_browser()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on a fresh run store and a free port: its URL."""
    store = tmp_path_factory.mktemp("dashboard-browser-store")
    with dashboard(store, tmp_path_factory.getbasetemp().parent / "panopticum-test-xla", store) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return shots_folder(tmp_path_factory)


@pytest.fixture
def tab(browser, server):
    t = Tab(browser, server)
    yield t
    t.close()


def test_page_loads_with_nothing_from_the_internet(tab):
    page = tab.page
    assert page.title() == "panopticum dashboard"
    assert page.get_by_text("Demo size: 10,000-50,000 agents").is_visible()
    assert tab.field("informants.enabled").is_visible()
    assert tab.outside == [], f"requests that left the machine: {tab.outside}"
    assert tab.failed == [], f"failed requests: {tab.failed}"


def share_label(steps: int = 0) -> str:
    """The informant share's label, ``steps`` slider steps from its default."""
    p = SPEC_BY_PATH["informants.share"]
    step = _slider_step(p.low, p.high, p.default)
    return f"informants: share: {format_value(round(p.default + steps * step, 10))}"


def test_a_slider_moves_and_its_value_follows(tab):
    field = tab.field("informants.share")
    assert share_label() in field.inner_text()
    field.locator("[role=slider]").focus()
    tab.page.keyboard.press("ArrowRight")
    field.get_by_text(share_label(+1)).wait_for(timeout=10_000)


def test_a_bad_value_shows_its_message_in_the_page(tab):
    box = tab.field("analysis.capacity_human").locator("input")
    box.fill("-5")
    box.press("Enter")
    message = tab.page.locator(".pan-field-error")
    message.wait_for(timeout=10_000)
    assert "analysis.capacity_human = -5 is outside its range" in message.inner_text()
    tab.page.get_by_role("button", name="Run", exact=True).click()
    tab.page.get_by_text("fix the parameters marked in red first").wait_for(timeout=10_000)
    assert "Traceback (most recent call last)" not in tab.page.inner_text("body")
    box.fill("2000")
    box.press("Enter")
    message.wait_for(state="detached", timeout=10_000)
    days = tab.page.get_by_role("textbox", name="Days", exact=True)
    days.fill("100000")
    tab.page.get_by_role("button", name="Run", exact=True).click()
    tab.page.get_by_text("days must be from 7 to 730 in the dashboard (the demo cap)").wait_for(timeout=10_000)
    pasted = tab.page.locator(".pan-paste textarea")
    pasted.fill("[informants]\nshare = 5\n")
    tab.page.get_by_role("button", name="Use the pasted scenario").click()
    tab.page.get_by_text("pasted.toml: informants.share = 5 is outside its range").wait_for(timeout=10_000)
    pasted.fill('[scenario]\nname = "twice"\nextends = "baseline-2023"\n[informants]\nshare = 0.02\n')
    tab.page.get_by_role("button", name="Use the pasted scenario").click()
    tab.page.get_by_text("twice (from pasted.toml)").wait_for(timeout=10_000)
    tab.field("informants.share").get_by_text("informants: share: 0.02").wait_for(timeout=10_000)
    assert "Traceback (most recent call last)" not in tab.page.inner_text("body")


def test_a_run_draws_live_charts_and_a_map_and_a_second_tab_is_undisturbed(tab, browser, server, shots):
    page = tab.page
    page.get_by_role("textbox", name="Days", exact=True).fill("30")
    page.get_by_role("button", name="Run", exact=True).click()
    chart = page.locator("svg[data-chart=prevalence]")
    chart.wait_for(timeout=300_000)
    first_days, first_svg = int(chart.get_attribute("data-days")), chart.evaluate("e => e.outerHTML")
    assert 0 < first_days <= 30
    other = Tab(browser, server)  # a second tab while the first one runs
    try:
        assert other.page.get_by_text("Run a scenario, or open a stored run").is_visible()
        other.field("informants.share").locator("[role=slider]").focus()
        other.page.keyboard.press("ArrowLeft")
        other.field("informants.share").get_by_text(share_label(-1)).wait_for(timeout=10_000)
    finally:
        other.close()
    page.get_by_text("30 of 30 days, complete").wait_for(timeout=300_000)
    assert int(chart.get_attribute("data-days")) == 30
    assert chart.evaluate("e => e.outerHTML") != first_svg  # the chart changed as chunks came in
    assert share_label() in tab.field("informants.share").inner_text()  # the other tab's move stayed there
    page.screenshot(path=shots / "dashboard-charts.png")
    assert_not_blank(shots / "dashboard-charts.png")
    page.get_by_role("button", name="Map").click()
    tiles = page.locator("svg.pan-map g.tile")
    tiles.first.wait_for(timeout=30_000)
    assert tiles.count() == 11
    page.screenshot(path=shots / "dashboard-map.png")
    assert_not_blank(shots / "dashboard-map.png")
    assert tab.outside == [] and tab.failed == []
    run_id = re.match(r"Run (\S+):", page.locator(".pan-status").inner_text()).group(1)
    report = page.request.get(server + f"reports/runs/{run_id}")  # what the run store's "in a new tab" opens
    assert report.ok and f"({run_id})</title>" in report.text()


def test_the_experiments_and_surveys_views_say_when_the_store_has_none(tab):
    tab.view("Experiments")
    tab.page.locator(".pan-empty").get_by_text("No experiments in this store yet").wait_for(timeout=60_000)
    tab.view("Surveys")
    tab.page.locator(".pan-empty").get_by_text("No surveys in this store yet").wait_for(timeout=60_000)
    assert "Traceback" not in tab.page.inner_text("body")


def test_cancel_stops_a_run_in_the_page(tab):
    page = tab.page
    page.get_by_role("textbox", name="Days", exact=True).fill("60")
    page.get_by_role("button", name="Run", exact=True).click()
    page.locator("svg[data-chart=prevalence]").wait_for(timeout=300_000)
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("cancelled (kept in the store as interrupted").wait_for(timeout=120_000)
    days = int(page.locator("svg[data-chart=prevalence]").get_attribute("data-days"))
    assert days < 60
    assert page.get_by_role("button", name="Run", exact=True).is_enabled()
