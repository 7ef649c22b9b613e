"""Theme page: digital forensics."""

from safeguarding.ui import theme

theme.render("digital_forensics")
