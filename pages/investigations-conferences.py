"""Theme page: investigations and conferences."""

from safeguarding.ui import entry, theme

entry.require()

theme.render("investigations_conferences")
