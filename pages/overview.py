"""Overview: the force-wide scorecard for the chosen month or quarter.

``?layout=present`` sizes it for a projector (every metric for every area on two 1920x1080
screens, no sidebar); printing gives A4 landscape pages headed with the period and as-at date.
"""

import streamlit as st

from safeguarding.quarters import QUARTER_RULE
from safeguarding.ui import app, entry, filters, views

entry.require()

filters.keep_only("month", "quarter", "districts", "layout")
period = filters.period(allow_quarter=True)
districts, forces = app.units()
selected = filters.districts(districts)
layout = views.layout_choice()

st.html(views.print_css(f"Safeguarding scorecard: {period.label}", app.as_at_text()))
if layout == "present":
    st.html(views.PRESENT_CSS)

st.title("Safeguarding scorecard")
app.as_at_caption()
if st.session_state.pop("built_demo", False):
    st.info("This is the first start: a demo database of invented records was built.")

views.layout_link(layout, period)
st.header(period.label)
comparison = "the same month last quarter" if period.kind == "month" else "the previous quarter"
quarter_note = (
    f" {QUARTER_RULE}, against the target in force in its last month; SPC icons are for its "
    "last month."
    if period.kind == "quarter"
    else ""
)
if layout != "present":
    st.caption(
        "Every metric for every district and the force, against target, with the change since "
        f"{comparison}. Select a figure for its trend and the records behind it.{quarter_note}"
    )
block = views.scorecard_block(period, selected + forces, layout=layout)
if block is None:
    st.info(f"No figures for {period.label}.")
else:
    key, table = block
    st.html(key)
    st.html(table)
