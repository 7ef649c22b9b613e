"""dashboard.py is the only way into a page.

dashboard.py runs the sign-in gate and the force choice, then ``st.navigation`` runs the page. A
page run any other way would skip both: it would show figures to someone not signed in, and a
force's user every force's figures.

Streamlit can do exactly that. When a ``pages/`` folder sits beside the entry script, it treats
the app as an old-style multipage app (a page per file in the folder, each run by itself, without
the entry script) until some session has called ``st.navigation`` since the server started. So the
first link straight to a page after a start (a link in a meeting's papers, say) ran the page alone:
without the gate, in Streamlit's narrow layout, under Streamlit's own menu listing every file; a
page whose address was not its file name (``/missing-children``, ``missing_children.py``) got a
"Page not found" dialog. Streamlit keeps that choice in ``PagesManager.uses_pages_directory``,
decided when the first session starts and cleared by ``st.navigation``; it has no setting for it.

The guards, tested in a real browser on freshly started servers (tests/test_browser_entry.py):

* ``navigation_only()`` clears the flag before any session starts: serve.py (the way the
  dashboard is run) calls it, so Streamlit never routes by the folder;
* every page calls ``require()`` first. dashboard.py calls ``entered()`` just before it runs the
  page; a page run without it (``streamlit run dashboard.py`` has no start-up hook of ours, and
  AppTest decides afresh on every run) clears the flag and runs dashboard.py in its place, in the
  same run, so a button just pressed still counts; the page's own body never runs;
* for a run routed by the folder all the same: each page's file is named by its address
  (dashboard.py builds the one from the other), so a link finds its page, and Streamlit's menu of
  the files is switched off (``client.showSidebarNavigation`` in .streamlit/config.toml);
* and ``as_entry_script()``, dashboard.py's first statement. A widget's identity includes the
  script Streamlit says it is drawn from; routed by the folder, dashboard.py runs as a page (the
  folder's default page, or from ``require()``), so its widgets (the force) would not be the
  ones the next run draws, and the force a link chose would be lost on the next click. It draws
  them as the entry script's in every run, as ``st.navigation`` does for the page it runs.
"""

from __future__ import annotations

import runpy
import threading

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx

from safeguarding import paths

# Set by dashboard.py in the script thread of the run it is about to hand to the page; the page
# takes it. A thread-local, so one session's run cannot mark another's.
_RUN = threading.local()


def navigation_only() -> None:
    """Tell Streamlit this app's pages come only from ``st.navigation``, never from the
    ``pages/`` folder (call before the first session starts)."""
    PagesManager.uses_pages_directory = False


def as_entry_script() -> None:
    """dashboard.py, first: what it draws belongs to the entry script, however Streamlit routed
    the run (as ``st.navigation`` itself does for the page it runs)."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        ThreadState.update(active_script_hash=ctx.pages_manager.main_script_hash)


def entered() -> None:
    """dashboard.py: the gate and the force choice have run; the page may run now."""
    _RUN.entered = True


def require() -> None:
    """First thing on every page: go on only if dashboard.py handed this run to the page;
    otherwise run dashboard.py now, in this run, and stop this copy of the page."""
    if getattr(_RUN, "entered", False):
        _RUN.entered = False
        return
    # In this same run, so nothing the user just did (a button pressed, a form sent) is lost:
    # dashboard.py signs in, chooses the force and opens the page the address asks for, whose
    # own require() then finds the mark. The gate's st.stop() ends the run here too.
    navigation_only()
    runpy.run_path(str(paths.ROOT / "dashboard.py"), run_name="__main__")
    st.stop()
