"""Theme page: investigations and conferences."""

from safeguarding.ui import theme

theme.render("investigations_conferences")
