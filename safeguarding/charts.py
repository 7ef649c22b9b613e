"""Plotly figures for the pages: trend small multiples and district comparisons, with alt text.

No Streamlit here, so the board pack can draw the same figures. Colours are the Okabe-Ito
palette, which stays distinguishable with the common colour-vision deficiencies; status and
special causes are also carried by marker shape and by words in the hover text and tables, never
by colour alone.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from safeguarding import kinds
from safeguarding.formatting import format_value, month_label
from safeguarding.targets import STATUS_SYMBOLS, STATUS_WORDS

# Okabe & Ito (2008), "Color universal design"; black last so it is free for the target line.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow (too light for lines on white: used last)
]
TARGET_COLOUR = "#0b0c0c"
LIMIT_COLOUR = "#6f777b"
MEAN_COLOUR = "#6f777b"
FORCE_COLOUR = "#000000"
SPC_LINE_COLOUR = "#505a5f"
FONT = dict(family="Arial, Helvetica, sans-serif", size=13, color="#0b0c0c")

# Special causes by shape and colour (blue improvement, orange concern, purple neutral: the
# Making Data Count convention, which is colour-blind safe against grey common cause).
SPECIAL_CAUSE_STYLE = {
    "special_cause_improvement": ("Special cause: improvement", "#0072B2", "circle"),
    "special_cause_concern": ("Special cause: concern", "#E69F00", "diamond"),
    "special_cause_neutral": ("Special cause: neither better nor worse", "#CC79A7", "square"),
}

STATUS_BAR_STYLE = {
    # status -> (bar colour, pattern): the pattern is the non-colour cue.
    "met": ("#0072B2", ""),
    "not_met": ("#E69F00", "/"),
    "no_target": ("#6f777b", ""),
    "no_data": ("#b1b4b6", "."),
}


def district_colours(units: Sequence[str], forces: Sequence[str] = ()) -> dict[str, str]:
    """A stable colour for each district (and black for force rows)."""
    colours = {}
    districts = [u for u in units if u not in forces]
    for i, unit in enumerate(districts):
        colours[unit] = OKABE_ITO[i % len(OKABE_ITO)]
    for force in forces:
        colours[force] = FORCE_COLOUR
    return colours


def axis_title(measure: kinds.Measure) -> str:
    """A y-axis title in plain English with the unit (decided by the kind: kinds.axis_title)."""
    return kinds.axis_title(measure)


# Margins wide enough for what the axes put in them: the y-axis tick labels and title on the left
# (up to 75 px on the demo's charts), half of the last date label on the right (up to 34 px).
# Every axis keeps plotly's automargin, which widens a margin that is too narrow, but only by
# drawing the whole chart a second time once the first has measured its labels; on small
# multiples the second draw can move a date label off the edge again and plotly redraws up to
# its limit of dozens of times ("Too many auto-margin redraws"). With margins wide enough from
# the start plotly has nothing to widen (Streamlit still draws each chart again once it has set
# its width).
MARGIN = dict(l=80, r=40, t=70, b=90)


def _base_layout_dict(title: str, height: int) -> dict:
    return dict(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=16)),
        font=dict(FONT),
        height=height,
        margin=dict(MARGIN),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hoverlabel=dict(bgcolor="#ffffff", font=dict(color="#0b0c0c")),
        # Below the plot, so it never collides with the panel titles of small multiples.
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, xanchor="left"),
    )


def _base_layout(fig: go.Figure, title: str, height: int) -> None:
    fig.update_layout(**_base_layout_dict(title, height))


def _hover(measure: kinds.Measure) -> str:
    kind = kinds.of(measure)
    suffix = "%" if kind.suffix == "%" else f" {measure.unit}"
    return f"%{{x|%B %Y}}: %{{y:,.{kind.decimals}f}}{suffix}"


def trend_small_multiples(
    frame: pd.DataFrame,
    *,
    title: str,
    measure: kinds.Measure,
    units: Sequence[str],
    forces: Sequence[str] = (),
    columns: int = 3,
    height_per_row: int = 230,
) -> go.Figure:
    """One panel per district (and force row): the monthly value, the target and, when the frame
    has them, the SPC mean, process limits and special-cause points.

    ``frame``: district, month, value, and optionally target, mean, lpl, upl, point_type. One
    figure with subplots rather than one chart per district keeps the page quick to draw. The
    figure is built in one pass, its traces and layout as plain dicts validated once, rather
    than trace by trace (each ``add_trace`` re-validates and copies).
    """
    present = [u for u in units if u in set(frame["district"])]
    rows = max(1, math.ceil(len(present) / columns))
    cols = min(columns, max(1, len(present)))
    layout = _grid(
        rows,
        cols,
        tuple(present),
        shared=True,
        vertical_spacing=0.12 if rows > 1 else 0.05,
        horizontal_spacing=0.04,
    )
    colours = district_colours(units, forces)
    # With SPC, the line is grey and colour is kept for special causes (Making Data Count style);
    # each panel is titled with its area, so the line needs no colour of its own.
    spc = "point_type" in frame.columns
    hover = _hover(measure)
    shown: set[str] = set()
    traces: list[dict] = []

    def add(i: int, x_values, y_values, name: str, *, legend: bool = True, **style) -> None:
        """One trace in panel ``i``; a named layer (limits, mean, target, a special cause)
        appears once in the legend, the area's own line not at all."""
        trace = dict(type="scatter", x=x_values, y=y_values, name=name)
        if legend:
            trace["legendgroup"] = name
        trace["showlegend"] = legend and name not in shown
        if legend:
            shown.add(name)
        trace["hovertemplate"] = (
            f"{name}: " if legend else ""
        ) + f"{hover}<extra>{present[i]}</extra>"
        traces.append({**trace, **style, "xaxis": f"x{_axis(i)}", "yaxis": f"y{_axis(i)}"})

    by_unit = {u: d for u, d in frame.groupby("district", sort=False)}
    for i, unit_name in enumerate(present):
        data = by_unit[unit_name].sort_values("month")
        x = pd.to_datetime(data["month"])
        if "upl" in data and data["upl"].notna().any():
            # Both limits in one trace, split by a gap: half the limit traces for the browser
            # to draw, and one legend entry.
            add(
                i,
                [*x, None, *x],
                [
                    *kinds.drawable(data["upl"], measure),
                    None,
                    *kinds.drawable(data["lpl"], measure),
                ],
                "Process limits",
                mode="lines",
                line=dict(color=LIMIT_COLOUR, width=1, dash="dot"),
            )
            add(i, x, data["mean"], "Mean", mode="lines", line=dict(color=MEAN_COLOUR, width=1))
        if "target" in data and data["target"].notna().any():
            add(
                i,
                x,
                data["target"],
                "Target",
                mode="lines",
                line=dict(color=TARGET_COLOUR, width=1.5, dash="dash", shape="hv"),
            )
        add(
            i,
            x,
            data["value"],
            unit_name,
            legend=False,
            mode="lines",
            line=dict(
                color=SPC_LINE_COLOUR if spc else colours.get(unit_name, OKABE_ITO[0]),
                width=2,
            ),
        )
        if "point_type" in data:
            for point_type, (name, colour, symbol) in SPECIAL_CAUSE_STYLE.items():
                special = data[data["point_type"] == point_type]
                if not special.empty:
                    add(
                        i,
                        pd.to_datetime(special["month"]),
                        special["value"],
                        name,
                        mode="markers",
                        marker=dict(color=colour, symbol=symbol, size=7),
                    )
    layout.update(_base_layout_dict(title, height=150 + rows * height_per_row))
    layout["legend"]["y"] = -0.25 / rows
    style_panels(layout, measure, title_every=cols)
    return go.Figure(data=traces, layout=layout)


