"""The dashboard in a real browser: Debian's headless Chromium against `streamlit run`.

What only a browser shows: every page loads with its charts drawn and no error, axe-core finds no
accessibility violations, every chart has an accessible name, a filter change rewrites the URL,
and that URL opened afresh reproduces the view. Skips when Chromium is absent, unless CI=true.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from safeguarding import registry
from safeguarding.ui import views

from browser_server import APP_DONE, first_visit, streamlit_server

pytestmark = pytest.mark.browser

ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
CHARTS = '[data-testid="stPlotlyChart"]'


@pytest.fixture(scope="session")
def server(demo_db_path, chromium, tmp_path_factory) -> Iterator[str]:
    """`streamlit run serve.py` (the dashboard behind its middleware) on a free loopback port,
    on the session's demo database."""
    log = tmp_path_factory.mktemp("browser_server") / "streamlit.log"
    with streamlit_server("serve.py", {"SAFEGUARDING_DB": demo_db_path}, log=log) as url:
        yield url


@pytest.fixture(scope="session")
def browser(server, chromium):
    first_visit(chromium, server)
    return chromium


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    yield tab
    context.close()


def wait_until_drawn(tab, *, title: str | None = None, charts: int = 0) -> None:
    """Wait until the script has finished, the page's title is up, and every chart is drawn."""
    tab.wait_for_selector(APP_DONE, timeout=60_000)
    if title is not None:
        tab.wait_for_function(
            "t => [...document.querySelectorAll('h1')].some(h => h.innerText.trim() === t)",
            arg=title,
            timeout=60_000,
        )
    tab.wait_for_function(
        """n => {
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            return charts.length >= n &&
                [...charts].every(c => c.querySelector('.main-svg'));
        }""",
        arg=charts,
        timeout=60_000,
    )
    tab.wait_for_selector(APP_DONE, timeout=60_000)


THEMES = [(t.replace("_", "-"), title) for t, title in registry.themes().items()]
PAGES = [
    ("", "Safeguarding scorecard", 0),
    *[(path, title, 2) for path, title in THEMES],
    (
        "metric?metric=misper_high_risk_attended_60m&district=Leeds&month=2024-08",
        "High-risk missing children attended within 60 minutes",
        3,
    ),
    ("district?district=Kirklees&month=2014-08", "Kirklees", 1),
    ("peers", "West Yorkshire and its peers", 0),
    ("about", "About the data", 0),
    ("quarterly-review?quarter=2024Q3", "Quarterly review", 0),
    ("actions", "Action log", 0),
    ("recommendations", "Inspection recommendations", 0),
    ("data", "Data", 0),
    ("data-quality", "Data quality", 0),
    ("access-log", "Access log", 0),
]


@pytest.mark.parametrize("path, title, charts", PAGES, ids=lambda v: str(v))
def test_every_page_loads_with_charts_drawn_no_errors_and_no_axe_violations(
    page, server, path, title, charts
):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{server}/{path}")
    wait_until_drawn(page, title=title, charts=charts)
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).all_inner_texts()
    assert page.locator(CHARTS).count() == charts
    assert "Data as at 31 December 2025" in page.inner_text("body")

    # axe cannot tell whether a chart is named, so check that each one has an accessible name.
    for chart in page.locator(CHARTS).all():
        assert chart.get_attribute("role") == "figure"
        assert len(chart.get_attribute("aria-label") or "") > 40

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


# Each chart's left and right margins as drawn, beside those its figure set. plotly widens a margin
# that its axis labels do not fit (automargin) only by drawing the whole chart again, and on small
# multiples that redraw can loop ("Too many auto-margin redraws"): a chart whose margins are as set
# was not drawn again by plotly.
DRAWN_MARGINS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(g => ({
    title: (g.layout.title && g.layout.title.text) || '',
    set: [g._fullLayout.margin.l, g._fullLayout.margin.r],
    drawn: [Math.round(g._fullLayout._size.l), Math.round(g._fullLayout._size.r)],
}))"""


@pytest.mark.parametrize("width", [1024, 1400, 1920])
@pytest.mark.parametrize("path, title, charts", [p for p in PAGES if p[2]], ids=lambda v: str(v))
def test_every_chart_fits_its_labels_in_the_margins_it_sets(
    browser, server, path, title, charts, width
):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    tab = context.new_page()
    warnings: list[str] = []
    tab.on("console", lambda message: warnings.append(message.text))
    try:
        tab.goto(f"{server}/{path}")
        wait_until_drawn(tab, title=title, charts=charts)
        tab.wait_for_timeout(500)  # a redraw comes after the first draw has measured its labels
        drawn = tab.evaluate(DRAWN_MARGINS)
    finally:
        context.close()
    assert len(drawn) == charts
    widened = [c for c in drawn if c["drawn"] != c["set"]]
    assert widened == [], widened
    assert not [w for w in warnings if "auto-margin" in w]


def _choose(tab, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox by its visible label."""
    box = tab.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option)  # the list is long (every month since 2014): type to narrow it
    tab.get_by_role("option", name=option, exact=True).click()


def _scorecard_text(tab) -> str:
    return tab.locator("table.sg-scorecard").inner_text()


def test_a_filter_change_rewrites_the_url_and_the_link_reproduces_the_view(page, browser, server):
    page.goto(server)
    wait_until_drawn(page, title="Safeguarding scorecard")
    before = _scorecard_text(page)

    _choose(page, "Month", "August 2014")
    page.wait_for_url(re.compile(r"month=2014-08"), timeout=30_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('h2')].some(h => h.innerText === 'August 2014')"
    )
    wait_until_drawn(page, title="Safeguarding scorecard")
    after = _scorecard_text(page)
    assert after != before and "100.0" in after

    shared = page.url
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        colleague = context.new_page()
        colleague.goto(shared)
        wait_until_drawn(colleague, title="Safeguarding scorecard")
        assert _scorecard_text(colleague) == after
        assert colleague.url == shared
    finally:
        context.close()


