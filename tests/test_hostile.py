"""Every page against hostile input: what people type, paste, link and upload is shown as text.

Two sweeps over every page of the dashboard, on a database whose stored text attacks the page (a
district renamed to Markdown and HTML that would draw links, a tracking image, colour, LaTeX and
an icon; an action and recommendation evidence typed the same way) and with the same text in
every query parameter:

* in AppTest: the Markdown source of every element that renders Markdown holds no live
  construct made from the hostile text, and no st.html body holds its raw HTML;
* in Chromium against `streamlit run serve.py`: no link or image points at the hostile host, the
  browser never asks that host for anything, and the text is visible as typed.

Also here: records asked for only when a user asked (no refusal logged by default), and the
HTTP protections of safeguarding.server (no /_stcore/metrics, no framing, a records file
fetched once and never without the session).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import hostile
import pytest
from streamlit.testing.v1 import AppTest

from safeguarding import audit, registry, server
from safeguarding.paths import ROOT
from safeguarding.server import SECURITY_HEADERS
from safeguarding.ui.safe import md, shown

from apptests import NO_SIGN_IN, html, open_link, open_page, private_env, signed_in
from browser_server import APP_DONE, streamlit_server

PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py"))
QUERY = {k: hostile.HOSTILE for k in ("district", "metric", "month", "districts", "quarter")}
MARKDOWN_ELEMENTS = (
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "info",
    "warning",
    "error",
    "success",
    "toast",
)
ROLES = """
[users]
"kirklees.lead@force.example" = { role = "district_lead", district = "Kirklees" }
"pcc.analyst@pcc.example" = { role = "pcc_office" }
"""
KIRKLEES_LEAD = signed_in("kirklees.lead@force.example", "K Lead")


@pytest.fixture(scope="module")
def hostile_db(demo_db_path, tmp_path_factory) -> str:
    return hostile.build(demo_db_path, tmp_path_factory.mktemp("hostile") / "hostile.duckdb")


@pytest.fixture
def on_hostile_db(hostile_db, monkeypatch, tmp_path) -> str:
    monkeypatch.setenv("SAFEGUARDING_DB", hostile_db)
    monkeypatch.setenv("SAFEGUARDING_AUDIT", str(tmp_path / "audit.duckdb"))
    return hostile_db


def _markdown_sources(at: AppTest) -> list[tuple[str, str]]:
    """(element type, Markdown source) for everything the run drew that renders Markdown."""
    found = []
    for kind in MARKDOWN_ELEMENTS:
        found += [(kind, str(e.value)) for e in at.get(kind)]
    for table in at.table:
        frame = table.value
        cells = [str(c) for c in frame.columns] + [str(i) for i in frame.index]
        cells += [str(v) for v in frame.to_numpy().ravel().tolist()]
        found += [("table", c) for c in cells]
    for button in at.get("download_button"):
        found.append(("download_button", button.proto.label))
    return found


def assert_only_text(at: AppTest) -> int:
    """No element renders the hostile text as markup; returns how many elements showed it."""
    assert not at.exception, [e.value for e in at.exception]
    showing = 0
    for kind, source in _markdown_sources(at):
        if "evil" not in source:
            continue
        showing += 1
        assert not hostile.live_markdown(source), (kind, source)
    body = html(at)
    assert 'src="http://evil' not in body and 'href="http://evil' not in body
    # Plotly draws a subset of HTML in titles, labels, legends and hover text.
    drawn = [t for t in _chart_strings(at) if "evil" in t]
    assert not [t for t in drawn if re.search(r"<(a|img)\b", t, re.IGNORECASE)], drawn[:3]
    return showing


def _chart_strings(at: AppTest) -> Iterator[str]:
    """Every string in the figures the run drew."""

    def strings(value) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    for chart in at.get("plotly_chart"):
        yield from strings(json.loads(chart.proto.spec))


def _page_run(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.secrets = NO_SIGN_IN
    return open_link(at, f"pages/{page}", **params)


def test_the_check_finds_every_construct_in_raw_text_and_none_once_escaped():
    # So that a page passing the sweep cannot be a check that sees nothing.
    assert len(hostile.live_markdown(hostile.HOSTILE)) == len(hostile.UNSAFE_MARKDOWN)
    assert hostile.live_markdown(md(hostile.HOSTILE)) == []


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_hostile_links_and_stored_text_as_text(page, on_hostile_db):
    assert_only_text(_page_run(page, QUERY))
    # The hostile district chosen by a valid link: the page draws it, as text.
    assert_only_text(_page_run(page, {"district": hostile.HOSTILE_DISTRICT}))


@pytest.fixture(scope="module")
def hostile_forces_db(tmp_path_factory) -> str:
    return hostile.build_forces(tmp_path_factory.mktemp("hostile_forces") / "forces.duckdb")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_a_hostile_force_name_as_text(page, hostile_forces_db, monkeypatch):
    # The peers page's title and header and a comparison chart's caption (the force's own
    # figure beside its districts') once drew a force's name as Markdown.
    monkeypatch.setenv("SAFEGUARDING_DB", hostile_forces_db)
    monkeypatch.setenv("SAFEGUARDING_AUDIT", str(hostile_forces_db) + ".audit.duckdb")
    assert_only_text(_page_run(page, {}))


def test_the_peers_page_names_a_hostile_force_as_typed(hostile_forces_db, monkeypatch):
    monkeypatch.setenv("SAFEGUARDING_DB", hostile_forces_db)
    monkeypatch.setenv("SAFEGUARDING_AUDIT", str(hostile_forces_db) + ".audit.duckdb")
    at = _page_run("peers.py", {})
    assert shown(at.title[0].value) == f"{hostile.HOSTILE_FORCE} and its peers"
    assert assert_only_text(at) >= 2  # the title and the metric's header


def test_the_hostile_district_is_named_as_typed_in_its_page_title(on_hostile_db):
    at = _page_run("district.py", {"district": hostile.HOSTILE_DISTRICT})
    assert at.title[0].value == md(hostile.HOSTILE_DISTRICT)
    assert shown(at.title[0].value) == hostile.HOSTILE_DISTRICT
    assert assert_only_text(at) >= 2


def test_a_bad_link_is_echoed_as_text(on_hostile_db):
    at = _page_run("district.py", {"district": hostile.HOSTILE + "x"})
    warning = at.warning[0].value
    assert shown(warning).startswith(f"Not a district: '{hostile.HOSTILE}x'")
    assert not hostile.live_markdown(warning)


def test_a_typed_rebase_reason_is_shown_as_text(on_hostile_db):
    at = _page_run(
        "metric.py",
        {"metric": hostile.REBASED_METRIC, "district": hostile.HOSTILE_DISTRICT},
    )
    cells = [str(v) for t in at.table for v in t.value.to_numpy().ravel().tolist()]
    assert md(hostile.HOSTILE) in cells
    assert assert_only_text(at) >= 2  # the title and the metric's header


def test_typed_evidence_and_actions_are_shown_as_text(on_hostile_db):
    at = _page_run("recommendations.py", {})
    assert any(hostile.HOSTILE in shown(c.value) for c in at.caption)
    assert assert_only_text(at) >= 1
    log = _page_run("actions.py", {})
    assert_only_text(log)
    assert "&lt;img src=&quot;http://evil.test/c.png&quot;&gt;" in html(log)


# --- refusals only for requests a user made ---------------------------------------------------


@pytest.fixture
def lead_env(monkeypatch, tmp_path, demo_db_path):
    return private_env(monkeypatch, tmp_path, demo_db_path, ROLES)


def test_a_bad_district_link_does_not_log_a_refusal_for_a_lead(lead_env):
    for page in ("pages/district.py", "pages/metric.py"):
        at = open_page(page, user=KIRKLEES_LEAD, district="Nowhere")
        assert not at.exception
        assert any("Not a district" in shown(w.value) for w in at.warning)
    log = audit.recent(lead_env["audit"])
    assert "refused" not in set(log["action"]), log
    # The lead lands on their own district, whose records they see.
    assert set(log["district"]) == {"Kirklees"}


def test_a_lead_choosing_another_district_is_told_without_a_logged_refusal(lead_env):
    at = open_page("pages/district.py", user=KIRKLEES_LEAD)
    at.selectbox(key="f_district").set_value("Leeds").run()
    assert not at.exception
    assert any("Records not shown" in i.value for i in at.info)
    assert "refused" not in set(audit.recent(lead_env["audit"])["action"])


def test_a_link_asking_for_another_districts_records_is_refused_and_logged(lead_env):
    at = open_page("pages/district.py", user=KIRKLEES_LEAD, district="Leeds", month="2014-08")
    assert not at.exception
    assert any("Records not shown" in shown(e.value) for e in at.error)
    log = audit.recent(lead_env["audit"])
    refused = log[log["action"] == "refused"]
    assert len(refused) == 1 and refused.iloc[0]["district"] == "Leeds"


def test_a_role_without_records_visits_record_pages_without_a_logged_refusal(lead_env):
    pcc = signed_in("pcc.analyst@pcc.example", "P Analyst")
    for page in ("pages/district.py", "pages/metric.py", "pages/data-quality.py"):
        assert not open_page(page, user=pcc).exception
    assert audit.recent(lead_env["audit"]).empty


# --- in a real browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_server(hostile_db, chromium, tmp_path_factory) -> Iterator[str]:
    """`streamlit run serve.py` on the hostile database, in demo mode."""
    work = tmp_path_factory.mktemp("hostile_server")
    env = {
        "SAFEGUARDING_DB": hostile_db,
        "SAFEGUARDING_AUDIT": str(work / "audit.duckdb"),
        "HOME": str(work),
    }
    with streamlit_server(
        "serve.py", env, log=work / "streamlit.log", args=("--server.fileWatcherType", "none")
    ) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_browser(hostile_server, chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    asked: list[str] = []

    def refuse(route):
        asked.append(route.request.url)
        route.abort()

    # Matched on the host: the dashboard's own URLs carry the hostile text in their query.
    context.route(
        lambda url: (urllib.parse.urlsplit(url).hostname or "").endswith("evil.test"), refuse
    )
    page = context.new_page()
    page.goto(hostile_server)
    page.wait_for_selector(APP_DONE, timeout=90_000)
    yield page, asked
    context.close()


URL_PATHS = [
    "",
    "metric",
    "district",
    *[t.replace("_", "-") for t in registry.themes()],
    "quarterly-review",
    "actions",
    "recommendations",
    "about",
    "data",
    "data-quality",
    "access-log",
]
# Attributes through which a page could load or link to the hostile host (SVG links included).
LINKS_TO_HOST = """() => [...document.querySelectorAll('*')].flatMap(e =>
    [...e.attributes].filter(a => /^(href|src|srcset|xlink:href|data|action|poster)$/i.test(a.name)
        && /^[a-z]*:?\\/\\/[^/?#]*evil\\.test/i.test(a.value))
    .map(a => e.tagName + ' ' + a.name + '=' + a.value))"""


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(APP_DONE, timeout=120_000)
    page.wait_for_timeout(500)
    page.wait_for_selector(APP_DONE, timeout=120_000)


@pytest.mark.browser
@pytest.mark.parametrize("path", URL_PATHS)
def test_in_the_browser_no_page_links_to_or_loads_from_hostile_text(
    path, hostile_server, hostile_browser
):
    page, asked = hostile_browser
    for query in (QUERY, {"district": hostile.HOSTILE_DISTRICT}):
        _open(page, f"{hostile_server}/{path}?{urllib.parse.urlencode(query)}")
        assert page.evaluate(LINKS_TO_HOST) == [], path
        assert page.locator('[data-testid="stException"]').count() == 0
    assert asked == [], asked


@pytest.mark.browser
def test_in_the_browser_the_hostile_district_reads_as_typed(hostile_server, hostile_browser):
    page, asked = hostile_browser
    query = urllib.parse.urlencode({"district": hostile.HOSTILE_DISTRICT})
    _open(page, f"{hostile_server}/district?{query}")
    title = page.locator("h1").first.inner_text().replace("\u2060", "")
    assert title == hostile.HOSTILE_DISTRICT
    assert page.evaluate(LINKS_TO_HOST) == []
    assert asked == []


# --- the server's protections -------------------------------------------------------------------


@pytest.mark.browser
def test_the_metrics_endpoint_is_not_served(hostile_server):
    for path in ("/_stcore/metrics", "/_stcore/metrics/"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(hostile_server + path, timeout=5)
        assert refused.value.code == 404


@pytest.mark.browser
def test_every_response_forbids_framing(hostile_server):
    for path in ("/", "/_stcore/health", "/district"):
        headers = urllib.request.urlopen(hostile_server + path, timeout=5).headers
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, (path, name)


@pytest.mark.browser
def test_a_records_download_url_dies_just_after_the_click_and_never_serves_without_it(
    hostile_server, hostile_browser
):
    page, _ = hostile_browser
    query = urllib.parse.urlencode(
        {
            "district": hostile.FORMULA_DISTRICT,
            "month": hostile.FORMULA_MONTH,
            "metric": hostile.FORMULA_METRIC,
        }
    )
    _open(page, f"{hostile_server}/district?{query}")
    button = page.get_by_role("button", name="Download these records (CSV)")
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    body = Path(download.path()).read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in body  # the hostile reference, neutralised
    assert download.url.startswith(hostile_server) and "/media/" in download.url
    # The same URL, without the browser's cookies or session, once the grace has run: gone.
    time.sleep(server.GRACE_SECONDS + 1)
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(download.url, timeout=5)
    assert gone.value.code == 404
    # A second click builds the file again (and logs it again).
    with page.expect_download(timeout=60_000) as again:
        button.click()
    assert Path(again.value.path()).read_text(encoding="utf-8") == body
