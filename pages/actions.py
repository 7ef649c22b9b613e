"""Action log: every question and action raised at the accountability meetings, overdue first,
with forms to record, update and close them (for roles that record the review)."""

import streamlit as st

from safeguarding import actions
from safeguarding.formatting import plural
from safeguarding.ui import app, entry, filters, review_ui

entry.require()

filters.keep_only()
st.title("Action log")
app.as_at_caption()
review_ui.flash()
st.caption(
    "Questions and actions raised at the quarterly review, each against a metric, an area and a "
    "quarter. An action is carried into every later review until it is closed; one not closed "
    "by its due date is marked '⚠ Overdue'."
)

log = review_ui.all_actions()
show = st.radio(
    "Show",
    ["Not closed", "Overdue", "Closed", "All"],
    horizontal=True,
    key="actions_show",
)
if not log.empty:
    chosen = {
        "Not closed": log[log["status"] != "closed"],
        "Overdue": log[log["overdue"]],
        "Closed": log[log["status"] == "closed"],
        "All": log,
    }[show]
    chosen = chosen.sort_values(["overdue", "quarter"], ascending=[False, False], kind="stable")
else:
    chosen = log

late = int(log["overdue"].sum()) if not log.empty else 0
not_closed = int((log["status"] != "closed").sum()) if not log.empty else 0
st.markdown(
    f"**{plural(len(log), 'action')}** recorded · **{not_closed}** not closed · **{late}** overdue"
)
if chosen.empty:
    st.info("No actions to show." if not log.empty else "No actions have been recorded yet.")
else:
    st.html(review_ui.actions_html(chosen, f"Action log: {show.lower()}"))

if review_ui.can_edit():
    st.header("Record or update an action")
    review_ui.add_action_form(None, key="log_add_action")
    review_ui.update_action_form(log, key="log_update")
    st.caption(
        f"Statuses: {', '.join(actions.STATUS_WORDS.values())}. Closing needs a response saying "
        "what was done."
    )
