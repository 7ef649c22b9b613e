"""The body of the five theme pages (each page file is one call to ``render``)."""

from __future__ import annotations

import streamlit as st

from safeguarding import registry
from safeguarding.formatting import month_label
from safeguarding.ui import app, filters, views
from safeguarding.ui.periods import Period

TREND_MONTHS = 36


def render(theme_id: str) -> None:
    """One theme: choose a metric; its trend by area, districts compared, definition, figures."""
    title = registry.themes()[theme_id]
    metrics = registry.by_theme(theme_id)
    filters.keep_only("month", "quarter", "districts", "metric")
    period = filters.period()
    month = filters.month_of(period)
    districts, forces = app.units()
    metric = filters.metric(metrics, key=f"f_metric_{theme_id}")
    chosen = filters.districts(districts)
    selected = [] if metric.scope == "force" else chosen

    st.title(title)
    app.as_at_caption()
    glance(title, metrics, period, chosen + forces)
    st.markdown(
        f"Below: **{metric.title}** for {month_label(month)}, with the {TREND_MONTHS} months to "
        "then. Choose another measure in the sidebar."
    )
    views.metric_section(
        metric,
        month,
        selected,
        forces,
        from_month=views.last_months(month, TREND_MONTHS),
        key=f"theme_{theme_id}",
    )
    st.page_link(
        "pages/metric.py",
        label=f"Full history and records: {metric.title}",
        query_params={"metric": metric.id, "month": f"{month:%Y-%m}"},
        icon="🔎",
    )


def glance(title: str, metrics: list[registry.Metric], period: Period, units: list[str]) -> None:
    """Every measure of the theme for the period, as the overview's scorecard rows: value,
    status, change and SPC icons, each cell a link to that figure's trend and records."""
    st.header("At a glance")
    block = views.scorecard_block(
        period,
        units,
        metric_ids=tuple(m.id for m in metrics),
        caption=f"{title}, {period.label}: every measure against target, by area",
    )
    if block is None:
        st.info(f"No figures for {title.lower()} in {period.label}.")
        return
    key, table = block
    st.html(key)
    st.html(table)
