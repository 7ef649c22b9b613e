"""Data quality: records that loaded but deserve a second look (queries), per district and rule,
with the records behind each count, and when each table was last loaded."""

import streamlit as st

from safeguarding import quality
from safeguarding.ui import app, data_ui, entry, filters
from safeguarding.ui.safe import md

entry.require()

filters.keep_only()
st.title("Data quality")
app.as_at_caption()

st.header("When each table was last loaded")
st.dataframe(data_ui.last_loaded_frame(), hide_index=True, width="stretch", key="quality_loaded")

st.header("Queries by district")
st.markdown(
    "A **query** is a record the database accepts but that often means a step was not recorded "
    "or a date was mistyped. Errors never reach the database: an import with any error loads "
    "nothing. The counts are of records, from all the stored data."
)
summary = data_ui.summary()
if summary.empty:
    st.info("There are no districts yet: import the districts file first.")
    st.stop()
st.dataframe(data_ui.counts_table(summary), width="stretch", key="quality_counts")

st.header("The records behind a query")
titles = {q.id: q.title for q in quality.RULES}
left, right = st.columns(2)
rule_id = left.selectbox("Query", list(titles), format_func=titles.get, key="quality_rule")
counts = summary[summary["rule"] == rule_id].set_index("district")["records"]
# Only the districts whose records this user may see are offered, so that no visit asks for (and
# logs the refusal of) records the user never requested.
counts = counts[[data_ui.may_view_quality_records(d) for d in counts.index]]
if counts.empty:
    st.info(
        "Your role sees the counts above but not the records behind them. Ask the dashboard's "
        "administrator if you need record-level access.",
        icon="🔒",
    )
    st.stop()
district = right.selectbox(
    "District",
    list(counts.index),
    index=int(counts.to_numpy().argmax()),
    format_func=lambda d: f"{d} ({counts[d]:,} records)",
    key="quality_district",
)
if counts[district] == 0:
    st.info(f"No records in {md(district)} for this query.")
else:
    data_ui.render_query_records(rule_id, district)
