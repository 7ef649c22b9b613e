"""Access log: every view, download and refusal of record-level data (administrators only)."""

from safeguarding.ui import auth_ui, entry

entry.require()

auth_ui.render_access_log_page()
