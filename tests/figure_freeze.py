"""The frozen figures: what the page charts draw on the demo data, as committed JSON files.

tests/test_charts_frozen.py builds the same figures with the code as it is now and compares what
they draw with tests/expected/figures/*.json, so a faster way of building a figure cannot change
what a reader sees. "What they draw" (``drawn``) is every visual series (a run of points between
gaps, with its name, style, hover text and axes), the legend entries in order, and the layout:
merging two traces of the same style into one trace with a gap between them (fewer traces for the
browser) draws the same, and compares equal, as do numbers that differ only in their last binary
digits between machines (``REL_TOL``); a changed point, colour, name or axis does not. When a
change of what is drawn is intended, regenerate the files on purpose and commit them with the
change that explains why:

    python tests/figure_freeze.py --write

(it builds the same demo database as the tests: seed 2014, data to December 2025). Without
--write it compares and prints the figures that differ.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import math
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIGURES_DIR = Path(__file__).resolve().parent / "expected" / "figures"
DEMO_SEED = 2014
DEMO_LAST_MONTH = dt.date(2025, 12, 1)
MONTH = dt.date(2024, 8, 1)
THEME_MONTHS = 36
DISTRICT = "Leeds"
# A proportion with a funnel, a second proportion, a count (bars, zero floor), a median (days),
# a rate, a force-only metric and a level (FTE): every kind of chart the pages draw.
METRICS = [
    "misper_high_risk_attended_60m",
    "misper_return_interview_72h",
    "cai_open_over_3m",
    "iioc_turnaround_days",
    "rso_caseload_per_officer",
    "recommendations_on_time_pct",
    "specialist_investigators_fte",
]
# Trace keys that are not drawn: how traces are grouped and tagged, not what they show.
NOT_DRAWN = {"x", "y", "hovertext", "showlegend", "legendgroup", "meta", "uid"}


def figures(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, Callable[[], go.Figure]]]:
    """(name, build) for every frozen figure, built the way the pages build them."""
    from safeguarding import registry, scorecard, signals, targets
    from safeguarding.ui import district_view, stats, views

    districts, forces = scorecard.units(con, None)
    units = districts + forces
    start = views.last_months(MONTH, THEME_MONTHS)
    for metric_id in METRICS:
        metric = registry.get(metric_id)
        area_units = forces if metric.scope == "force" else units
        area = forces[0] if metric.scope == "force" else DISTRICT
        title = f"{metric.title} by month, per area ({metric.unit})"
        theme = signals.series(
            con, metric_id, districts=area_units, from_month=start, to_month=MONTH
        )
        full = signals.series(con, metric_id, districts=area_units, to_month=MONTH)
        plain = targets.figures(con, metric_id=metric_id, from_month=start, to_month=MONTH)
        plain = plain[plain["district"].isin(area_units)]
        one = signals.series(con, metric_id, districts=[area])
        month_frame = targets.figures(con, metric_id=metric_id, from_month=MONTH, to_month=MONTH)
        month_frame = month_frame[month_frame["district"].isin(area_units)]

        def shown(frame, units=area_units):
            return [u for u in units if u in set(frame["district"])]

        yield (
            f"theme_trend_{metric_id}",
            lambda m=metric, f=theme, t=title: stats.trend_figure(m, f, shown(f), forces, title=t)[
                0
            ],
        )
        yield (
            f"all_areas_trend_{metric_id}",
            lambda m=metric, f=full, t=title: stats.trend_figure(m, f, shown(f), forces, title=t)[
                0
            ],
        )
        yield (
            f"plain_trend_{metric_id}",
            lambda m=metric, f=plain, t=title: stats.trend_figure(m, f, shown(f), forces, title=t)[
                0
            ],
        )
        yield (
            f"detail_spc_{metric_id}",
            lambda m=metric, f=one, a=area: stats.detail_figure(m, f, a)[0],
        )
        plain_one = targets.figures(con, metric_id=metric_id, districts=[area])
        yield (
            f"detail_plain_{metric_id}",
            lambda m=metric, f=plain_one, a=area: stats.detail_figure(m, f, a)[0],
        )
        yield (
            f"compare_{metric_id}",
            lambda m=metric, f=month_frame, u=area_units: stats.comparison_figure(
                m, f, MONTH, u, forces
            )[0],
        )
    frame = targets.figures(
        con, from_month=views.last_months(MONTH, district_view.TREND_MONTHS), to_month=MONTH
    )
    yield ("district_trends", lambda: _district(frame))


def _district(frame) -> go.Figure:
    from safeguarding import charts, registry

    frame = frame[frame["district"] == DISTRICT]
    panels = []
    for metric in registry.metrics().values():
        data = frame[frame["metric_id"] == metric.id][["month", "value", "target"]]
        if not data.empty and data["value"].notna().any():
            panels.append((metric.title, metric, data))
    return charts.metric_small_multiples(panels, title=f"{DISTRICT}: every metric by month")


def as_json(fig: go.Figure) -> dict:
    """The figure as plotly sends it to the browser (the JSON ``st.plotly_chart`` sends)."""
    return json.loads(pio.to_json(fig, validate=False))


def plain_values(value):
    """A JSON array as a list: plotly sends numeric arrays base64-encoded ("bdata"), a NaN
    decoded as None as in a plain list."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return [None if isinstance(v, float) and math.isnan(v) else v for v in array.tolist()]
    return value


