"""Overview: the force-wide scorecard for the chosen month or quarter."""

import streamlit as st

from safeguarding.quarters import QUARTER_RULE
from safeguarding.ui import app, filters, stats, views

filters.keep_only("month", "quarter", "districts")
period = filters.period(allow_quarter=True)
districts, forces = app.units()
selected = filters.districts(districts)

st.title("Safeguarding scorecard")
app.as_at_caption()
if st.session_state.pop("built_demo", False):
    st.info("This is the first start: a demo database of invented records was built.")

st.header(period.label)
comparison = "the same month last quarter" if period.kind == "month" else "the previous quarter"
quarter_note = (
    f" {QUARTER_RULE}, against the target in force in its last month; SPC icons are for its "
    "last month."
    if period.kind == "quarter"
    else ""
)
st.caption(
    "Every metric for every district and the force, against target, with the change since "
    f"{comparison}. Select a figure for its trend and the records behind it.{quarter_note}"
)
frame = views.scorecard_frame(period, selected + forces)
if frame.empty:
    st.info(f"No figures for {period.label}.")
else:
    st.html(views.key_html(stats.has_signals()))
    st.html(views.scorecard_html(frame, selected + forces, period))
