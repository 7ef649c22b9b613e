"""Periods for the pages: the pure functions live in safeguarding.quarters (shared with the
quarterly review, the board pack and the CLI); this module keeps the pages' imports unchanged."""

from safeguarding.quarters import (
    CHANGE_ARROWS,
    Period,
    add_months,
    change,
    complete_quarters,
    parse_period,
    period_figures,
    status,
    with_change,
)

__all__ = [
    "CHANGE_ARROWS",
    "Period",
    "add_months",
    "change",
    "complete_quarters",
    "parse_period",
    "period_figures",
    "status",
    "with_change",
]
