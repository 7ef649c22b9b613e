"""District page: one district's figures, status and trend, and the records behind each one, so a
district lead can reconcile the dashboard with their own systems before a meeting."""

import streamlit as st

from safeguarding import registry
from safeguarding.formatting import month_label
from safeguarding.ui import app, auth_ui, district_view, entry, filters, records, views
from safeguarding.ui.safe import md

entry.require()

filters.keep_only("district", "month", "quarter", "metric")
month = filters.month_of(filters.period())
districts, forces = app.units()
district = filters.district(
    districts + forces,
    default=auth_ui.own_area(
        districts, district_view.default_district(districts, filters.chosen_districts())
    ),
)

st.title(md(district))
app.as_at_caption()
st.header(f"Figures for {month_label(month)}")
st.caption(
    "Every metric for this area against target, with the change since the same month last "
    "quarter. Select a metric for its detail."
)
table = district_view.figures(district, month)
if table.empty:
    st.info(f"No figures for {md(district)} in {month_label(month)}.")
else:
    st.html(district_view.table_html(table, district, month))
    fig, alt = district_view.trend_figure(district, month)
    st.plotly_chart(fig, alt=alt, config=views.PLOTLY_CONFIG, key="district_trends")

st.header("Records behind the figures")
st.markdown(records.RECONCILIATION_NOTE)
measured = [m for m in registry.metrics().values() if m.scope != "force" or district in forces]
metric = filters.metric(measured, key="f_metric_district")
records.show_records(metric, district, month, key="district_records_download")
records.all_records_download(district, month, key="district_all_records")
