"""Theme page: custody and resourcing."""

from safeguarding.ui import entry, theme

entry.require()

theme.render("custody_resourcing")
