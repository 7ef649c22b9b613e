"""The pack's SPC charts, drawn from the document's series (Kaleido in the system Chromium)."""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from safeguarding import charts
from safeguarding.pack.errors import PackError
from safeguarding.pack.snapshot import Snapshot

CHART_WIDTH = 1100
CHART_SCALE = 1.5


@dataclass(frozen=True)
class Chart:
    metric_id: str
    png: bytes
    alt: str
    width: int
    height: int


def chart_frame(content: dict[str, Any], metric_id: str) -> pd.DataFrame:
    """A metric's chart points as a frame for ``charts.trend_small_multiples``; withheld points
    have no value (and so no marker), so the chart shows no small number."""
    points = pd.DataFrame(content["series"].get(metric_id, []))
    if points.empty:
        return points
    points["month"] = pd.to_datetime(points["month"])
    points.loc[points["withheld"], ["value", "point_type"]] = None
    for column in ("value", "mean", "lpl", "upl", "target"):
        points[column] = pd.to_numeric(points[column], errors="coerce")
    return points


def chart_figures(content: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(metric_id, plotly figure, alt text) for every metric with points."""
    out = []
    labels = content["labels"]
    units, forces = content["units"], content["forces"]
    for metric in content["metrics"]:
        frame = chart_frame(content, metric["id"])
        if frame.empty or frame["value"].isna().all():
            continue
        spc = frame["upl"].notna().any()
        title = (
            f"{metric['title']} ({metric['unit']}), {labels['chart_from']} to "
            f"{labels['last_month']}"
        )
        fig = charts.trend_small_multiples(
            frame.drop(columns=["withheld"]),
            title=title,
            unit=metric["unit"],
            units=units,
            forces=forces,
        )
        # The unit is in the title; a y-axis title per row of panels would overprint on paper.
        fig.update_yaxes(title_text=None)
        fig.update_layout(margin=dict(l=40, r=20, t=100, b=90))
        alt = charts.trend_alt(metric["title"], metric["unit"], frame, units, spc=bool(spc))
        if frame["withheld"].any():
            alt += " Points withheld for small numbers are left out."
        out.append((metric["id"], fig, alt))
    return out


async def _render(figures: list[Any]) -> list[bytes]:
    import kaleido  # imported here: only packs with charts need Chromium

    async with kaleido.Kaleido(n=1, timeout=120, mathjax=False) as renderer:
        out = []
        for fig in figures:
            opts = {
                "format": "png",
                "width": CHART_WIDTH,
                "height": int(fig.layout.height or 500),
                "scale": CHART_SCALE,
            }
            out.append(await renderer.calc_fig(fig, opts=opts))
        return out


_CHART_CACHE: OrderedDict[str, dict[str, Chart]] = OrderedDict()
_CHART_LOCK = threading.Lock()
_CHART_CACHE_SIZE = 4


def render_charts(snapshot: Snapshot) -> dict[str, Chart]:
    """Every metric's SPC chart as a PNG (drawn by Kaleido in the system Chromium).

    The last few packs' charts are kept in memory, so a PDF and a PowerPoint file of one pack
    draw them once.
    """
    with _CHART_LOCK:
        if snapshot.snapshot_id in _CHART_CACHE:
            _CHART_CACHE.move_to_end(snapshot.snapshot_id)
            return _CHART_CACHE[snapshot.snapshot_id]
    drawn = chart_figures(snapshot.content)
    # Kaleido runs its own event loop; a worker thread keeps it clear of any caller's loop.
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pngs = pool.submit(asyncio.run, _render([fig for _, fig, _ in drawn])).result()
    except Exception as exc:  # noqa: BLE001 - any failure to start or drive Chromium
        raise PackError(
            f"Could not draw the charts with Kaleido and Chromium ({type(exc).__name__}: {exc}). "
            "Install Chromium, or build the pack without charts (--no-charts)."
        ) from exc
    result = {
        metric_id: Chart(metric_id, png, alt, CHART_WIDTH, int(fig.layout.height or 500))
        for (metric_id, fig, alt), png in zip(drawn, pngs, strict=True)
    }
    with _CHART_LOCK:
        _CHART_CACHE[snapshot.snapshot_id] = result
        while len(_CHART_CACHE) > _CHART_CACHE_SIZE:
            _CHART_CACHE.popitem(last=False)
    return result
