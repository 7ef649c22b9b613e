"""Statistical process control: XmR charts in the NHS "Making Data Count" style.

The behaviour follows the published definition of the R package NHSRplotthedots (its testthat
files, snapshots and vignette), written here independently in Python:

* Limits, per period (a period ends at each recorded rebase): mean +/- 2.66 x the mean moving
  range. Moving ranges above 3.267 x the mean moving range are screened out and the mean moving
  range recomputed before the limits are set (``screen_outliers``, on by default).
* Special-cause rules, applied within a period, in this precedence:
  1. a point beyond a process limit;
  2. a run of 7 points all rising or all falling (6 successive changes of the same sign; a tie
     breaks the run); every point of the run is marked;
  3. 2 of 3 points in a row beyond two thirds of the way to a limit ("2 sigma") with all three on
     the same side of the mean; the points beyond 2 sigma are marked (and not points already beyond
     a limit, which rule 1 marks);
  4. a run of 7 points on one side of the mean (a point on the mean breaks it); every point of the
     run is marked.
  The first rule that marks a point decides whether the signal is high or low (beyond the upper
  limit, rising, above the mean); the metric's direction of improvement then makes it improvement
  or concern, or neutral for metrics with no preferred direction.
* Assurance, from the latest point's limits: for improvement upward a target above the upper limit
  fails, below the lower limit passes, in between is inconsistent; mirrored for improvement
  downward; none for a neutral metric or no target.

One deliberate difference: the reference keeps a moving range only if it is strictly below the
screening threshold, which screens out every moving range of a constant series (all zero) and
leaves it with no limits. Here only moving ranges *above* the threshold are screened, as the
method is usually stated, so a constant series gets limits equal to its mean. The two agree
everywhere else.

Missing values (a month with no denominator) are skipped: the limits and rules run over the
points that have values, and the missing months get no point type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from safeguarding import kinds
from safeguarding.formatting import format_value

# What a hand-made series is, when no metric says: a plain count.
COUNT = kinds.Measured("count")

LIMIT = 2.66
"""Process limits are the mean +/- LIMIT x the mean moving range (3 sigma: 3 / d2, d2 = 1.128)."""
NEAR_LIMIT = 2 * LIMIT / 3
"""Two thirds of the way to a limit: the "2 sigma" line of the 2-in-3 rule."""
SCREEN = 3.267
"""Moving ranges above SCREEN x the mean moving range are screened out (the D4 constant)."""
RUN = 7
"""Points in a run (rules 2 and 4)."""
MIN_POINTS = 12
"""A period with fewer points than this has provisional limits."""

IMPROVEMENTS = ("increase", "decrease", "neutral")
POINT_TYPES = (
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral",
    "common_cause",
)
VARIATIONS = (
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
    "common_cause",
)
ASSURANCES = ("pass", "fail", "inconsistent")

# Which rule marked a point, and which way it points; "common_cause" if none.
CAUSES = (
    "above_upper_limit",
    "below_lower_limit",
    "trend_rising",
    "trend_falling",
    "two_in_three_high",
    "two_in_three_low",
    "run_above_mean",
    "run_below_mean",
    "common_cause",
)


def _runs(mask: np.ndarray, length: int) -> list[tuple[int, int]]:
    """(start, end) inclusive of every maximal run of True at least ``length`` long."""
    if len(mask) == 0:
        return []
    padded = np.concatenate(([0], mask.astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(padded))
    starts, ends = edges[0::2], edges[1::2] - 1
    keep = ends - starts + 1 >= length
    return list(zip(starts[keep].tolist(), ends[keep].tolist(), strict=True))


def _mark_runs(mask: np.ndarray, length: int) -> np.ndarray:
    out = np.zeros(len(mask), dtype=bool)
    for start, end in _runs(mask, length):
        out[start : end + 1] = True
    return out


def _period_limits(y: np.ndarray, screen_outliers: bool) -> tuple[float, float]:
    """(mean, mean moving range) of one period's values (no missing values)."""
    mean = float(y.mean())
    if len(y) < 2:
        return mean, float("nan")
    mr = np.abs(np.diff(y))
    amr = float(mr.mean())
    if screen_outliers:
        kept = mr[~(mr > SCREEN * amr)]
        amr = float(kept.mean()) if len(kept) else float("nan")
    return mean, amr


