"""About the data: what every metric means, the targets and their history, how current the data
is and where each table comes from."""

import streamlit as st

from safeguarding import registry, suppression
from safeguarding.ui import about, app, entry, filters, safe

entry.require()

filters.keep_only()
st.title("About the data")
app.as_at_caption()

st.header("How current the data is")
info = app.meta()
st.markdown(about.currency_text(info))

st.header("What each metric measures")
for theme_id, theme_title in registry.themes().items():
    st.subheader(theme_title)
    st.table(about.definitions(theme_id))

st.header("Targets")
st.markdown(
    "A figure is compared with the target in force on the last day of its month. A district's "
    "own target, where set, takes the place of the force-wide one."
)
st.subheader("Targets in force now")
st.table(about.targets_in_force())
about.render_target_forms()
st.subheader("Every dated target")
st.dataframe(about.target_history(), hide_index=True, alt="Every dated target, newest first")
st.subheader("Who changed the targets, and why")
st.dataframe(about.target_changes(), hide_index=True, alt="Every change to the targets")

st.header("Where the data comes from")
st.table(safe.table(about.sources()))

st.header("How the figures are treated")
st.markdown(about.METHODS)
st.markdown(f"**Small numbers.** {suppression.DEFAULT_RULE.note()}")
