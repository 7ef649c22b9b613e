"""A minimal entry script for the access tests: the gate, then whatever records the link asks for.

It stands in for dashboard.py and the pages so that the access tests do not depend on them:
``?district=...&metric=...&month=YYYY-MM`` asks for records, ``?log=1`` shows the access log.
"""

import streamlit as st

from safeguarding.formatting import parse_month
from safeguarding.ui import auth_ui

scope = auth_ui.gate()
st.markdown(f"Scope: {scope.user_id} · {scope.label}")

params = st.query_params
district = params.get("district")
if district:
    metric = params.get("metric", "rso_caseload_per_officer")
    month = parse_month(params.get("month", "2014-08"))
    rows = auth_ui.records_for(metric, district, month)
    if rows is not None:
        st.subheader(f"{len(rows)} records for {district}")
        st.dataframe(rows, hide_index=True)
        auth_ui.download_records_button(metric, district, month)
if params.get("log"):
    auth_ui.render_access_log_page()
