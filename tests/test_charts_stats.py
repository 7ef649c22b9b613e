"""SPC charts and funnel plots show what they claim: limits broken at rebases, point types by shape
as well as colour, provisional limits named, funnel curves nested round the right centre line, and
a note saying whether the limits were adjusted for overdispersion.

The SPC frames are built by hand (not from safeguarding.spc) so these tests check the drawing
only. Expected funnel flags come from scipy's binomial distribution, not from the chart code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from safeguarding import charts_stats, funnel, kinds

DISTRICTS = ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"]


# --- SPC --------------------------------------------------------------------------------------


def _spc_frame(first_period: int = 14, second_period: int = 6) -> pd.DataFrame:
    """Two periods: limits 70-90 around 80, then (after a rebase) 85-99 around 92."""
    months = pd.date_range("2023-01-01", periods=first_period + second_period, freq="MS")
    rows = []
    for i, month in enumerate(months):
        later = i >= first_period
        rows.append(
            {
                "month": month,
                "value": 92.0 + (i % 3) if later else 80.0 + (i % 5) - 2,
                "mean": 92.0 if later else 80.0,
                "lpl": 85.0 if later else 70.0,
                "upl": 99.0 if later else 90.0,
                "period": int(later),
                "provisional": later and second_period < 12,
                "point_type": "common_cause",
            }
        )
    frame = pd.DataFrame(rows)
    frame.loc[2, "point_type"] = "special_cause_concern"
    frame.loc[5, "point_type"] = "special_cause_improvement"
    if second_period > 1:
        frame.loc[first_period + 1, "point_type"] = "special_cause_neutral"
    return frame


def _spc(frame: pd.DataFrame, **kwargs):
    kwargs.setdefault("target", 95.0)
    return charts_stats.spc_figure(
        frame,
        title="Return home interviews within 72 hours: Leeds, by month",
        y_title="Percentage (%)",
        measure=kinds.Measured("proportion", "%"),
        x=pd.to_datetime(frame["month"]),
        **kwargs,
    )


def _lines(fig, line: str) -> list:
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("line") == line]


def _limit(trace, which: str) -> tuple[list, list]:
    """(x, y) of the upper ("upl") or lower ("lpl") limit in a period's limits trace: the upper
    limit, a gap, then the lower."""
    gap = list(trace.x).index(None)
    if which == "upl":
        return list(trace.x[:gap]), list(trace.y[:gap])
    return list(trace.x[gap + 1 :]), list(trace.y[gap + 1 :])


def test_no_limit_or_mean_line_spans_a_rebase():
    frame = _spc_frame()
    fig = _spc(frame)
    rebase = pd.Timestamp(frame.loc[frame["period"] == 1, "month"].min())
    for line in ("limits", "mean"):
        traces = _lines(fig, line)
        assert len(traces) == 2, line  # one per period
        for trace in traces:
            xs = pd.to_datetime(pd.Series([x for x in trace.x if x is not None]))
            assert (xs < rebase).all() or (xs >= rebase).all(), line
    # Each period's lines sit at that period's limits, upper then lower, split by one gap.
    upper = {t.meta["period"]: set(_limit(t, "upl")[1]) for t in _lines(fig, "limits")}
    lower = {t.meta["period"]: set(_limit(t, "lpl")[1]) for t in _lines(fig, "limits")}
    assert upper == {0: {90.0}, 1: {99.0}}
    assert lower == {0: {70.0}, 1: {85.0}}
    for trace in _lines(fig, "limits"):
        assert _limit(trace, "upl")[0] == _limit(trace, "lpl")[0]
        assert list(trace.y).count(None) == 1


def test_a_rebase_is_marked_between_the_periods():
    frame = _spc_frame()
    fig = _spc(frame)
    assert len(fig.layout.shapes) == 1
    at = pd.Timestamp(fig.layout.shapes[0].x0)
    last_before = frame.loc[frame["period"] == 0, "month"].max()
    first_after = frame.loc[frame["period"] == 1, "month"].min()
    assert last_before < at < first_after
    assert "Limits recalculated" in [a.text for a in fig.layout.annotations]
    # One period: no rebase line.
    one = _spc_frame(first_period=20, second_period=0)
    assert len(_spc(one).layout.shapes) == 0


def test_each_point_type_has_its_own_marker_symbol_and_name():
    fig = _spc(_spc_frame())
    points = {t.meta["point_type"]: t for t in fig.data if "point_type" in (t.meta or {})}
    assert set(points) == {
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
        "special_cause_neutral",
    }
    symbols = {kind: trace.marker.symbol for kind, trace in points.items()}
    assert len(set(symbols.values())) == 4  # not colour alone
    assert len({trace.marker.color for trace in points.values()}) == 4
    assert points["special_cause_improvement"].name == "Special cause: improvement"
    assert points["common_cause"].name == "Common cause"
    assert len(points["common_cause"].x) == 17


def test_point_hover_gives_the_value_mean_and_limits_in_words():
    fig = _spc(_spc_frame())
    concern = next(
        t for t in fig.data if (t.meta or {}).get("point_type") == "special_cause_concern"
    )
    # Row 2: March 2023, value 80 + 2 - 2 = 80.
    assert concern.hovertext[0] == (
        "March 2023: 80.0%<br>Special cause: concern<br>Mean 80.0%; process limits 70.0% to 90.0%"
    )
    neutral = next(
        t for t in fig.data if (t.meta or {}).get("point_type") == "special_cause_neutral"
    )
    assert neutral.hovertext[0].endswith("(provisional (fewer than 12 points))")


def test_the_target_is_drawn_as_a_line():
    fig = _spc(_spc_frame(), target=95.0)
    (target,) = _lines(fig, "target")
    assert set(target.y) == {95.0} and target.name == "Target"
    assert len(_lines(_spc(_spc_frame(), target=None), "target")) == 0
    # A target column wins over the number, so a change of target shows as a step.
    frame = _spc_frame().assign(target=[90.0] * 10 + [95.0] * 10)
    (stepped,) = _lines(_spc(frame, target=95.0), "target")
    assert list(stepped.y) == [90.0] * 10 + [95.0] * 10
    assert stepped.line.shape == "hv"


def test_provisional_limits_are_dashed_and_say_so():
    fig = _spc(_spc_frame(first_period=14, second_period=6))
    by_period = {t.meta["period"]: t for t in _lines(fig, "limits")}
    assert by_period[0].line.dash == "dot" and by_period[0].name == "Process limits"
    assert by_period[1].line.dash == "dash"
    assert by_period[1].name == "Process limits: provisional (fewer than 12 points)"
    notes = [a.text for a in fig.layout.annotations]
    assert "Dashed limits are provisional (fewer than 12 points)" in notes


def test_without_a_provisional_period_there_is_no_provisional_note():
    fig = _spc(_spc_frame(first_period=14, second_period=12))
    assert all(t.line.dash == "dot" for t in _lines(fig, "limits"))
    assert not any("provisional" in (a.text or "") for a in fig.layout.annotations)
    assert not any("provisional" in (t.name or "") for t in fig.data)


def test_provisional_is_worked_out_from_period_sizes_when_the_frame_lacks_it():
    frame = _spc_frame(first_period=14, second_period=6).drop(columns="provisional")
    by_period = {t.meta["period"]: t.line.dash for t in _lines(_spc(frame), "limits")}
    assert by_period == {0: "dot", 1: "dash"}


def test_an_spc_frame_without_limits_is_refused():
    with pytest.raises(ValueError, match="upl"):
        _spc(_spc_frame().drop(columns="upl"))


# --- funnel plots -----------------------------------------------------------------------------


def _districts(numerators, denominators) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"district": DISTRICTS, "numerator": numerators, "denominator": denominators}
    )
    frame["value"] = 100 * frame["numerator"] / frame["denominator"]
    return frame


def _funnel(frame, target=95.0, **kwargs):
    return charts_stats.funnel_figure(
        frame,
        title="High-risk missing children attended within 60 minutes",
        x_title="Number of cases (denominator)",
        y_title="Percentage (%)",
        target=target,
        kind=kwargs.pop("kind", "proportion"),
        **kwargs,
    )


def _curve(fig, name: str) -> np.ndarray:
    (trace,) = _lines(fig, name)
    return np.asarray(trace.y, dtype=float)


def _units(fig) -> dict[str, str]:
    """district -> flag, from the point traces."""
    out = {}
    for trace in fig.data:
        if "flag" in (trace.meta or {}):
            for name in trace.text:
                out[name] = trace.meta["flag"]
    return out


FIVE = _districts([120, 30, 70, 160, 48], [140, 40, 90, 170, 60])


def test_funnel_curves_are_nested_around_the_centre_line():
    fig = _funnel(FIVE)
    (centre,) = _lines(fig, "centre")
    assert set(centre.y) == {95.0}
    lower998, lower95 = _curve(fig, "lower_99.8"), _curve(fig, "lower_95")
    upper95, upper998 = _curve(fig, "upper_95"), _curve(fig, "upper_99.8")
    assert (lower998 <= lower95).all() and (lower95 <= 95.0).all()
    assert (upper95 >= 95.0).all() and (upper95 <= upper998).all()
    assert (upper998 <= 100.0).all()  # percentages, not fractions, and never above 100%
    assert (lower95 < upper95).any()
    # The curves run from below the smallest district to beyond the largest.
    (trace,) = _lines(fig, "upper_95")
    assert min(trace.x) <= 40 / 2 and max(trace.x) >= 170
    # Funnel: the gap narrows from the small end to the large end.
    assert upper95[-1] - lower95[-1] < upper95[0] - lower95[0]


def test_five_districts_get_unadjusted_limits_and_a_note_saying_why():
    fig = _funnel(FIVE)
    notes = [a.text for a in fig.layout.annotations]
    assert "5 districts: too few to estimate overdispersion; limits are unadjusted" in notes
    assert fig.layout.meta["adjusted"] is False
    assert not any("adjusted for overdispersion" in (t.name or "") for t in fig.data)


def test_district_flags_and_symbols_follow_the_exact_binomial_test():
    fig = _funnel(FIVE)
    units = _units(fig)
    for district, k, n in zip(DISTRICTS, FIVE["numerator"], FIVE["denominator"], strict=True):
        low = stats.binom.cdf(k, n, 0.95)
        high = stats.binom.sf(k - 1, n, 0.95)
        expected = (
            "below_99.8"
            if low < 0.001
            else "below_95"
            if low < 0.025
            else "above_99.8"
            if high < 0.001
            else "above_95"
            if high < 0.025
            else "within"
        )
        assert units[district] == expected, district
    assert units["Leeds"] == "within" and units["Calderdale"] == "below_99.8"
    symbols = {t.meta["flag"]: t.marker.symbol for t in fig.data if "flag" in (t.meta or {})}
    assert symbols["within"] == "circle"
    assert symbols["below_99.8"] == "triangle-down"
    names = {t.meta["flag"]: t.name for t in fig.data if "flag" in (t.meta or {})}
    assert names["below_99.8"] == "Below the 99.8% limit"


def test_every_district_is_labelled_on_the_plot():
    assert set(_units(_funnel(FIVE))) == set(DISTRICTS)


def test_without_a_target_the_centre_is_the_pooled_average_and_says_so():
    fig = _funnel(FIVE, target=None)
    (centre,) = _lines(fig, "centre")
    pooled = 100 * (120 + 30 + 70 + 160 + 48) / (140 + 40 + 90 + 170 + 60)  # 85.6%
    assert centre.y[0] == pytest.approx(pooled)
    assert centre.name == f"Average of the districts ({pooled:.1f}%)"
    assert fig.layout.meta["centre_is_target"] is False
    assert _funnel(FIVE).data[0].name == "Target (95.0%)"


def test_a_target_of_100_percent_puts_the_limits_round_the_average_and_says_so():
    fig = _funnel(FIVE, target=100.0)
    (centre,) = _lines(fig, "centre")
    (target,) = _lines(fig, "target")
    assert centre.y[0] == pytest.approx(100 * 428 / 500)
    assert set(target.y) == {100.0}
    assert any("allows no chance variation" in a.text for a in fig.layout.annotations)


def test_a_rate_funnel_uses_the_rate_as_given():
    # Offenders per FTE: 50 per FTE target; Leeds 700 on 10 FTE is 70 per FTE.
    frame = pd.DataFrame(
        {
            "district": DISTRICTS,
            "numerator": [520.0, 240.0, 610.0, 700.0, 380.0],
            "denominator": [10.5, 4.5, 11.0, 10.0, 8.0],
        }
    )
    frame["value"] = frame["numerator"] / frame["denominator"]
    fig = _funnel(frame, target=50.0, kind="rate")
    (centre,) = _lines(fig, "centre")
    assert set(centre.y) == {50.0}
    # Poisson(500) for Leeds: 700 is far above the 99.8% limit.
    assert stats.poisson.sf(700 - 1, 500) < 0.001
    assert _units(fig)["Leeds"] == "above_99.8"
    upper = _curve(fig, "upper_99.8")
    assert (upper > 50).all() and (upper < 80).all()


def _national(seed: int = 7, units: int = 43) -> pd.DataFrame:
    # Overdispersed on purpose: each force's true rate varies around 85% with sd 5 points.
    rng = np.random.default_rng(seed)
    n = rng.integers(100, 2000, units)
    truth = np.clip(rng.normal(0.85, 0.05, units), 0.01, 0.99)
    k = rng.binomial(n, truth)
    frame = pd.DataFrame(
        {"district": [f"Force {i}" for i in range(units)], "numerator": k, "denominator": n}
    )
    frame["value"] = 100 * frame["numerator"] / frame["denominator"]
    return frame


def test_a_national_funnel_is_adjusted_by_the_default_additive_method_and_says_so():
    frame = _national()
    fig = _funnel(frame, target=None, unit_noun="forces")
    note = fig.layout.meta["overdispersion"]
    assert note.startswith("43 forces: limits widened for overdispersion (additive random effects")
    assert note in [a.text for a in fig.layout.annotations]
    assert fig.layout.meta["adjusted"] is True
    # Wider than the unadjusted exact limits at every denominator on the curve.
    (trace,) = _lines(fig, "upper_95")
    pooled = frame["numerator"].sum() / frame["denominator"].sum()
    plain = funnel.limits(np.asarray(trace.x), pooled)["upper_95"].to_numpy() * 100
    assert (np.asarray(trace.y) >= plain - 1e-9).all()
    assert (np.asarray(trace.y) > plain + 1).any()
    assert trace.name == "95% limits (adjusted for overdispersion)"
    # With many units only those outside are labelled, so the plot stays legible.
    within = next(t for t in fig.data if (t.meta or {}).get("flag") == "within")
    assert within.text is None


def test_the_multiplicative_method_can_be_asked_for():
    fig = _funnel(_national(), target=None, unit_noun="forces", method="multiplicative")
    assert "(multiplicative, phi = " in fig.layout.meta["overdispersion"]


def test_no_district_with_cases_is_refused_with_a_clear_message():
    empty = _districts([0, 0, 0, 0, 0], [0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="No districts have a denominator above 0"):
        _funnel(empty)


def test_fractions_passed_as_percentages_are_refused():
    wrong = FIVE.assign(value=FIVE["numerator"] / FIVE["denominator"])
    with pytest.raises(ValueError, match="pass scale=1"):
        _funnel(wrong)
    fig = _funnel(wrong, target=0.95, scale=1)
    (centre,) = _lines(fig, "centre")
    assert set(centre.y) == {0.95}


def test_a_bad_kind_or_target_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        _funnel(FIVE, kind="none")
    with pytest.raises(ValueError, match="between 0 and 1"):
        _funnel(FIVE, target=150.0)
