"""The one place the pages get SPC signals and statistical charts.

SPC signals come from the ``metric_signals`` table (safeguarding.signals, computed with
safeguarding.spc at every refresh) and are drawn by safeguarding.charts_stats; funnel plots use
safeguarding.funnel. If ``metric_signals`` is empty (a database built before signals existed and
not yet refreshed) the pages still work: plain trend lines with the target. A metric that is not
a proportion or rate, or a month with fewer than two districts to compare, gets a bar chart
against the target instead of a funnel plot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from safeguarding import (
    charts,
    charts_stats,
    figure_cache,
    kinds,
    registry,
    scorecard,
    signals,
    spc,
    targets,
)
from safeguarding.formatting import count_text, format_value, month_label
from safeguarding.ui import app, safe

T = TypeVar("T")


@st.cache_data(ttl=3600, show_spinner=False)
def _has_signals(version: int) -> bool:
    try:
        return bool(app.con().execute("select count(*) > 0 from metric_signals").fetchone()[0])
    except Exception:  # noqa: BLE001 - an older database without the table: no signals
        return False


def cached(name: str, inputs: tuple, build: Callable[[], T]) -> T:
    """What ``build()`` gives, built once per data version and ``inputs`` for every session (and
    for a board pack made in the same process): see safeguarding.figure_cache. ``inputs`` must
    name everything the value depends on besides the data version. The value is shared: read it,
    never change it. Figures in it (alone or in a tuple) are kept as ``SentFigure``."""

    def kept() -> T:
        value: object = build()
        if type(value) is tuple:
            value = tuple(sent(v) for v in value)
        return sent(value)  # type: ignore[return-value]

    return figure_cache.memo(name, app.data_version(), inputs, kept)


class SentFigure(go.Figure):
    """A kept figure that is sent to many sessions: ``st.plotly_chart`` asks for ``to_dict()`` (a
    deep copy of every trace, a third of a warm page run), so it is made once and the same dict
    given each time. Like every kept value it must not be changed."""

    _sent_dict: dict | None = None

    def to_dict(self) -> dict:
        if self._sent_dict is None:
            self._sent_dict = super().to_dict()
        return self._sent_dict


def sent(value: T) -> T:
    """``value`` itself, a plain figure made a ``SentFigure`` (anything else unchanged)."""
    if type(value) is go.Figure:
        value.__class__ = SentFigure  # the same figure, no copy: only to_dict is kept
    return value


def has_signals() -> bool:
    """Are SPC signals available for this database?"""
    return _has_signals(app.data_version())


def variation_words(icon: str | None) -> str:
    return signals.ICON_WORDS.get(icon or "", "No SPC signal")


def assurance_words(assurance: str | None) -> str:
    return signals.ASSURANCE_WORDS.get(assurance, "No target to assure against")


@st.cache_data(ttl=3600, show_spinner=False)
def _month_signals(version: int, month: dt.date) -> pd.DataFrame:
    return signals.for_month(app.con(), month)


def month_signals(month: dt.date) -> pd.DataFrame | None:
    """metric_id, district, variation, assurance, ... for a month; None without SPC."""
    if not has_signals():
        return None
    return _month_signals(app.data_version(), month)


@st.cache_data(ttl=3600, show_spinner=False)
def _month_limits(version: int, month: dt.date) -> pd.DataFrame:
    return scorecard.signal_context(app.con(), month)


def month_limits(month: dt.date) -> pd.DataFrame:
    """metric_id, district, lpl, upl, recent_outside for a month (empty without SPC)."""
    return _month_limits(app.data_version(), month)


@st.cache_data(ttl=3600, show_spinner=False)
def _series(
    version: int,
    metric_id: str,
    districts: tuple[str, ...] | None,
    from_month: dt.date | None,
    to_month: dt.date | None,
    with_spc: bool,
) -> pd.DataFrame:
    selected = list(districts) if districts else None
    if with_spc:
        return signals.series(
            app.con(), metric_id, districts=selected, from_month=from_month, to_month=to_month
        )
    return targets.figures(
        app.con(),
        metric_id=metric_id,
        from_month=from_month,
        to_month=to_month,
        districts=selected,
    )


def series(
    metric_id: str,
    *,
    districts: list[str] | None = None,
    from_month: dt.date | None = None,
    to_month: dt.date | None = None,
) -> pd.DataFrame:
    """district, month, value, target and (with SPC) mean, lpl, upl, point_type, ..."""
    return _series(
        app.data_version(),
        metric_id,
        tuple(districts) if districts else None,
        from_month,
        to_month,
        has_signals(),
    )


def trend_figure(
    metric: registry.Metric,
    frame: pd.DataFrame,
    units: list[str],
    forces: list[str],
    *,
    title: str,
) -> tuple[go.Figure, str]:
    """Small multiples of the trend, with SPC limits when available; and its alt text."""
    spc = "upl" in frame.columns
    fig = charts.trend_small_multiples(
        safe.chart_frame(frame),
        title=title,
        measure=metric,
        units=[safe.chart(u) for u in units],
        forces=[safe.chart(f) for f in forces],
    )
    return fig, charts.trend_alt(metric.title, metric, frame, units, spc=spc)


def detail_figure(
    metric: registry.Metric, frame: pd.DataFrame, district: str
) -> tuple[go.Figure, str]:
    """One district's full history, large: an SPC chart when available, else a trend line."""
    one = frame[frame["district"] == district].sort_values("month").reset_index(drop=True)
    title = f"{metric.title}: {safe.chart(district)}, by month"
    if "upl" in one.columns and one["value"].notna().any():
        target = one["target"].dropna()
        fig = charts_stats.spc_figure(
            one,
            title=title,
            y_title=charts.axis_title(metric),
            measure=metric,
            target=float(target.iloc[-1]) if not target.empty else None,
            x=pd.to_datetime(one["month"]),
        )
        return fig, spc_alt(one, metric, district)
    fig = charts.trend_small_multiples(
        safe.chart_frame(one),
        title=title,
        measure=metric,
        units=[safe.chart(district)],
        columns=1,
        height_per_row=380,
    )
    return fig, charts.trend_alt(metric.title, metric, one, [district], spc=False)


