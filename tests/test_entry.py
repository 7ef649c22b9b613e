"""Every page is opened through dashboard.py (its sign-in gate and force choice), never by itself:
safeguarding/ui/entry.py. The browser half, on freshly started servers, is in
tests/test_browser_entry.py."""

from __future__ import annotations

import ast

import pytest
from streamlit.source_util import page_icon_and_name
from streamlit.testing.v1 import AppTest

from safeguarding.paths import ROOT
from safeguarding.ui import entry

from apptests import dashboard, open_link

PAGES = sorted((ROOT / "pages").glob("*.py"))


def _is_call(node: ast.stmt, module: str, name: str) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == name
        and isinstance(node.value.func.value, ast.Name)
        and node.value.func.value.id == module
    )


def _statements(path) -> list[ast.stmt]:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    # the docstring and the imports come first; what runs comes after them
    return [
        s
        for s in body
        if not isinstance(s, ast.Import | ast.ImportFrom)
        and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]


def test_there_are_pages_to_check():
    assert len(PAGES) == 16


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_page_checks_first_that_dashboard_py_opened_it(path):
    first = _statements(path)[0]
    assert _is_call(first, "entry", "require"), (
        f"{path.name}: the first statement after the imports must be entry.require()"
    )


def test_dashboard_py_marks_the_run_just_before_it_runs_the_page():
    body = _statements(ROOT / "dashboard.py")
    assert _is_call(body[-2], "entry", "entered")
    assert _is_call(body[-1], "current", "run")


def test_dashboard_py_draws_as_the_entry_script_before_anything_else():
    # else, in a run Streamlit routed by the folder, its widgets (the force) would be another
    # script's, and the next run's would start afresh
    assert _is_call(_statements(ROOT / "dashboard.py")[0], "entry", "as_entry_script")


def test_serve_py_turns_off_streamlits_pages_folder_routing_before_the_app_is_made():
    body = _statements(ROOT / "serve.py")
    calls = [i for i, s in enumerate(body) if _is_call(s, "entry", "navigation_only")]
    made = [i for i, s in enumerate(body) if isinstance(s, ast.Assign)]
    assert calls and made and calls[0] < made[0]


def test_each_page_file_is_named_by_the_address_the_menu_links_to(demo_db_path, monkeypatch):
    # A server's first request may be routed by the pages/ folder's file names (under
    # `streamlit run dashboard.py`): a link to /missing-children must then find
    # pages/missing-children.py, not Streamlit's "Page not found".
    monkeypatch.setenv("SAFEGUARDING_DB", demo_db_path)
    at = dashboard()
    at.run()
    addresses = [link.proto.page or "overview" for link in at.sidebar.get("page_link")]
    assert len(addresses) == len(PAGES) == len(set(addresses))  # demo mode: every page listed
    by_folder = {page_icon_and_name(path)[1]: path.name for path in PAGES}
    assert sorted(by_folder) == sorted(addresses)


@pytest.fixture
def entry_runs(monkeypatch) -> list[str]:
    """Each time a page, run by itself, ran dashboard.py in its place."""
    runs: list[str] = []
    real = entry.runpy.run_path

    def run_path(path, *args, **kwargs):
        runs.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(entry.runpy, "run_path", run_path)
    return runs


def _alone(demo_db_path, monkeypatch, user: dict | None) -> AppTest:
    """The overview run by itself, as Streamlit's pages-folder routing ran it: AppTest decides
    afresh on each run, and routes by the folder, so each run after the first opens the page
    script alone, as a first link after a server start did."""
    monkeypatch.setenv("SAFEGUARDING_DB", demo_db_path)
    at = dashboard(user)
    if user is not None and not user.get("is_logged_in"):
        at.run()  # the gate stops the first run: nothing is registered to switch to
        at.switch_page("pages/overview.py")
        at.query_params["month"] = "2024-08"
        return at.run()
    return open_link(at, "pages/overview.py", month="2024-08")


def test_a_page_run_by_itself_runs_dashboard_py_and_its_gate_in_its_place(
    demo_db_path, monkeypatch, entry_runs
):
    at = _alone(demo_db_path, monkeypatch, {"is_logged_in": False})
    assert entry_runs == [str(ROOT / "dashboard.py")]
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert [t.value for t in at.title] == ["Safeguarding performance"]  # the sign-in page's
    assert not at.selectbox and "<table" not in "".join(h.proto.body for h in at.get("html"))


def test_a_page_run_by_itself_is_drawn_once_through_the_dashboard(
    demo_db_path, monkeypatch, entry_runs
):
    at = _alone(demo_db_path, monkeypatch, None)
    assert entry_runs == [str(ROOT / "dashboard.py")]
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Safeguarding scorecard"]
    # dashboard.py drew its menu and notice once, and the page once
    assert [link.label for link in at.get("page_link")].count("Metric detail") == 1
    assert sum("Demo mode" in i.value for i in at.info) == 1


def test_a_page_opened_through_the_dashboard_is_drawn(demo_db_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARDING_DB", demo_db_path)
    at = open_link(dashboard(), "pages/overview.py", month="2024-08")
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Safeguarding scorecard"]
