"""The pack's SPC charts, drawn from the document's series (Kaleido in the system Chromium)."""

from __future__ import annotations

import asyncio
import copy
import functools
import math
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from safeguarding import charts, figure_cache, kinds, registry
from safeguarding.formatting import format_value
from safeguarding.pack.errors import PackError
from safeguarding.pack.snapshot import Snapshot, snapshot_id

# progress(done, total, what): called as each step of a pack is finished.
Progress = Callable[[int, int, str], None]

CHART_WIDTH = 1100
CHART_SCALE = 1.5


@dataclass(frozen=True)
class Chart:
    metric_id: str
    png: bytes
    alt: str
    width: int
    height: int
    # The picture as the PDF embeds it (``pdf.prepare_picture``), made while the next chart is
    # drawn; None when the charts were drawn without it (the PDF then makes it itself).
    picture: Any = field(default=None, compare=False, repr=False)


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
    every = frame.groupby("district", sort=False)["withheld"].all().to_dict()
    return [unit for unit in units if every.get(unit, False)]


def withheld_words(areas: list[str]) -> str:
    if not areas:
        return ""
    return f" Not drawn: {', '.join(areas)} (every figure withheld for small numbers)."


def _panel_grid(rows: int, cols: int, titles: tuple[str, ...]) -> dict[str, Any]:
    """The layout of ``charts.trend_small_multiples``' grid of panels (axes, their domains and
    sharing, the panel titles), as a plain dict: made once per grid and kept."""
    key = (rows, cols, titles)
    with _GRID_LOCK:
        if key in _GRIDS:
            return _GRIDS[key]
    grid = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=list(titles),
        shared_xaxes=True,
        shared_yaxes=True,
        vertical_spacing=0.12 if rows > 1 else 0.05,
        horizontal_spacing=0.04,
    ).layout.to_plotly_json()
    grid.pop("template", None)
    with _GRID_LOCK:
        _GRIDS[key] = grid
    return grid


_GRIDS: dict[tuple[int, int, tuple[str, ...]], dict[str, Any]] = {}
_GRID_LOCK = threading.Lock()
_COLUMNS = 3
_HEIGHT_PER_ROW = 230
PACK_MARGIN = dict(l=40, r=20, t=100, b=90)