def style_panels(layout: dict, measure: kinds.Measure, *, title_every: int | None) -> None:
    """The small multiples' panel axes and titles, in place on a layout dict (the pages' and
    the pack's): the measure's range on every y-axis, light grids, dates on every x-axis, and
    the y-axis title on the first panel of each row of ``title_every`` (None: on none)."""
    kind = kinds.of(measure)
    for name, axis in layout.items():
        if name.startswith("yaxis"):
            axis.update(gridcolor="#e5e5e5", zerolinecolor="#b1b4b6")
            if kind.high is None:
                axis["rangemode"] = "tozero"
            else:
                axis["range"] = [kind.low, kind.high * 1.05]
            if title_every and (_axis_number(name, "yaxis") - 1) % title_every == 0:
                axis["title"] = {"text": axis_title(measure)}
        elif name.startswith("xaxis"):
            axis.update(gridcolor="#f0f0f0", showticklabels=True)
    for annotation in layout.get("annotations", []):
        annotation["font"] = dict(size=13, color="#0b0c0c")


def _axis(i: int) -> str:
    """The axis suffix of panel ``i`` (0-based, row by row): '', '2', '3' ..."""
    return "" if i == 0 else str(i + 1)


def _axis_number(name: str, prefix: str) -> int:
    return int(name[len(prefix) :] or 1)