def special_causes(values, mean: float, amr: float) -> np.ndarray:
    """The special cause (one of CAUSES) of each point of one period, by rule precedence.

    ``values`` are one period's values in time order (no missing values), ``mean`` and ``amr``
    (mean moving range) that period's centre and spread.
    """
    y = np.asarray(values, dtype=float)
    lpl, upl = mean - LIMIT * amr, mean + LIMIT * amr
    nlpl, nupl = mean - NEAR_LIMIT * amr, mean + NEAR_LIMIT * amr
    n = len(y)
    side = np.sign(y - mean)
    with np.errstate(invalid="ignore"):
        outside = (y > upl) | (y < lpl)
        near = ~outside & ((y < nlpl) | (y > nupl))

    # Rule 2: 7 points rising or falling, i.e. 6 successive changes of one sign.
    steps = np.sign(np.diff(y))
    in_trend = np.zeros(n, dtype=bool)
    for sign in (1, -1):
        for start, end in _runs(steps == sign, RUN - 1):
            in_trend[start : end + 2] = True
    # A point's trend direction: the change to the next point if that point is in the trend too,
    # else the change from the previous point.
    left = np.concatenate(([0.0], steps))
    right = np.concatenate((steps, steps[-1:])) if n > 1 else np.zeros(n)
    next_in_trend = np.concatenate((in_trend[1:], [False]))
    trend_dir = np.where(in_trend & next_in_trend, right, left)

    # Rule 3: 2 of 3 beyond 2 sigma, all three on one side of the mean.
    pad_near = np.concatenate(([0, 0], near.astype(int), [0, 0]))
    pad_side = np.concatenate(([0, 0], side, [0, 0]))
    window_near = np.convolve(pad_near, np.ones(3, dtype=int), mode="valid")
    window_side = np.convolve(pad_side, np.ones(3), mode="valid")
    window_ok = (window_near >= 2) & (np.abs(window_side) == 3)
    # Point i sits in the windows starting at padded positions i, i + 1 and i + 2.
    in_window = window_ok[0:n] | window_ok[1 : n + 1] | window_ok[2 : n + 2]
    two_in_three = in_window & near

    # Rule 4: 7 points on one side of the mean.
    shift = _mark_runs(side == 1, RUN) | _mark_runs(side == -1, RUN)

    above = side > 0
    return np.select(
        [outside, in_trend, two_in_three, shift],
        [
            np.where(side == 1, "above_upper_limit", "below_lower_limit"),
            np.where(trend_dir == 1, "trend_rising", "trend_falling"),
            np.where(above, "two_in_three_high", "two_in_three_low"),
            np.where(above, "run_above_mean", "run_below_mean"),
        ],
        default="common_cause",
    ).astype(object)


def _high_low(cause: np.ndarray) -> np.ndarray:
    """+1 for a high signal (beyond the upper limit, rising, above), -1 for low, 0 for none."""
    high = np.isin(
        cause, ("above_upper_limit", "trend_rising", "two_in_three_high", "run_above_mean")
    )
    low = np.isin(
        cause, ("below_lower_limit", "trend_falling", "two_in_three_low", "run_below_mean")
    )
    return np.where(high, 1, np.where(low, -1, 0))


def _check_improvement(improvement: str) -> None:
    if improvement not in IMPROVEMENTS:
        raise ValueError(
            f"improvement must be one of {', '.join(IMPROVEMENTS)}, not {improvement!r}"
        )


def point_types(cause: Sequence[str] | np.ndarray, improvement: str) -> np.ndarray:
    """The Making Data Count point type for each special cause, given the direction."""
    _check_improvement(improvement)
    cause = np.asarray(cause, dtype=object)
    direction = _high_low(cause)
    if improvement == "neutral":
        special = np.full(len(cause), "special_cause_neutral", dtype=object)
    else:
        good = direction * (1 if improvement == "increase" else -1) > 0
        special = np.where(good, "special_cause_improvement", "special_cause_concern")
    out = np.where(direction == 0, "common_cause", special).astype(object)
    out[pd.isna(cause)] = None
    return out


def variations(cause: Sequence[str] | np.ndarray, improvement: str) -> np.ndarray:
    """The variation icon (one of VARIATIONS) for each point's special cause."""
    cause = np.asarray(cause, dtype=object)
    types = point_types(cause, improvement)
    high = _high_low(cause) > 0
    out = np.select(
        [
            types == "common_cause",
            (types == "special_cause_improvement") & high,
            types == "special_cause_improvement",
            (types == "special_cause_concern") & high,
            types == "special_cause_concern",
            (types == "special_cause_neutral") & high,
            types == "special_cause_neutral",
        ],
        list(VARIATIONS[-1:]) + list(VARIATIONS[:-1]),
        default="",
    ).astype(object)
    out[out == ""] = None
    return out