def _template() -> dict[str, Any]:
    """The default plotly template as a plain dict (what ``go.Figure().to_dict()`` carries), so
    a figure built as a dict renders as the page builder's does. Made once."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = go.Figure().to_dict()["layout"]["template"]
    return _TEMPLATE


_TEMPLATE: dict[str, Any] | None = None


def _floats(values: Any) -> list[float | None]:
    """Numbers as JSON takes them: floats, None where there is none."""
    array = np.asarray(values, dtype=float)
    return [None if math.isnan(v) else v for v in array.tolist()]


def _drawable(values: np.ndarray, kind: kinds.Kind) -> np.ndarray:
    """Limits as drawn (``kinds.drawable``): within what the figure can be."""
    if kind.low is None and kind.high is None:
        return values
    return np.clip(values, kind.low, kind.high)


def trend_figure(
    frame: pd.DataFrame,
    *,
    title: str,
    measure: kinds.Measure,
    units: list[str],
    forces: list[str],
) -> dict[str, Any]:
    """The pack's SPC small multiples of one metric, as a plotly figure dict (what Kaleido
    draws): the figure ``charts.trend_small_multiples`` draws (same panels, layers, colours,
    legend and hover text), laid out for paper (no y-axis title per row of panels, the unit is
    in the title; a wider top margin for a two-line title).

    Built in one go from plain lists and dicts rather than a plotly object a trace at a time:
    validating and converting every trace was most of what building a pack's figures cost. The
    grid of panels is made once per set of areas. ``tests/test_pack.py`` checks the figure is
    the page builder's.
    """
    present = [u for u in units if u in set(frame["district"])]
    rows = max(1, math.ceil(len(present) / _COLUMNS))
    cols = min(_COLUMNS, max(1, len(present)))
    layout = copy.deepcopy(_panel_grid(rows, cols, tuple(present)))
    colours = charts.district_colours(units, forces)
    spc = "point_type" in frame.columns
    hover = charts._hover(measure)
    kind = kinds.of(measure)
    shown: set[str] = set()
    traces: list[dict[str, Any]] = []
    frame = frame.sort_values(["district", "month"], kind="stable")
    months = np.datetime_as_string(
        pd.to_datetime(frame["month"]).to_numpy(dtype="datetime64[D]"), unit="D"
    )
    areas = frame["district"].to_numpy(dtype=object)
    columns = {
        c: frame[c].to_numpy(dtype=float)
        for c in ("value", "mean", "lpl", "upl", "target")
        if c in frame
    }
    point_types = frame["point_type"].to_numpy(dtype=object) if spc else None

    def add(area: str, suffix: str, x, y, name: str, legend: bool = True, **style) -> None:
        trace = {
            "type": "scatter",
            "x": x,
            "y": y,
            "name": name,
            "showlegend": legend and name not in shown,
            "hovertemplate": (f"{name}: " if legend else "") + f"{hover}<extra>{area}</extra>",
            "xaxis": f"x{suffix}",
            "yaxis": f"y{suffix}",
            **style,
        }
        if legend:
            trace["legendgroup"] = name
            shown.add(name)
        traces.append(trace)

    for i, unit_name in enumerate(present):
        rows_of = areas == unit_name
        x = months[rows_of].tolist()
        col = {c: values[rows_of] for c, values in columns.items()}
        suffix = "" if i == 0 else str(i + 1)
        if "upl" in col and not np.isnan(col["upl"]).all():
            # Both limits in one trace, split by a gap (as the page builder draws them).
            upl, lpl = _drawable(col["upl"], kind), _drawable(col["lpl"], kind)
            add(
                unit_name,
                suffix,
                [*x, None, *x],
                [*_floats(upl), None, *_floats(lpl)],
                "Process limits",
                mode="lines",
                line=dict(color=charts.LIMIT_COLOUR, width=1, dash="dot"),
            )
            add(
                unit_name,
                suffix,
                x,
                _floats(col["mean"]),
                "Mean",
                mode="lines",
                line=dict(color=charts.MEAN_COLOUR, width=1),
            )
        if "target" in col and not np.isnan(col["target"]).all():
            add(
                unit_name,
                suffix,
                x,
                _floats(col["target"]),
                "Target",
                mode="lines",
                line=dict(color=charts.TARGET_COLOUR, width=1.5, dash="dash", shape="hv"),
            )
        add(
            unit_name,
            suffix,
            x,
            _floats(col["value"]),
            unit_name,
            legend=False,
            mode="lines",
            line=dict(
                color=charts.SPC_LINE_COLOUR
                if spc
                else colours.get(unit_name, charts.OKABE_ITO[0]),
                width=2,
            ),
        )
        if point_types is not None:
            types = point_types[rows_of]
            for point_type, (name, colour, symbol) in charts.SPECIAL_CAUSE_STYLE.items():
                special = types == point_type
                if special.any():
                    add(
                        unit_name,
                        suffix,
                        [m for m, keep in zip(x, special, strict=True) if keep],
                        _floats(col["value"][special]),
                        name,
                        mode="markers",
                        marker=dict(color=colour, symbol=symbol, size=7),
                    )

    layout.update(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16)),
        font=charts.FONT,
        height=150 + rows * _HEIGHT_PER_ROW,
        margin=PACK_MARGIN,
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hoverlabel=dict(bgcolor="#ffffff", font=dict(color="#0b0c0c")),
        legend=dict(orientation="h", yanchor="top", y=-0.25 / rows, x=0, xanchor="left"),
        template=_template(),
    )
    charts.style_panels(layout, measure, title_every=None)
    return {"data": traces, "layout": layout}


def figure_height(fig: Any) -> int:
    """A figure's height in pixels, whether a plotly figure or its dict."""
    layout = fig["layout"] if isinstance(fig, dict) else fig.layout
    height = layout.get("height") if isinstance(layout, dict) else layout.height
    return int(height or 500)


def _chart_figure(content: dict[str, Any], metric: dict[str, Any]) -> tuple[Any, str] | None:
    """(figure, alt text) of one metric's chart; None when it has no point to draw."""
    labels = content["labels"]
    forces = content["forces"]
    frame = chart_frame(content, metric["id"])
    if frame.empty or frame["value"].isna().all():
        return None
    hidden = all_withheld(frame, content["units"])
    units = [u for u in content["units"] if u not in hidden]
    frame = frame[frame["district"].isin(units)]
    spc = frame["upl"].notna().any()
    title = (
        f"{metric['title']} ({metric['unit']}), {labels['chart_from']} to {labels['last_month']}"
    )
    if hidden:
        title += f"<br><sup>{withheld_words(hidden).strip()}</sup>"
    measure = measure_of(metric)
    fig = trend_figure(
        frame.drop(columns=["withheld"]), title=title, measure=measure, units=units, forces=forces
    )
    alt = charts.trend_alt(metric["title"], measure, frame, units, spc=bool(spc))
    if frame["withheld"].any():
        alt += " Points withheld for small numbers are left out."
    alt += withheld_words(hidden)
    return fig, alt


