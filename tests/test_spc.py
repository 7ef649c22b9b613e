"""XmR charts against the published behaviour of NHSRplotthedots.

Where a test quotes numbers, they are the reference package's published test snapshots
(tests/testthat/_snaps/ptd_spc_standard.md and ptd_spc.md in nhs-r-community/NHSRplotthedots),
computed there on R's ``set.seed(123); rnorm(20)``, whose values are written out below. Rule edge
cases follow that package's published tests of each rule (test-ptd_calculate_point_type.R,
test-ptd_spc_standard.R).
"""

from __future__ import annotations

import numpy as np
import pytest

from safeguarding import kinds, spc

# R: set.seed(123); rnorm(20)
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


# Twelve months around 51, then seven a little higher: a run above the mean, nothing else.
SHIFT_UP = [50.0, 53, 49, 52, 48, 51, 53, 49, 50, 52, 48, 51, 53, 52, 54, 52, 53, 52, 53]


def limits(result, row=0):
    return tuple(result.loc[row, ["mean", "lpl", "upl"]].astype(float))


# --- limits: the reference's published figures ---------------------------------------------


def test_limits_match_the_reference_snapshot():
    result = spc.xmr(RNORM_123)
    assert limits(result) == pytest.approx((0.1416238, -3.01138, 3.294627), abs=1e-6)
    assert (result["point_type"] == "common_cause").all()


def test_screening_an_outlying_moving_range_matches_the_reference():
    values = list(RNORM_123)
    values[14] = 10  # y[15] <- 10 in the reference's 1-based test
    screened = spc.xmr(values)
    unscreened = spc.xmr(values, screen_outliers=False)
    assert limits(screened) == pytest.approx((0.6694159, -2.383666, 3.722497), abs=1e-6)
    assert limits(unscreened) == pytest.approx((0.6694159, -4.596625, 5.935457), abs=1e-6)
    # screening narrows the limits, and the spike is beyond the screened upper limit only
    assert screened.loc[14, "point_type"] == "special_cause_improvement"
    assert unscreened.loc[14, "point_type"] == "special_cause_improvement"
    assert screened.loc[14, "cause"] == "above_upper_limit"


def test_rebase_recalculates_limits_like_separate_charts():
    # The reference's facet and rebase snapshots: the first and last ten points as groups.
    result = spc.xmr(RNORM_123, rebase=[10])
    assert result["period"].tolist() == [0] * 10 + [1] * 10
    assert limits(result, 0) == pytest.approx((0.0746, -2.60, 2.75), abs=0.005)
    assert limits(result, 10) == pytest.approx((0.209, -3.28, 3.70), abs=0.005)
    assert limits(result, 0) == pytest.approx(limits(spc.xmr(RNORM_123[:10])))
    assert limits(result, 10) == pytest.approx(limits(spc.xmr(RNORM_123[10:])))


def test_periods_with_fewer_than_twelve_points_are_provisional():
    result = spc.xmr(RNORM_123, rebase=[12])
    assert not result.loc[:11, "provisional"].any()
    assert result.loc[12:, "provisional"].all()
    assert spc.xmr(RNORM_123[:11])["provisional"].all()
    assert not spc.xmr(RNORM_123[:12])["provisional"].any()


def test_limits_are_mean_plus_minus_2_66_mean_moving_ranges():
    values = [10, 12, 11, 13, 12, 14]
    mean = np.mean(values)
    amr = np.mean(np.abs(np.diff(values)))  # 1.8, no range above 3.267 x 1.8
    result = spc.xmr(values)
    assert limits(result) == pytest.approx((mean, mean - 2.66 * amr, mean + 2.66 * amr))


def test_a_constant_series_has_limits_at_its_mean_and_no_signal():
    # The one documented difference from the reference, which leaves a constant series with no
    # limits because it screens out moving ranges equal to the threshold (all zero here).
    result = spc.xmr([100.0] * 15, improvement="increase", target=100)
    assert limits(result) == (100.0, 100.0, 100.0)
    assert (result["point_type"] == "common_cause").all()


def test_rebase_positions_must_fall_inside_the_series():
    with pytest.raises(ValueError, match="between 1 and 4"):
        spc.xmr([1, 2, 3, 4, 5], rebase=[5])
    with pytest.raises(ValueError, match="between 1 and 4"):
        spc.xmr([1, 2, 3, 4, 5], rebase=[0])


def test_unknown_improvement_direction_is_refused():
    with pytest.raises(ValueError, match="increase, decrease, neutral"):
        spc.xmr([1, 2, 3], improvement="up")