@functools.lru_cache(maxsize=64)
def _grid_json(
    rows: int,
    cols: int,
    titles: tuple[str, ...],
    shared: bool,
    vertical_spacing: float,
    horizontal_spacing: float,
) -> str:
    grid = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=list(titles),
        shared_xaxes=shared,
        shared_yaxes=shared,
        vertical_spacing=vertical_spacing,
        horizontal_spacing=horizontal_spacing,
    )
    layout = grid.layout.to_plotly_json()
    layout.pop("template", None)  # the figure gets the default template when it is made
    return json.dumps(layout)


def _grid(
    rows: int,
    cols: int,
    titles: tuple[str, ...],
    *,
    shared: bool,
    vertical_spacing: float,
    horizontal_spacing: float,
) -> dict:
    """A fresh copy of the layout ``make_subplots`` gives for this grid (axes, domains, panel
    titles), worked out once per grid."""
    return json.loads(_grid_json(rows, cols, titles, shared, vertical_spacing, horizontal_spacing))


def comparison_bar(
    frame: pd.DataFrame,
    *,
    title: str,
    measure: kinds.Measure,
    units: Sequence[str],
    forces: Sequence[str] = (),
) -> go.Figure:
    """Districts side by side for one month: a bar per district, the target marked, and each
    bar's status by pattern and in words on the bar, not by colour alone.

    ``frame``: district, value, target, status (as from targets.figures for one month).
    """
    order = [u for u in units if u in set(frame["district"])]
    data = frame.set_index("district").loc[order].reset_index()

    # The figure and status go in the category label, so they are never clipped or hidden
    # behind the target line, and the status is in words, not only in the bar's colour.
    labels = [
        f"{d}: {format_value(v, measure)} {STATUS_SYMBOLS[s]} {STATUS_WORDS[s]}"
        for d, v, s in zip(data["district"], data["value"], data["status"], strict=True)
    ]
    colours = [STATUS_BAR_STYLE[s][0] for s in data["status"]]
    patterns = [STATUS_BAR_STYLE[s][1] for s in data["status"]]
    fig = go.Figure(
        go.Bar(
            x=data["value"].fillna(0),
            y=labels,
            orientation="h",
            marker=dict(
                color=colours,
                pattern=dict(shape=patterns, fgcolor="#0b0c0c", size=6, solidity=0.2),
                line=dict(color="#0b0c0c", width=0.5),
            ),
            hovertemplate="%{y}<extra></extra>",
            name="Value",
            showlegend=False,
        )
    )
    targets = data["target"].dropna().unique() if "target" in data else []
    if len(targets) == 1:
        fig.add_vline(
            x=float(targets[0]),
            line=dict(color=TARGET_COLOUR, dash="dash", width=1.5),
            annotation_text=f"Target {format_value(float(targets[0]), measure)}",
            annotation_position="top",
        )
    elif len(targets) > 1:
        fig.add_trace(
            go.Scatter(
                x=data["target"],
                y=labels,
                mode="markers",
                name="Target",
                marker=dict(symbol="line-ns", size=22, line=dict(width=2, color=TARGET_COLOUR)),
                hovertemplate="Target for %{y}: %{x}<extra></extra>",
            )
        )
    _base_layout(fig, title, height=120 + 42 * len(order))
    top = max([0.0, *data["value"].dropna().tolist(), *[float(t) for t in targets]])
    high = kinds.of(measure).high
    fig.update_xaxes(
        title_text=axis_title(measure),
        range=[0, high * 1.05 if high else top * 1.1 or 1],
        gridcolor="#e5e5e5",
    )
    fig.update_yaxes(autorange="reversed", title_text=None, automargin=True)
    fig.update_layout(margin=dict(l=label_margin(labels), r=30, t=80, b=70))
    return fig


