"""Funnel plots: exact control limits around a target, flags, and overdispersion.

A funnel plot compares units of different size (districts, or forces nationally) on one
proportion or rate. Each unit is placed by its denominator; control limits around the centre
line narrow as the denominator grows, because a big unit's figure varies less by chance than a
small unit's. A unit outside the limits differs from the centre by more than chance alone
explains (Spiegelhalter 2005, "Funnel plots for comparing institutional performance", Statistics
in Medicine 24:1185-1202).

Exact limits (``limits``)
    The limits come from the exact sampling distribution of the count under the centre line:
    Binomial(n, target) for proportions, Poisson(n x target) for rates (a count per unit of
    denominator, e.g. offenders per FTE). Counts are whole numbers, so the quantiles jump; the
    limits use Spiegelhalter's interpolation (2005, Appendix A.1.1) to make them continuous in n,
    with the upper limit the mirror image of the lower (as in R versions of his funnel program),
    so that binomial limits are symmetric. With tail probability p (0.025 for 95%, 0.001 for
    99.8%), F the distribution function and P(r) = F(r) - F(r - 1):

        lower: r = smallest count with F(r) >= p,      alpha = (F(r) - p) / P(r),
               limit = (r - alpha) / n
        upper: r = smallest count with F(r) >= 1 - p,  alpha = (F(r) - (1 - p)) / P(r),
               limit = (r + 1 - alpha) / n

    i.e. the probability of each count is spread evenly over a unit interval, and each limit is
    where exactly p lies beyond it. A unit is then below the lower limit exactly when
    P(X <= its count) < p and above the upper limit exactly when P(X >= its count) < p: the
    one-sided exact binomial or Poisson test at level p. This is not the chi-square (gamma)
    formula FunnelPlotR uses for Poisson limits (qchisq(p, 2E) / 2E below and
    qchisq(1 - p, 2(E + 1)) / 2E above, E the expected count), which is an exact confidence
    interval for a mean of E rather than a test of the count; the two agree for large E (see
    docs/statistics.md).

Proportions here are fractions (0 to 1), not percentages: a metric in percent is divided by 100
before it comes here (``charts_stats.funnel_figure`` does that with its ``scale`` argument).

Overdispersion (``overdispersion``)
    With many units, real differences between them (case mix, recording practice) often make the
    figures vary more than the binomial or Poisson model allows, and most units then fall outside
    the limits. Spiegelhalter ("Handling over-dispersion of performance indicators", Quality and
    Safety in Health Care 2005; 14:347-351) estimates the excess from winsorised z-scores and
    widens the limits, multiplicatively (by sqrt(phi)) or with an additive random effect (tau^2,
    by the DerSimonian-Laird moment method). With fewer than MIN_UNITS_FOR_OVERDISPERSION units
    the estimate is too unstable to use, so the limits are left unadjusted and the result says so:
    West Yorkshire's five districts always get unadjusted limits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

Kind = Literal["proportion", "rate"]
KINDS: tuple[str, ...] = ("proportion", "rate")

LEVELS: tuple[float, ...] = (0.95, 0.998)
"""Two-sided coverage of the limits drawn: 95% ("2 sigma") and 99.8% ("3 sigma")."""

MIN_UNITS_FOR_OVERDISPERSION = 10
"""Fewer units than this: phi and tau^2 are not estimated and the limits are not adjusted."""

WINSORISE = 0.1
"""Fraction of z-scores pulled in at each end before estimating phi (Spiegelhalter 2005)."""

METHODS: tuple[str, ...] = ("multiplicative", "additive")
DEFAULT_METHOD = "additive"
"""The dashboard's adjustment when there are enough units (the national view): the additive
random-effects model, which Spiegelhalter (QSHC 2005) found to have the stronger conceptual
foundation and which the Healthcare Commission and FunnelPlotR adopted."""

FLAG_WITHIN = "within"

# A value this close to a limit counts as on it (not outside): values and limits are computed
# by different routes (numerator / denominator and (r - alpha) / n) and may differ in the last bit.
_TOLERANCE = 1e-12


def level_label(level: float) -> str:
    """95 for 0.95, 99.8 for 0.998: the level in percent as people write it."""
    if not 0 < level < 1:
        raise ValueError(f"a limit level is a coverage between 0 and 1, e.g. 0.95; got {level}")
    return f"{level * 100:.10g}"


def limit_columns(levels: Sequence[float] = LEVELS) -> list[str]:
    """The limit columns of ``limits`` for these levels, lower then upper for each."""
    return [f"{side}_{level_label(level)}" for level in levels for side in ("lower", "upper")]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")


def check_target(target: float, kind: str) -> float:
    """``target`` as a float, or a clear ValueError if it is off the scale of ``kind``."""
    _check_kind(kind)
    try:
        value = float(target)
    except (TypeError, ValueError):
        raise ValueError(f"target must be a number, not {target!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"target must be a finite number, not {target!r}")
    if kind == "proportion" and not 0 <= value <= 1:
        raise ValueError(
            f"a proportion's target must be between 0 and 1, not {value}: if the metric is a "
            "percentage, divide it by 100 first"
        )
    if kind == "rate" and value < 0:
        raise ValueError(f"a rate's target cannot be negative, not {value}")
    return value


def _check_denominators(denominators, kind: str) -> np.ndarray:
    n = np.asarray(denominators, dtype=float).ravel()
    if np.isnan(n).any() or np.isinf(n).any():
        raise ValueError("denominators must be finite numbers (no missing values)")
    if (n < 0).any():
        raise ValueError(f"denominators cannot be negative; got {n[n < 0].tolist()}")
    if kind == "proportion" and not np.allclose(n, np.round(n), rtol=0, atol=1e-9):
        raise ValueError(
            "a proportion's denominator is a count of cases, so it must be a whole number; "
            f"got {n[~np.isclose(n, np.round(n), rtol=0, atol=1e-9)].tolist()}"
        )
    return np.round(n) if kind == "proportion" else n


def degenerate(target: float, kind: str) -> bool:
    """Does a centre line here leave no room for chance? At 0 (or 1 for a proportion) every
    count is the same, so the limits collapse onto the line and any difference is "significant".
    """
    return target == 0 or (kind == "proportion" and target == 1)


def _distribution(kind: str, n: np.ndarray, target: float):
    if kind == "proportion":
        return stats.binom(n, target)
    return stats.poisson(n * target)


def _interpolated_count(dist, p: float, *, upper: bool) -> np.ndarray:
    """The count at which the interpolated distribution has probability ``p`` in the tail.

    ``r`` is the smallest count with F(r) >= p (lower tail) or F(r) >= 1 - p (upper tail) and
    alpha the share of P(r) that overshoots. Below, P(r) is spread over (r - 1, r] and the limit is
    r - alpha (Spiegelhalter 2005, Appendix A.1.1); above, over [r, r + 1) and the limit is
    r + 1 - alpha, the mirror image. Either way exactly ``p`` lies beyond the limit, and the
    limits of a proportion are mirror images: upper(target) = 1 - lower(1 - target).
    """
    q = 1 - p if upper else p
    r = np.asarray(dist.ppf(q), dtype=float)
    # ppf is found numerically: make sure r really is the smallest count with F(r) >= q.
    r = np.where(dist.cdf(r - 1) >= q, r - 1, r)
    r = np.where(dist.cdf(r) < q, r + 1, r)
    f, f_below = dist.cdf(r), dist.cdf(r - 1)
    alpha = np.clip((f - q) / (f - f_below), 0.0, 1.0)
    return r + 1 - alpha if upper else r - alpha


def standard_error(denominators, target: float, *, kind: Kind) -> np.ndarray:
    """The standard error of a unit's figure under the centre line (NaN for no denominator).

    sqrt(target (1 - target) / n) for a proportion, sqrt(target / n) for a rate: the s_i of
    Spiegelhalter's z-scores and of the additive overdispersion model.
    """
    target = check_target(target, kind)
    n = _check_denominators(denominators, kind)
    variance = target * (1 - target) if kind == "proportion" else target
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, np.sqrt(variance / np.where(n > 0, n, 1.0)), np.nan)


@dataclass(frozen=True, eq=False)
class Overdispersion:
    """An overdispersion estimate, and whether it is used to widen the limits.

    ``adjusted`` is False when the limits stay as they are: too few units, a centre line that
    leaves no chance variation, or no more spread than chance explains. ``reason`` says which in
    words a chart can show as it is.
    """

    method: str
    kind: Kind
    target: float
    units: int
    phi: float
    tau2: float
    adjusted: bool
    reason: str
    z: np.ndarray = field(repr=False)
    z_winsorised: np.ndarray = field(repr=False)

    def inflation(self, denominators) -> np.ndarray:
        """How much to stretch the exact limits' distance from the centre, per denominator.

        Multiplicative: sqrt(phi) everywhere. Additive: sqrt(1 + tau^2 / s^2), the ratio of the
        random-effects standard error sqrt(s^2 + tau^2) to the sampling one s, so the stretched
        limit is centre +/- z sqrt(s^2 + tau^2) wherever the normal approximation holds. 1 when
        not adjusted.
        """
        n = np.asarray(denominators, dtype=float).ravel()
        if not self.adjusted:
            return np.ones(len(n))
        if self.method == "multiplicative":
            return np.full(len(n), math.sqrt(self.phi))
        s = standard_error(n, self.target, kind=self.kind)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sqrt(1 + self.tau2 / s**2)


def limits(
    denominators,
    target: float,
    *,
    kind: Kind = "proportion",
    levels: Sequence[float] = LEVELS,
    adjust: Overdispersion | None = None,
) -> pd.DataFrame:
    """Exact funnel limits, one row per denominator, on the scale of ``target``.

    Columns: ``denominator`` then ``lower_95``, ``upper_95``, ``lower_99.8``, ``upper_99.8``
    (one pair per level, named by ``level_label``). Limits are Spiegelhalter's interpolated exact
    binomial (proportion) or Poisson (rate) quantiles divided by the denominator, kept within
    the possible range (0 to 1 for a proportion, 0 upwards for a rate). A denominator of 0 gets
    missing limits (no cases, nothing to judge). A target at 0 (or 1 for a proportion) allows no
    chance variation, so every limit equals it.

    ``adjust``: an ``Overdispersion`` estimate for the same target and kind; when it is
    ``adjusted`` each limit's distance from the target is stretched by its ``inflation``.
    """
    target = check_target(target, kind)
    n = _check_denominators(denominators, kind)
    levels = tuple(levels)
    columns = limit_columns(levels)  # checks each level
    if adjust is not None and (adjust.kind != kind or not math.isclose(adjust.target, target)):
        raise ValueError(
            f"the overdispersion estimate is for a {adjust.kind} around {adjust.target}, "
            f"not a {kind} around {target}"
        )
    out = pd.DataFrame({"denominator": n})
    positive = n > 0
    factor = adjust.inflation(n[positive]) if adjust is not None else np.ones(positive.sum())
    upper_bound = 1.0 if kind == "proportion" else np.inf
    for level, lower_col, upper_col in zip(levels, columns[0::2], columns[1::2], strict=True):
        tail = (1 - level) / 2
        lower = np.full(len(n), np.nan)
        upper = np.full(len(n), np.nan)
        if positive.any():
            if degenerate(target, kind):
                low = high = np.full(positive.sum(), target)
            else:
                dist = _distribution(kind, n[positive], target)
                low = _interpolated_count(dist, tail, upper=False) / n[positive]
                high = _interpolated_count(dist, tail, upper=True) / n[positive]
            lower[positive] = np.clip(target - (target - low) * factor, 0.0, upper_bound)
            upper[positive] = np.clip(target + (high - target) * factor, 0.0, upper_bound)
        out[lower_col] = lower
        out[upper_col] = upper
    out.attrs.update(
        kind=kind, target=target, levels=levels, adjusted=bool(adjust and adjust.adjusted)
    )
    return out


def flag(
    values,
    denominators,
    target: float,
    *,
    kind: Kind,
    levels: Sequence[float] = LEVELS,
    adjust: Overdispersion | None = None,
) -> np.ndarray:
    """Where each unit sits against the limits: 'above_99.8', 'above_95', 'within', 'below_95',
    'below_99.8' (the widest limit it is beyond; names follow ``levels``).

    ``values`` are on the scale of ``target`` (fractions for proportions). A unit on a limit is
    within it. A unit with no denominator or no value gets None: there is nothing to judge.
    """
    y = np.asarray(values, dtype=float).ravel()
    table = limits(denominators, target, kind=kind, levels=levels, adjust=adjust)
    if len(y) != len(table):
        raise ValueError(f"{len(y)} values but {len(table)} denominators")
    out = np.full(len(y), FLAG_WITHIN, dtype=object)
    # Narrowest level first, so a wider limit overwrites: each unit keeps the widest it is beyond.
    for level in sorted(levels):
        label = level_label(level)
        lower, upper = table[f"lower_{label}"].to_numpy(), table[f"upper_{label}"].to_numpy()
        with np.errstate(invalid="ignore"):
            out[y > upper + _TOLERANCE * np.maximum(1.0, np.abs(upper))] = f"above_{label}"
            out[y < lower - _TOLERANCE * np.maximum(1.0, np.abs(lower))] = f"below_{label}"
    out[np.isnan(y) | ~(table["denominator"].to_numpy() > 0)] = None
    return out


def flag_words(flag_value: str | None) -> str:
    """'above_99.8' -> 'Above the 99.8% limit', for legends and hover text."""
    if flag_value is None:
        return "No cases"
    if flag_value == FLAG_WITHIN:
        return "Within the limits"
    side, label = flag_value.split("_", 1)
    return f"{side.capitalize()} the {label}% limit"


def pooled_average(numerators, denominators) -> float:
    """Sum of numerators / sum of denominators: the centre line when there is no target.

    The pooled figure, not the mean of the units' figures, so a small unit counts for as little
    as its cases do.
    """
    num = np.asarray(numerators, dtype=float).ravel()
    den = np.asarray(denominators, dtype=float).ravel()
    keep = (den > 0) & np.isfinite(num)
    if not keep.any():
        raise ValueError("no unit has a denominator above 0, so there is no average")
    return float(num[keep].sum() / den[keep].sum())


def z_scores(values, denominators, target: float, *, kind: Kind) -> np.ndarray:
    """(value - target) / s for each unit: how many standard errors it is from the centre."""
    y = np.asarray(values, dtype=float).ravel()
    s = standard_error(denominators, target, kind=kind)
    if len(y) != len(s):
        raise ValueError(f"{len(y)} values but {len(s)} denominators")
    with np.errstate(divide="ignore", invalid="ignore"):
        return (y - float(target)) / s


def winsorised(z, fraction: float = WINSORISE) -> np.ndarray:
    """z with the lowest and highest ``fraction`` of values pulled in to the nearest kept value.

    With I values, floor(fraction x I) at each end are replaced (the usual count-based
    definition, as scipy.stats.mstats.winsorize): with 10 units and 10%, the lowest becomes the
    second lowest and the highest the second highest. Extreme units then cannot inflate phi by
    themselves, which is the point: they are the outliers the plot is meant to reveal.
    """
    z = np.asarray(z, dtype=float).ravel()
    if not 0 <= fraction < 0.5:
        raise ValueError(
            f"the winsorising fraction must be at least 0 and below 0.5; got {fraction}"
        )
    k = int(math.floor(fraction * len(z) + 1e-9))
    if k == 0 or len(z) == 0:
        return z.copy()
    ordered = np.sort(z)
    return np.clip(z, ordered[k], ordered[len(z) - 1 - k])


def overdispersion(
    values,
    denominators,
    target: float,
    *,
    kind: Kind,
    method: str = "multiplicative",
    winsorise: float = WINSORISE,
    unit_noun: str = "units",
) -> Overdispersion:
    """Spiegelhalter's overdispersion estimate from winsorised z-scores.

    Units with a denominator above 0 and a value count; I is how many. Then

    * z_i = (y_i - target) / s_i, winsorised (``winsorised``), and phi = sum(z_w^2) / I;
    * multiplicative: limits widened by sqrt(phi) when phi > 1 (never narrowed);
    * additive: tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w_i = 1 / s_i^2, or 0 when
      I phi <= I - 1; limits widened to target +/- z sqrt(s^2 + tau^2) when tau^2 > 0.

    With fewer than MIN_UNITS_FOR_OVERDISPERSION units nothing is estimated: ``adjusted`` is
    False and ``reason`` says so ("5 districts: too few ..." with ``unit_noun="districts"``).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    target = check_target(target, kind)
    y = np.asarray(values, dtype=float).ravel()
    n = _check_denominators(denominators, kind)
    if len(y) != len(n):
        raise ValueError(f"{len(y)} values but {len(n)} denominators")
    keep = (n > 0) & np.isfinite(y)
    units = int(keep.sum())
    empty = np.array([], dtype=float)

    def unadjusted(reason: str, z=empty, zw=empty, phi=math.nan, tau2=math.nan):
        return Overdispersion(method, kind, target, units, phi, tau2, False, reason, z, zw)

    if units < MIN_UNITS_FOR_OVERDISPERSION:
        return unadjusted(
            f"{units} {unit_noun}: too few to estimate overdispersion; limits are unadjusted"
        )
    if degenerate(target, kind):
        return unadjusted(
            f"{units} {unit_noun}: a centre line at {target:g} allows no chance variation, so "
            "overdispersion cannot be estimated; limits are unadjusted"
        )
    s = standard_error(n[keep], target, kind=kind)
    z = (y[keep] - target) / s
    zw = winsorised(z, winsorise)
    phi = float(np.sum(zw**2) / units)
    if method == "multiplicative":
        if phi > 1:
            reason = (
                f"{units} {unit_noun}: limits widened for overdispersion "
                f"(multiplicative, phi = {phi:.2f})"
            )
            return Overdispersion(method, kind, target, units, phi, 0.0, True, reason, z, zw)
        return unadjusted(
            f"{units} {unit_noun}: no overdispersion (phi = {phi:.2f}); limits are unadjusted",
            z,
            zw,
            phi,
            0.0,
        )
    w = 1 / s**2
    tau2 = max(0.0, float((units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum())))
    if tau2 > 0:
        reason = (
            f"{units} {unit_noun}: limits widened for overdispersion "
            f"(additive random effects, phi = {phi:.2f})"
        )
        return Overdispersion(method, kind, target, units, phi, tau2, True, reason, z, zw)
    return unadjusted(
        f"{units} {unit_noun}: no overdispersion (phi = {phi:.2f}); limits are unadjusted",
        z,
        zw,
        phi,
        0.0,
    )


def curve_denominators(denominators, *, kind: Kind, points: int = 200) -> np.ndarray:
    """Denominators at which to draw the limit curves, covering every unit with room either side.

    From half the smallest unit's denominator to 10% past the largest, evenly on a log scale
    (the curves change fastest at small denominators). Whole numbers for proportions, because
    the binomial needs a whole number of cases.
    """
    _check_kind(kind)
    n = _check_denominators(denominators, kind)
    n = n[n > 0]
    if len(n) == 0:
        raise ValueError("no unit has a denominator above 0, so there is no funnel to draw")
    low, high = n.min() / 2, n.max() * 1.1
    if kind == "proportion":
        low = max(1.0, math.floor(low))
        high = math.ceil(high)
        if high - low + 1 <= points:
            return np.arange(low, high + 1, dtype=float)
        return np.unique(np.round(np.geomspace(low, high, points)))
    return np.geomspace(low, high, points)
