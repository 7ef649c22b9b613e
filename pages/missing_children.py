"""Theme page: missing children."""

from safeguarding.ui import theme

theme.render("missing_children")
