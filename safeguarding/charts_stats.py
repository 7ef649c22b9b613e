"""Plotly figures for the statistics: SPC (XmR) charts and funnel plots.

No Streamlit here, so the board pack can draw the same figures. Palette, fonts and layout come
from ``safeguarding.charts`` so these charts sit beside the trend charts without a clash: special
causes keep the Making Data Count meanings (blue improvement, orange concern, purple neither) in
the Okabe-Ito hues, and every point type, limit and flag is told apart by marker shape or line
style and named in the legend and hover text, never by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from safeguarding import charts, funnel, kinds
from safeguarding.formatting import format_value, month_label

PROVISIONAL_POINTS = 12
"""A period with fewer points than this has provisional limits (as safeguarding.spc)."""
PROVISIONAL_WORDS = "provisional (fewer than 12 points)"

COMMON_CAUSE_STYLE = ("Common cause", charts.LIMIT_COLOUR, "circle-open")
# Point type -> (legend name, colour, marker symbol). Common cause first so that special causes
# are drawn on top of it.
POINT_STYLE = {"common_cause": COMMON_CAUSE_STYLE, **charts.SPECIAL_CAUSE_STYLE}

SPC_COLUMNS = ("value", "mean", "lpl", "upl", "point_type", "period")
FUNNEL_COLUMNS = ("district", "numerator", "denominator", "value")

# Funnel flags -> (marker symbol, size). Outside units are triangles pointing the way they
# differ, open beyond the inner limit and filled beyond the outer one; units within are circles.
OUTSIDE_COLOUR = charts.SPECIAL_CAUSE_STYLE["special_cause_neutral"][1]
WITHIN_COLOUR = charts.SPC_LINE_COLOUR
LIMIT_DASHES = ("solid", "dash", "dot", "dashdot")
"""Funnel limit line styles, widest level first: 99.8% solid, 95% dashed."""


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the columns {', '.join(missing)}")


def _stat(value: float, measure: kinds.Measure) -> str:
    """A mean or limit: at least one decimal (a count's limits of 21.4 and 21.6 stay apart)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    return format_value(value, measure, decimals=max(1, kinds.of(measure).decimals))


# --- SPC --------------------------------------------------------------------------------------


def _x_axis(data: pd.DataFrame, x) -> pd.Series:
    if x is not None:
        xs = pd.Series(x).reset_index(drop=True)
        if len(xs) != len(data):
            raise ValueError(f"x has {len(xs)} values for {len(data)} points")
        return xs
    if "month" in data.columns:
        return pd.to_datetime(data["month"]).reset_index(drop=True)
    return pd.Series(np.arange(len(data)))


def _x_label(value) -> str:
    if isinstance(value, pd.Timestamp):
        return month_label(value.date())
    return str(value)


def _midpoint(a, b):
    """Halfway between two x positions (dates or numbers), where a rebase line goes."""
    return a + (b - a) / 2


def spc_figure(
    frame: pd.DataFrame,
    *,
    title: str,
    y_title: str,
    measure: kinds.Measure,
    target: float | None = None,
    x=None,
    height: int = 460,
) -> go.Figure:
    """An XmR chart in the Making Data Count style, with its limits broken at each rebase.

    ``frame``: one row per point in time order with ``value``, ``mean``, ``lpl``, ``upl``,
    ``point_type`` and ``period`` (as from safeguarding.spc.xmr), and optionally ``month``,
    ``provisional`` and ``target``. ``x`` gives the x positions (default: ``month``, else
    0, 1, 2 ...).

    * The mean and limits are drawn per period (the two limits one trace, split by a gap), so a
      line never joins across a rebase; a dotted vertical line marks each rebase.
    * Limits are dotted; in a period with fewer than 12 points they are dashed and named
      "provisional (fewer than 12 points)" in the legend and a note.
    * The target is the frame's ``target`` column when it has one (a step line, so changes of
      target show), else the ``target`` number; none if neither.
    * Points are coloured by point type AND drawn in a different marker for each, and each
      point's hover text gives its value, mean, limits and point type in words.
    """
    _require(frame, SPC_COLUMNS, "An SPC chart")
    data = frame.reset_index(drop=True)
    if data.empty:
        raise ValueError("An SPC chart needs at least one point")
    xs = _x_axis(data, x)
    period = data["period"].to_numpy()
    if "provisional" in data.columns:
        provisional = data["provisional"].fillna(False).astype(bool).to_numpy()
    else:
        counts = data.groupby("period")["value"].transform("count")
        provisional = (counts < PROVISIONAL_POINTS).to_numpy()

    fig = go.Figure()
    shown: set[str] = set()

    def legend_once(name: str) -> bool:
        first = name not in shown
        shown.add(name)
        return first

    fig.add_trace(
        go.Scatter(
            x=xs,
            y=data["value"],
            mode="lines",
            name="Figure",
            showlegend=False,
            line=dict(color=charts.SPC_LINE_COLOUR, width=1.5),
            hoverinfo="skip",
            meta={"line": "value"},
        )
    )

    periods = list(dict.fromkeys(period.tolist()))
    any_provisional = False
    for p in periods:
        rows = np.flatnonzero(period == p)
        is_provisional = bool(provisional[rows].any())
        any_provisional |= is_provisional
        limit_name = f"Process limits: {PROVISIONAL_WORDS}" if is_provisional else "Process limits"
        # Both limits of a period in one trace, split by a gap: one trace per period for the
        # browser to draw (and one legend entry), never joined across a rebase.
        period_x = xs.iloc[rows].tolist()
        fig.add_trace(
            go.Scatter(
                x=[*period_x, None, *period_x],
                # Drawn truncated at what the figure can be; the rules used the computed
                # limits, which the hover text gives.
                y=[
                    *kinds.drawable(data["upl"].iloc[rows], measure),
                    None,
                    *kinds.drawable(data["lpl"].iloc[rows], measure),
                ],
                mode="lines",
                name=limit_name,
                legendgroup=limit_name,
                showlegend=legend_once(limit_name),
                line=dict(
                    color=charts.LIMIT_COLOUR,
                    width=1.5,
                    dash="dash" if is_provisional else "dot",
                ),
                hoverinfo="skip",
                meta={"line": "limits", "period": int(p), "provisional": is_provisional},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=xs.iloc[rows],
                y=data["mean"].iloc[rows],
                mode="lines",
                name="Mean",
                legendgroup="Mean",
                showlegend=legend_once("Mean"),
                line=dict(color=charts.MEAN_COLOUR, width=1.5),
                hoverinfo="skip",
                meta={"line": "mean", "period": int(p), "provisional": is_provisional},
            )
        )

    for before, after in zip(periods, periods[1:], strict=False):
        last = xs.iloc[np.flatnonzero(period == before)[-1]]
        first = xs.iloc[np.flatnonzero(period == after)[0]]
        at = _midpoint(last, first)
        fig.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=at,
            x1=at,
            y0=0,
            y1=1,
            line=dict(color=charts.TARGET_COLOUR, width=1, dash="dot"),
        )
        fig.add_annotation(
            x=at,
            y=1,
            xref="x",
            yref="paper",
            text="Limits recalculated",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font=dict(size=11, color=charts.TARGET_COLOUR),
        )

    target_series = data["target"] if "target" in data.columns else None
    if target_series is not None and target_series.notna().any():
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=target_series,
                mode="lines",
                name="Target",
                line=dict(color=charts.TARGET_COLOUR, width=1.5, dash="dash", shape="hv"),
                hoverinfo="skip",
                meta={"line": "target"},
            )
        )
    elif target is not None and not (isinstance(target, float) and math.isnan(target)):
        fig.add_trace(
            go.Scatter(
                x=[xs.min(), xs.max()],
                y=[float(target), float(target)],
                mode="lines",
                name="Target",
                line=dict(color=charts.TARGET_COLOUR, width=1.5, dash="dash"),
                hoverinfo="skip",
                meta={"line": "target"},
            )
        )

    for point_type, (name, colour, symbol) in POINT_STYLE.items():
        rows = np.flatnonzero((data["point_type"] == point_type).to_numpy())
        if len(rows) == 0:
            continue
        hover = [
            f"{_x_label(xs.iloc[i])}: {format_value(data['value'].iloc[i], measure)}<br>{name}"
            f"<br>Mean {_stat(data['mean'].iloc[i], measure)}; process limits "
            f"{_stat(data['lpl'].iloc[i], measure)} to {_stat(data['upl'].iloc[i], measure)}"
            + (f" ({PROVISIONAL_WORDS})" if provisional[i] else "")
            for i in rows
        ]
        fig.add_trace(
            go.Scatter(
                x=xs.iloc[rows],
                y=data["value"].iloc[rows],
                mode="markers",
                name=name,
                marker=dict(
                    color=colour,
                    symbol=symbol,
                    size=7 if point_type == "common_cause" else 9,
                    line=dict(color=colour, width=1.5),
                ),
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
                meta={"point_type": point_type},
            )
        )

    charts._base_layout(fig, title, height=height)
    if any_provisional:
        fig.add_annotation(
            x=0,
            y=1.0,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            yshift=4,
            showarrow=False,
            text=f"Dashed limits are {PROVISIONAL_WORDS}",
            font=dict(size=12, color=charts.TARGET_COLOUR),
        )
    fig.update_yaxes(title_text=y_title, gridcolor="#e5e5e5", zerolinecolor="#b1b4b6")
    fig.update_xaxes(gridcolor="#f0f0f0")
    return fig