def assurances(
    lpl: np.ndarray, upl: np.ndarray, target: np.ndarray, improvement: str
) -> np.ndarray:
    """pass / fail / inconsistent for each point from its limits and target (None if neither)."""
    _check_improvement(improvement)
    lpl, upl, target = (np.asarray(a, dtype=float) for a in (lpl, upl, target))
    out = np.full(len(target), None, dtype=object)
    if improvement == "neutral":
        return out
    known = ~np.isnan(target) & ~np.isnan(lpl) & ~np.isnan(upl)
    if improvement == "increase":
        fail, ok = target > upl, target < lpl
    else:
        fail, ok = target < lpl, target > upl
    out[known] = "inconsistent"
    out[known & fail] = "fail"
    out[known & ok] = "pass"
    return out


def _rebase_positions(rebase, n: int) -> list[int]:
    if rebase is None:
        return []
    positions = sorted({int(p) for p in rebase})
    bad = [p for p in positions if p < 1 or p >= n]
    if bad:
        raise ValueError(
            f"rebase positions must be between 1 and {n - 1} (a new period starts there); got {bad}"
        )
    return positions


def xmr(
    values,
    *,
    improvement: str = "increase",
    target=None,
    screen_outliers: bool = True,
    rebase: Sequence[int] | None = None,
) -> pd.DataFrame:
    """An XmR chart of ``values`` in time order: limits, rules and point types per point.

    ``improvement`` is "increase", "decrease" or "neutral". ``target`` is one number, one per
    point, or None. ``rebase`` lists the positions (0-based) where a new period starts and the
    limits are recalculated.

    Returns one row per value with columns ``value``, ``mean``, ``lpl``, ``upl``, ``period``
    (0, 1, ... counting rebases), ``provisional`` (fewer than 12 points in the period),
    ``cause`` (which rule marked the point, see CAUSES), ``point_type`` (see POINT_TYPES),
    ``variation`` (the icon for that point) and ``target``.
    """
    _check_improvement(improvement)
    y = np.asarray(values, dtype=float).ravel()
    n = len(y)
    if target is None:
        targets = np.full(n, np.nan)
    else:
        targets = np.broadcast_to(np.asarray(target, dtype=float), (n,)).copy()
    period = np.zeros(n, dtype=int)
    for position in _rebase_positions(rebase, n):
        period[position:] += 1

    mean = np.full(n, np.nan)
    amr = np.full(n, np.nan)
    cause = np.full(n, None, dtype=object)
    provisional = np.zeros(n, dtype=bool)
    has_value = ~np.isnan(y)
    for p in np.unique(period):
        in_period = period == p
        idx = np.flatnonzero(in_period & has_value)
        provisional[in_period] = len(idx) < MIN_POINTS
        if len(idx) == 0:
            continue
        m, a = _period_limits(y[idx], screen_outliers)
        mean[in_period], amr[in_period] = m, a
        cause[idx] = special_causes(y[idx], m, a)

    lpl, upl = mean - LIMIT * amr, mean + LIMIT * amr
    result = pd.DataFrame(
        {
            "value": y,
            "mean": mean,
            "lpl": lpl,
            "upl": upl,
            "period": period,
            "provisional": provisional,
            "cause": pd.Series(cause, dtype=object),
            "point_type": pd.Series(point_types(cause, improvement), dtype=object),
            "variation": pd.Series(variations(cause, improvement), dtype=object),
            "target": targets,
        }
    )
    result.attrs["improvement"] = improvement
    result.attrs["screen_outliers"] = screen_outliers
    return result


@dataclass(frozen=True)
class Summary:
    """What an XmR chart says about its latest point."""

    variation: str | None
    assurance: str | None
    point_type: str | None
    cause: str | None
    value: float
    mean: float
    lpl: float
    upl: float
    target: float | None
    provisional: bool
    improvement: str
    points_in_period: int
    run_length: int
    """How many points in a row (to the latest) share the latest point's signal."""


def _run_length(cause: list) -> int:
    """Consecutive points up to the latest with the same special cause (1 if common cause)."""
    latest = cause[-1]
    if latest in (None, "common_cause"):
        return 1
    count = 0
    for item in reversed(cause):
        if item != latest:
            break
        count += 1
    return count