def test_a_theme_page_link_reproduces_the_metric_and_districts(page, browser, server):
    page.goto(f"{server}/missing-children")
    wait_until_drawn(page, title="Missing children", charts=2)
    _choose(page, "Metric", "Return home interviews within 72 hours")
    page.wait_for_url(re.compile(r"metric=misper_return_interview_72h"), timeout=30_000)
    page.get_by_role("heading", name="Return home interviews within 72 hours").wait_for()
    wait_until_drawn(page, title="Missing children", charts=2)
    label = page.locator(CHARTS).first.get_attribute("aria-label")
    assert "return home interviews within 72 hours" in label

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        colleague = context.new_page()
        colleague.goto(page.url)
        wait_until_drawn(colleague, title="Missing children", charts=2)
        assert colleague.locator(CHARTS).first.get_attribute("aria-label") == label
    finally:
        context.close()


def test_a_scorecard_figure_opens_its_trend_and_records(page, server):
    page.goto(f"{server}/?month=2014-08")
    wait_until_drawn(page, title="Safeguarding scorecard")
    page.locator('a[href="metric?metric=rso_caseload_per_officer&district=Kirklees&month=2014-08"]'
                 ).click()  # fmt: skip
    page.wait_for_url(re.compile(r"/metric\?"), timeout=30_000)
    wait_until_drawn(page, title="Sex offenders per offender manager", charts=3)
    assert "Records behind Kirklees, August 2014" in page.inner_text("body")
    # The records table is drawn just after the script ends; on a busy machine, a moment later.
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
    assert page.locator('[data-testid="stDataFrame"]').count() == 1  # the records


def test_a_district_lead_can_download_the_records_behind_a_figure(page, server):
    page.goto(f"{server}/district?district=Kirklees&month=2014-08")
    wait_until_drawn(page, title="Kirklees", charts=1)
    assert "for reconciliation only" in page.inner_text("body")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download these records (CSV)").click()
    path = download.value.path()
    header = Path(path).read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("Offender reference,District")


# --- the meeting view: on a projector and on paper ---------------------------------------------


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    tab = context.new_page()
    yield tab
    context.close()


def test_the_presentation_layout_shows_every_metric_row_within_two_screens(projector, server):
    from axe_playwright_python.sync_playwright import Axe

    projector.goto(f"{server}/?layout=present&quarter=2025Q3")
    wait_until_drawn(projector, title="Safeguarding scorecard")
    # The layout's style is a style-only st.html, which Streamlit adds apart from the page's
    # elements: it can land just after them, and every size below depends on it.
    marker = "padding: 0.6rem 1.2rem 1rem"
    assert marker in views.PRESENT_CSS
    projector.wait_for_function(
        "m => [...document.querySelectorAll('style')].some(s => s.textContent.includes(m))",
        arg=marker,
    )
    rows = projector.locator("table.sg-scorecard tbody tr")
    assert rows.count() == len(registry.metrics()) == 19
    bottom = max(b["y"] + b["height"] for b in (r.bounding_box() for r in rows.all()))
    assert bottom <= 2 * 1080
    # Every district and the force: the header row's columns are all on the screen's width.
    heads = projector.locator("table.sg-scorecard thead th")
    assert heads.count() == 1 + 5 + 1
    right = max(b["x"] + b["width"] for b in (h.bounding_box() for h in heads.all()))
    assert right <= 1920
    # No sidebar in the room; colour AND symbol in the cells; drawn icons with words.
    assert not projector.locator('[data-testid="stSidebar"]').is_visible()
    assert projector.locator("td.sg-c-not_met .sg-status").first.inner_text().startswith("✗")
    assert projector.locator("td.sg-c-met").first.evaluate(
        "c => getComputedStyle(c).backgroundColor"
    ) not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    key_icons = projector.locator(".sg-key img.sg-icon")
    assert key_icons.count() >= 4
    assert all(len(i.get_attribute("alt") or "") > 5 for i in key_icons.all())
    results = Axe().run(projector)
    assert results.violations_count == 0, results.generate_report()


def test_printing_the_overview_gives_a4_landscape_pages_without_the_sidebar(page, server):
    from pypdf import PdfReader

    page.goto(f"{server}/?quarter=2025Q3")
    wait_until_drawn(page, title="Safeguarding scorecard")
    # The print style is a style-only st.html, which Streamlit adds apart from the page's
    # elements: on a loaded machine it can land just after the title.
    page.wait_for_function(
        "() => [...document.querySelectorAll('style')]"
        ".some(s => s.textContent.includes('size: A4 landscape'))"
    )
    page.emulate_media(media="print")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    assert 1 <= len(pdf.pages) <= 3
    for sheet in pdf.pages:
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        # A4 landscape: 297 x 210 mm = 841.9 x 595.3 points.
        assert (round(width), round(height)) == (842, 595)
        text = sheet.extract_text()
        assert "Safeguarding scorecard: Q3 2025 (July to September 2025)" in text
        assert "Data as at 31 December 2025" in text
        assert "Quarterly review" not in text  # the sidebar's links are not printed
    # Every metric's row is printed (the table is laid out for print, not clipped by a scroll
    # container: before, one row reached paper).
    rows = page.locator("table.sg-scorecard tbody tr")
    assert rows.count() == 19 and all(r.is_visible() for r in rows.all())
    assert page.locator(".sg-scorecard-wrap").evaluate("w => getComputedStyle(w).overflow") == (
        "visible"
    )
