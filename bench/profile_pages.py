"""Where a page's time goes in the browser: a Chrome trace of a load or a filter change, split.

Not a timed test: it prints a profile. For each scenario (the bare page with one plotly line
chart, and the dashboard's chart pages and filter changes from bench_pages.py) it opens the page
in headless Chromium, records a trace of the renderer while the page loads (from navigation) or
redraws (from the click on an option) until every chart is drawn and has stopped changing (as
bench_pages.py times a page), and splits the wall time:

* on the page's main thread, the way Chrome's performance panel does: JavaScript (compiling and
  running it, garbage collection), style and layout, paint (and the compositor's share on that
  thread), parsing HTML and CSS, and the rest of the tasks ("other");
* the JavaScript again by where it runs, from the V8 sampling profile in the same trace: the
  plotly.js bundle, Streamlit's own front end, and the rest (the browser's built-ins, GC);
* the time the main thread was idle: waiting for the network or the server's script run.

    python bench/profile_pages.py [--db PATH] [--rounds 3] [--only TEXT,TEXT]

Each figure is the median over ``--rounds`` fresh browser contexts, after one warm-up of each
scenario (as bench_pages.py measures). Tracing slows the browser a little, alike for every page.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_pages as pages  # noqa: E402

# Trace categories: the timeline Chrome's performance panel draws, and V8's sampling profiler.
CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "v8",
    "v8.execute",
    "disabled-by-default-v8.cpu_profiler",
    "blink",
    "loading",
]

# A trace event's self time counts to the first group that names it (the performance panel's
# grouping); what a task does outside all of them is "other".
GROUPS = {
    "JavaScript": (
        "EvaluateScript",
        "v8.compile",
        "v8.compileModule",
        "v8.evaluateModule",
        "FunctionCall",
        "TimerFire",
        "EventDispatch",
        "FireAnimationFrame",
        "FireIdleCallback",
        "RunMicrotasks",
        "v8.run",
        "V8.Execute",
        "MajorGC",
        "MinorGC",
        "BlinkGC.AtomicPhase",
        "V8.GC_SCAVENGER",
        "V8.GC_MARK_COMPACTOR",
        "V8.GCFinalizeMC",
        "V8.GCScavenger",
        "V8.GCIncrementalMarking",
        "V8.GCCompactor",
        "CppGC.IncrementalSweep",
        "v8.parseOnBackground",
        "V8.ScriptCompiler",
        "XHRReadyStateChange",
        "XHRLoad",
        "ScheduleIdleCallback",
        "ProfileCall",
    ),
    "style and layout": (
        "UpdateLayoutTree",
        "RecalculateStyles",
        "Layout",
        "HitTest",
        "ScheduleStyleRecalculation",
        "InvalidateLayout",
        "LayoutShift",
        "IntersectionObserverController::computeIntersections",
        "UpdateLayerTree",
        "LocalFrameView::RunPostLifecycleSteps",
    ),
    "paint": (
        "PrePaint",
        "Paint",
        "PaintImage",
        "Layerize",
        "Commit",
        "CompositeLayers",
        "UpdateLayer",
        "Decode Image",
        "ImageDecodeTask",
        "RasterTask",
    ),
    "parse HTML and CSS": ("ParseHTML", "ParseAuthorStyleSheet", "ResourceReceivedData"),
}
GROUP_OF = {name: group for group, names in GROUPS.items() for name in names}
# Blink's and V8's finer events, by their names' parts (checked after the exact names above).
PARTS = [
    ("CpuProfiler::", "tracing"),
    ("GC", "JavaScript"),
    ("V8.", "JavaScript"),
    ("v8.", "JavaScript"),
    ("Style", "style and layout"),
    ("Layout", "style and layout"),
    ("recalcStyle", "style and layout"),
    ("Paint", "paint"),
    ("Composit", "paint"),
    ("Raster", "paint"),
]
ORDER = ["JavaScript", "style and layout", "paint", "parse HTML and CSS", "other", "idle"]
# V8's profiler starts on the page's thread once tracing begins (0.3 s here): the trace is let
# settle this long before the load or the click (marked in the trace by console.timeStamp), and
# whatever of the start falls later is counted as idle, not as the page's.
SETTLE_S = 1.0
MARK = "bench: measured from here"


def group_of(name: str) -> str | None:
    if name in GROUP_OF:
        return GROUP_OF[name]
    return next((group for part, group in PARTS if part in name), None)


def scenarios(base: str, bare: str) -> list[tuple[str, str, str, int, tuple | None]]:
    """(name, url, title, charts, change) for each scenario: change is (label, option, check)."""
    found = [("Bare page: load", bare, "Bare page", 1, None)]
    found += [
        (f"{name}: load", f"{base}/{path}", title, charts, None)
        for name, path, title, charts, goal in pages.PAGES
        if goal
    ]
    found.append(("Bare page: redraw", bare, "Bare page", 1, pages.BARE_CHANGE))
    found += [
        (name, f"{base}/{path}", title, charts, (label, option, check))
        for name, path, title, charts, label, option, check in pages.CHANGES
    ]
    return found


def _main_thread(events: list[dict], start_us: float) -> tuple[int, int] | None:
    """(pid, tid) of the renderer main thread busiest after ``start_us`` (the page's own)."""
    names = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M"
        and e.get("name") == "thread_name"
        and e.get("args", {}).get("name") == "CrRendererMain"
    }
    busy: dict[tuple[int, int], float] = defaultdict(float)
    for e in events:
        key = (e.get("pid"), e.get("tid"))
        if key in names and e.get("name") == "RunTask" and e.get("ts", 0) >= start_us:
            busy[key] += e.get("dur", 0)
    return max(busy, key=busy.get) if busy else None