def label_margin(labels: Sequence[str]) -> int:
    """A left margin that holds the longest of these y-axis labels (12 px text), so plotly need
    not widen it by drawing the chart again: about 6 px a character, a little over what they
    measure, since too wide costs only white space to their left and too narrow a redraw."""
    return 20 + math.ceil(6 * max((len(label) for label in labels), default=0))


def trend_alt(
    title: str,
    measure: kinds.Measure,
    frame: pd.DataFrame,
    units: Sequence[str],
    *,
    spc: bool,
) -> str:
    """Alt text for a trend chart: what it shows, over what period, and where it ends."""
    if frame.empty:
        return f"{title}: no figures to chart."
    months = pd.to_datetime(frame["month"])
    start, end = months.min().date(), months.max().date()
    latest = frame[pd.to_datetime(frame["month"]) == pd.Timestamp(end)]
    parts = []
    for unit_name in units:
        row = latest[latest["district"] == unit_name]
        if not row.empty:
            parts.append(f"{unit_name} {format_value(row['value'].iloc[0], measure)}")
    what = "with the target and SPC process limits" if spc else "with the target"
    return (
        f"Line charts, one per area, of {title.lower()} by month from {month_label(start)} to "
        f"{month_label(end)}, {what}. Latest month: {'; '.join(parts)}. "
        "The figures are in the table below the chart."
    )


def comparison_alt(title: str, measure: kinds.Measure, frame: pd.DataFrame, month: dt.date) -> str:
    """Alt text for the district comparison: each district's value and status."""
    if frame.empty:
        return f"{title}: no figures for {month_label(month)}."
    parts = [
        f"{r.district} {format_value(r.value, measure)} ({STATUS_WORDS[r.status].lower()})"
        for r in frame.itertuples()
    ]
    return (
        f"Bar chart comparing districts on {title.lower()} in {month_label(month)}: "
        + "; ".join(parts)
        + "."
    )


def metric_small_multiples(
    panels: Sequence[tuple[str, kinds.Measure, pd.DataFrame]],
    *,
    title: str,
    columns: int = 4,
    colour: str = OKABE_ITO[0],
) -> go.Figure:
    """One small panel per metric for one area: (title, measure, frame of month/value/target).

    Each panel has its own y axis because the metrics have different units; the panel title
    carries the unit. Built in one pass from dicts, as ``trend_small_multiples`` is.
    """
    rows = max(1, math.ceil(len(panels) / columns))
    layout = _grid(
        rows,
        columns,
        tuple(_wrap(f"{t} ({m.unit})") for t, m, _ in panels),
        shared=False,
        vertical_spacing=0.5 / rows,
        horizontal_spacing=0.05,
    )
    traces: list[dict] = []
    shown_target = False
    for i, (panel_title, measure, data) in enumerate(panels):
        axes = {"xaxis": f"x{_axis(i)}", "yaxis": f"y{_axis(i)}"}
        data = data.sort_values("month")
        x = pd.to_datetime(data["month"])
        hover = _hover(measure)
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=data["value"],
                mode="lines",
                line=dict(color=colour, width=2),
                name=panel_title,
                showlegend=False,
                hovertemplate=f"{hover}<extra>{panel_title}</extra>",
                **axes,
            )
        )
        if "target" in data and data["target"].notna().any():
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=data["target"],
                    mode="lines",
                    line=dict(color=TARGET_COLOUR, width=1.2, dash="dash", shape="hv"),
                    name="Target",
                    legendgroup="Target",
                    showlegend=not shown_target,
                    hovertemplate=f"Target: {hover}<extra>{panel_title}</extra>",
                    **axes,
                )
            )
            shown_target = True
    layout.update(_base_layout_dict(title, height=100 + rows * 210))
    for name, axis in layout.items():
        if name.startswith("xaxis"):
            axis.update(gridcolor="#f0f0f0", nticks=4, tickformat="%b %Y")
        elif name.startswith("yaxis"):
            axis.update(gridcolor="#e5e5e5", rangemode="tozero")
    for annotation in layout.get("annotations", []):
        annotation["font"] = dict(size=12, color="#0b0c0c")
    return go.Figure(data=traces, layout=layout)


def _wrap(text: str, width: int = 38) -> str:
    """Break a panel title over lines (plotly does not wrap)."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines)
