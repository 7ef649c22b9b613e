"""Page-load benchmark: every dashboard page in headless Chromium against a bare Streamlit page.

Not a timed test: it reports figures. Every measurement is a **pair**: the bare Streamlit page with
one plotly line chart, then the dashboard page, loaded one after the other in fresh browser
contexts after one warm-up load of each (caches warm, as in a meeting). A page's figure is the
median over the pairs of page time / bare time, so a noisy machine slows both halves of a pair
alike. A load is timed from navigation until the script has finished and every chart on the page is
drawn and has stopped changing (plotly and Streamlit each may draw a chart again after its first
picture; ``--until first`` stops at the first picture, the measure used up to 2026-12-07); a
filter change from the click on an option until the page has been redrawn and settled, paired
with the same change on the bare page.

Also measured, in the same run: 20 real Streamlit sessions at once (20 browser tabs opening the
dashboard's chart pages in turn, against 20 tabs opening the bare page), and, when a 43-force
database is given, the overview for one force on it against the same page on the one-force
database, and the peer page against the bare page.

Goals (issue 15 and 16): metric, theme and district pages within 1.2x the bare page; a filter
change within 1.5x the bare page's redraw; 20 sessions at once within 1.2x the bare page under the
same load; the peer page (43 forces) within 1.5x; the 43-force overview within 1.2x the one-force
overview.

    python bench/bench_pages.py [--loads 5] [--db PATH] [--national PATH] [--before CHECKOUT]
        [--variant NAME=CHECKOUT ...] [--floors] [--scripts] [--only TEXT,TEXT] [--crowd 20]
        [--crowd-rounds 3] [--until settled|first] [--json bench/results/pages.json]

``--scripts`` also lists what each page makes a fresh browser fetch (JavaScript by file, and the
bytes of its websocket messages) beside the bare page: where a page's time goes in the browser.

``--before`` measures a checkout of the old code (e.g. ``git worktree add /tmp/old main``) in the
same rounds, so one run gives the before and after columns; ``--variant NAME=CHECKOUT`` (repeatable)
adds more checkouts to the same rounds, to compare candidate changes in one run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APP_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

BARE_APP = """
import numpy as np
import plotly.graph_objects as go
import streamlit as st

months = st.selectbox("Months", [144, 143])
x = np.arange(months)
fig = go.Figure(go.Scatter(x=x, y=np.sin(x / 6) * 10 + 50, mode="lines"))
fig.update_layout(title="Bare page")
st.title("Bare page")
st.plotly_chart(fig, alt="A line chart")
"""
BARE = ("", "Bare page", 1)

# The elements floor (--floors): exactly the charts (the same figure JSON and config) and the HTML
# a dashboard page draws, captured from the page in AppTest, drawn on a page with nothing else.
# What the page takes beyond it is the rest of the page (widgets, text, the grid, the sidebar);
# what it takes itself is the cost of drawing those figures and tables at all.
FLOOR_APP = """
import json
import os

import plotly.graph_objects as go
import streamlit as st

SETS = json.loads(open(os.environ["BENCH_FLOORS"], encoding="utf-8").read())


@st.cache_resource
def figures(name):
    return [go.Figure(json.loads(c["spec"])) for c in SETS[name]["charts"]]


name = st.query_params.get("set", "")
options = SETS[name]["options"]
if options:
    chosen = st.selectbox("Metric", list(options))
    name = options[chosen]
st.title(SETS[name]["title"])
st.header(name)
for body in SETS[name]["html"]:
    st.html(body)
for chart, fig in zip(SETS[name]["charts"], figures(name)):
    st.plotly_chart(fig, config=json.loads(chart["config"]), alt=chart["alt"])
