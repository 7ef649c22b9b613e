"""Theme page: offender management."""

from safeguarding.ui import theme

theme.render("offender_management")
