"""Safeguarding performance dashboard: the entry point (page set-up, shared filters, navigation).

Run with: streamlit run dashboard.py
"""

import streamlit as st

from safeguarding.ui import app

st.set_page_config(page_title="Safeguarding performance", page_icon="🛡️", layout="wide")
st.html(app.CSS)

app.ensure_database()

pages = [
    st.Page("pages/overview.py", title="Overview", icon="📋", default=True),
]
navigation = st.navigation(pages)
navigation.run()