MIDNIGHT = re.compile(r"^(\d{4}-\d\d-\d\d)[T ]00:00:00(\.0+)?$")


def _moment(value):
    """A date as plotly draws it: '2014-01-01T00:00:00.000000' (a datetime64 array) and
    '2014-01-01T00:00:00' (a list of timestamps) are the same point on a date axis."""
    if isinstance(value, str) and (match := MIDNIGHT.match(value)):
        return match.group(1)
    return value


def _runs(trace: dict) -> list[list]:
    """A trace's points as runs between gaps (a None x or y ends a run)."""
    xs, ys = plain_values(trace.get("x")), plain_values(trace.get("y"))
    if xs is None and ys is None:
        return [[]]
    xs = xs if xs is not None else [None] * len(ys)
    ys = ys if ys is not None else [None] * len(xs)
    hover = trace.get("hovertext")
    hover = hover if isinstance(hover, list) else [hover] * len(xs)
    runs, run = [], []
    for x, y, h in zip(xs, ys, hover, strict=True):
        if x is None or (y is None and trace.get("mode") == "lines" and run):
            if run:
                runs.append(run)
            run = []
            continue
        run.append([_moment(x), _moment(y), h])
    if run:
        runs.append(run)
    return runs


def drawn(figure: dict) -> dict:
    """What a figure draws, independent of how its series are grouped into traces."""
    series = []
    legend = []
    for trace in figure.get("data", []):
        style = {k: v for k, v in trace.items() if k not in NOT_DRAWN}
        style.setdefault("type", "scatter")
        key = json.dumps(style, sort_keys=True)
        series += [[key, run] for run in _runs(trace)]
        name = trace.get("name")
        group = trace.get("legendgroup") or name
        if trace.get("showlegend", True) and name is not None and (name, group) not in legend:
            legend.append((name, group))
    series.sort(key=lambda s: json.dumps(_rounded(s), sort_keys=True))
    return {
        "series": series,
        "legend": [name for name, _ in legend],
        "layout": figure.get("layout", {}),
    }


# Numbers that differ by less than this (relative) draw the same: the funnel limits come from
# scipy's distributions, whose last binary digits differ between processors (seen: 5.201911807969518
# on one machine, ...519 on another). A chart shows four or five significant digits at most.
REL_TOL = 1e-9


def _rounded(value):
    """``value`` with every float to nine significant digits (to order series the same way on
    every machine)."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _close(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def same_drawing(a: dict, b: dict) -> bool:
    """True when two figures draw the same (``drawn``), numbers equal to within REL_TOL."""
    return _close(drawn(a), drawn(b))


def write_or_compare(con: duckdb.DuckDBPyConnection, write: bool) -> list[str]:
    """Write every figure's JSON (``write``) or compare: the names of those that differ."""
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    differ = []
    for name, build in figures(con):
        path = FIGURES_DIR / f"{name}.json"
        now = as_json(build())
        if write:
            path.write_text(json.dumps(now, sort_keys=True) + "\n", encoding="utf-8")
            continue
        then = json.loads(path.read_text(encoding="utf-8"))
        if not same_drawing(now, then):
            differ.append(name)
    return differ


def demo_database(path: Path) -> duckdb.DuckDBPyConnection:
    from safeguarding import demo, store

    with store.writer(str(path), fresh=True) as con:
        demo.build(con, seed=DEMO_SEED, last_month=DEMO_LAST_MONTH)
    return store.reader(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the files instead of comparing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        differ = write_or_compare(demo_database(Path(tmp) / "demo.duckdb"), args.write)
    if args.write:
        print(f"Wrote {len(list(FIGURES_DIR.glob('*.json')))} figures to {FIGURES_DIR}")
    elif differ:
        print("These figures draw differently from the frozen ones: " + ", ".join(differ))
        sys.exit(1)
    else:
        print("Every figure draws as frozen.")


if __name__ == "__main__":
    main()