def test_missing_values_are_skipped_and_get_no_point_type():
    values = [1.0, 2.0, np.nan, 1.5, 2.5]
    result = spc.xmr(values)
    assert result.loc[2, "point_type"] is None
    assert limits(result, 0) == pytest.approx(limits(spc.xmr([1.0, 2.0, 1.5, 2.5])))


# --- the four rules, with mean 0 and mean moving range 1: limits +/-2.66, 2 sigma +/-1.773 ----


def causes(values):
    return spc.special_causes(values, 0.0, 1.0).tolist()


def test_a_point_beyond_a_limit():
    assert causes([0.5, 2.7, -0.5, -2.7, 2.66]) == [
        "common_cause",
        "above_upper_limit",
        "common_cause",
        "below_lower_limit",
        "common_cause",  # on the limit is not beyond it
    ]


def test_seven_on_one_side_marks_every_point_of_the_run():
    assert causes([0.5] * 6 + [-0.5]) == ["common_cause"] * 7
    assert causes([0.5] * 8 + [-0.5]) == ["run_above_mean"] * 8 + ["common_cause"]
    assert causes([-0.5] * 8 + [0.5]) == ["run_below_mean"] * 8 + ["common_cause"]


def test_a_point_on_the_mean_breaks_a_run():
    assert causes([0.5] * 3 + [0.0] + [0.5] * 4) == ["common_cause"] * 8


def test_seven_rising_or_falling_marks_every_point_of_the_trend():
    rising = [-0.6, -0.4, -0.2, 0.0, 0.2, 0.4, 0.6]
    assert causes(rising) == ["trend_rising"] * 7
    assert causes(rising[::-1]) == ["trend_falling"] * 7
    assert causes(rising[:6]) == ["common_cause"] * 6


def test_a_tie_breaks_a_trend():
    assert causes([-0.6, -0.4, -0.2, -0.2, 0.2, 0.4, 0.6]) == ["common_cause"] * 7


def test_a_trend_inside_a_longer_series():
    # The reference's c(2, 1:7, 3) case, scaled inside the limits.
    values = [0.2, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.3]
    assert causes([v - 0.4 for v in values]) == (
        ["common_cause"] + ["trend_rising"] * 7 + ["common_cause"]
    )


def test_two_of_three_beyond_two_sigma_on_one_side_marks_those_two():
    assert causes([0.0, 2.0, 0.5, 2.0, 0.0]) == [
        "common_cause",
        "two_in_three_high",
        "common_cause",  # inside 2 sigma: part of the three, not marked
        "two_in_three_high",
        "common_cause",
    ]
    assert causes([-2.0, -2.0, 0.5]) == ["common_cause"] * 3  # third point on the other side
    assert causes([-2.0, -2.0, -0.5]) == ["two_in_three_low", "two_in_three_low", "common_cause"]


def test_two_of_three_needs_all_three_on_one_side_of_the_mean():
    assert causes([0.5, 2.0, 0.0, 2.0, 0.5]) == ["common_cause"] * 5  # a point on the mean
    assert causes([2.0, -2.0, 2.0]) == ["common_cause"] * 3  # opposite sides


def test_two_of_three_opposite_sides_stay_common_cause_in_a_full_chart():
    # The reference's published case: symmetric data ending with 5.5 then -5.5.
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    assert spc.xmr(values)["point_type"].tolist()[-2:] == ["common_cause", "common_cause"]


def test_a_point_beyond_a_limit_does_not_count_towards_two_of_three():
    assert causes([2.0, 3.0, 0.5]) == ["common_cause", "above_upper_limit", "common_cause"]


def test_rules_take_precedence_in_order():
    # beyond a limit outranks a trend; a trend outranks a run on one side
    assert causes([0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 2.8])[-1] == "above_upper_limit"
    assert causes([0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.5]) == ["trend_rising"] * 7
    # 2-in-3 outranks a run on one side
    run = causes([0.5, 0.5, 0.5, 2.0, 2.0, 0.5, 0.5])
    assert run == ["run_above_mean"] * 3 + ["two_in_three_high"] * 2 + ["run_above_mean"] * 2


def test_rules_do_not_cross_a_rebase():
    values = [1.0, 2.0] * 6 + [1.6] * 7
    one_period = spc.xmr(values)
    assert one_period["cause"].tolist()[-8:] == ["run_above_mean"] * 8
    # Split after the 16th point: 5 points above the first period's mean, 3 on the second's.
    split = spc.xmr(values, rebase=[16])
    assert "run_above_mean" not in split["cause"].tolist()


# --- point types, icons and assurance -------------------------------------------------------