def _self_times(events: list[dict], thread: tuple[int, int], start: float, end: float) -> dict:
    """Self time (µs) by group of the complete events on ``thread`` within [start, end]."""
    spans = sorted(
        (
            e
            for e in events
            if (e.get("pid"), e.get("tid")) == thread
            and e.get("ph") == "X"
            and "dur" in e
            and e["ts"] >= start
            and e["ts"] <= end
        ),
        key=lambda e: (e["ts"], -e["dur"]),
    )
    totals: dict[str, float] = defaultdict(float)
    stack: list[list] = []  # [end, group, child time]
    busy = 0.0

    def close(until: float) -> None:
        while stack and stack[-1][0] <= until:
            finish, group, children, dur = stack.pop()
            totals[group] += max(dur - children, 0.0)

    for e in spans:
        close(e["ts"])
        dur = min(e["dur"], end - e["ts"])
        if stack:
            stack[-1][2] += dur
            group = group_of(e["name"]) or stack[-1][1]
        else:
            busy += dur
            group = group_of(e["name"]) or "other"
        stack.append([e["ts"] + dur, group, 0.0, dur])
    close(float("inf"))
    totals["idle"] = max((end - start) - busy, 0.0)
    # The profiler's own start, should any of it fall in the window, is not the page's time.
    totals["idle"] += totals.pop("tracing", 0.0)
    return totals


def _script_times(events: list[dict], thread: tuple[int, int], start: float, end: float) -> dict:
    """JavaScript self time (µs) by where it runs, from the V8 CPU profile in the trace: each
    sample's time is the profile's start plus the deltas before it, and only samples within
    [start, end] count."""
    nodes: dict[tuple, tuple[str, str]] = {}
    clock: dict[str, float] = {}
    totals: dict[str, float] = defaultdict(float)
    functions: dict[str, float] = defaultdict(float)
    for e in sorted(events, key=lambda e: e.get("ts", 0)):
        if e.get("pid") != thread[0]:
            continue
        data = e.get("args", {}).get("data", {})
        if e.get("name") == "Profile":
            clock[e.get("id")] = float(data.get("startTime", e["ts"]))
            continue
        if e.get("name") != "ProfileChunk" or e.get("id") not in clock:
            continue
        profile = data.get("cpuProfile", {})
        for node in profile.get("nodes", []):
            frame = node.get("callFrame", {})
            url, function = frame.get("url", ""), frame.get("functionName", "")
            where = _where(url, function)
            file = url.rsplit("/", 1)[-1] or where
            nodes[(e["id"], node["id"])] = (where, f"{function or '(anonymous)'} [{file}]")
        deltas = data.get("timeDeltas", [])
        for sample, delta in zip(profile.get("samples", []), deltas, strict=False):
            clock[e["id"]] += delta
            if start <= clock[e["id"]] <= end:
                where, function = nodes.get((e["id"], sample), ("other scripts", "?"))
                totals[where] += delta
                if where != "idle":
                    functions[function] += delta
    totals.pop("idle", None)
    return totals, functions


def _where(url: str, function: str) -> str:
    if function in ("(idle)", "(root)"):
        return "idle"
    if function == "(garbage collector)":
        return "garbage collection"
    if function == "(program)":
        return "browser (not JavaScript)"
    name = url.rsplit("/", 1)[-1].lower()
    if "plotly" in name:
        return "plotly.js"
    if url.startswith("http") and "/static/" in url:
        return "Streamlit front end"
    if not url:
        return "built-ins"
    return "other scripts"