"""

# (name, path, title, plotly charts drawn, goal as x bare or None)
PAGES = [
    ("Overview", "", "Safeguarding scorecard", 0, None),
    ("Theme: offender management", "offender-management", "Offender management", 2, 1.2),
    ("Theme: missing children", "missing-children", "Missing children", 2, 1.2),
    ("Theme: digital forensics", "digital-forensics", "Digital forensics", 2, 1.2),
    ("Theme: investigations", "investigations-conferences", "Investigations and conferences", 2,
     1.2),
    ("Theme: custody and resourcing", "custody-resourcing", "Custody and resourcing", 2, 1.2),
    (
        "Metric detail",
        "metric?metric=misper_high_risk_attended_60m&district=Leeds&month=2024-08",
        "High-risk missing children attended within 60 minutes",
        3,
        1.2,
    ),
    ("District", "district?district=Leeds&month=2024-08", "Leeds", 1, 1.2),
    ("About the data", "about", "About the data", 0, None),
    ("Quarterly review", "quarterly-review", "Quarterly review", 0, None),
    ("Action log", "actions", "Action log", 0, None),
    ("Inspection recommendations", "recommendations", "Inspection recommendations", 0, None),
    ("Data", "data", "Data", 0, None),
    ("Data quality", "data-quality", "Data quality", 0, None),
    ("Access log", "access-log", "Access log", 0, None),
    ("Peers (one force: nothing to compare)", "peers", "West Yorkshire and its peers", 0, None),
]  # fmt: skip

# (name, path, title, charts, selectbox label, option, JS check that the change arrived)
CHANGES = [
    (
        "Overview: month changed",
        "", "Safeguarding scorecard", 0, "Month", "August 2014",
        "() => location.search.includes('month=2014-08') && "
        "[...document.querySelectorAll('h2')].some(h => h.innerText === 'August 2014')",
    ),
    (
        "Theme: metric changed",
        "missing-children", "Missing children", 2, "Metric",
        "Return home interviews within 72 hours",
        "() => location.search.includes('misper_return_interview_72h')",
    ),
]  # fmt: skip
BARE_CHANGE = ("Months", "143", "() => document.querySelector('.main-svg') !== null")
# For the elements floor of a change: the query the page has once the option is chosen.
CHANGE_QUERY = {
    "Overview: month changed": "month=2014-08",
    "Theme: metric changed": "metric=misper_return_interview_72h",
}

# The pages 20 sessions open at once, in turn: the chart pages a meeting opens from its links.
CROWD_PAGES = [p for p in PAGES if p[3] > 0] + [PAGES[0]]

FORCE = "West Yorkshire"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit(script: Path, env: dict[str, str], cwd: Path = ROOT):
    """A Streamlit server for ``script``, started in ``cwd`` (whose .streamlit/config.toml it
    reads: a dashboard checkout's own settings; the bare page takes this checkout's)."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.headless", "true", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"streamlit run {script} did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


TIMEOUT_MS = 180_000  # a loaded machine can take a minute for a cold page


def wait_drawn(tab, title: str, charts: int, timeout: int = TIMEOUT_MS) -> None:
    tab.wait_for_selector(APP_DONE, timeout=timeout)
    tab.wait_for_function(
        "t => [...document.querySelectorAll('h1')].some(h => h.innerText.trim() === t)",
        arg=title,
        timeout=timeout,
    )
    tab.wait_for_function(
        """n => {
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            return charts.length >= n && [...charts].every(c => c.querySelector('.main-svg'));
        }""",
        arg=charts,
        timeout=timeout,
        polling="raf",
    )
    tab.wait_for_selector(APP_DONE, timeout=timeout)


