"""How figures are written for people: one place, so pages, CLI and exports agree."""

from __future__ import annotations

import datetime as dt
import math
import re

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


def parse_month(text: str) -> dt.date:
    """'2024-08' -> date(2024, 8, 1); a clear ValueError otherwise."""
    match = MONTH_RE.match(text.strip()) if isinstance(text, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"'{text}' is not a month: write it as YYYY-MM, e.g. 2024-08")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_quarter(text: str) -> tuple[dt.date, dt.date]:
    """'2024Q3' -> (first month, last month) of that calendar quarter."""
    match = QUARTER_RE.match(text.strip().upper()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"'{text}' is not a quarter: write it as YYYYQn, e.g. 2024Q3")
    year, q = int(match.group(1)), int(match.group(2))
    return dt.date(year, 3 * q - 2, 1), dt.date(year, 3 * q, 1)


def quarter_of(month: dt.date) -> str:
    return f"{month.year}Q{(month.month - 1) // 3 + 1}"


def month_label(month: dt.date) -> str:
    return month.strftime("%B %Y")


def format_value(value: float | None, unit: str) -> str:
    """A figure with its unit, to the precision a reader needs."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if unit == "%":
        return f"{value:.1f}%"
    if unit in ("days",):
        return f"{value:.0f} days" if value != 1 else "1 day"
    if unit in ("offenders per FTE", "FTE"):
        return f"{value:.1f}"
    return f"{value:,.0f}"
