"""Theme page: digital forensics."""

from safeguarding.ui import entry, theme

entry.require()

theme.render("digital_forensics")