@pytest.mark.parametrize(
    ("improvement", "high", "low"),
    [
        ("increase", "special_cause_improvement", "special_cause_concern"),
        ("decrease", "special_cause_concern", "special_cause_improvement"),
        ("neutral", "special_cause_neutral", "special_cause_neutral"),
    ],
)
def test_the_direction_of_improvement_decides_improvement_or_concern(improvement, high, low):
    types = spc.point_types(
        ["above_upper_limit", "trend_falling", "run_above_mean", "common_cause"], improvement
    )
    assert types.tolist() == [high, low, high, "common_cause"]


def test_variation_icons_say_high_or_low():
    cause = ["above_upper_limit", "below_lower_limit", "trend_rising", "common_cause"]
    assert spc.variations(cause, "increase").tolist() == [
        "improvement_high",
        "concern_low",
        "improvement_high",
        "common_cause",
    ]
    assert spc.variations(cause, "decrease").tolist() == [
        "concern_high",
        "improvement_low",
        "concern_high",
        "common_cause",
    ]
    assert spc.variations(cause, "neutral").tolist() == [
        "neutral_high",
        "neutral_low",
        "neutral_high",
        "common_cause",
    ]


def test_a_trend_below_the_mean_takes_its_direction_from_the_trend():
    # Seven rising points all below the mean: the trend (rule 2) outranks the run below the mean
    # (rule 4), so for "increase" they are improvement, not concern.
    values = [-0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3]
    cause = spc.special_causes(values, 0.0, 1.0)
    assert cause.tolist() == ["trend_rising"] * 7
    assert spc.point_types(cause, "increase").tolist() == ["special_cause_improvement"] * 7


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        ("increase", 110.0, "fail"),
        ("increase", 80.0, "pass"),
        ("increase", 100.0, "inconsistent"),
        ("decrease", 110.0, "pass"),
        ("decrease", 80.0, "fail"),
        ("decrease", 100.0, "inconsistent"),
        ("neutral", 110.0, None),
    ],
)
def test_assurance_against_the_latest_limits(improvement, target, expected):
    values = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100, 101, 99]  # limits about 96 to 104
    summary = spc.summarise(spc.xmr(values, improvement=improvement, target=target))
    assert summary.lpl < 100 < summary.upl
    assert summary.assurance == expected


def test_no_target_means_no_assurance():
    summary = spc.summarise(spc.xmr(RNORM_123, improvement="increase"))
    assert summary.assurance is None


def test_the_reference_summary_with_a_target_inside_the_limits_is_inconsistent():
    # ptd_spc.md "summary with a target": target 0.5, limits -3.01 to 3.29
    summary = spc.summarise(spc.xmr(RNORM_123, improvement="increase", target=0.5))
    assert summary.assurance == "inconsistent"
    assert summary.variation == "common_cause"


def test_summary_describes_the_latest_point_and_its_run():
    summary = spc.summarise(spc.xmr(SHIFT_UP, improvement="decrease", target=40))
    assert summary.cause == "run_above_mean"
    assert summary.variation == "concern_high"
    assert summary.point_type == "special_cause_concern"
    assert summary.run_length == 7
    assert summary.assurance == "fail"
    assert not summary.provisional


def test_alt_text_reads_as_one_plain_sentence():
    summary = spc.summarise(spc.xmr(SHIFT_UP, improvement="decrease", target=40))
    text = spc.alt_text(
        summary,
        title="Caseload per officer",
        measure=kinds.Measured("ratio", "offenders per FTE"),
        district="Kirklees",
    )
    assert text == (
        f"Kirklees, caseload per officer: 7 months above the average ({summary.mean:.1f}), a "
        "special cause of concern; the target of 40.0 is below the lower limit, so it will not "
        "be met without change."
    )


def test_alt_text_says_when_limits_are_provisional_and_when_all_is_common_cause():
    summary = spc.summarise(spc.xmr([10, 12, 11, 13, 12], improvement="increase"))
    text = spc.alt_text(
        summary, title="Children detained overnight", measure=kinds.Measured("count", "children")
    )
    assert text.startswith("Children detained overnight: the latest month (12) is within the")
    assert "common cause variation, no significant change." in text
    assert text.endswith(
        "The limits are provisional: 5 months since they were last set, fewer than 12."
    )


def test_alt_text_never_shows_a_point_beyond_a_limit_equal_to_it():
    # The upper limit is 13.87, which shows as 14 like the point itself: "14 is above the upper
    # limit (14)" would read as false, so both get two decimals.
    values = [10, 11] * 6 + [14]
    summary = spc.summarise(spc.xmr(values, improvement="decrease"))
    assert summary.cause == "above_upper_limit"
    assert summary.upl == pytest.approx(13.8726, abs=1e-4)
    text = spc.alt_text(
        summary, title="Children detained overnight", measure=kinds.Measured("count", "children")
    )
    assert "the latest month (14.00) is above the upper limit (13.87)" in text
