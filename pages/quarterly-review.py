"""Quarterly review: a quarter against the previous quarter and the same quarter last year, the
exceptions in plain English, the actions carried into the review, and the board pack."""

import streamlit as st

from safeguarding.quarters import QUARTER_RULE
from safeguarding.ui import app, entry, filters, review_ui

entry.require()

filters.keep_only("quarter")
period = review_ui.quarter_filter()

st.title("Quarterly review")
app.as_at_caption()
review_ui.flash()
st.header(period.label)
st.caption(
    f"Every metric for every district and the force: {period.short_label} against "
    f"{period.previous_quarter().short_label} and {period.year_earlier().short_label}. "
    f"{QUARTER_RULE}, against the target in force in its last month; its SPC signal is that "
    f"of {period.last:%B %Y}."
)

table = review_ui.quarter_table(period)
if table.empty:
    st.info(f"No figures for {period.label}.")
    st.stop()
in_review = review_ui.review_actions(period)

st.header("Exceptions")
review_ui.exceptions_section(table, period, in_review)

st.header("Actions in this review")
if in_review.empty:
    st.info(
        f"No actions raised for {period.short_label} and none carried forward from earlier "
        "quarters."
    )
else:
    st.html(
        review_ui.actions_html(
            in_review,
            f"Actions for {period.short_label} and open ones carried forward, overdue first",
        )
    )
review_ui.add_action_form(period, key="review_add_action")

st.header("Every figure")
review_ui.figures_section(table, period, in_review)

st.header("Board pack")
review_ui.pack_section(period)