def spc_alt(one: pd.DataFrame, metric: registry.Metric, district: str) -> str:
    """What the SPC chart shows, from spc.summarise of the latest point, plus the period."""
    months = pd.to_datetime(one["month"])
    summary = spc.summarise(one, improvement=metric.improvement)
    return (
        f"SPC chart from {month_label(months.min().date())} to "
        f"{month_label(months.max().date())}, with the mean, process limits and target. "
        + spc.alt_text(summary, title=metric.title, measure=metric, district=district)
        + " The figures are in the table below the chart."
    )


def comparison_figure(
    metric: registry.Metric,
    month_frame: pd.DataFrame,
    month: dt.date,
    units: list[str],
    forces: list[str],
) -> tuple[go.Figure, str, str]:
    """Districts compared for one month: (figure, alt text, note on how to read it).

    A funnel plot when the metric is a proportion or rate and the funnel module is present (it
    allows for districts of different size); otherwise bars against the target.
    """
    districts_only = month_frame[~month_frame["district"].isin(forces)]
    kind = kinds.of(metric)
    funnel_kind = kind.funnel if metric.scope != "force" else "none"
    if funnel_kind != "none" and len(districts_only.dropna(subset=["value"])) >= 2:
        figure = _funnel(metric, districts_only, month_frame, month, forces, funnel_kind)
        if figure is not None:
            return figure
    title = f"{metric.title}: districts compared, {month_label(month)}"
    bars = month_frame
    force_words: list[tuple[str, str]] = []
    if kind.force_is_total and len(districts_only):
        # The force's figure is its districts' total: on their axis it would dwarf them.
        bars = districts_only
        force_rows = month_frame[month_frame["district"].isin(forces)]
        force_words = [
            (r.district, f" (the districts' total): {format_value(r.value, metric)}.")
            for r in force_rows.itertuples()
        ]
    bar_units = [u for u in units if u in set(bars["district"])]
    fig = charts.comparison_bar(
        safe.chart_frame(bars),
        title=title,
        measure=metric,
        units=[safe.chart(u) for u in bar_units],
    )
    has_target = "target" in bars and bars["target"].notna().any()
    note = "Bars show each area's figure" + (
        "; the dashed line is the target." if has_target else "; this measure has no target."
    )
    # The note is a caption (Markdown): a force's name is data, shown as its text. The chart's
    # alternative text is plain text.
    note += "".join(f" {safe.md(name)}{words}" for name, words in force_words)
    alt = charts.comparison_alt(metric.title, metric, bars, month)
    alt += "".join(f" {name}{words}" for name, words in force_words)
    return fig, alt, note


def _funnel(metric, districts_only, month_frame, month, forces, funnel_kind):
    """The funnel plot, or None if the statistics module cannot draw this month."""
    force_rows = month_frame[month_frame["district"].isin(forces)]
    target = force_rows["target"].dropna()
    centre = float(target.iloc[0]) if not target.empty else None
    title = f"{metric.title}: districts compared, {month_label(month)}"
    try:
        fig = charts_stats.funnel_figure(
            safe.chart_frame(districts_only.dropna(subset=["value"])),
            title=title,
            x_title=kinds.funnel_axis_title(metric),
            y_title=charts.axis_title(metric),
            target=centre,
            kind=funnel_kind,
        )
    except (ValueError, KeyError, TypeError):
        return None
    parts = [
        f"{r.district} {format_value(r.value, metric)} of {count_text(r.denominator)}"
        for r in districts_only.itertuples()
        if pd.notna(r.value)
    ]
    around = "the target" if fig.layout.meta["centre_is_target"] else "the districts' average"
    size = "number of cases" if funnel_kind == "proportion" else "denominator"
    alt = (
        f"Funnel plot comparing districts on {metric.title.lower()} in {month_label(month)}, "
        f"each district's figure against its {size}, with control limits around "
        f"{around}: " + "; ".join(parts) + "."
    )
    note = (
        f"Each dot is a district, placed by its {size}. Dots outside the funnel lines "
        "differ from the centre line by more than chance would explain; smaller districts have "
        "wider limits because their figures vary more."
    )
    return fig, alt, note
