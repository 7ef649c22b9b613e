"""The district page's figures table and trend panels."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from safeguarding import charts, registry, targets
from safeguarding.formatting import figure_and_target, month_label
from safeguarding.ui import app, safe, stats, views
from safeguarding.ui.periods import CHANGE_ARROWS, Period

TREND_MONTHS = 24
Panel = tuple[str, registry.Metric, pd.DataFrame]


def default_district(districts: list[str], chosen: list[str] | None) -> str:
    """The district the page opens on: the first the shared filter holds, when it holds some
    but not all; else the first district."""
    wanted = [d for d in (chosen or []) if d in districts]
    return wanted[0] if wanted and len(wanted) < len(districts) else districts[0]


def figures(district: str, month: dt.date) -> pd.DataFrame:
    """Every metric for one area and month, with target, status, change and SPC icons."""
    return views.scorecard_frame(Period.month(month), [district])


def table_html(frame: pd.DataFrame, district: str, month: dt.date) -> str:
    """An accessible table, one row per metric, each linking to its detail (``frame`` is
    ``figures(district, month)``: built once per data version, area and month)."""
    return stats.cached(
        "district.table", (district, month), lambda: _table_html(frame, district, month)
    )


def _table_html(frame: pd.DataFrame, district: str, month: dt.date) -> str:
    esc = html.escape
    known = registry.metrics()
    rows = []
    for r in frame.to_dict("records"):
        metric = known[r["metric_id"]]
        status = r["status"]
        arrow = CHANGE_ARROWS.get(r.get("change_arrow", "none"), "")
        value_text, target = figure_and_target(r["value"], r.get("target"), status, metric)
        spc = views.spc_html(pd.Series(r)) or '<span class="sg-na">not available</span>'
        href = views.metric_link(metric.id, district, month)
        rows.append(
            "<tr>"
            f'<th scope="row"><a href="{esc(href)}">{esc(metric.title)}</a>'
            f'<span class="sg-unit">{esc(metric.unit)}</span></th>'
            f'<td><span class="sg-value">{esc(value_text)}</span></td>'
            f"<td>{esc(target)}</td>"
            f'<td><span class="sg-status sg-{status}"><span aria-hidden="true">'
            f"{targets.STATUS_SYMBOLS[status]}</span> {esc(targets.STATUS_WORDS[status])}"
            "</span></td>"
            f'<td><span class="sg-change"><span aria-hidden="true">{arrow}</span> '
            f"{esc(r.get('change_text') or '')}</span></td>"
            f"<td>{spc}</td>"
            "</tr>"
        )
    return (
        views.SCORECARD_CSS + '<div class="sg-scorecard-wrap"><table class="sg-scorecard">'
        f"<caption>{esc(district)}: every metric for {esc(month_label(month))}</caption>"
        '<thead><tr><th scope="col">Metric</th><th scope="col">Figure</th>'
        '<th scope="col">Target</th><th scope="col">Status</th>'
        '<th scope="col">Change since same month last quarter</th>'
        '<th scope="col">SPC</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></div>"
    )


@st.cache_data(ttl=3600, show_spinner=False)
def _trend_frames(version: int, district: str, month: dt.date) -> list[Panel]:
    start = views.last_months(month, TREND_MONTHS)
    frame = app.figures(start, month)
    frame = frame[frame["district"] == district]
    panels = []
    for metric in registry.metrics().values():
        data = frame[frame["metric_id"] == metric.id][["month", "value", "target"]]
        if not data.empty and data["value"].notna().any():
            panels.append((metric.title, metric, data))
    return panels


def trend_figure(district: str, month: dt.date) -> tuple[go.Figure, str]:
    """Every metric's trend for one area (small multiples) and its alt text, built once per data
    version, area and month."""
    return stats.cached(
        "district.trends", (district, month), lambda: _build_trend_figure(district, month)
    )


def _build_trend_figure(district: str, month: dt.date) -> tuple[go.Figure, str]:
    panels = _trend_frames(app.data_version(), district, month)
    start = views.last_months(month, TREND_MONTHS)
    fig = charts.metric_small_multiples(
        panels,
        title=f"{safe.chart(district)}: every metric by month, {month_label(start)} to "
        f"{month_label(month)}",
    )
    alt = (
        f"{len(panels)} small line charts, one per metric, of {district}'s monthly figures from "
        f"{month_label(start)} to {month_label(month)}, each with its target as a dashed line. "
        "The latest figures are in the table above."
    )
    return fig, alt
