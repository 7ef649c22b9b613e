"""The access-test app behind the dashboard's middleware, as serve.py runs dashboard.py."""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from safeguarding.server import Protect

app = st.App(Path(__file__).with_name("app.py"), middleware=[Middleware(Protect)])
