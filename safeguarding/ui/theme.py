"""The body of the five theme pages (each page file is one call to ``render``)."""

from __future__ import annotations

import streamlit as st

from safeguarding import registry
from safeguarding.formatting import month_label
from safeguarding.ui import app, filters, views

TREND_MONTHS = 36


def render(theme_id: str) -> None:
    """One theme: choose a metric; its trend by area, districts compared, definition, figures."""
    title = registry.themes()[theme_id]
    metrics = registry.by_theme(theme_id)
    filters.keep_only("month", "quarter", "districts", "metric")
    month = filters.month_of(filters.period())
    districts, forces = app.units()
    metric = filters.metric(metrics, key=f"f_metric_{theme_id}")
    selected = filters.districts(districts)
    if metric.scope == "force":
        selected = []

    st.title(title)
    app.as_at_caption()
    st.markdown(
        f"{len(metrics)} measures. Showing **{metric.title}** for {month_label(month)}, with "
        f"the {TREND_MONTHS} months to then. Choose another measure in the sidebar."
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