def chart_figures(content: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(metric_id, plotly figure, alt text) for every metric with points.

    Each figure is built once per snapshot: the figure cache (``safeguarding.figure_cache``)
    keeps it under the snapshot identifier, which changes with any figure shown, so a PDF made
    again from the same snapshot (by anyone, in the same process) reuses it. The pack's figures
    are not the pages' (they are drawn from the snapshot's series, with small numbers withheld,
    titled with their months and laid out for paper), so they have keys of their own. A cached
    figure is shared: it is only read (drawn), never changed.
    """
    version = snapshot_id(content)
    out = []
    for metric in content["metrics"]:
        built = figure_cache.memo(
            "pack_trend", version, metric["id"], functools.partial(_chart_figure, content, metric)
        )
        if built is not None:
            out.append((metric["id"], built[0], built[1]))
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


def _opts(fig: Any) -> dict[str, Any]:
    return {
        "format": "png",
        "width": CHART_WIDTH,
        "height": figure_height(fig),
        "scale": CHART_SCALE,
    }


_CHART_CACHE: OrderedDict[str, dict[str, Chart]] = OrderedDict()
_CHART_LOCK = threading.Lock()
_CHART_CACHE_SIZE = 4
_FINISHED = object()


class ChartSession:
    """One Kaleido session (one Chromium, started at once) on a thread of its own, drawing the
    figures handed to ``submit`` in order while the caller goes on (building the rest of the
    pack, keeping its snapshot); ``collect`` waits for the PNGs.

    Kaleido runs its own event loop; its own thread keeps it clear of any caller's loop. Use as
    a context manager: leaving it closes the browser (without waiting, after an error).
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._results: queue.Queue[Any] = queue.Queue()
        self._closed = threading.Event()
        self.submitted = 0
        self._thread = threading.Thread(target=self._run, name="pack-charts", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by collect()
            self._results.put(("error", exc))

    async def _serve(self) -> None:
        import kaleido  # imported here: only packs with charts need Chromium

        async with kaleido.Kaleido(n=1, timeout=120, mathjax=False) as renderer:
            loop = asyncio.get_running_loop()
            while True:
                job = await loop.run_in_executor(None, self._jobs.get)
                if job is _FINISHED or self._closed.is_set():
                    return
                number, fig = job
                png = await renderer.calc_fig(fig, opts=_opts(fig))
                self._results.put(("png", number, png))

    def submit(self, figures: list[Any]) -> None:
        """Hand ``figures`` over to be drawn, in order, after any handed over before."""
        for fig in figures:
            self._jobs.put((self.submitted, fig))
            self.submitted += 1

    def collect(
        self, progress: Progress | None = None, prepare: Callable[[bytes], Any] | None = None
    ) -> list[tuple[bytes, Any]]:
        """(PNG, prepared) of every figure submitted, waiting for them. As each PNG arrives
        this thread calls ``prepare(png)`` (work on the picture, done while Chromium draws the
        next) and ``progress(done, total, what)`` (here, so a page can update its bar)."""
        pngs: dict[int, tuple[bytes, Any]] = {}
        while len(pngs) < self.submitted:
            event = self._results.get()
            if event[0] == "error":
                raise event[1]
            _, number, png = event
            pngs[number] = (png, prepare(png) if prepare is not None else None)
            if progress is not None:
                progress(len(pngs), self.submitted, f"chart {number + 1}")
        return [pngs[number] for number in range(self.submitted)]

    def close(self, *, wait: bool = True) -> None:
        self._closed.set()
        self._jobs.put(_FINISHED)
        if wait:
            self._thread.join()

    def __enter__(self) -> ChartSession:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(wait=kind is None)


def draw(
    figures: list[Any],
    progress: Progress | None = None,
    *,
    prepare: Callable[[bytes], Any] | None = None,
) -> list[tuple[bytes, Any]]:
    """(PNG, prepared) of each of ``figures``, drawn in one Kaleido session (``ChartSession``)."""
    with ChartSession() as session:
        session.submit(figures)
        return session.collect(progress, prepare)


def render_charts(
    snapshot: Snapshot,
    progress: Progress | None = None,
    *,
    prepare: Callable[[bytes], Any] | None = None,
    session: ChartSession | None = None,
) -> dict[str, Chart]:
    """Every metric's SPC chart as a PNG (drawn by Kaleido in the system Chromium, all in one
    browser session); ``progress(done, total, what)`` as each chart is drawn, and
    ``prepare(png)`` kept as each chart's ``picture`` (see ``ChartSession.collect``). With a
    ``session`` (already started, perhaps already given the figures) the charts are drawn there.

    The last few packs' charts are kept in memory, so a PDF and a PowerPoint file of one pack
    draw them once; the figures are built once per snapshot (``chart_figures``).
    """
    with _CHART_LOCK:
        if snapshot.snapshot_id in _CHART_CACHE:
            _CHART_CACHE.move_to_end(snapshot.snapshot_id)
            return _CHART_CACHE[snapshot.snapshot_id]
    drawn = chart_figures(snapshot.content)
    figures = [fig for _, fig, _ in drawn]
    try:
        if session is None:
            pngs = draw(figures, progress, prepare=prepare)
        else:
            if not session.submitted:
                session.submit(figures)
            pngs = session.collect(progress, prepare)
    except Exception as exc:  # noqa: BLE001 - any failure to start or drive Chromium
        raise PackError(
            f"Could not draw the charts with Kaleido and Chromium ({type(exc).__name__}: {exc}). "
            "Install Chromium, or build the pack without charts (--no-charts)."
        ) from exc
    result = {
        metric_id: Chart(metric_id, png, alt, CHART_WIDTH, figure_height(fig), picture)
        for (metric_id, fig, alt), (png, picture) in zip(drawn, pngs, strict=True)
    }
    with _CHART_LOCK:
        _CHART_CACHE[snapshot.snapshot_id] = result
        while len(_CHART_CACHE) > _CHART_CACHE_SIZE:
            _CHART_CACHE.popitem(last=False)
    return result