def summarise(result: pd.DataFrame, *, improvement: str | None = None) -> Summary:
    """The variation icon and assurance of the latest point with a value."""
    improvement = improvement or result.attrs.get("improvement", "increase")
    _check_improvement(improvement)
    known = result[result["value"].notna()]
    if known.empty:
        raise ValueError("No values to summarise.")
    last = known.iloc[-1]
    period = known[known["period"] == last["period"]]
    target = None if pd.isna(last["target"]) else float(last["target"])
    assurance = assurances(
        np.array([last["lpl"]]), np.array([last["upl"]]), np.array([last["target"]]), improvement
    )[0]
    return Summary(
        variation=variations(np.array([last["cause"]], dtype=object), improvement)[0],
        assurance=assurance,
        point_type=last["point_type"],
        cause=last["cause"],
        value=float(last["value"]),
        mean=float(last["mean"]),
        lpl=float(last["lpl"]),
        upl=float(last["upl"]),
        target=target,
        provisional=bool(last["provisional"]),
        improvement=improvement,
        points_in_period=len(period),
        run_length=_run_length(period["cause"].tolist()),
    )


def _signal_words(summary: Summary) -> str:
    if summary.point_type == "special_cause_improvement":
        return "a special cause of improvement"
    if summary.point_type == "special_cause_concern":
        return "a special cause of concern"
    if summary.point_type == "special_cause_neutral":
        high = summary.variation == "neutral_high"
        return f"a special cause (unusually {'high' if high else 'low'})"
    return "common cause variation, no significant change"


def _assurance_words(summary: Summary, measure: kinds.Measure) -> str:
    if summary.assurance is None:
        return ""
    target = format_value(summary.target, measure)
    if summary.assurance == "inconsistent":
        return (
            f"; the target of {target} lies between the limits, so it will be met in some "
            "months and missed in others"
        )
    where = "above the upper limit" if summary.target > summary.upl else "below the lower limit"
    outcome = (
        "so it will be met consistently"
        if summary.assurance == "pass"
        else "so it will not be met without change"
    )
    return f"; the target of {target} is {where}, {outcome}"


def _apart(value: float, limit: float, measure: kinds.Measure) -> tuple[str, str]:
    """Both figures formatted, with a decimal place more when rounding would make them equal
    (a count of 22 above a limit of 21.97 reads "22.00 above 21.97", not "22 above 22")."""
    shown = format_value(value, measure), format_value(limit, measure)
    if shown[0] != shown[1]:
        return shown
    return format_value(value, measure, decimals=2), format_value(limit, measure, decimals=2)


def alt_text(
    summary: Summary,
    *,
    title: str,
    measure: kinds.Measure = COUNT,
    district: str | None = None,
) -> str:
    """A plain-English sentence saying what the chart shows, for screen readers and packs.

    e.g. "Kirklees, caseload per officer: 7 months above the average (61.2), a special cause of
    concern; the target of 50 is below the lower limit, so it will not be met without change."
    """
    value = format_value(summary.value, measure)
    mean = format_value(summary.mean, measure)
    n = summary.run_length
    cause = summary.cause
    if cause == "above_upper_limit":
        value, upl = _apart(summary.value, summary.upl, measure)
        pattern = f"the latest month ({value}) is above the upper limit ({upl})"
    elif cause == "below_lower_limit":
        value, lpl = _apart(summary.value, summary.lpl, measure)
        pattern = f"the latest month ({value}) is below the lower limit ({lpl})"
    elif cause in ("trend_rising", "trend_falling"):
        way = "rising" if cause == "trend_rising" else "falling"
        pattern = f"{n} months in a row {way}, to {value}"
    elif cause in ("two_in_three_high", "two_in_three_low"):
        which = "upper" if cause == "two_in_three_high" else "lower"
        pattern = f"2 of the last 3 months close to the {which} limit (latest {value})"
    elif cause in ("run_above_mean", "run_below_mean"):
        way = "above" if cause == "run_above_mean" else "below"
        pattern = f"{n} months {way} the average ({mean})"
    else:
        low, high = format_value(summary.lpl, measure), format_value(summary.upl, measure)
        pattern = f"the latest month ({value}) is within the limits ({low} to {high})"
    text = f"{pattern}, {_signal_words(summary)}{_assurance_words(summary, measure)}."
    if summary.provisional:
        text += (
            f" The limits are provisional: {summary.points_in_period} months since they were last "
            f"set, fewer than {MIN_POINTS}."
        )
    subject = f"{district}, {title[:1].lower()}{title[1:]}" if district else title
    return f"{subject}: {text}"
