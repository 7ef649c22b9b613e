"""Theme page: missing children."""

from safeguarding.ui import entry, theme

entry.require()

theme.render("missing_children")
