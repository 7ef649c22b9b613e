"""The browser profile's arithmetic (bench/profile_pages.py), on hand-made trace events."""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def profile():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("profile_pages", BENCH / "profile_pages.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH))


MAIN = (7, 1)


def span(name, ts, dur, thread=MAIN):
    return {"ph": "X", "name": name, "ts": ts, "dur": dur, "pid": thread[0], "tid": thread[1]}


def thread_name(thread, name):
    return {
        "ph": "M",
        "name": "thread_name",
        "pid": thread[0],
        "tid": thread[1],
        "ts": 0,
        "args": {"name": name},
    }


def test_self_time_goes_to_the_innermost_named_group(profile):
    events = [
        span("RunTask", 100, 500),  # a task: 150 of its own, the rest below
        span("FunctionCall", 150, 300),  # JavaScript: 300 less its children
        span("Layout", 200, 100),  # a forced layout inside the script
        span("SomethingUnnamed", 320, 50),  # inherits JavaScript from its parent
        span("Paint", 500, 50),
        span("RunTask", 700, 100),  # a task with nothing named inside: other
        span("Layout", 5000, 100),  # outside the window: not counted
    ]
    totals = profile._self_times(events, MAIN, 0, 1000)
    assert totals["JavaScript"] == 200  # 300 - 100 (layout); the unnamed 50 stays JavaScript
    assert totals["style and layout"] == 100
    assert totals["paint"] == 50
    assert totals["other"] == 150 + 100  # the first task's own time, and the second task
    assert totals["idle"] == 1000 - 600


def test_the_profilers_own_start_counts_as_idle(profile):
    events = [span("RunTask", 0, 400), span("CpuProfiler::StartProfiling", 0, 300)]
    totals = profile._self_times(events, MAIN, 0, 1000)
    assert totals["other"] == 100
    assert totals["idle"] == 600 + 300
    assert "tracing" not in totals


def test_events_on_other_threads_are_left_out(profile):
    events = [span("FunctionCall", 0, 400, thread=(7, 2)), span("FunctionCall", 0, 100)]
    assert profile._self_times(events, MAIN, 0, 1000)["JavaScript"] == 100


def test_the_busiest_renderer_main_thread_is_the_page(profile):
    quiet, busy = (3, 1), (7, 1)
    events = [
        thread_name(quiet, "CrRendererMain"),
        thread_name(busy, "CrRendererMain"),
        thread_name((1, 1), "CrBrowserMain"),
        span("RunTask", 10, 5, thread=quiet),
        span("RunTask", 10, 50, thread=busy),
        span("RunTask", 10, 500, thread=(1, 1)),  # the browser process: never the page
        span("RunTask", 0, 900, thread=quiet),  # before the window: not counted
    ]
    assert profile._main_thread(events, 5) == busy


def test_samples_are_placed_in_time_and_split_by_script(profile):
    plotly = "http://127.0.0.1/static/js/PlotlyChart.abc.js"
    front = "http://127.0.0.1/static/js/index.def.js"
    chunk = {
        "name": "ProfileChunk",
        "ph": "P",
        "id": "0x1",
        "pid": 7,
        "tid": 9,
        "ts": 20,
        "args": {
            "data": {
                "cpuProfile": {
                    "nodes": [
                        {"id": 1, "callFrame": {"functionName": "(root)", "url": ""}},
                        {"id": 2, "callFrame": {"functionName": "draw", "url": plotly}},
                        {"id": 3, "callFrame": {"functionName": "render", "url": front}},
                        {"id": 4, "callFrame": {"functionName": "(garbage collector)"}},
                    ],
                    "samples": [2, 2, 3, 4, 1, 2],
                },
                # Sample times: 110, 120, 150, 160, 170, 2000 (the last outside the window).
                "timeDeltas": [10, 10, 30, 10, 10, 1830],
            }
        },
    }
    start = {"name": "Profile", "ph": "P", "id": "0x1", "pid": 7, "tid": 9, "ts": 10}
    start["args"] = {"data": {"startTime": 100}}
    other_process = dict(chunk, pid=8)
    places, functions = profile._script_times([chunk, start, other_process], MAIN, 100, 1000)
    assert places == {"plotly.js": 20, "Streamlit front end": 30, "garbage collection": 10}
    assert functions["draw [PlotlyChart.abc.js]"] == 20
    assert functions["render [index.def.js]"] == 30


def test_every_scenario_the_benchmark_measures_is_profiled(profile):
    names = [s[0] for s in profile.scenarios("http://app", "http://bare")]
    goals = [p[0] for p in profile.pages.PAGES if p[4]]
    assert names[0] == "Bare page: load" and "Bare page: redraw" in names
    assert all(f"{g}: load" in names for g in goals)
    assert all(c[0] in names for c in profile.pages.CHANGES)
