"""Benchmark of a force on the national database: scorecard, peer figures, overview and peer page.

Not a test: it prints figures. Goals (issue 16), on the 43-force database:

* the scorecard function for one force and month under 150 ms;
* the overview for one force within 1.2x of the same page on the one-force database;
* the peer comparison page within 1.5x of a bare Streamlit page with one plotly chart.

Both databases must exist (building 43 forces takes minutes; build them once):

    python -m safeguarding demo --db /tmp/one.duckdb --to 2025-12
    python -m safeguarding demo --db /tmp/national.duckdb --forces 43 --to 2025-12
    python bench/bench_peers.py --one /tmp/one.duckdb --national /tmp/national.duckdb [--loads 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_pages import BARE_APP, CHROMIUM, CHROMIUM_ARGS, streamlit, time_load  # noqa: E402

from safeguarding import peers, scorecard, store  # noqa: E402
from safeguarding.quarters import Period  # noqa: E402

FORCE = "West Yorkshire"


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up: a meeting sees warm file caches
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def functions(one: str, national: str, repeat: int) -> None:
    for label, path in (("one force", one), ("43 forces", national)):
        con = store.reader(path)
        month = dt.date.fromisoformat(store.meta(con)["last_month"])
        ms = median_ms(lambda c=con, m=month: scorecard.scorecard(c, m, force=FORCE), repeat)
        print(f"scorecard({FORCE}, {month:%Y-%m}) on {label:<10} {ms:8.1f} ms  (goal < 150)")
        if len(peers.forces(con)) > 1:
            period = Period.month(month)
            ms = median_ms(lambda c=con, p=period: peers.signal_and_position(c, FORCE, p), repeat)
            print(f"signal_and_position({FORCE}) on {label:<10} {ms:8.1f} ms")


def pages(one: str, national: str, loads: int) -> None:
    from playwright.sync_api import sync_playwright

    def median_load(browser, url, title, charts):
        time_load(browser, url, title, charts)  # warm-up
        return statistics.median(time_load(browser, url, title, charts) for _ in range(loads))

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP, encoding="utf-8")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        env = dict(os.environ)
        with streamlit(bare, env) as url:
            base = median_load(browser, url, "Bare page", 1)
        with streamlit(ROOT / "dashboard.py", dict(env, SAFEGUARDING_DB=one)) as url:
            overview_one = median_load(browser, url, "Safeguarding scorecard", 0)
        with streamlit(ROOT / "dashboard.py", dict(env, SAFEGUARDING_DB=national)) as url:
            force = FORCE.replace(" ", "+")
            overview_43 = median_load(browser, f"{url}/?force={force}", "Safeguarding scorecard", 0)
            peer_page = median_load(
                browser, f"{url}/peers?force={force}", f"{FORCE} and its peers", 2
            )
        browser.close()
    print(f"bare page                         {base:6.2f} s")
    print(f"overview, one-force database      {overview_one:6.2f} s")
    print(
        f"overview, 43-force database       {overview_43:6.2f} s  "
        f"{overview_43 / overview_one:4.2f}x the one-force overview (goal <= 1.2x)"
    )
    print(
        f"peer page, 43-force database      {peer_page:6.2f} s  "
        f"{peer_page / base:4.2f}x the bare page (goal <= 1.5x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--one", required=True, help="one-force demo database")
    parser.add_argument("--national", required=True, help="43-force demo database")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--no-pages", action="store_true", help="function timings only")
    args = parser.parse_args()
    functions(args.one, args.national, args.repeat)
    if not args.no_pages:
        pages(args.one, args.national, args.loads)


if __name__ == "__main__":
    main()