# What "drawn" means (--until). "settled": until the charts stop changing. A chart is drawn more
# than once: plotly draws it again when its labels did not fit the margins (automargin), and
# Streamlit again once it has set the chart's width, so the first picture is not the last; the
# time is that of the last change inside any chart, seen by a MutationObserver, once nothing has
# changed for SETTLE_QUIET_MS. "first": until every chart has its first picture (the figures
# measured up to 2026-12-07).
UNTIL = "settled"
SETTLE_QUIET_MS = 600
WATCH_CHARTS = """
window.__chartChanged = 0;
new MutationObserver(records => {
    for (const record of records) {
        const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
        if (node && node.closest('.js-plotly-plot')) {
            window.__chartChanged = performance.timeOrigin + performance.now();
            return;
        }
    }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def new_tab(context):
    """A tab that notes when anything inside a chart last changed (for --until settled)."""
    tab = context.new_page()
    tab.add_init_script(WATCH_CHARTS)
    return tab


def until_settled(tab, start: float, drawn: float, timeout: int = TIMEOUT_MS) -> float:
    """Seconds from ``start`` (time.time()) to the last change inside a chart, or ``drawn`` (the
    seconds to the first picture) when nothing changed after it; with --until first, ``drawn``."""
    if UNTIL == "first":
        return drawn
    tab.wait_for_function(
        f"() => Date.now() - window.__chartChanged > {SETTLE_QUIET_MS}",
        timeout=timeout,
        polling=100,
    )
    last = tab.evaluate("window.__chartChanged") / 1000
    return max(drawn, last - start)


def time_load(browser, url: str, title: str, charts: int) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = new_tab(context)
        start = time.time()
        tab.goto(url)
        wait_drawn(tab, title, charts)
        return until_settled(tab, start, time.time() - start)
    finally:
        context.close()


def time_change(browser, url: str, title: str, charts: int, label: str, option: str, check: str):
    """Seconds from choosing ``option`` in the ``label`` selectbox until the page is redrawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = new_tab(context)
        tab.goto(url)
        wait_drawn(tab, title, charts)
        until_settled(tab, time.time(), 0.0)  # the load's own redraws are not the change's
        box = tab.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.fill(option)
        choice = tab.get_by_role("option", name=option, exact=True)
        choice.wait_for()
        start = time.time()
        choice.click()
        tab.mouse.move(0, 0)  # off the charts: a pointer over one makes plotly draw its hover
        tab.wait_for_function(check, timeout=TIMEOUT_MS, polling="raf")
        wait_drawn(tab, title, charts)
        return until_settled(tab, start, time.time() - start)
    finally:
        context.close()


def time_crowd(browser, targets: list[tuple[str, str, int]]) -> float:
    """Seconds until every one of ``targets`` (url, title, charts), opened at once in its own
    browser context (so its own Streamlit session), has finished its script and drawn its
    charts."""
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in targets]
    try:
        tabs = [new_tab(c) for c in contexts]
        start = time.time()
        for tab, (url, _, _) in zip(tabs, targets, strict=True):
            tab.goto(url, wait_until="commit")
        for tab, (_, title, charts) in zip(tabs, targets, strict=True):
            wait_drawn(tab, title, charts, timeout=2 * TIMEOUT_MS)
        drawn = time.time() - start
        return max(until_settled(tab, start, drawn, timeout=2 * TIMEOUT_MS) for tab in tabs)
    finally:
        for context in contexts:
            context.close()


def what_loads(browser, url: str, title: str, charts: int) -> dict:
    """What one load of ``url`` in a fresh context makes the browser fetch and receive: the
    JavaScript files (by name without their content hash, with their bytes) and the bytes of
    the Streamlit session's websocket messages (the page's elements, figures and tables)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    scripts: dict[str, int] = {}
    received = 0

    def finished(request) -> None:
        name = request.url.split("?")[0].rsplit("/", 1)[-1]
        if name.endswith(".js"):
            with contextlib.suppress(Exception):  # a request whose body is gone
                scripts[name.split(".")[0]] = request.sizes()["responseBodySize"]

    def frame(payload) -> None:
        nonlocal received
        received += len(payload)

    def socket(ws) -> None:
        ws.on("framereceived", frame)

    try:
        tab = context.new_page()
        tab.on("requestfinished", finished)
        tab.on("websocket", socket)
        tab.goto(url)
        wait_drawn(tab, title, charts)
        tab.wait_for_load_state("networkidle")
        return {"scripts": scripts, "socket": received}
    finally:
        context.close()


def interleaved(loads: int, bare, variants: dict[str, object]) -> dict[str, dict]:
    """``loads`` rounds of the bare page and every variant (e.g. the code before and after a
    change), one after the other in an order that rotates, after one warm-up of each. Each
    variant's figure is the median over the rounds of its time / the bare time of that round."""
    names = list(variants)
    measures = {"bare": bare, **variants}
    for measure in measures.values():
        measure()
    times: dict[str, list[float]] = {name: [] for name in measures}
    for i in range(loads):
        order = list(measures)
        order = order[i % len(order) :] + order[: i % len(order)]
        for name in order:
            times[name].append(measures[name]())
    return {
        name: {
            "bare_s": statistics.median(times["bare"]),
            "page_s": statistics.median(times[name]),
            "ratio": statistics.median(
                p / b for p, b in zip(times[name], times["bare"], strict=True)
            ),
            "bare_samples": times["bare"],
            "page_samples": times[name],
        }
        for name in names
    }


