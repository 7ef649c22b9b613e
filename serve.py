"""Run the dashboard with the HTTP protections of safeguarding.server: streamlit run serve.py

dashboard.py is the app; this file only wraps it in st.App so that every request passes the
middleware first (no /_stcore/metrics, anti-framing headers, records files forgotten just after
they are sent).
Streamlit's options (.streamlit/config.toml, --server.* flags) apply as with dashboard.py.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from safeguarding.server import Protect
from safeguarding.ui import entry

# Pages come only from dashboard.py's st.navigation, never from the pages/ folder by itself, from
# the first request after the start (safeguarding/ui/entry.py).
entry.navigation_only()

app = st.App(Path(__file__).with_name("dashboard.py"), middleware=[Middleware(Protect)])
