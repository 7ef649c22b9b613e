"""Page-load benchmark: each dashboard page in headless Chromium against a bare Streamlit page.

Not a timed test: it reports figures. For every page it measures the time from navigation until
the script has finished and every chart on the page is drawn (an SVG inside each plotly chart),
taking the median of several loads in fresh browser contexts after one warm-up load (so caches
are warm, as in a meeting). The baseline is a bare Streamlit page with one plotly chart, measured
in the same run on the same machine. Filter changes are timed from the click on an option until
the page has been redrawn.

Goals (from the issue): overview and theme pages within 1.5x the bare page; a filter change
redrawn within 1.0x the bare page.

    python bench/bench_pages.py [--loads 5] [--db PATH] [--json bench/results/pages.json]
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

PAGES = [
    ("Overview", "", "Safeguarding scorecard", 0),
    ("Theme: offender management", "offender-management", "Offender management", 2),
    ("Theme: missing children", "missing-children", "Missing children", 2),
    ("Theme: digital forensics", "digital-forensics", "Digital forensics", 2),
    ("Theme: investigations", "investigations-conferences", "Investigations and conferences", 2),
    ("Theme: custody and resourcing", "custody-resourcing", "Custody and resourcing", 2),
    (
        "Metric detail",
        "metric?metric=misper_high_risk_attended_60m&district=Leeds&month=2024-08",
        "High-risk missing children attended within 60 minutes",
        3,
    ),
    ("District", "district?district=Leeds&month=2024-08", "Leeds", 1),
    ("About the data", "about", "About the data", 0),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit(script: Path, env: dict[str, str]):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(script),
            "--server.headless", "true", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT,
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


def wait_drawn(tab, title: str, charts: int) -> None:
    tab.wait_for_selector(APP_DONE, timeout=60_000)
    tab.wait_for_function(
        "t => [...document.querySelectorAll('h1')].some(h => h.innerText.trim() === t)",
        arg=title,
        timeout=60_000,
    )
    tab.wait_for_function(
        """n => {
            const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
            return charts.length >= n && [...charts].every(c => c.querySelector('.main-svg'));
        }""",
        arg=charts,
        timeout=60_000,
        polling="raf",
    )
    tab.wait_for_selector(APP_DONE, timeout=60_000)


def time_load(browser, url: str, title: str, charts: int) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        start = time.perf_counter()
        tab.goto(url)
        wait_drawn(tab, title, charts)
        return time.perf_counter() - start
    finally:
        context.close()


def time_change(browser, url: str, title: str, charts: int, label: str, option: str, check: str):
    """Seconds from choosing ``option`` in the ``label`` selectbox until the page is redrawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        tab.goto(url)
        wait_drawn(tab, title, charts)
        box = tab.get_by_role("combobox", name=label, exact=True)
        box.click()
        box.fill(option)
        choice = tab.get_by_role("option", name=option, exact=True)
        choice.wait_for()
        start = time.perf_counter()
        choice.click()
        tab.wait_for_function(check, timeout=60_000, polling="raf")
        wait_drawn(tab, title, charts)
        return time.perf_counter() - start
    finally:
        context.close()


def median_of(loads: int, measure) -> tuple[float, list[float]]:
    measure()  # warm-up: caches filled, as in a meeting
    samples = [measure() for _ in range(loads)]
    return statistics.median(samples), samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--db", help="database to use (default: a fresh demo database)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--only", help="measure only pages whose name contains this")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from safeguarding import demo, store

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = str(Path(tmp) / "bench.duckdb")
            with store.writer(db, fresh=True) as con:
                demo.build(con, seed=2014, last_month=dt.date(2025, 12, 1))
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        env = dict(os.environ, SAFEGUARDING_DB=db)
        results: dict[str, dict] = {}
        with (
            streamlit(bare, env) as bare_url,
            streamlit(ROOT / "dashboard.py", env) as app_url,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # The first session after a start sees a spurious "Page not found" (streamlit#9992).
            time_load(browser, app_url, "Safeguarding scorecard", 0)

            base, samples = median_of(
                args.loads, lambda: time_load(browser, bare_url, "Bare page", 1)
            )
            results["Bare page (one plotly chart)"] = {"median_s": base, "samples": samples}
            base_change, samples = median_of(
                args.loads,
                lambda: time_change(
                    browser, bare_url, "Bare page", 1, "Months", "143",
                    "() => document.querySelector('.main-svg') !== null",
                ),
            )  # fmt: skip
            results["Bare page: filter change"] = {"median_s": base_change, "samples": samples}

            for name, path, title, charts in PAGES:
                if args.only and args.only.lower() not in name.lower():
                    continue
                median, samples = median_of(
                    args.loads,
                    lambda p=path, t=title, c=charts: time_load(browser, f"{app_url}/{p}", t, c),
                )
                results[name] = {"median_s": median, "samples": samples, "x_bare": median / base}

            changes = [
                (
                    "Overview: month changed",
                    app_url, "Safeguarding scorecard", 0, "Month", "August 2014",
                    "() => location.search.includes('month=2014-08') && "
                    "[...document.querySelectorAll('h2')].some(h => h.innerText === 'August 2014')",
                ),
                (
                    "Theme: metric changed",
                    f"{app_url}/missing-children", "Missing children", 2, "Metric",
                    "Return home interviews within 72 hours",
                    "() => location.search.includes('misper_return_interview_72h')",
                ),
            ]  # fmt: skip
            for name, url, title, charts, label, option, check in changes:
                if args.only and args.only.lower() not in name.lower():
                    continue
                median, samples = median_of(
                    args.loads,
                    lambda u=url, t=title, c=charts, lb=label, o=option, ck=check: time_change(
                        browser, u, t, c, lb, o, ck
                    ),
                )
                results[name] = {"median_s": median, "samples": samples, "x_bare": median / base}
            browser.close()

    print(f"{'page':40} {'median (s)':>10} {'x bare page':>12}")
    for name, figures in results.items():
        ratio = figures.get("x_bare")
        ratio_text = f"{ratio:12.2f}" if ratio is not None else f"{'':12}"
        print(f"{name:40} {figures['median_s']:10.2f} {ratio_text}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
