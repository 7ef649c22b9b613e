"""How figures are written for people: one place, so pages, CLI and exports agree."""

from __future__ import annotations

import datetime as dt
import math
import re

from safeguarding import kinds

# The dates anything people write can be about (a target's, an action's): far wider than any
# data, narrow enough that each has a day after it and a four-digit year.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)

MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
QUARTER_RE = re.compile(r"^([0-9]{4})Q([1-4])$")


# A number as people write one in a form or a file: digits (ASCII), an optional sign, point and
# exponent; not Python's float() grammar (9_2, nan, inf, other scripts' digits).
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_number(text: str) -> float:
    """A number as typed (a target); ValueError saying why when it is not a plain, finite
    number."""
    value = text.strip()
    if not PLAIN_NUMBER.fullmatch(value):
        raise ValueError(f"'{value}' is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"'{value}' is too large a number")
    return number


def parse_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD (only that: not 20250401 or 2025W141); ValueError otherwise."""
    value = text.strip()
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None


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


def _number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    # "-0.0" reads as a figure below zero; a rounded zero is zero.
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def format_value(
    value: float | None, measure: kinds.Measure, *, decimals: int | None = None
) -> str:
    """A figure written for people: to its kind's precision (or ``decimals``), its unit as a
    label ("12.3%", "30 days", "56.4", "1,234"); "no data" for none."""
    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "no data"
    kind = kinds.of(measure)
    places = kind.decimals if decimals is None else decimals
    number = _number(float(value), places)
    if kind.suffix == "%":
        return f"{number}%"
    if kind.suffix == "words" and measure.unit:
        unit = measure.unit
        if number == "1" and unit.endswith("s"):
            unit = unit[:-1]
        return f"{number} {unit}"
    return number


# The one rounding rule, in words for every page, export and pack (docs/statistics.md).
ROUNDING_RULE = (
    "Status is decided on the full figure, not the rounded one. Figures are shown to one "
    "decimal place (counts and median days to whole numbers), except that a figure level with "
    "its target when rounded but on the wrong side of it is shown, with its target, to as many "
    "more places as it takes to see the difference (30.4 days against a target of 30.0 days)."
)

# Status is decided on the full figure (targets.figures and quarters.status round to 9 places
# only to absorb floating-point noise), so that is as far as showing more places can need.
STATUS_PLACES = 9


def deciding_places(
    value: float | None, target: float | None, status: str, measure: kinds.Measure
) -> int:
    """The decimal places at which a figure and its target show why the status is what it is.

    The kind's precision, unless the figure rounds to the same text as its target while the
    target is not met (a median of 30.4 days against 30 reads "30 days" beside "Not met"): then
    the fewest more places that tell them apart. Rounding never puts a figure on the wrong side
    of its target, only level with it, and level reads as met, so that is the only case.
    """
    import pandas as pd

    places = kinds.of(measure).decimals
    if status != "not_met" or value is None or target is None or pd.isna(value) or pd.isna(target):
        return places
    value, target = float(value), float(target)
    while places < STATUS_PLACES and _number(value, places) == _number(target, places):
        places += 1
    return places


def figure_and_target(
    value: float | None, target: float | None, status: str, measure: kinds.Measure
) -> tuple[str, str]:
    """(figure, target) as shown side by side, at the places that decide the status."""
    import pandas as pd

    places = deciding_places(value, target, status, measure)
    target_text = "none" if pd.isna(target) else format_value(target, measure, decimals=places)
    return format_value(value, measure, decimals=places), target_text


def count_text(value: float | None) -> str:
    """A count of records (a numerator or denominator) as a whole number: '848', not '848.0000'."""
    import pandas as pd

    if value is None or pd.isna(value):
        return ""
    number = float(value)
    return f"{number:,.0f}" if number == round(number) else f"{number:,.1f}"


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """'no actions', '1 action', '3 actions'."""
    word = noun if n == 1 else (plural_form or f"{noun}s")
    return f"{n:,} {word}" if n else f"no {word}"


def day_text(value: object) -> str:
    """A date as people write it ('26 May 2021'), '' for none; never '2021-05-26 00:00:00'."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    day = pd.Timestamp(value).date()
    return f"{day.day} {day:%B %Y}"


def code_words(code: object) -> str:
    """A stored code as words: 'very_high' -> 'very high'; '' for none."""
    import pandas as pd

    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return ""
    return str(code).replace("_", " ")
