"""A link straight to a page, as the first request a freshly started server answers, in Chromium.

Streamlit routed such a request by the pages/ folder until some session had called
st.navigation: the page ran by itself, without dashboard.py's sign-in gate and force choice, in
the narrow layout under Streamlit's own menu of files (safeguarding/ui/entry.py). Every test here
starts its own server so that its first request really is the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from browser_server import streamlit_server, write_auth_secrets

pytestmark = pytest.mark.browser

METRIC_LINK = "metric?metric=misper_high_risk_attended_60m&district=Leeds&month=2024-08"
METRIC_TITLE = "High-risk missing children attended within 60 minutes"
STREAMLIT_MENU = '[data-testid="stSidebarNav"]'  # Streamlit's menu of the files in pages/


@contextmanager
def fresh_server(script: str, demo_db_path: str, tmp_path, *, sign_in: bool) -> Iterator[str]:
    env = {"SAFEGUARDING_DB": demo_db_path, "HOME": str(tmp_path)}
    if sign_in:
        # Sign-in configured; the provider is never contacted (nobody presses "Sign in").
        closed = "http://127.0.0.1:9"
        write_auth_secrets(tmp_path, base=closed, provider=closed, client_id="dashboard")
    with streamlit_server(script, env, log=tmp_path / "streamlit.log") as url:
        yield url


@contextmanager
def tab_at(chromium, url: str):
    """A new browser tab at ``url`` (closed afterwards)."""
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    try:
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        tab.goto(url)
        yield tab
    finally:
        context.close()


@contextmanager
def first_request(chromium, script: str, db: str, tmp_path, link: str, *, sign_in: bool = False):
    """A tab at ``link``, the first request of a server started for it."""
    with (
        fresh_server(script, db, tmp_path, sign_in=sign_in) as url,
        tab_at(chromium, f"{url}/{link}") as tab,
    ):
        yield tab


def drawn_title(tab, title: str) -> None:
    tab.get_by_role("heading", level=1, name=title).wait_for()
    tab.wait_for_timeout(1000)  # a late dialog or menu would have arrived by now


def assert_dashboards_own_page(tab, title: str) -> None:
    drawn_title(tab, title)
    # dashboard.py ran: its menu, and its wide layout (Streamlit's own is 736 px at most)
    tab.get_by_role("link", name="Overview", exact=True).wait_for()
    body = tab.inner_text("body")
    assert "Page not found" not in body
    assert tab.locator(STREAMLIT_MENU).count() == 0
    main = tab.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    assert main is not None and main["width"] > 1200


def test_the_first_request_after_a_start_is_a_link_to_a_page(chromium, demo_db_path, tmp_path):
    with fresh_server("serve.py", demo_db_path, tmp_path, sign_in=False) as url:
        with tab_at(chromium, f"{url}/{METRIC_LINK}") as tab:
            assert_dashboards_own_page(tab, METRIC_TITLE)
            assert "district=Leeds" in tab.url and "month=2024-08" in tab.url
        # an address with a hyphen (once not the page's file name)
        with tab_at(chromium, f"{url}/missing-children") as tab:
            assert_dashboards_own_page(tab, "Missing children")
        # the overview's file name, though its address is "/"
        with tab_at(chromium, f"{url}/overview?month=2024-08") as tab:
            assert_dashboards_own_page(tab, "Safeguarding scorecard")
            assert tab.get_by_role("heading", level=2, name="August 2024").count() == 1
            # and the menu shows the overview as the current page, as at "/"
            overview = tab.get_by_role("link", name="Overview", exact=True)
            shade = overview.evaluate("link => getComputedStyle(link).backgroundColor")
            assert shade != "rgba(0, 0, 0, 0)"


@pytest.mark.parametrize("script", ["serve.py", "dashboard.py"])
def test_a_first_link_to_a_page_asks_for_sign_in_and_shows_no_figures(
    chromium, demo_db_path, tmp_path, script
):
    with first_request(
        chromium, script, demo_db_path, tmp_path, "overview?month=2024-08", sign_in=True
    ) as tab:
        tab.get_by_role("button", name="Sign in").wait_for()
        tab.wait_for_timeout(1000)
        body = tab.inner_text("body")
        assert "Sign in with your force account" in body
        assert "Safeguarding scorecard" not in body and "Bradford" not in body
        assert tab.locator("table").count() == 0
        assert tab.locator(STREAMLIT_MENU).count() == 0  # not even the pages' names


@pytest.mark.parametrize(
    "link, title",
    [
        (METRIC_LINK, METRIC_TITLE),
        ("missing-children?month=2024-08", "Missing children"),
        ("overview?month=2024-08", "Safeguarding scorecard"),
    ],
    ids=["metric", "hyphenated address", "the overview by its file name"],
)
def test_run_as_dashboard_py_a_first_link_still_opens_through_the_dashboard(
    chromium, demo_db_path, tmp_path, link, title
):
    # `streamlit run dashboard.py` has no start-up hook: its first request is routed by the
    # folder's file names (so /missing-children needs pages/missing-children.py, or Streamlit
    # shows "Page not found"), and the page sends the run back through dashboard.py
    # (entry.require).
    with first_request(chromium, "dashboard.py", demo_db_path, tmp_path, link) as tab:
        assert_dashboards_own_page(tab, title)
        assert "month=2024-08" in tab.url


def _shown_in(tab, label: str) -> str:
    """The option a selectbox shows."""
    return tab.get_by_role("combobox", name=label, exact=True).input_value()


def test_run_as_dashboard_py_the_force_a_first_link_chose_is_kept_on_the_next_choice(
    chromium, three_forces_path, tmp_path
):
    # The first run is routed by the folder, the next by st.navigation: the force selectbox
    # must be the same widget in both, or the next click falls back to the first force listed.
    link = "?force=Force%2003&month=2015-03"
    with first_request(chromium, "dashboard.py", three_forces_path, tmp_path, link) as tab:
        drawn_title(tab, "Safeguarding scorecard")
        assert _shown_in(tab, "Force") == "Force 03"
        box = tab.get_by_role("combobox", name="Month", exact=True)
        box.click()
        box.fill("May 2015")
        tab.get_by_role("option", name="May 2015", exact=True).click()
        tab.wait_for_url(re.compile(r"month=2015-05"))
        drawn_title(tab, "Safeguarding scorecard")
        assert _shown_in(tab, "Force") == "Force 03"
        assert re.search(r"force=Force(%20|\+)03", tab.url), tab.url
