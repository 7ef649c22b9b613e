"""Metric detail: one metric, its full history, districts compared, and the records behind a
figure (chosen by ?metric=, ?district=, ?month=)."""

import pandas as pd
import streamlit as st

from safeguarding import registry
from safeguarding.formatting import month_label
from safeguarding.ui import app, auth_ui, entry, filters, rebase_ui, records, stats, views
from safeguarding.ui.safe import md, table_html

entry.require()

filters.keep_only("metric", "district", "month", "quarter", "districts")
metric = filters.metric(list(registry.metrics().values()), key="f_metric_detail")
month = filters.month_of(filters.period())
districts, forces = app.units()
if metric.scope == "force":
    choices, selected = forces, []
else:
    choices, selected = districts + forces, filters.districts(districts)
district = filters.district(
    choices, default=auth_ui.own_area(choices, forces[0]), label="Area for the detail and records"
)

st.title(metric.title)
app.as_at_caption()
theme = registry.themes()[metric.theme]
st.caption(f"Theme: {theme} · figure for {md(district)}, {month_label(month)}")
month_figures = app.metric_figures(metric.id)
views.definition(
    metric,
    views.target_text(month_figures[views.in_month(month_figures, month)], metric),
)

history = stats.series(metric.id, districts=[district])
one = history[history["district"] == district]
st.header(f"{md(district)}: full history")
if one.empty or one["value"].isna().all():
    st.info(f"No figures for {metric.title.lower()} in {md(district)}.")
else:
    fig, alt = stats.cached(
        "metric.detail", (metric.id, district), lambda: stats.detail_figure(metric, one, district)
    )
    st.plotly_chart(fig, alt=alt, config=views.PLOTLY_CONFIG, key="detail_spc")
    with st.expander("Table of the figures in this chart"):
        st.html(
            stats.cached(
                "metric.detail_table",
                (metric.id, district),
                lambda: table_html(
                    views.trend_table(one, metric, [district]).set_index("Month"),
                    label=f"{metric.title} by month, {district}",
                ),
            )
        )
    if stats.has_signals():
        known = one[one["value"].notna()]
        rebase_ui.section(
            metric, district, list(pd.to_datetime(known["month"]).dt.date), key="detail_rebase"
        )

st.header(f"Records behind {md(district)}, {month_label(month)}")
st.markdown(records.RECONCILIATION_NOTE)
records.show_records(metric, district, month, key="detail_records_download")

st.divider()
st.header("All areas")
views.metric_section(
    metric, month, selected, forces, from_month=None, key="detail", heading=False, describe=False
)
