"""Overview: the force-wide scorecard for the chosen month."""

import streamlit as st

from safeguarding import scorecard
from safeguarding.formatting import month_label
from safeguarding.ui import app

month = app.selected_month()
st.title("Safeguarding scorecard")
app.as_at_caption()
if st.session_state.pop("built_demo", False):
    st.info("This is the first start: a demo database of invented records was built.")

st.subheader(month_label(month))
st.caption(f"Every metric for every district and the force, against target. Key: {app.STATUS_KEY}")
frame = app.scorecard_frame(month)
if frame.empty:
    st.info(f"No figures for {month_label(month)}.")
else:
    districts, forces = app.units()
    st.html(scorecard.scorecard_html(frame, districts + forces))
