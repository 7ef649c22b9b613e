"""What a metric's kind decides: how its figure is written, pooled over a quarter, withheld for
small numbers, compared on a funnel, bounded on a chart and explained in words.

Every one of those decisions reads a metric's ``kind`` (queries/metrics.toml), here and nowhere
else; the ``unit`` is only the label written beside a figure. Functions take a ``Measure``: any
object with ``kind`` and ``unit`` (a ``registry.Metric`` is one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Measure(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def unit(self) -> str: ...


@dataclass(frozen=True)
class Measured:
    """A kind and a unit without a registry entry (tests, hand-made charts)."""

    kind: str
    unit: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    # Decimal places a figure is shown to; see formatting.shown_value for the one exception.
    decimals: int
    # How the unit is written after the number: "%" joins it, "words" writes "30.4 days",
    # "none" leaves it to the heading (offenders per FTE, FTE, a count of children).
    suffix: str
    # A quarter's figure: None for the average of its months, else the scale of the pooled
    # total numerator over total denominator (100 for a percentage).
    pool_scale: float | None
    # Small-number suppression: the columns that count people or records, and the columns
    # worked out from them (withheld with them).
    counts: tuple[str, ...]
    derived: dict[str, tuple[str, ...]]
    # The funnel comparison (safeguarding.funnel): "proportion", "rate" or "none".
    funnel: str
    # What can be drawn: limits outside (low, high) are truncated on charts only.
    low: float | None
    high: float | None
    # Words for the numerator and denominator, for tables, captions and axis titles.
    numerator_words: str
    denominator_words: str
    # The force's figure is the sum of its districts' (a count, FTE in post), so it is not
    # drawn on the same axis as theirs.
    force_is_total: bool = False


KINDS: dict[str, Kind] = {
    "proportion": Kind(
        "proportion",
        decimals=1,
        suffix="%",
        pool_scale=100.0,
        counts=("numerator", "denominator"),
        derived={"value": ("numerator", "denominator")},
        funnel="proportion",
        low=0.0,
        high=100.0,
        numerator_words="Counted (numerator)",
        denominator_words="Out of (denominator)",
    ),
    "ratio": Kind(
        "ratio",
        decimals=1,
        suffix="none",
        pool_scale=1.0,
        counts=("numerator",),
        derived={"value": ("numerator",)},
        funnel="rate",
        low=0.0,
        high=None,
        numerator_words="Counted (numerator)",
        denominator_words="Per (denominator)",
    ),
    "count": Kind(
        "count",
        decimals=0,
        suffix="none",
        pool_scale=None,
        counts=("numerator", "value"),
        derived={},
        funnel="none",
        low=0.0,
        high=None,
        numerator_words="Count",
        denominator_words="",
        force_is_total=True,
    ),
    "median": Kind(
        "median",
        decimals=0,
        suffix="words",
        pool_scale=None,
        counts=("denominator",),
        derived={"numerator": ("denominator",), "value": ("denominator",)},
        funnel="none",
        low=0.0,
        high=None,
        numerator_words="",
        denominator_words="Cases (the median is of these)",
    ),
    "level": Kind(
        "level",
        decimals=1,
        suffix="none",
        pool_scale=None,
        # Staff posts, not people at risk: nothing to withhold.
        counts=(),
        derived={},
        funnel="none",
        low=0.0,
        high=None,
        numerator_words="In post",
        denominator_words="Held against (e.g. funded)",
        force_is_total=True,
    ),
}


def of(measure: Measure) -> Kind:
    try:
        return KINDS[measure.kind]
    except KeyError:
        raise ValueError(f"Unknown kind '{measure.kind}'; kinds are {', '.join(KINDS)}") from None


def axis_title(measure: Measure) -> str:
    """A value axis title in plain English, with the unit as its label."""
    kind = of(measure)
    if kind.name == "proportion":
        return "Percentage (%)"
    if kind.name == "median":
        return f"Median ({measure.unit})" if measure.unit else "Median"
    if kind.name == "count":
        return f"Number of {measure.unit}" if measure.unit else "Number"
    return measure.unit[:1].upper() + measure.unit[1:] if measure.unit else "Figure"


def funnel_axis_title(measure: Measure) -> str:
    """The funnel's x axis: what each figure is out of, or per."""
    kind = of(measure)
    if kind.name == "ratio":
        per = measure.unit.split(" per ", 1)[1] if " per " in measure.unit else "denominator"
        return f"Size of the denominator ({per})"
    return "Number of cases (denominator)"


def quarter_rule() -> str:
    """One sentence for every page and pack that shows a quarter."""
    return (
        "A quarter's percentage or ratio is its months pooled (total numerator over total "
        "denominator); a count, a median or a level (such as FTE in post) is the average of "
        "its three monthly figures"
    )


def record_caption(measure: Measure, records: int, counted: int) -> str:
    """What the records behind a figure are, in words that fit what the figure is made of."""
    kind = of(measure)
    if kind.name == "proportion":
        return (
            f"{records:,} records make the figure's denominator; {counted:,} of them are counted."
        )
    if kind.name == "median":
        return f"{records:,} records; the figure is the median of their values."
    if kind.name == "ratio":
        return (
            f"{records:,} records; {counted:,} counted in the figure's numerator (the "
            "denominator is not a count of these records)."
        )
    return f"{records:,} records; {counted:,} counted in the figure."


def drawable(values, measure: Measure):
    """Limits as drawn: truncated at what the figure can be (a count is never below zero, a
    percentage never above 100). The SPC rules use the computed limits; only drawing changes."""
    kind = of(measure)
    return values.clip(lower=kind.low, upper=kind.high)