# --- funnel plots -------------------------------------------------------------------------------


def _flag_style(flag: str, levels: Sequence[float]) -> tuple[str, str, int]:
    """(symbol, colour, size) of a unit's marker by where it sits against the limits."""
    if flag == funnel.FLAG_WITHIN:
        return "circle", WITHIN_COLOUR, 10
    side, label = flag.split("_", 1)
    widest = funnel.level_label(max(levels))
    shape = "triangle-up" if side == "above" else "triangle-down"
    if label != widest:
        shape += "-open"
    return shape, OUTSIDE_COLOUR, 13


def _flag_order(levels: Sequence[float]) -> list[str]:
    """within, then beyond the narrowest limit, ... then beyond the widest (legend order)."""
    out = [funnel.FLAG_WITHIN]
    for level in sorted(levels):
        label = funnel.level_label(level)
        out += [f"above_{label}", f"below_{label}"]
    return out


def funnel_figure(
    frame: pd.DataFrame,
    *,
    title: str,
    x_title: str,
    y_title: str,
    target: float | None,
    kind: funnel.Kind,
    scale: float | None = None,
    method: str = funnel.DEFAULT_METHOD,
    unit_noun: str = "districts",
    levels: Sequence[float] = funnel.LEVELS,
    height: int = 500,
) -> go.Figure:
    """A funnel plot of units (districts, or forces nationally) against a centre line.

    ``frame``: one row per unit with ``district``, ``numerator``, ``denominator`` and ``value``,
    the value in the metric's own unit. ``target`` is in that unit too. ``kind`` is "proportion"
    or "rate" (the metric's ``funnel`` setting).

    ``scale`` is what a whole proportion is in the frame's unit: 100 for percentages, the
    default for proportions (87.5 means 87.5%, and a target of 95 means 95%); 1 for rates. The
    statistics are computed on numerator / denominator and the figure drawn in the frame's unit;
    a ``value`` that is not numerator / denominator x scale is refused, so a unit mix-up cannot
    draw a wrong funnel silently.

    The centre line is the target when there is one, else the pooled average (total numerator /
    total denominator), and the legend says which. A target at 0 or 100% allows no chance
    variation, so there the limits go round the average instead and the target is drawn as its
    own line, with a note. Limits are exact (see safeguarding.funnel), drawn as curves over the
    whole range of denominators. With at least funnel.MIN_UNITS_FOR_OVERDISPERSION units they are
    adjusted for overdispersion by ``method`` (additive by default); a note on the chart always
    says whether and how they were adjusted, e.g. "5 districts: too few to estimate
    overdispersion; limits are unadjusted".

    Raises ValueError if no unit has a denominator above 0, or on a bad kind, target or value.
    """
    _require(frame, FUNNEL_COLUMNS, "A funnel plot")
    if kind not in funnel.KINDS:
        raise ValueError(f"kind must be one of {', '.join(funnel.KINDS)}, not {kind!r}")
    if scale is None:
        scale = 100.0 if kind == "proportion" else 1.0
    if not scale > 0:
        raise ValueError(f"scale must be above 0, not {scale}")

    data = frame.loc[:, list(FUNNEL_COLUMNS)].copy()
    for column in ("numerator", "denominator", "value"):
        data[column] = pd.to_numeric(data[column], errors="coerce").astype(float)
    data = data[(data["denominator"] > 0) & data["numerator"].notna()].reset_index(drop=True)
    if data.empty:
        raise ValueError(
            f"No {unit_noun} have a denominator above 0, so there is nothing to place on a "
            "funnel plot"
        )
    n = data["denominator"].to_numpy()
    y = data["numerator"].to_numpy() / n
    shown_value = data["value"].to_numpy()
    known = ~np.isnan(shown_value)
    if not np.allclose(shown_value[known] / scale, y[known], rtol=1e-6, atol=1e-9):
        raise ValueError(
            f"value is not numerator / denominator x {scale:g} in every row: for a proportion "
            "given as a fraction rather than a percentage, pass scale=1"
        )

    def shown(v: float) -> str:
        if kind == "proportion" and scale == 100:
            return f"{v:.1f}%"
        return f"{v:,.1f}" if abs(v) >= 10 else f"{v:.3g}"

    pooled = funnel.pooled_average(data["numerator"], n)
    notes: list[str] = []
    target_line: float | None = None
    given = None if target is None or math.isnan(float(target)) else float(target)
    if given is not None and not funnel.degenerate(given / scale, kind):
        centre = funnel.check_target(given / scale, kind)
        centre_name = f"Target ({shown(given)})"
    else:
        centre = pooled
        centre_name = f"Average of the {unit_noun} ({shown(pooled * scale)})"
        if given is not None:
            target_line = given
            notes.append(
                f"A target of {shown(target_line)} allows no chance variation, so the limits "
                f"are drawn around the average of the {unit_noun}"
            )

    od = funnel.overdispersion(y, n, centre, kind=kind, method=method, unit_noun=unit_noun)
    adjust = od if od.adjusted else None
    notes.insert(0, od.reason)
    flags = funnel.flag(y, n, centre, kind=kind, levels=levels, adjust=adjust)
    grid = funnel.curve_denominators(n, kind=kind)
    table = funnel.limits(grid, centre, kind=kind, levels=levels, adjust=adjust)

    fig = go.Figure()
    x_range = [float(grid.min()), float(grid.max())]
    fig.add_trace(
        go.Scatter(
            x=x_range,
            y=[centre * scale] * 2,
            mode="lines",
            name=centre_name,
            line=dict(color=charts.TARGET_COLOUR, width=2),
            hoverinfo="skip",
            meta={"line": "centre"},
        )
    )
    if target_line is not None:
        fig.add_trace(
            go.Scatter(
                x=x_range,
                y=[target_line] * 2,
                mode="lines",
                name=f"Target ({shown(target_line)})",
                line=dict(color=charts.TARGET_COLOUR, width=1.5, dash="dash"),
                hoverinfo="skip",
                meta={"line": "target"},
            )
        )
    for rank, level in enumerate(sorted(levels, reverse=True)):
        label = funnel.level_label(level)
        name = f"{label}% limits" + (" (adjusted for overdispersion)" if adjust else "")
        for side in ("upper", "lower"):
            fig.add_trace(
                go.Scatter(
                    x=grid,
                    y=table[f"{side}_{label}"] * scale,
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=side == "upper",
                    line=dict(
                        color=charts.SPC_LINE_COLOUR,
                        width=1.5,
                        dash=LIMIT_DASHES[rank % len(LIMIT_DASHES)],
                    ),
                    hoverinfo="skip",
                    meta={"line": f"{side}_{label}"},
                )
            )

    label_all = len(data) <= 12
    for flag_value in _flag_order(levels):
        rows = np.flatnonzero(flags == flag_value)
        if len(rows) == 0:
            continue
        symbol, colour, size = _flag_style(flag_value, levels)
        words = funnel.flag_words(flag_value)
        hover = [
            f"{data['district'].iloc[i]}: {shown(y[i] * scale)} "
            f"({data['numerator'].iloc[i]:,.0f} of {n[i]:,.0f})<br>{words}"
            if kind == "proportion"
            else f"{data['district'].iloc[i]}: {shown(y[i] * scale)} "
            f"({data['numerator'].iloc[i]:,.1f} / {n[i]:,.1f})<br>{words}"
            for i in rows
        ]
        labelled = label_all or flag_value != funnel.FLAG_WITHIN
        fig.add_trace(
            go.Scatter(
                x=n[rows],
                y=y[rows] * scale,
                mode="markers+text" if labelled else "markers",
                text=data["district"].iloc[rows].tolist() if labelled else None,
                textposition="top center",
                textfont=dict(size=12, color=charts.TARGET_COLOUR),
                name=words,
                marker=dict(
                    symbol=symbol,
                    size=size,
                    color=colour,
                    line=dict(color=colour if "open" in symbol else "#0b0c0c", width=2),
                ),
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
                meta={"flag": flag_value},
            )
        )

    charts._base_layout(fig, title, height=height)
    fig.update_layout(margin=dict(t=70 + 20 * len(notes)))
    for i, note in enumerate(notes):
        fig.add_annotation(
            x=0,
            y=1,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            yshift=4 + 20 * (len(notes) - 1 - i),
            showarrow=False,
            text=note,
            font=dict(size=12, color=charts.TARGET_COLOUR),
        )
    fig.update_xaxes(
        title_text=x_title, rangemode="tozero", gridcolor="#f0f0f0", zerolinecolor="#b1b4b6"
    )
    fig.update_yaxes(title_text=y_title, gridcolor="#e5e5e5", zerolinecolor="#b1b4b6")
    fig.update_layout(
        meta={
            "centre": centre * scale,
            "centre_is_target": centre_name.startswith("Target"),
            "adjusted": od.adjusted,
            "overdispersion": od.reason,
        }
    )
    return fig
