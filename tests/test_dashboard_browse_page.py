"""The Experiments and Surveys views in a real browser (Debian's Chromium, Playwright).

The dashboard serves a store with two tiny experiments (a 2 x 2 grid, 2 replicates; a
Morris trajectory of 3 points) and one survey study (tests/store_fixtures.py); each test
picks its view in one tab, selects a row, checks the chart, opens the report the dashboard
serves and saves a screenshot of the view (``PANOPTICUM_DASHBOARD_SHOTS=docs/img`` refreshes the
ones in docs/dashboard.md). Skipped, with the reason shown, without Playwright or Chromium.
"""

from __future__ import annotations

import pytest

from browser_helpers import Tab, assert_not_blank, chromium, dashboard, require_browser, shots_folder

sync_api = require_browser()
expect = sync_api.expect
expect.set_options(timeout=60_000)  # a busy machine: waits are for the page, not for speed


@pytest.fixture(scope="module")
def served(browse_store, tmp_path_factory):
    """The dashboard on the browse store: ``(url, ids)``."""
    root, ids = browse_store
    with dashboard(root, tmp_path_factory.getbasetemp().parent / "panopticum-test-xla", root.parent) as url:
        yield url, ids


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def tab(browser, served):
    """One tab for the module (loading the page is the slow part); each test picks its view."""
    t = Tab(browser, served[0], height=1500)
    t.page.set_default_timeout(60_000)  # a busy machine: waits are for the page, not for speed
    yield t
    t.close()


def open_report(tab, link_name: str):
    """Click a report link; the new tab it opens, loaded (an experiment's report draws its
    figures when asked: minutes on a busy machine)."""
    with tab.context.expect_page(timeout=60_000) as opened:
        tab.page.get_by_role("link", name=link_name).click()
    report = opened.value
    report.wait_for_load_state(timeout=300_000)
    return report


def test_experiments_view_lists_shows_charts_and_opens_a_report(tab, served, tmp_path_factory):
    page, ids = tab.page, served[1]
    tab.view("Experiments")
    rows = page.locator(".pan-experiments tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("tiny-morris")  # newest first
    expect(rows.nth(1)).to_contain_text("4/4")  # points done of all
    expect(rows.nth(1)).to_contain_text("8/8")  # runs done: 2 replicates a point
    rows.nth(1).click()  # the grid
    page.get_by_role("heading", name="tiny-grid").wait_for()
    expect(page.locator(".pan-points tr")).to_have_count(1 + 8)  # a header and a row per run
    chart = page.locator("svg[data-chart=experiment-scatter]")
    expect(chart).to_have_attribute("data-dots", "8")
    expect(chart).to_contain_text("freedom against cameras.coverage_market")
    expect(page.locator(".pan-no-indices")).to_contain_text("A grid design has no sensitivity indices")
    tab.choose("Against", "informants.share")
    expect(chart).to_contain_text("freedom against informants.share")
    rows.nth(0).click()  # the Morris experiment: indices
    page.get_by_role("heading", name="tiny-morris").wait_for()
    expect(page.locator(".pan-indices tr")).to_have_count(1 + 2)  # a factor a row
    expect(page.locator("svg[data-chart=experiment-indices] circle.estimate")).to_have_count(2)
    expect(chart).to_have_attribute("data-dots", "3")
    shot = shots_folder(tmp_path_factory) / "dashboard-experiments.png"
    page.screenshot(path=shot)
    assert_not_blank(shot)
    report = open_report(tab, "Open its report")
    assert report.title() == f"panopticum experiment: tiny-morris ({ids['morris']})"
    assert report.url.startswith(served[0] + "reports/experiments/")
    assert report.locator("img").count() >= 2  # its figures, embedded
    assert tab.outside == [] and tab.failed == []
    assert "Traceback" not in page.inner_text("body")


def test_surveys_view_shows_estimates_against_the_truth_and_opens_the_study(tab, served, tmp_path_factory):
    page, ids = tab.page, served[1]
    tab.view("Surveys")
    row = page.locator(".pan-studies tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("40 escapees + 100 phone residents")
    row.click()
    chart = page.locator("svg[data-chart=study-estimates]")
    expect(chart).to_contain_text("escapees (40 respondents)")
    questions = int(chart.get_attribute("data-rows"))
    assert questions >= 8
    expect(chart.locator("line.reference")).to_have_count(questions)  # the truth on every row
    expect(page.locator(".pan-study-design")).to_contain_text("40 escapees (escapee frame)")
    tab.choose("Sample", "phone residents")
    expect(chart).to_contain_text("phone residents (100 respondents)")
    before = chart.inner_html()
    tab.choose("Intervals", "the estimators' own 95% intervals, averaged over the replicate surveys")
    page.wait_for_function("b => document.querySelector('svg[data-chart=study-estimates]').innerHTML !== b",
                           arg=before)
    shot = shots_folder(tmp_path_factory) / "dashboard-surveys.png"
    page.screenshot(path=shot)
    assert_not_blank(shot)
    report = open_report(tab, "Open the study's page")
    assert report.title() == "panopticum survey: stimson-2024 on 2023-12-31"
    assert report.url == served[0] + "reports/surveys/" + ids["study"]
    assert tab.outside == [] and tab.failed == []
    assert "Traceback" not in page.inner_text("body")
