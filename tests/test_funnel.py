"""Funnel plot limits, flags and overdispersion, checked against numbers worked out independently.

Sources for the expected numbers (none of them is this module's own output):

* exact binomial and Poisson probabilities written out by hand with math.comb / math.factorial,
  put through the interpolation published in Spiegelhalter (2005), "Funnel plots for comparing
  institutional performance", Statistics in Medicine 24:1185-1202, Appendix A.1.1;
* scipy.stats' binomial and Poisson distribution functions, for the one-sided exact tests the
  limits are equivalent to;
* FunnelPlotR's published test values for its chi-square Poisson limits
  (tests/testthat/test-poisson_limits.R: expected 15, 20, 30 around a target of 1);
* overdispersion examples whose z-scores, phi and tau^2 are worked out by hand below, from the
  formulas in Spiegelhalter (2005), "Handling over-dispersion of performance indicators",
  Quality and Safety in Health Care 14:347-351.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from safeguarding import funnel

Z95 = 1.959963984540054  # standard normal 97.5th percentile
Z998 = 3.090232306167813  # standard normal 99.9th percentile


# --- exact limits ---------------------------------------------------------------------------


def _binomial_cdf(r: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(r + 1))


def test_binomial_limits_match_a_hand_computed_interpolation():
    # Binomial(10, 1/2): F(1) = 11/1024, F(2) = 56/1024, F(7) = 968/1024, F(8) = 1013/1024.
    # 95% lower: r = 2, alpha = (56/1024 - 0.025) / (45/1024) = 30.4 / 45, limit = (2 - alpha) / 10.
    # 95% upper: r = 8, alpha = (1013/1024 - 0.975) / (45/1024) = 14.6 / 45,
    #            limit = (8 + 1 - alpha) / 10.
    # 99.8% lower: r = 1, alpha = (11/1024 - 0.001) / (10/1024) = 9.976 / 10.
    assert _binomial_cdf(2, 10, 0.5) == pytest.approx(56 / 1024)
    table = funnel.limits([10], 0.5, kind="proportion").iloc[0]
    assert table["lower_95"] == pytest.approx((2 - 30.4 / 45) / 10, abs=1e-12)
    assert table["upper_95"] == pytest.approx((9 - 14.6 / 45) / 10, abs=1e-12)
    assert table["lower_99.8"] == pytest.approx((1 - 9.976 / 10) / 10, abs=1e-12)
    assert table["upper_99.8"] == pytest.approx(1 - (1 - 9.976 / 10) / 10, abs=1e-12)


def test_poisson_limits_match_a_hand_computed_interpolation_and_stop_at_zero():
    # Poisson(1): P(k) = e^-1 / k!. F(0) = 0.368 is already above 2.5%, so the interpolated lower
    # limit (0 - alpha) would be negative: a rate cannot be, so it is 0.
    # 95% upper: F(2) = 2.5 e^-1 < 0.975 <= F(3) = (8/3) e^-1, so r = 3 and
    # alpha = (F(3) - 0.975) / P(3), limit = 3 + 1 - alpha.
    e = math.exp(-1)
    f3, p3 = 8 / 3 * e, e / 6
    table = funnel.limits([1.0], 1.0, kind="rate").iloc[0]
    assert table["lower_95"] == 0.0
    assert table["upper_95"] == pytest.approx(4 - (f3 - 0.975) / p3, abs=1e-12)


def test_limits_are_on_the_rate_itself_not_the_count():
    # 200 FTE at 50 offenders per FTE: the same count limits as Poisson(10000), divided by 200.
    one = funnel.limits([200.0], 50.0, kind="rate").iloc[0]
    same = funnel.limits([10000.0], 1.0, kind="rate").iloc[0]
    assert one["upper_95"] == pytest.approx(same["upper_95"] * 10000 / 200, rel=1e-12)
    assert 45 < one["lower_99.8"] < one["lower_95"] < 50 < one["upper_95"] < one["upper_99.8"] < 55


@pytest.mark.parametrize("n, target", [(25, 0.9), (160, 0.875), (1000, 0.05), (37, 0.5)])
def test_a_unit_is_outside_exactly_when_the_one_sided_exact_binomial_test_says_so(n, target):
    # Below the lower limit <=> P(X <= count) < tail; above the upper <=> P(X >= count) < tail,
    # computed here with scipy's binomial, not by this module.
    counts = np.arange(n + 1)
    flags = funnel.flag(counts / n, np.full(n + 1, n), target, kind="proportion")
    low = stats.binom.cdf(counts, n, target)
    high = stats.binom.sf(counts - 1, n, target)
    expected = np.select(
        [low < 0.001, low < 0.025, high < 0.001, high < 0.025],
        ["below_99.8", "below_95", "above_99.8", "above_95"],
        default="within",
    )
    assert flags.tolist() == expected.tolist()
    assert len(set(flags)) >= 3  # the comparison covers several bands, not only "within"


@pytest.mark.parametrize("denominator, target", [(12.5, 4.0), (3.0, 50.0), (0.8, 2.5)])
def test_a_rate_is_outside_exactly_when_the_one_sided_exact_poisson_test_says_so(
    denominator, target
):
    expected_count = denominator * target
    counts = np.arange(int(expected_count * 3 + 15))
    flags = funnel.flag(
        counts / denominator, np.full(len(counts), denominator), target, kind="rate"
    )
    low = stats.poisson.cdf(counts, expected_count)
    high = stats.poisson.sf(counts - 1, expected_count)
    expected = np.select(
        [low < 0.001, low < 0.025, high < 0.001, high < 0.025],
        ["below_99.8", "below_95", "above_99.8", "above_95"],
        default="within",
    )
    assert flags.tolist() == expected.tolist()


def test_exactly_the_tail_probability_lies_beyond_each_limit_once_counts_are_spread():
    # The interpolation's defining property: spread each count's probability evenly over a unit
    # interval ((r - 1, r] below, [r, r + 1) above) and exactly 2.5% lies beyond each 95% limit.
    n, target = 40, 0.3
    table = funnel.limits([n], target).iloc[0]
    pmf = stats.binom.pmf(np.arange(n + 1), n, target)
    lower_count, upper_count = table["lower_95"] * n, table["upper_95"] * n
    below = sum(p * float(np.clip(lower_count - (k - 1), 0, 1)) for k, p in enumerate(pmf))
    above = sum(p * float(np.clip((k + 1) - upper_count, 0, 1)) for k, p in enumerate(pmf))
    assert below == pytest.approx(0.025, abs=1e-12)
    assert above == pytest.approx(0.025, abs=1e-12)


def test_proportion_limits_are_mirror_images_about_one_half():
    n = [7, 10, 33, 250]
    low_target = funnel.limits(n, 0.3)
    high_target = funnel.limits(n, 0.7)
    for level in ("95", "99.8"):
        np.testing.assert_allclose(
            low_target[f"upper_{level}"], 1 - high_target[f"lower_{level}"], atol=1e-12
        )
    even = funnel.limits(n, 0.5)
    np.testing.assert_allclose(even["lower_95"] + even["upper_95"], 1.0, atol=1e-12)


@pytest.mark.parametrize(
    "kind, target, denominators",
    [
        ("proportion", 0.05, np.arange(1, 2001)),
        ("proportion", 0.875, np.arange(1, 2001)),
        ("rate", 2.0, np.geomspace(0.5, 5000, 400)),
    ],
)
def test_limits_narrow_as_the_denominator_grows_and_nest_around_the_target(
    kind, target, denominators
):
    table = funnel.limits(denominators, target, kind=kind)
    for column in ("lower_95", "lower_99.8"):
        assert (np.diff(table[column]) >= -1e-12).all(), column
    for column in ("upper_95", "upper_99.8"):
        assert (np.diff(table[column]) <= 1e-12).all(), column
    assert (table["lower_99.8"] <= table["lower_95"]).all()
    assert (table["lower_95"] <= target).all() and (target <= table["upper_95"]).all()
    assert (table["upper_95"] <= table["upper_99.8"]).all()
    # Much narrower at the large end than the small end: it is a funnel.
    first, last = table.iloc[0], table.iloc[-1]
    assert last["upper_95"] - last["lower_95"] < (first["upper_95"] - first["lower_95"]) / 10


def test_for_large_denominators_the_exact_limits_approach_the_normal_approximation():
    n, target = 1_000_000, 0.8
    s = math.sqrt(target * (1 - target) / n)
    table = funnel.limits([n], target).iloc[0]
    assert table["upper_95"] == pytest.approx(target + Z95 * s, abs=s * 0.01)
    assert table["lower_99.8"] == pytest.approx(target - Z998 * s, abs=s * 0.01)


def test_poisson_limits_are_close_to_funnelplotr_published_limits_only_for_large_counts():
    # FunnelPlotR's published Poisson limits (test-poisson_limits.R, target 1, expected 15, 20,
    # 30) come from the chi-square formula; check we read the formula right first.
    expected = np.array([15.0, 20.0, 30.0])
    published_ll95 = [0.5596924, 0.6108260, 0.6746958]
    published_ul95 = [1.649348, 1.544419, 1.427562]
    published_ul99 = [2.082907, 1.902094, 1.702771]
    np.testing.assert_allclose(
        stats.chi2.ppf(0.025, 2 * expected) / (2 * expected), published_ll95, atol=1e-7
    )
    np.testing.assert_allclose(
        stats.chi2.ppf(0.975, 2 * (expected + 1)) / (2 * expected), published_ul95, atol=1e-6
    )
    np.testing.assert_allclose(
        stats.chi2.ppf(0.999, 2 * (expected + 1)) / (2 * expected), published_ul99, atol=1e-6
    )
    # Ours test the count rather than bound a mean, so for small expected counts they differ
    # (documented in docs/statistics.md): lower by about 0.07 and 0.08 at an expected 15.
    ours = funnel.limits(expected, 1.0, kind="rate")
    assert ours["lower_95"].iloc[0] == pytest.approx(0.4907, abs=1e-4)
    assert ours["upper_95"].iloc[0] == pytest.approx(1.5722, abs=1e-4)
    # For a big expected count the two agree closely.
    big = 20_000.0
    ours = funnel.limits([big], 1.0, kind="rate").iloc[0]
    assert ours["lower_95"] == pytest.approx(stats.chi2.ppf(0.025, 2 * big) / (2 * big), rel=1e-4)
    assert ours["upper_95"] == pytest.approx(
        stats.chi2.ppf(0.975, 2 * (big + 1)) / (2 * big), rel=1e-4
    )


def test_limit_columns_follow_any_levels_asked_for():
    table = funnel.limits([50, 100], 0.6, levels=(0.8, 0.95, 0.999))
    assert list(table.columns) == [
        "denominator",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
        "lower_99.9",
        "upper_99.9",
    ]
    assert (table["lower_99.9"] < table["lower_95"]).all()
    assert (table["lower_95"] < table["lower_80"]).all()


def test_a_unit_with_no_cases_has_no_limits_and_no_flag():
    table = funnel.limits([0, 20], 0.5)
    assert table.iloc[0][["lower_95", "upper_95"]].isna().all()
    assert table.iloc[1][["lower_95", "upper_95"]].notna().all()
    assert funnel.flag([np.nan, 0.5], [0, 20], 0.5, kind="proportion").tolist() == [
        None,
        "within",
    ]


@pytest.mark.parametrize("kind, target", [("proportion", 0.0), ("proportion", 1.0), ("rate", 0.0)])
def test_a_centre_line_at_the_edge_allows_no_variation(kind, target):
    table = funnel.limits([5, 50], target, kind=kind)
    assert (table.drop(columns="denominator") == target).all().all()
    assert funnel.flag([target, target], [5, 50], target, kind=kind).tolist() == [
        "within",
        "within",
    ]


def test_flags_take_the_widest_limit_a_unit_is_beyond():
    # 100 cases at a target of 80%: limits about 71.4-88.0% (95%) and 66.3-91.9% (99.8%).
    flags = funnel.flag([0.60, 0.70, 0.80, 0.90, 0.95], [100] * 5, 0.8, kind="proportion")
    assert flags.tolist() == ["below_99.8", "below_95", "within", "above_95", "above_99.8"]
    assert funnel.flag_words("above_99.8") == "Above the 99.8% limit"
    assert funnel.flag_words("within") == "Within the limits"


def test_a_unit_exactly_on_a_limit_is_within_it():
    # The limits and the values are computed by different routes; equality must not flag.
    table = funnel.limits([20], 0.5).iloc[0]
    flags = funnel.flag([table["upper_95"], table["lower_95"]], [20, 20], 0.5, kind="proportion")
    assert flags.tolist() == ["within", "within"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: funnel.limits([10, -1], 0.5), "negative"),
        (lambda: funnel.limits([10, np.nan], 0.5), "finite"),
        (lambda: funnel.limits([10.5], 0.5), "whole number"),
        (lambda: funnel.limits([10], 87.5), "between 0 and 1"),
        (lambda: funnel.limits([10], -0.1), "between 0 and 1"),
        (lambda: funnel.limits([10], -2.0, kind="rate"), "negative"),
        (lambda: funnel.limits([10], 0.5, kind="none"), "kind must be one of"),
        (lambda: funnel.limits([10], 0.5, levels=(95,)), "between 0 and 1"),
        (lambda: funnel.flag([0.5], [10, 20], 0.5, kind="proportion"), "1 values but 2"),
        (lambda: funnel.pooled_average([1, 2], [0, 0]), "no unit has a denominator"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_percentage_hint_is_in_the_error_for_a_percentage_target():
    with pytest.raises(ValueError, match="divide it by 100"):
        funnel.limits([10], 95.0, kind="proportion")


def test_the_pooled_average_weights_units_by_their_cases():
    # 9/10 and 50/100: the pooled figure is 59/110, not the mean of 90% and 50%.
    assert funnel.pooled_average([9, 50], [10, 100]) == pytest.approx(59 / 110)
    assert funnel.pooled_average([9, 50, 3], [10, 100, 0]) == pytest.approx(59 / 110)


# --- overdispersion ---------------------------------------------------------------------------

# Ten units of 100 cases around a target of 50%: s = sqrt(0.25 / 100) = 0.05 for each, so a
# value of 0.5 + 0.05 z has z-score z.
EQUAL_Z = np.array([-3.0, -2.0, -1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 2.0, 4.0])
EQUAL_VALUES = 0.5 + 0.05 * EQUAL_Z
EQUAL_N = np.full(10, 100)

# Five units of 100 cases (s = 0.05, w = 400) and five of 400 (s = 0.025, w = 1600), z-scores
# -2, -1, 0, 1, 2 in each group.
MIXED_Z = np.array([-2.0, -1.0, 0.0, 1.0, 2.0] * 2)
MIXED_N = np.array([100] * 5 + [400] * 5)
MIXED_VALUES = 0.5 + MIXED_Z * np.sqrt(0.25 / MIXED_N)


def test_z_scores_are_distance_from_the_target_in_standard_errors():
    z = funnel.z_scores(EQUAL_VALUES, EQUAL_N, 0.5, kind="proportion")
    np.testing.assert_allclose(z, EQUAL_Z, atol=1e-9)
    # A rate: 2.4 per unit on 50 units around 2.0 is (0.4) / sqrt(2 / 50) = 2 standard errors.
    assert funnel.z_scores([2.4], [50], 2.0, kind="rate")[0] == pytest.approx(2.0)


def test_winsorising_pulls_in_one_unit_at_each_end_of_ten():
    # floor(10% of 10) = 1 at each end: -3 becomes -2 (the next lowest), 4 becomes 2.
    out = funnel.winsorised(EQUAL_Z, 0.1)
    np.testing.assert_array_equal(out, [-2, -2, -1, -1, 0, 0, 1, 1, 2, 2])
    expected = np.asarray(stats.mstats.winsorize(EQUAL_Z, limits=(0.1, 0.1)))
    np.testing.assert_array_equal(out, expected)
    # Order is kept: only values change.
    shuffled = EQUAL_Z[[9, 0, 5, 3, 8, 1, 2, 4, 6, 7]]
    np.testing.assert_array_equal(
        funnel.winsorised(shuffled, 0.1), [2, -2, 0, -1, 2, -2, -1, 0, 1, 1]
    )
    np.testing.assert_array_equal(funnel.winsorised(EQUAL_Z[:9], 0.1), EQUAL_Z[:9])


def test_phi_is_the_mean_squared_winsorised_z_score():
    # Winsorised z: -2 -2 -1 -1 0 0 1 1 2 2; sum of squares 20; phi = 20 / 10 = 2.0.
    # Without winsorising it would be 37 / 10 = 3.7: the two extreme units would inflate it.
    od = funnel.overdispersion(
        EQUAL_VALUES, EQUAL_N, 0.5, kind="proportion", method="multiplicative"
    )
    assert od.phi == pytest.approx(2.0)
    assert od.adjusted and od.units == 10
    raw = funnel.overdispersion(
        EQUAL_VALUES, EQUAL_N, 0.5, kind="proportion", method="multiplicative", winsorise=0.0
    )
    assert raw.phi == pytest.approx(3.7)


def test_multiplicative_adjustment_widens_every_limit_by_root_phi():
    od = funnel.overdispersion(
        EQUAL_VALUES, EQUAL_N, 0.5, kind="proportion", method="multiplicative"
    )
    plain = funnel.limits([100, 400], 0.5)
    wide = funnel.limits([100, 400], 0.5, adjust=od)
    np.testing.assert_allclose(
        wide["upper_95"] - 0.5, (plain["upper_95"] - 0.5) * math.sqrt(2.0), atol=1e-12
    )
    np.testing.assert_allclose(
        0.5 - wide["lower_99.8"], (0.5 - plain["lower_99.8"]) * math.sqrt(2.0), atol=1e-12
    )
    assert "multiplicative, phi = 2.00" in od.reason


def test_additive_tau_squared_matches_the_hand_computed_dersimonian_laird_estimate():
    # phi = 20 / 10 = 2.0 (winsorising changes nothing here: the ends are already tied).
    # w = 400 (x5) and 1600 (x5): sum w = 10000, sum w^2 = 13,600,000, sum w^2 / sum w = 1360.
    # tau^2 = (10 x 2.0 - 9) / (10000 - 1360) = 11 / 8640.
    od = funnel.overdispersion(MIXED_VALUES, MIXED_N, 0.5, kind="proportion", method="additive")
    assert od.phi == pytest.approx(2.0)
    assert od.tau2 == pytest.approx(11 / 8640)
    assert od.adjusted and "additive random effects" in od.reason
    # Equal weights: w = 400 each, sum w - sum w^2 / sum w = 4000 - 400 = 3600; tau^2 = 11 / 3600.
    equal = funnel.overdispersion(EQUAL_VALUES, EQUAL_N, 0.5, kind="proportion", method="additive")
    assert equal.tau2 == pytest.approx(11 / 3600)


def test_additive_limits_tend_to_target_plus_or_minus_z_root_s2_plus_tau2():
    od = funnel.overdispersion(MIXED_VALUES, MIXED_N, 0.5, kind="proportion", method="additive")
    tau2 = 11 / 8640
    n = 1_000_000
    s2 = 0.25 / n
    table = funnel.limits([n], 0.5, adjust=od).iloc[0]
    assert table["upper_95"] == pytest.approx(0.5 + Z95 * math.sqrt(s2 + tau2), rel=1e-4)
    assert table["lower_99.8"] == pytest.approx(0.5 - Z998 * math.sqrt(s2 + tau2), rel=1e-4)
    # At 100 cases the stretch is sqrt(1 + tau^2 / s^2) = sqrt(1 + (11 / 8640) / 0.0025).
    plain = funnel.limits([100], 0.5).iloc[0]
    wide = funnel.limits([100], 0.5, adjust=od).iloc[0]
    assert (wide["upper_95"] - 0.5) / (plain["upper_95"] - 0.5) == pytest.approx(
        math.sqrt(1 + (11 / 8640) / 0.0025)
    )


def test_adjusted_limits_flag_fewer_units():
    # Unadjusted, the units at z = -3 and z = 4 are outside; with tau^2 = 11 / 3600 the limits
    # at 100 cases stretch by sqrt(1 + tau^2 / 0.0025) = 1.49, leaving only z = 4 beyond 95%.
    od = funnel.overdispersion(EQUAL_VALUES, EQUAL_N, 0.5, kind="proportion", method="additive")
    plain = funnel.flag(EQUAL_VALUES, EQUAL_N, 0.5, kind="proportion")
    wide = funnel.flag(EQUAL_VALUES, EQUAL_N, 0.5, kind="proportion", adjust=od)
    assert (plain[[0, -1]]).tolist() == ["below_95", "above_99.8"]
    assert (wide[[0, -1]]).tolist() == ["within", "above_95"]
    assert (wide[1:-1] == "within").all()


def test_no_adjustment_when_units_vary_no_more_than_chance():
    # z-scores of -1, -0.5, 0, 0.5, 1 twice: phi = 0.5 < 1; I phi = 5 <= I - 1 = 9.
    z = np.array([-1.0, -0.5, 0.0, 0.5, 1.0] * 2)
    values = 0.5 + 0.05 * z
    for method in funnel.METHODS:
        od = funnel.overdispersion(values, EQUAL_N, 0.5, kind="proportion", method=method)
        assert not od.adjusted
        assert od.phi == pytest.approx(0.5)
        assert "no overdispersion" in od.reason and "unadjusted" in od.reason
        plain = funnel.limits([100], 0.5)
        same = funnel.limits([100], 0.5, adjust=od)
        assert plain.equals(same)


def test_fewer_than_ten_units_are_never_adjusted_and_the_reason_says_why():
    assert funnel.MIN_UNITS_FOR_OVERDISPERSION == 10
    od = funnel.overdispersion(
        EQUAL_VALUES[:5], EQUAL_N[:5], 0.5, kind="proportion", unit_noun="districts"
    )
    assert not od.adjusted
    assert math.isnan(od.phi)
    assert od.reason == "5 districts: too few to estimate overdispersion; limits are unadjusted"
    # Units without cases do not count towards the ten.
    values = np.append(EQUAL_VALUES[:9], np.nan)
    n = np.append(EQUAL_N[:9], 0)
    assert not funnel.overdispersion(values, n, 0.5, kind="proportion").adjusted
    # Nine very spread units: still not adjusted, however large phi would be.
    spread = 0.5 + 0.05 * np.array([-6.0, -5, -4, -3, 0, 3, 4, 5, 6])
    assert not funnel.overdispersion(spread, EQUAL_N[:9], 0.5, kind="proportion").adjusted


def test_an_overdispersion_estimate_for_another_target_is_refused():
    od = funnel.overdispersion(MIXED_VALUES, MIXED_N, 0.5, kind="proportion", method="additive")
    with pytest.raises(ValueError, match="not a proportion around 0.6"):
        funnel.limits([100], 0.6, adjust=od)
    with pytest.raises(ValueError, match="method must be one of"):
        funnel.overdispersion(MIXED_VALUES, MIXED_N, 0.5, kind="proportion", method="beta")


def test_the_default_method_for_the_national_view_is_additive():
    assert funnel.DEFAULT_METHOD == "additive"


def test_curve_denominators_cover_every_unit_in_whole_cases_for_proportions():
    grid = funnel.curve_denominators([30, 45, 160, 2000, 0], kind="proportion")
    assert grid.min() <= 15 and grid.max() >= 2000
    np.testing.assert_array_equal(grid, np.round(grid))
    assert (np.diff(grid) > 0).all()
    rates = funnel.curve_denominators([2.5, 11.2], kind="rate")
    assert rates.min() <= 1.25 and rates.max() >= 11.2
    with pytest.raises(ValueError, match="no unit has a denominator above 0"):
        funnel.curve_denominators([0, 0], kind="rate")
