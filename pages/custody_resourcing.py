"""Theme page: custody and resourcing."""

from safeguarding.ui import theme

theme.render("custody_resourcing")
