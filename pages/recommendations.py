"""Inspection recommendations: each recommendation's progress, overdue ones first, and the
metrics that show whether it worked."""

import streamlit as st

from safeguarding.ui import app, entry, filters, review_ui
from safeguarding.ui.safe import md, md_block
from safeguarding.ui.safe import table as safe_table

entry.require()

filters.keep_only()
st.title("Inspection recommendations")
app.as_at_caption()
review_ui.flash()
st.caption(
    "The recommendations of the inspections of the force (seeded with the 2014 child protection "
    "inspection), with their owners, due dates, evidence and progress. One not completed by its "
    "due date is marked '⚠ Overdue'. Each links to the metrics that show whether it worked."
)

frame = review_ui.recommendation_list()
if frame.empty:
    st.info("No inspection recommendations are recorded.")
    st.stop()
overdue = int(frame["overdue"].sum())
completed = int((frame["status"] == "completed").sum())
late = int(frame["completed_late"].sum())
st.markdown(
    f"**{len(frame)}** recommendations · **{completed}** completed ({completed - late} on time, "
    f"{late} late) · **{overdue}** overdue"
)
st.html(review_ui.recommendations_html(frame))

st.header("Did it work?")
for row in frame.to_dict("records"):
    st.subheader(f"{md(row['recommendation_ref'])}: {md(row['progress'])}")
    st.markdown(md_block(row["text"]))
    st.caption(
        f"{md(row['report'])} · owner {md(row['owner'])} · evidence: "
        f"{md(row['evidence']) if row['evidence'] else 'none recorded'}"
    )
    linked = review_ui.linked_table(row["recommendation_ref"])
    if linked.empty:
        st.info("No linked metric has figures.")
    else:
        st.table(safe_table(linked.set_index("Metric")))
    review_ui.recommendation_form(row, key=f"rec_{row['recommendation_ref']}")
