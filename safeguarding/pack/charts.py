"""The pack's SPC charts, drawn from the document's series (Kaleido in the system Chromium)."""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from safeguarding import charts, kinds, registry
from safeguarding.formatting import format_value
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


def measure_of(metric: dict[str, Any]) -> kinds.Measure:
    """A pack metric's kind and unit; packs kept before kinds were recorded take the kind from
    the registry."""
    kind = metric.get("kind") or registry.get(metric["id"]).kind
    return kinds.Measured(kind, metric["unit"])


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


def all_withheld(frame: pd.DataFrame, units: list[str]) -> list[str]:
    """Areas with points in the chart's months but every one of them withheld: their panel would
    show limits and no points, so it is not drawn and the chart says so."""
    out = []
    for unit in units:
        one = frame[frame["district"] == unit]
        if not one.empty and bool(one["withheld"].all()):
            out.append(unit)
    return out


def withheld_words(areas: list[str]) -> str:
    if not areas:
        return ""
    return f" Not drawn: {', '.join(areas)} (every figure withheld for small numbers)."


def chart_figures(content: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(metric_id, plotly figure, alt text) for every metric with points."""
    out = []
    labels = content["labels"]
    forces = content["forces"]
    for metric in content["metrics"]:
        frame = chart_frame(content, metric["id"])
        if frame.empty or frame["value"].isna().all():
            continue
        hidden = all_withheld(frame, content["units"])
        units = [u for u in content["units"] if u not in hidden]
        frame = frame[frame["district"].isin(units)]
        spc = frame["upl"].notna().any()
        title = (
            f"{metric['title']} ({metric['unit']}), {labels['chart_from']} to "
            f"{labels['last_month']}"
        )
        if hidden:
            title += f"<br><sup>{withheld_words(hidden).strip()}</sup>"
        fig = charts.trend_small_multiples(
            frame.drop(columns=["withheld"]),
            title=title,
            measure=measure_of(metric),
            units=units,
            forces=forces,
        )
        # The unit is in the title; a y-axis title per row of panels would overprint on paper.
        fig.update_yaxes(title_text=None)
        fig.update_layout(margin=dict(l=40, r=20, t=100, b=90))
        alt = charts.trend_alt(metric["title"], measure_of(metric), frame, units, spc=bool(spc))
        if frame["withheld"].any():
            alt += " Points withheld for small numbers are left out."
        alt += withheld_words(hidden)
        out.append((metric["id"], fig, alt))
    return out


TARGET_SERIES = "Target"


@dataclass(frozen=True)
class TrendData:
    """A metric's trend as a native chart holds it: month labels and a series per area."""

    title: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    axis_title: str
    number_format: str
    alt: str


def trend_chart_data(content: dict[str, Any], metric: dict[str, Any]) -> TrendData | None:
    """The trend of one metric for a native PowerPoint chart: one series per area, each the
    snapshot's figures month by month (None where withheld or missing); None with no figure.

    Where the force's figure is its districts' total (a count, FTE in post) it is left off the
    districts' axis and given in the alt text instead.
    """
    frame = chart_frame(content, metric["id"])
    if frame.empty or frame["value"].isna().all():
        return None
    measure = measure_of(metric)
    kind = kinds.of(measure)
    hidden = all_withheld(frame, content["units"])
    units = [u for u in content["units"] if u not in hidden]
    left_off = [u for u in content["forces"] if kind.force_is_total and u in units]
    if len(left_off) < len(units):
        units = [u for u in units if u not in left_off]
    else:
        left_off = []
    months = sorted(frame["month"].unique())
    series = []
    for unit in units:
        one = frame[frame["district"] == unit].set_index("month")["value"].reindex(months)
        if one.notna().any():
            series.append((unit, [None if pd.isna(v) else float(v) for v in one]))
    if not series:
        return None
    # One target for every area (month by month) is drawn as its own series; where the areas'
    # targets differ (funded posts) the table beside the chart gives each.
    targets = frame[frame["district"].isin(units)].groupby("month")["target"]
    if targets.count().sum() and (targets.nunique(dropna=True) <= 1).all():
        target = targets.first().reindex(months)
        series.append((TARGET_SERIES, [None if pd.isna(v) else float(v) for v in target]))
    labels = content["labels"]
    title = (
        f"{metric['title']} ({metric['unit']}), {labels['chart_from']} to {labels['last_month']}"
    )
    alt = charts.trend_alt(
        metric["title"], measure, frame[frame["district"].isin(units)], units, spc=False
    )
    alt = alt.replace("The figures are in the table below the chart.", "").strip()
    alt += " A line per area; the chart's figures are in the file (edit the chart's data)."
    if frame["withheld"].any():
        alt += " Points withheld for small numbers are left out."
    alt += withheld_words(hidden)
    if left_off:
        latest = frame[frame["month"] == months[-1]]
        for force in left_off:
            row = latest[latest["district"] == force]
            if not row.empty and pd.notna(row["value"].iloc[0]):
                alt += (
                    f" {force} (the districts' total, not drawn on their axis): "
                    f"{format_value(row['value'].iloc[0], measure)} in {labels['last_month']}."
                )
    places = kind.decimals
    return TrendData(
        title=title,
        categories=[pd.Timestamp(m).strftime("%b %Y") for m in months],
        series=series,
        axis_title=kinds.axis_title(measure),
        number_format="#,##0" if places == 0 else "#,##0." + "0" * places,
        alt=alt,
    )


def add_trend_chart(slide, trend: TrendData, left: int, top: int, width: int, height: int):
    """Draw ``trend`` on a slide as a native line chart; its alt text goes in the shape's
    description and the slide notes."""
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.util import Pt

    data = CategoryChartData(number_format=trend.number_format)
    data.categories = trend.categories
    for name, values in trend.series:
        data.add_series(name, values)
    graphic = slide.shapes.add_chart(XL_CHART_TYPE.LINE, left, top, width, height, data)
    chart = graphic.chart
    chart.has_title = True
    chart.chart_title.text_frame.text = trend.title
    for paragraph in chart.chart_title.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(12)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(9)
    axis = chart.value_axis
    axis.has_title = True
    axis.axis_title.text_frame.text = trend.axis_title
    for paragraph in axis.axis_title.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(10)
            run.font.bold = False
    axis.tick_labels.font.size = Pt(9)
    axis.minimum_scale = 0
    chart.category_axis.tick_labels.font.size = Pt(8)
    for plot in chart.plots:
        for series in plot.series:
            series.smooth = False
            series.format.line.width = Pt(1.75)
            if series.name == TARGET_SERIES:
                series.format.line.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
                series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    graphic._element.nvGraphicFramePr.cNvPr.set("descr", trend.alt)
    slide.notes_slide.notes_text_frame.text = f"Chart alt text: {trend.alt}"
    return graphic


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
