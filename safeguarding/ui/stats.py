"""The one place the pages get SPC signals and statistical charts.

SPC (safeguarding.signals / spc / charts_stats) and funnel plots (safeguarding.funnel) come from
the statistics modules. Everything the pages need from them goes through this module, so that if a
module is missing (an older checkout) or the ``metric_signals`` table is empty (a database built
before signals existed) the pages still work: plain trend lines with the target, and a bar chart
with the target instead of a funnel plot.
"""

from __future__ import annotations

import datetime as dt
import importlib
from types import ModuleType

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from safeguarding import charts, registry, targets
from safeguarding.formatting import format_value, month_label
from safeguarding.ui import app

VARIATION_SHORT = {
    "improvement_high": ("▲", "Improving"),
    "improvement_low": ("▼", "Improving"),
    "concern_high": ("▲", "Concern"),
    "concern_low": ("▼", "Concern"),
    "neutral_high": ("▲", "Unusually high"),
    "neutral_low": ("▼", "Unusually low"),
    "common_cause": ("●", "Common cause"),
}
ASSURANCE_SHORT = {
    "pass": ("✓", "Target: reliably met"),
    "fail": ("✗", "Target: reliably missed"),
    "inconsistent": ("±", "Target: hit and miss"),
}


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"safeguarding.{name}")
    except ImportError:
        return None


def signals_module() -> ModuleType | None:
    return _module("signals")


@st.cache_data(ttl=3600, show_spinner=False)
def _has_signals(version: int) -> bool:
    mod = signals_module()
    if mod is None:
        return False
    try:
        return bool(app.con().execute("select count(*) > 0 from metric_signals").fetchone()[0])
    except Exception:  # noqa: BLE001 - an older database without the table: no signals
        return False


def has_signals() -> bool:
    """Are SPC signals available for this database?"""
    return _has_signals(app.data_version())


def variation_words(icon: str | None) -> str:
    mod = signals_module()
    words = getattr(mod, "ICON_WORDS", {}) if mod else {}
    return words.get(icon, VARIATION_SHORT.get(icon, ("", "No SPC signal"))[1])


def assurance_words(assurance: str | None) -> str:
    mod = signals_module()
    words = getattr(mod, "ASSURANCE_WORDS", {}) if mod else {}
    fallback = ASSURANCE_SHORT.get(assurance, ("", "No target to assure against"))[1]
    return words.get(assurance, fallback)


@st.cache_data(ttl=3600, show_spinner=False)
def _month_signals(version: int, month: dt.date) -> pd.DataFrame:
    return signals_module().for_month(app.con(), month)


def month_signals(month: dt.date) -> pd.DataFrame | None:
    """metric_id, district, variation, assurance, ... for a month; None without SPC."""
    if not has_signals():
        return None
    return _month_signals(app.data_version(), month)


@st.cache_data(ttl=3600, show_spinner=False)
def _series(
    version: int,
    metric_id: str,
    districts: tuple[str, ...] | None,
    from_month: dt.date | None,
    to_month: dt.date | None,
    spc: bool,
) -> pd.DataFrame:
    selected = list(districts) if districts else None
    if spc:
        return signals_module().series(
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
        frame, title=title, unit=metric.unit, units=units, forces=forces
    )
    return fig, charts.trend_alt(metric.title, metric.unit, frame, units, spc=spc)


def detail_figure(
    metric: registry.Metric, frame: pd.DataFrame, district: str
) -> tuple[go.Figure, str]:
    """One district's full history, large: an SPC chart when available, else a trend line."""
    one = frame[frame["district"] == district].sort_values("month").reset_index(drop=True)
    title = f"{metric.title}: {district}, by month"
    charts_stats = _module("charts_stats")
    spc = _module("spc")
    if charts_stats is not None and spc is not None and "upl" in one.columns and not one.empty:
        target = one["target"].dropna()
        fig = charts_stats.spc_figure(
            one,
            title=title,
            y_title=charts.axis_title(metric.unit),
            unit=metric.unit,
            target=float(target.iloc[-1]) if not target.empty else None,
            x=pd.to_datetime(one["month"]),
        )
        alt = _spc_alt(spc, one, metric, district)
        return fig, alt
    fig = charts.trend_small_multiples(
        one, title=title, unit=metric.unit, units=[district], columns=1, height_per_row=380
    )
    return fig, charts.trend_alt(metric.title, metric.unit, one, [district], spc=False)


def _spc_alt(spc, one: pd.DataFrame, metric: registry.Metric, district: str) -> str:
    months = pd.to_datetime(one["month"])
    last = one.iloc[-1]
    summary = ""
    variation = last.get("variation") if hasattr(last, "get") else None
    if variation:
        summary = f" Latest point: {variation_words(variation).lower()}."
        assurance = last.get("assurance")
        if assurance:
            summary += f" {assurance_words(assurance)}."
    return (
        f"SPC chart of {metric.title.lower()} in {district} by month from "
        f"{month_label(months.min().date())} to {month_label(months.max().date())}, with the "
        f"mean, process limits and target. Latest figure "
        f"{format_value(last['value'], metric.unit)}.{summary} "
        "The figures are in the table below the chart."
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
    charts_stats = _module("charts_stats")
    funnel = _module("funnel")
    if (
        metric.funnel != "none"
        and charts_stats is not None
        and funnel is not None
        and len(districts_only.dropna(subset=["value"])) >= 2
    ):
        figure = _funnel(charts_stats, metric, districts_only, month_frame, month, forces)
        if figure is not None:
            return figure
    title = f"{metric.title}: districts compared, {month_label(month)}"
    fig = charts.comparison_bar(month_frame, title=title, unit=metric.unit, units=units)
    note = "Bars show each area's figure; the dashed line is the target."
    return fig, charts.comparison_alt(metric.title, metric.unit, month_frame, month), note


def _funnel(charts_stats, metric, districts_only, month_frame, month, forces):
    """The funnel plot, or None if the statistics module cannot draw this month."""
    force_rows = month_frame[month_frame["district"].isin(forces)]
    target = force_rows["target"].dropna()
    centre = float(target.iloc[0]) if not target.empty else None
    title = f"{metric.title}: districts compared, {month_label(month)}"
    try:
        fig = charts_stats.funnel_figure(
            districts_only.dropna(subset=["value"]),
            title=title,
            x_title="Number of cases (denominator)",
            y_title=charts.axis_title(metric.unit),
            target=centre,
            kind=metric.funnel,
        )
    except (ValueError, KeyError, TypeError):
        return None
    parts = [
        f"{r.district} {format_value(r.value, metric.unit)} of {r.denominator:,.0f}"
        for r in districts_only.itertuples()
        if pd.notna(r.value)
    ]
    alt = (
        f"Funnel plot comparing districts on {metric.title.lower()} in {month_label(month)}, "
        f"each district's figure against its number of cases, with control limits around "
        f"{'the target' if centre is not None else 'the force average'}: " + "; ".join(parts) + "."
    )
    note = (
        "Each dot is a district, placed by its number of cases. Dots outside the funnel lines "
        "differ from the centre line by more than chance would explain; smaller districts have "
        "wider limits because their figures vary more."
    )
    return fig, alt, note