def profile_one(browser, scenario) -> dict:
    name, url, title, charts, change = scenario
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = pages.new_tab(context)
        if change:
            tab.goto(url)
            pages.wait_drawn(tab, title, charts)
            label, option, check = change
            box = tab.get_by_role("combobox", name=label, exact=True)
            box.click()
            box.fill(option)
            choice = tab.get_by_role("option", name=option, exact=True)
            choice.wait_for()
        browser.start_tracing(page=tab, categories=CATEGORIES)
        time.sleep(SETTLE_S)
        tab.evaluate(f"() => console.timeStamp({MARK!r})")  # where the window starts
        began = time.time()
        if change:
            choice.click()
            tab.mouse.move(0, 0)  # off the charts, as bench_pages.py does
            tab.wait_for_function(check, timeout=pages.TIMEOUT_MS, polling="raf")
        else:
            tab.goto(url)
        pages.wait_drawn(tab, title, charts)
        wall = pages.until_settled(tab, began, time.time() - began)
        trace = json.loads(browser.stop_tracing())
    finally:
        context.close()
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    marks = [
        e["ts"]
        for e in events
        if e.get("name") == "TimeStamp" and e.get("args", {}).get("data", {}).get("message") == MARK
    ]
    if not marks:
        return {"wall": wall}
    start = marks[0]
    end = start + wall * 1e6
    thread = _main_thread(events, start)
    groups = _self_times(events, thread, start, end)
    scripts, functions = _script_times(events, thread, start, end)
    return {
        "wall": wall,
        "groups": {k: v / 1e6 for k, v in groups.items()},
        "scripts": {k: v / 1e6 for k, v in scripts.items()},
        "functions": {k: v / 1e6 for k, v in functions.items()},
    }


def median_of(results: list[dict], part: str) -> dict[str, float]:
    keys = {k for r in results for k in r.get(part, {})}
    return {k: statistics.median(r.get(part, {}).get(k, 0.0) for r in results) for k in keys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="one-force database (default: a fresh demo database)")
    parser.add_argument("--rounds", type=int, default=3, help="profiles per scenario (default 3)")
    parser.add_argument("--only", help="scenarios whose name contains one of these (comma list)")
    parser.add_argument(
        "--functions",
        type=int,
        default=0,
        metavar="N",
        help="also list each scenario's N dearest functions",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        db = args.db or pages._demo(Path(tmp) / "bench.duckdb")
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(pages.BARE_APP, encoding="utf-8")
        env = dict(os.environ, SAFEGUARDING_DB=db)
        bare_url = stack.enter_context(pages.streamlit(bare_script, env))
        base = stack.enter_context(pages.streamlit(pages.ROOT / "dashboard.py", env))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=pages.CHROMIUM, args=pages.CHROMIUM_ARGS
        )
        pages.time_load(browser, base, "Safeguarding scorecard", 0)  # warm, as bench_pages
        chosen = [
            s
            for s in scenarios(base, bare_url)
            if not args.only
            or s[0].startswith("Bare page")
            or any(w.strip().lower() in s[0].lower() for w in args.only.split(","))
        ]
        out: dict[str, dict] = {}
        for scenario in chosen:
            profile_one(browser, scenario)  # warm-up: the server's caches, as in a meeting
            results = [profile_one(browser, scenario) for _ in range(args.rounds)]
            out[scenario[0]] = {
                "wall": statistics.median(r["wall"] for r in results),
                "groups": median_of(results, "groups"),
                "scripts": median_of(results, "scripts"),
                "functions": median_of(results, "functions"),
            }
            print(f"  profiled {scenario[0]}", file=sys.stderr, flush=True)
        browser.close()

    print(f"{'scenario':36}{'wall':>7}" + "".join(f"{g[:12]:>13}" for g in ORDER))
    for name, r in out.items():
        cells = "".join(f"{r['groups'].get(g, 0.0):13.2f}" for g in ORDER)
        print(f"{name:36}{r['wall']:7.2f}{cells}")
    places = ["plotly.js", "Streamlit front end", "built-ins", "garbage collection",
              "other scripts", "browser (not JavaScript)"]  # fmt: skip
    print(f"\n{'JavaScript by where it runs (s)':36}" + "".join(f"{p[:16]:>17}" for p in places))
    for name, r in out.items():
        print(f"{name:36}" + "".join(f"{r['scripts'].get(p, 0.0):17.2f}" for p in places))
    for name, r in out.items() if args.functions else ():
        top = sorted(r["functions"].items(), key=lambda item: -item[1])[: args.functions]
        print(f"\n{name}: the dearest functions (self time, s)")
        for function, seconds in top:
            print(f"  {seconds:6.3f}  {function}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
