"""Theme page: offender management."""

from safeguarding.ui import entry, theme

entry.require()

theme.render("offender_management")