def capture_floor(page_path: str, title: str) -> dict:
    """The charts (figure JSON, config, alt) and HTML bodies a page draws, from the page itself
    run in AppTest on the database in SAFEGUARDING_DB (demo mode)."""
    from urllib.parse import parse_qsl

    from streamlit.testing.v1 import AppTest

    path, _, query = page_path.partition("?")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.secrets = {"not_auth": {"note": "no sign-in configured"}}
    at.run()
    at.switch_page(f"pages/{path or 'overview'}.py")
    for key in list(at.query_params):
        del at.query_params[key]
    for key, value in parse_qsl(query):
        at.query_params[key] = value
    at.run()
    if at.exception:
        raise RuntimeError(f"{page_path}: {at.exception[0].value}")
    return {
        "title": title,
        "options": {},
        "html": [h.proto.body for h in at.get("html")],
        "charts": [
            {"spec": c.proto.spec, "config": c.proto.config, "alt": c.proto.alt}
            for c in at.get("plotly_chart")
        ],
    }


def _demo(path: Path) -> str:
    from safeguarding import demo, store

    with store.writer(str(path), fresh=True) as con:
        demo.build(con, seed=2014, last_month=dt.date(2025, 12, 1))
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="rounds per page (default 5)")
    parser.add_argument("--db", help="one-force database to use (default: a fresh demo database)")
    parser.add_argument(
        "--national", help="a 43-force database (copied first, never written): peer page figures"
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="a checkout of the code before a change: its dashboard is measured in the same "
        "rounds, so the table gives before and after from one run",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=CHECKOUT",
        help="another checkout measured in the same rounds under NAME (repeatable): several "
        "candidate changes compared in one run",
    )
    parser.add_argument("--crowd", type=int, default=20, help="sessions at once (0: skip)")
    parser.add_argument("--crowd-rounds", type=int, default=3, help="crowd rounds (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--floors",
        action="store_true",
        help="also measure, in the same rounds, each page's and change's charts and HTML drawn "
        "alone (the same figure JSON and tables, nothing else on the page)",
    )
    parser.add_argument(
        "--scripts",
        action="store_true",
        help="also list, for each page, the JavaScript the browser fetches and the bytes the "
        "page sends over its websocket, beside the bare page's: what a fresh browser must "
        "download, compile and draw before the page is shown",
    )
    parser.add_argument(
        "--only", help="measure only rows whose name contains one of these (comma-separated)"
    )
    parser.add_argument(
        "--until",
        choices=["settled", "first"],
        default="settled",
        help="a page is drawn when its charts stop changing (settled, the default) or when each "
        "has its first picture (first: the measure used up to 2026-12-07)",
    )
    args = parser.parse_args()
    global UNTIL
    UNTIL = args.until
    # Checked before any server starts: a wrong checkout would otherwise be found a minute in.
    variants: dict[str, Path] = {}
    for variant in args.variant:
        label, _, checkout = variant.partition("=")
        taken = ("before", "after", "page", "alone", "bare", *variants)
        if not label or not checkout or label in taken:
            parser.error(f"--variant {variant!r}: give NAME=CHECKOUT with a NAME of its own")
        if not (Path(checkout) / "dashboard.py").is_file():
            parser.error(f"--variant {variant!r}: no dashboard.py in {checkout}")
        variants[label] = Path(checkout).resolve()

    from playwright.sync_api import sync_playwright

    from safeguarding import store

    def wanted(name: str) -> bool:
        return not args.only or any(w.strip().lower() in name.lower() for w in args.only.split(","))

    rows: list[tuple[str, dict[str, dict] | str, float | None, str]] = []

    def measure(name: str, goal: float | None, against: str, run) -> None:
        """One row: ``run()`` gives {variant: figures}; a failure is reported, not fatal."""
        try:
            result = run()
        except Exception as error:  # noqa: BLE001 - a timed-out page is a result to report
            rows.append((name, f"failed: {type(error).__name__}", goal, against))
            print(f"  {name}: failed ({error!s:.200})", file=sys.stderr, flush=True)
            return
        rows.append((name, result, goal, against))
        ratios = ", ".join(f"{v} {r['ratio']:.2f}x" for v, r in result.items())
        print(f"  {name}: {ratios}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        db = args.db or _demo(Path(tmp) / "bench.duckdb")
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_APP, encoding="utf-8")
        env = dict(os.environ, SAFEGUARDING_DB=db)
        bare_url = stack.enter_context(streamlit(bare_script, env))
        apps = {"after" if args.before else "page": ROOT}
        if args.before:
            apps = {"before": args.before.resolve(), **apps}
        apps.update(variants)
        urls = {
            v: stack.enter_context(streamlit(r / "dashboard.py", env, r)) for v, r in apps.items()
        }
        floors: dict[str, dict] = {}
        if args.floors:
            print("capturing each page's charts and HTML in AppTest", file=sys.stderr, flush=True)
            os.environ["SAFEGUARDING_DB"] = db
            for name, path, title, charts, _ in PAGES:
                if charts and wanted(name):
                    floors[name] = capture_floor(path, title)
            for name, path, title, *_rest in CHANGES:
                if wanted(name):
                    option = _rest[2]
                    join = "&" if "?" in path else "?"
                    changed = f"{path}{join}{CHANGE_QUERY[name]}"
                    floors[f"{name}: to"] = capture_floor(changed, title)
                    floors[name] = capture_floor(path, title)
                    floors[name]["options"] = {"as opened": name, option: f"{name}: to"}
            floors_file = Path(tmp) / "floors.json"
            floors_file.write_text(json.dumps(floors), encoding="utf-8")
            floor_script = Path(tmp) / "floor.py"
            floor_script.write_text(FLOOR_APP, encoding="utf-8")
            floor_env = dict(env, BENCH_FLOORS=str(floors_file))
            floor_url = stack.enter_context(streamlit(floor_script, floor_env))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # One load of each server first: its caches warm, and no measured load is the first
        # request after a start (which, under `streamlit run dashboard.py`, Streamlit routes by
        # the pages/ folder: safeguarding/ui/entry.py).
        for url in urls.values():
            time_load(browser, url, "Safeguarding scorecard", 0)

        def bare_load():
            return time_load(browser, bare_url, "Bare page", 1)

        for name, path, title, charts, goal in PAGES:
            if wanted(name):
                loads = {
                    v: (lambda u=f"{url}/{path}", t=title, c=charts: time_load(browser, u, t, c))
                    for v, url in urls.items()
                }
                if name in floors:
                    alone_url = f"{floor_url}/?set={quote(name)}"
                    loads["alone"] = lambda u=alone_url, t=title, c=charts: time_load(
                        browser, u, t, c
                    )
                measure(
                    name, goal, "bare page", lambda ls=loads: interleaved(args.loads, bare_load, ls)
                )

        for name, path, title, charts, label, option, check in CHANGES:
            if wanted(name):
                changes = {
                    v: (
                        lambda u=f"{url}/{path}", t=title, c=charts, lb=label, o=option, ck=check: (
                            time_change(browser, u, t, c, lb, o, ck)
                        )
                    )
                    for v, url in urls.items()
                }
                if name in floors:
                    arrived = (
                        "() => [...document.querySelectorAll('h2')]"
                        f".some(h => h.innerText.trim() === {json.dumps(name + ': to')})"
                    )
                    alone_url = f"{floor_url}/?set={quote(name)}"
                    changes["alone"] = (
                        lambda u=alone_url, t=title, c=charts, o=option,
                        ck=arrived: time_change(browser, u, t, c, "Metric", o, ck)
                    )  # fmt: skip
                measure(
                    name,
                    1.5,
                    "bare page's redraw",
                    lambda cs=changes: interleaved(
                        args.loads,
                        lambda: time_change(browser, bare_url, "Bare page", 1, *BARE_CHANGE),
                        cs,
                    ),
                )

        name = f"{args.crowd} sessions at once"
        if args.crowd and wanted(name):
            pages = [CROWD_PAGES[i % len(CROWD_PAGES)] for i in range(args.crowd)]
            crowds = {
                v: (lambda u=url: time_crowd(browser, [(f"{u}/{p[1]}", p[2], p[3]) for p in pages]))
                for v, url in urls.items()
            }
            bare_targets = [(bare_url, *BARE[1:])] * args.crowd
            measure(
                name,
                1.2,
                f"{args.crowd} bare sessions",
                lambda: interleaved(
                    args.crowd_rounds, lambda: time_crowd(browser, bare_targets), crowds
                ),
            )

        if args.national and wanted("Overview, 43 forces, Peers, 43 forces"):
            national = str(Path(tmp) / "national.duckdb")
            store.copy_database(args.national, national)
            env43 = dict(env, SAFEGUARDING_DB=national)
            urls43 = {
                v: stack.enter_context(streamlit(r / "dashboard.py", env43, r))
                for v, r in apps.items()
            }
            for url in urls43.values():
                time_load(browser, url, "Safeguarding scorecard", 0)
            force = FORCE.replace(" ", "+")
            one_force = {
                v: (lambda u=url: time_load(browser, u, "Safeguarding scorecard", 0))
                for v, url in urls.items()
            }
            for v, url in urls43.items():
                # Against the same code's overview on the one-force database.
                measure(
                    f"Overview, 43 forces ({v})" if len(apps) > 1 else "Overview, 43 forces",
                    1.2,
                    "one-force overview",
                    lambda u=url, v=v: interleaved(
                        args.loads,
                        one_force[v],
                        {
                            v: lambda: time_load(
                                browser, f"{u}/?force={force}", "Safeguarding scorecard", 0
                            )
                        },
                    ),
                )
            peers = {
                v: (
                    lambda u=url: time_load(
                        browser, f"{u}/peers?force={force}", f"{FORCE} and its peers", 2
                    )
                )
                for v, url in urls43.items()
            }
            measure(
                "Peers, 43 forces",
                1.5,
                "bare page",
                lambda: interleaved(args.loads, bare_load, peers),
            )
        fetched: list[tuple[str, dict]] = []
        if args.scripts:
            fetched.append(("Bare page", what_loads(browser, bare_url, *BARE[1:])))
            for name, path, title, charts, _ in PAGES:
                if wanted(name):
                    for v, url in urls.items():
                        label = f"{name} ({v})" if len(urls) > 1 else name
                        fetched.append((label, what_loads(browser, f"{url}/{path}", title, charts)))
        browser.close()

    variants = list(apps)
    head = "".join(f"{v + ' (s)':>13}{v + ' ratio':>14}" for v in variants)
    print(
        "a page is drawn when its charts have stopped changing (--until settled)"
        if UNTIL == "settled"
        else "a page is drawn when each chart has its first picture (--until first)"
    )
    print(f"{'page':38}{'bare (s)':>9}{head}{'goal':>7}  against")
    for name, result, goal, against in rows:
        goal_text = f"<={goal:.1f}" if goal else ""
        if isinstance(result, str):
            print(f"{name:38}{result:>{9 + 27 * len(variants)}}{goal_text:>7}  {against}")
            continue
        bare_s = statistics.median(r["bare_s"] for r in result.values())
        cells = "".join(
            f"{result[v]['page_s']:13.2f}{result[v]['ratio']:13.2f}x" if v in result else f"{'':27}"
            for v in variants
        )
        print(f"{name:38}{bare_s:9.2f}{cells}{goal_text:>7}  {against}")
        if "alone" in result:
            alone = result["alone"]
            print(
                f"{'  its charts and HTML alone':38}{alone['bare_s']:9.2f}"
                f"{alone['page_s']:13.2f}{alone['ratio']:13.2f}x{'':7}  {against}"
            )
    if fetched:
        bare_scripts = fetched[0][1]["scripts"]
        print(
            f"\n{'page':38}{'JS (kB)':>9}{'files':>7}{'socket (kB)':>13}  JS beyond the bare page's"
        )
        for name, got in fetched:
            extra = {k: b for k, b in got["scripts"].items() if k not in bare_scripts}
            biggest = sorted(extra.items(), key=lambda item: -item[1])[:5]
            listed = ", ".join(f"{k} {b / 1e3:,.0f}" for k, b in biggest)
            more = f" (+{len(extra) - len(biggest)} more)" if len(extra) > len(biggest) else ""
            print(
                f"{name:38}{sum(got['scripts'].values()) / 1e3:9,.0f}{len(got['scripts']):7}"
                f"{got['socket'] / 1e3:13,.0f}  {listed}{more}"
            )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = {name: {"result": r, "goal": g, "against": a} for name, r, g, a in rows}
        data.update({f"fetched: {name}": got for name, got in fetched})
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
