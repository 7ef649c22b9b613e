"""The peer comparison page in a real browser, on a database of three forces: charts drawn and
named, no axe-core violations, and the force choice in the URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_server import streamlit_server
from test_browser import CHARTS, ERRORS, _choose, wait_until_drawn

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def national_server(three_forces_path, chromium) -> Iterator[str]:
    """`streamlit run dashboard.py` on demo data for three forces (to June 2015), demo mode."""
    path = Path(three_forces_path)
    env = {"SAFEGUARDING_DB": str(path)}
    with streamlit_server("dashboard.py", env, log=path.parent / "streamlit.log") as url:
        warm = chromium.new_page()  # as browser_server.first_visit: warm the server first
        warm.goto(url)
        wait_until_drawn(warm)
        warm.close()
        yield url


@pytest.fixture
def tab(chromium, national_server):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def test_the_peer_page_draws_both_charts_named_with_tables_and_no_axe_violations(
    tab, national_server
):
    from axe_playwright_python.sync_playwright import Axe

    tab.goto(f"{national_server}/peers?force=Force+03&month=2015-06")
    wait_until_drawn(tab, title="Force 03 and its peers", charts=2)
    assert tab.locator(ERRORS).count() == 0, tab.locator(ERRORS).all_inner_texts()
    for chart in tab.locator(CHARTS).all():
        assert chart.get_attribute("role") == "figure"
        assert len(chart.get_attribute("aria-label") or "") > 40
    labels = [c.get_attribute("aria-label") for c in tab.locator(CHARTS).all()]
    assert labels[0].startswith("Ranked bar chart of 3 forces")
    assert labels[1].startswith("Funnel plot of 3 forces")
    assert "too few to estimate overdispersion" in labels[1]
    body = tab.inner_text("body")
    assert "Signal and position, June 2015" in body
    assert "Table of the ranked chart" in body and "Table of the funnel plot" in body
    results = Axe().run(tab)
    assert results.violations_count == 0, results.generate_report()


def test_choosing_a_force_rewrites_the_url_and_the_link_reproduces_it(tab, national_server):
    tab.goto(f"{national_server}/peers?month=2015-06")
    wait_until_drawn(tab, title="West Yorkshire and its peers", charts=2)  # the demo's own force
    _choose(tab, "Force", "Force 02")
    wait_until_drawn(tab, title="Force 02 and its peers", charts=2)
    tab.wait_for_function("() => location.search.includes('force=Force+02')")
    link = tab.url
    tab.goto(f"{national_server}/")
    wait_until_drawn(tab, title="Safeguarding scorecard")
    tab.goto(link)
    wait_until_drawn(tab, title="Force 02 and its peers", charts=2)
