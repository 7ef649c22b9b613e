"""Peers: the force against its most similar group and all forces, signal and position together."""

import streamlit as st

from safeguarding import registry
from safeguarding.ui import app, entry, filters, peers_ui, views
from safeguarding.ui.safe import md, table_html

entry.require()

filters.keep_only("month", "quarter", "metric")
period = filters.period(allow_quarter=True)
force = app.current_force() or app.units()[1][0]
forces = sorted(set(app.force_of().values()))

st.title(f"{md(force)} and its peers")
app.as_at_caption()
if len(forces) < 2:
    st.info(
        "This database holds one force, so there are no peers to compare with. Peer comparison "
        "needs every force's figures: for the demo, build with python -m safeguarding demo "
        "--forces 43 (see docs/peers.md)."
    )
    st.stop()
st.text(peers_ui.group_sentence(force))

st.header(f"Signal and position, {period.label}")
st.caption(
    "For each metric: the force's own SPC verdict (is it changing? will it meet the target?) "
    "beside where it sits among its group and all forces, and whether that place is itself a "
    "signal (outside the funnel limits of all forces) or noise. Means count every force once; "
    "pooled figures (total numerator / total denominator) count every case once. Medians, "
    "counts and levels are not pooled."
)
table = peers_ui.signal_and_position(force, period)
if table.empty:
    st.info(f"No figures for {period.label}.")
    st.stop()
# Plain HTML tables (safe.table_html): st.table renders every cell as Markdown, which made this
# page's four tables (up to 43 rows) slower to draw than its two charts.
st.html(
    table_html(
        table.drop(columns=["metric_id", "Position, in words"]).set_index("Metric"),
        label=f"Signal and position of {force}, every metric, {period.label}",
    )
)

comparisons = {c.metric.id: c for c in peers_ui.comparisons(force, period)}
metric = filters.metric([registry.get(m) for m in comparisons], key="f_metric_peers")
c = comparisons[metric.id]
st.header(f"{metric.title}: {md(force)} among the forces")
charts = peers_ui.charts(c, period)
st.html(
    table_html(charts.summary, label=f"{metric.title}: {force} against its group and all forces")
)
st.plotly_chart(
    charts.ranked, alt=charts.ranked_alt, config=views.PLOTLY_CONFIG, key="peers_ranked"
)
with st.expander("Table of the ranked chart"):
    st.html(table_html(charts.ranked_table, label=f"{metric.title}: every force ranked"))

if charts.funnel is None:
    st.caption(f"No funnel plot: {c.position.words[0].lower()}{c.position.words[1:]}.")
else:
    st.plotly_chart(
        charts.funnel, alt=charts.funnel_alt, config=views.PLOTLY_CONFIG, key="peers_funnel"
    )
    st.caption(
        "Each marker is a force, placed by its size (the denominator). Forces outside the lines "
        "differ from the forces' average by more than chance explains. "
        f"{c.position.overdispersion}."
    )
    with st.expander("Table of the funnel plot"):
        st.html(table_html(charts.funnel_table, label=f"{metric.title}: the funnel plot's figures"))
