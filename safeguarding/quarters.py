"""Periods (a month or a calendar quarter), a quarter's figures, and change between periods.

Pure functions (no Streamlit): the overview, the quarterly review, the board pack and the CLI all
compute a quarter here, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


from safeguarding import kinds
from safeguarding.formatting import format_value, month_label, parse_month, parse_quarter


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A month or a calendar quarter, by its first and last month."""

    kind: str  # "month" | "quarter"
    first: dt.date
    last: dt.date

    @classmethod
    def month(cls, month: dt.date) -> Period:
        return cls("month", month, month)

    @classmethod
    def quarter(cls, text: str) -> Period:
        first, last = parse_quarter(text)
        return cls("quarter", first, last)

    @classmethod
    def quarter_of(cls, month: dt.date) -> Period:
        first = dt.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
        return cls("quarter", first, add_months(first, 2))

    @property
    def months(self) -> list[dt.date]:
        out, m = [], self.first
        while m <= self.last:
            out.append(m)
            m = add_months(m, 1)
        return out

    @property
    def code(self) -> str:
        """The URL form: 2024-08 or 2024Q3."""
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return month_label(self.first)
        q = (self.first.month - 1) // 3 + 1
        return f"Q{q} {self.first.year} ({self.first:%B} to {self.last:%B %Y})"

    def previous_quarter(self) -> Period:
        """Three months earlier: the same month last quarter, or the quarter before."""
        return Period(self.kind, add_months(self.first, -3), add_months(self.last, -3))

    def year_earlier(self) -> Period:
        """The same month or quarter a year before."""
        return Period(self.kind, add_months(self.first, -12), add_months(self.last, -12))

    @property
    def short_label(self) -> str:
        """'Q3 2024' or 'August 2024': for sentences and table headings."""
        if self.kind == "month":
            return month_label(self.first)
        return f"Q{(self.first.month - 1) // 3 + 1} {self.first.year}"

    def query(self) -> dict[str, str]:
        return {self.kind: self.code}


def parse_period(kind: str, text: str) -> Period:
    """A Period from its URL form; ValueError with a readable message otherwise."""
    if kind == "month":
        return Period.month(parse_month(text))
    return Period.quarter(text)


def complete_quarters(months: Iterable[dt.date]) -> list[Period]:
    """Quarters all three of whose months have figures, oldest first."""
    have = set(months)
    quarters = {Period.quarter_of(m) for m in have}
    return sorted((q for q in quarters if all(m in have for m in q.months)), key=lambda q: q.first)


def status(value: float, target: float, direction: str) -> str:
    """met / not_met / no_target / no_data, as targets.figures decides it for a month."""
    import pandas as pd

    if value is None or pd.isna(value):
        return "no_data"
    if direction == "neutral" or target is None or pd.isna(target):
        return "no_target"
    value, target = round(float(value), 9), round(float(target), 9)
    if direction == "higher_is_better":
        return "met" if value >= target else "not_met"
    return "met" if value <= target else "not_met"


CHANGE_ARROWS = {"up": "↑", "down": "↓", "same": "→", "none": ""}


def change(
    current: float, previous: float, direction: str, measure: kinds.Measure
) -> tuple[str, str]:
    """(arrow key, words) for a figure against the previous quarter, judged by direction.

    Figures that look the same at the precision shown count as no change, so the words never
    contradict the numbers a reader sees.
    """
    import pandas as pd

    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return "none", "no earlier figure"
    if format_value(current, measure) == format_value(previous, measure):
        return "same", "no change"
    up = current > previous
    arrow = "up" if up else "down"
    if direction == "neutral":
        word = "higher" if up else "lower"
    elif up == (direction == "higher_is_better"):
        word = "improved"
    else:
        word = "worsened"
    return arrow, f"{word} from {format_value(previous, measure)}"


# One sentence for every page and pack that shows a quarter.
QUARTER_RULE = kinds.quarter_rule()


def period_figures(
    figures: pd.DataFrame,
    period: Period,
    directions: Mapping[str, str],
    measures: Mapping[str, kinds.Measure] | None = None,
) -> pd.DataFrame:
    """One row per metric x district for the period.

    A month's row is its figure. A quarter's value is, for a kind that pools (``measures`` gives
    each metric's kind: a proportion or a ratio), its total numerator over its total
    denominator, so a month with 300 missing reports weighs more than one with 30 and the
    quarter reconciles with its records; for counts, medians and levels, the average of its
    monthly figures. Months without a figure are left out. The
    target is the one in force in the quarter's last month.
    """
    import numpy as np
    import pandas as pd

    in_period = figures[pd.to_datetime(figures["month"]).dt.date.isin(period.months)]
    if period.kind == "month" or in_period.empty:
        return in_period.drop(columns=["month"], errors="ignore").reset_index(drop=True)
    in_period = in_period.sort_values("month")
    grouped = in_period.groupby(["metric_id", "district"], sort=False)
    out = grouped.agg(
        numerator=("numerator", "sum"),
        denominator=("denominator", "sum"),
        value=("value", "mean"),
        target=("target", "last"),
    ).reset_index()
    measures = measures or {}

    def pool_scale(metric_id: str) -> float:
        measure = measures.get(metric_id)
        scale = kinds.of(measure).pool_scale if measure is not None else None
        return np.nan if scale is None else scale

    scale = out["metric_id"].map(pool_scale)
    known = in_period[in_period["value"].notna()].groupby(["metric_id", "district"], sort=False)
    sums = known.agg(num=("numerator", "sum"), den=("denominator", "sum")).reset_index()
    out = out.merge(sums, on=["metric_id", "district"], how="left")
    pooled = scale * out["num"] / out["den"].where(out["den"] > 0)
    out["value"] = pooled.where(scale.notna(), out["value"])
    out = out.drop(columns=["num", "den"])
    out["status"] = [
        status(v, t, directions.get(m, "neutral"))
        for v, t, m in zip(out["value"], out["target"], out["metric_id"], strict=True)
    ]
    return out


def with_change(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    directions: Mapping[str, str],
    measures: Mapping[str, kinds.Measure],
) -> pd.DataFrame:
    """``current`` with previous_value, change_arrow and change_text columns."""
    import numpy as np
    import pandas as pd

    prev = previous[["metric_id", "district", "value"]].rename(columns={"value": "previous_value"})
    out = current.merge(prev, on=["metric_id", "district"], how="left")
    if out.empty:
        out["change_arrow"] = pd.Series(dtype=object)
        out["change_text"] = pd.Series(dtype=object)
        return out
    pairs = [
        change(c, p, directions.get(m, "neutral"), measures[m])
        for c, p, m in zip(out["value"], out["previous_value"], out["metric_id"], strict=True)
    ]
    out["change_arrow"] = np.array([a for a, _ in pairs], dtype=object)
    out["change_text"] = np.array([t for _, t in pairs], dtype=object)
    return out
