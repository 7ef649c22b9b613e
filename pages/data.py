"""Data: load a force's extract (checked in full before anything is written), the templates and
data contract for every table, and the history of every import."""

import streamlit as st

from safeguarding.ui import app, data_ui, entry, filters

entry.require()

filters.keep_only()
st.title("Data")
app.as_at_caption()
data_ui.render_load_section()
data_ui.render_contract_section()
data_ui.render_history_section()
