"""The quarterly review: quarter figures against the previous quarter and last year, and the
exceptions ranked by severity, on a small hand-made dataset whose answers were worked out by hand.

The dataset (force West Yorkshire; Calderdale, Kirklees, Leeds), Q3 2024 under review:

=========================  ==========  ====  ====  =======  ======  ============================
metric                     area        Q3    Q2    Q3 2023  target  September 2024 SPC
=========================  ==========  ====  ====  =======  ======  ============================
caseload (lower better)    Kirklees    96.2  91.0  88.0     50      concern, inconsistent
                           Calderdale  60.0  62.0  58.0     50      common cause, fail
                           Leeds       55.0  54.0  55.0     50      common cause (July: concern)
                           force       70.0  70.0  70.0     50      improvement, inconsistent
high-risk attended         Kirklees    94.0  96.0  96.0     95      concern, inconsistent
(higher is better)         Calderdale  97.0  97.0  97.0     95      common cause
                           Leeds       96.0  99.0  99.0     95      concern (falling)
repeat missing             Leeds       21    15    12       none    concern
(no target)                Kirklees    10    10    10       none    common cause
=========================  ==========  ====  ====  =======  ======  ============================

Tiers and sizes by hand: Kirklees caseload tier 1 (46.2 / 50 = 0.924); Kirklees high-risk tier 1
(1 / 95 = 0.0105); Calderdale caseload tier 2 (10 / 50 = 0.2); Leeds repeat tier 3 (worse by
6 / 15 = 0.4); Leeds high-risk tier 3 (worse by 3 / 99 = 0.0303); force caseload tier 4
(20 / 50 = 0.4); Leeds caseload tier 4 (5 / 50 = 0.1). Calderdale high-risk, Kirklees repeat:
not exceptions.
"""

from __future__ import annotations

import datetime as dt

import handmade
import pandas as pd
import pytest

from safeguarding import review, store
from safeguarding.quarters import Period

CASELOAD = "rso_caseload_per_officer"
ATTENDED = "misper_high_risk_attended_60m"
REPEAT = "misper_repeat_children"
FORCE = "West Yorkshire"

Q3 = [dt.date(2024, m, 1) for m in (7, 8, 9)]
Q2 = [dt.date(2024, m, 1) for m in (4, 5, 6)]
Q3_2023 = [dt.date(2023, m, 1) for m in (7, 8, 9)]
SEPTEMBER = dt.date(2024, 9, 1)

# (metric, area): (Q3 monthly values, Q2 monthly values, Q3 2023 monthly values)
VALUES = {
    (CASELOAD, "Kirklees"): ([95.0, 96.0, 97.6], [90.0, 91.0, 92.0], [88.0, 88.0, 88.0]),
    (CASELOAD, "Calderdale"): ([60.0] * 3, [62.0] * 3, [58.0] * 3),
    (CASELOAD, "Leeds"): ([55.0] * 3, [54.0] * 3, [55.0] * 3),
    (CASELOAD, FORCE): ([70.0] * 3, [70.0] * 3, [70.0] * 3),
    (ATTENDED, "Kirklees"): ([93.0, 94.0, 95.0], [96.0] * 3, [96.0] * 3),
    (ATTENDED, "Calderdale"): ([97.0] * 3, [97.0] * 3, [97.0] * 3),
    (ATTENDED, "Leeds"): ([96.0] * 3, [99.0] * 3, [99.0] * 3),
    (REPEAT, "Leeds"): ([20.0, 20.0, 23.0], [15.0] * 3, [12.0] * 3),
    (REPEAT, "Kirklees"): ([10.0] * 3, [10.0] * 3, [10.0] * 3),
}
# (metric, area, month): (variation, assurance); every other month is common cause.
SIGNALS = {
    (CASELOAD, "Kirklees", SEPTEMBER): ("concern_high", "inconsistent"),
    (CASELOAD, "Calderdale", SEPTEMBER): ("common_cause", "fail"),
    (CASELOAD, "Leeds", dt.date(2024, 7, 1)): ("concern_high", "fail"),
    (CASELOAD, "Leeds", SEPTEMBER): ("common_cause", "inconsistent"),
    (CASELOAD, FORCE, SEPTEMBER): ("improvement_low", "inconsistent"),
    (ATTENDED, "Kirklees", SEPTEMBER): ("concern_low", "inconsistent"),
    (ATTENDED, "Leeds", SEPTEMBER): ("concern_low", "inconsistent"),
    (REPEAT, "Leeds", SEPTEMBER): ("concern_high", None),
}
DENOMINATORS = {CASELOAD: 10.0, ATTENDED: 100.0, REPEAT: 1.0}
POINT_TYPES = {
    "concern_high": "special_cause_concern",
    "concern_low": "special_cause_concern",
    "improvement_low": "special_cause_improvement",
    "common_cause": "common_cause",
}


def build_hand_made(path: str) -> None:
    """Write the dataset above into a fresh database at ``path``."""
    with store.writer(path, fresh=True) as con:
        for district in ("Calderdale", "Kirklees", "Leeds"):
            con.execute("insert into districts values ($d, $f)", {"d": district, "f": FORCE})
        store.set_meta(con, as_at="2024-09-30", source="test")
    handmade.add_targets(
        path,
        [(m, None, "2014-01-01", None, t, None) for m, t in ((CASELOAD, 50.0), (ATTENDED, 95.0))],
    )
    with handmade.figures_connection(path) as con:
        for (metric_id, area), periods in VALUES.items():
            for months, values in zip((Q3, Q2, Q3_2023), periods, strict=True):
                for month, value in zip(months, values, strict=True):
                    denominator = DENOMINATORS[metric_id]
                    con.execute(
                        "insert into metric_values values ($m, $d, $month, $n, $den, $v)",
                        {
                            "m": metric_id,
                            "d": area,
                            "month": month,
                            "n": value * denominator / (100 if metric_id == ATTENDED else 1),
                            "den": denominator,
                            "v": value,
                        },
                    )
                    variation, assurance = SIGNALS.get(
                        (metric_id, area, month), ("common_cause", None)
                    )
                    con.execute(
                        """
                        insert into metric_signals
                            (metric_id, district, month, value, mean, lpl, upl, period,
                             provisional, cause, point_type, variation, target, assurance)
                        values ($m, $d, $month, $v, $v, $v, $v, 1, false, null, $pt, $var,
                                null, $a)
                        """,
                        {
                            "m": metric_id,
                            "d": area,
                            "month": month,
                            "v": value,
                            "pt": POINT_TYPES[variation],
                            "var": variation,
                            "a": assurance,
                        },
                    )


@pytest.fixture
def hand_made(tmp_path):
    path = tmp_path / "hand.duckdb"
    build_hand_made(str(path))
    return store.reader(path)


def row(frame: pd.DataFrame, metric_id: str, district: str) -> pd.Series:
    return frame[(frame["metric_id"] == metric_id) & (frame["district"] == district)].iloc[0]


def test_a_quarter_sits_beside_the_previous_quarter_and_the_same_quarter_last_year(hand_made):
    table = review.quarter_table(hand_made, "2024Q3")
    kirklees = row(table, CASELOAD, "Kirklees")
    assert kirklees["value"] == pytest.approx(96.2)
    assert kirklees["previous_value"] == pytest.approx(91.0)
    assert kirklees["last_year_value"] == pytest.approx(88.0)
    assert kirklees["status"] == "not_met" and kirklees["target"] == 50
    assert kirklees["change_text"] == "worsened from 91.0"
    assert kirklees["year_change_text"] == "worsened from 88.0"
    assert kirklees["value_text"] == "96.2" and kirklees["target_text"] == "50.0"
    calderdale = row(table, ATTENDED, "Calderdale")
    assert calderdale["status"] == "met" and calderdale["value_text"] == "97.0%"
    # Catalogue order, then districts, then the force row.
    caseload = table[table["metric_id"] == CASELOAD]["district"].tolist()
    assert caseload == ["Calderdale", "Kirklees", "Leeds", FORCE]
    assert table["metric_id"].drop_duplicates().tolist() == [CASELOAD, ATTENDED, REPEAT]


def test_a_quarters_spc_signal_is_that_of_its_last_month(hand_made):
    table = review.quarter_table(hand_made, "2024Q3")
    # Leeds had a concern in July but common cause in September.
    assert row(table, CASELOAD, "Leeds")["variation"] == "common_cause"
    assert row(table, CASELOAD, "Kirklees")["variation"] == "concern_high"


def test_exceptions_are_ranked_by_tier_then_by_the_size_of_the_shortfall(hand_made):
    table = review.quarter_table(hand_made, "2024Q3")
    ranked = review.exceptions(table, "2024Q3")
    got = list(zip(ranked["metric_id"], ranked["district"], ranked["tier"], strict=True))
    assert got == [
        (CASELOAD, "Kirklees", 1),
        (ATTENDED, "Kirklees", 1),
        (CASELOAD, "Calderdale", 2),
        (REPEAT, "Leeds", 3),
        (ATTENDED, "Leeds", 3),
        (CASELOAD, FORCE, 4),
        (CASELOAD, "Leeds", 4),
    ]
    assert ranked["shortfall"].round(4).tolist() == [0.924, 0.0105, 0.2, 0.4, 0.0303, 0.4, 0.1]


def test_a_small_miss_with_a_special_cause_of_concern_outranks_a_bigger_common_cause_miss(
    hand_made,
):
    ranked = review.exceptions(review.quarter_table(hand_made, "2024Q3"), "2024Q3")
    order = list(zip(ranked["metric_id"], ranked["district"], strict=True))
    # Kirklees high-risk: 1 point short, with a concern; the force caseload: 20 over, common cause.
    assert order.index((ATTENDED, "Kirklees")) < order.index((CASELOAD, FORCE))


def test_met_targets_with_common_cause_variation_are_not_exceptions(hand_made):
    ranked = review.exceptions(review.quarter_table(hand_made, "2024Q3"), "2024Q3")
    pairs = set(zip(ranked["metric_id"], ranked["district"], strict=True))
    assert (ATTENDED, "Calderdale") not in pairs
    assert (REPEAT, "Kirklees") not in pairs


def test_each_exception_is_a_plain_english_sentence_with_its_figures(hand_made):
    ranked = review.exceptions(review.quarter_table(hand_made, "2024Q3"), "2024Q3")
    sentences = ranked["sentence"].tolist()
    assert sentences[0] == (
        "Kirklees: sex offenders per offender manager 96.2 in Q3 2024 against a target of 50.0 "
        "(not met); a special cause of concern, worse than Q2 2024 (91.0); Q3 2023: 88.0."
    )
    assert sentences[2] == (
        "Calderdale: sex offenders per offender manager 60.0 in Q3 2024 against a target of 50.0 "
        "(not met); common-cause variation, so at this level the target will not be met "
        "without change; better than Q2 2024 (62.0); Q3 2023: 58.0."
    )
    assert sentences[3] == (
        "Leeds: children missing 3 or more times in 90 days 21 in Q3 2024 (no target), but a "
        "special cause of concern, worse than Q2 2024 (15); Q3 2023: 12."
    )
    assert ranked["tier_label"].iloc[0] == "Target missed, with a special cause of concern"


def test_a_withheld_figure_goes_last_in_its_tier_and_is_not_compared(hand_made):
    table = review.quarter_table(hand_made, "2024Q3")
    table["value_withheld"] = [
        m == CASELOAD and d == "Kirklees"
        for m, d in zip(table["metric_id"], table["district"], strict=True)
    ]
    table["previous_withheld"] = False
    table.loc[table["value_withheld"], "value_text"] = "<5"
    ranked = review.exceptions(table, "2024Q3")
    tier_one = ranked[ranked["tier"] == 1]
    assert tier_one["district"].tolist() == ["Kirklees", "Kirklees"]
    assert tier_one["metric_id"].tolist() == [ATTENDED, CASELOAD]
    withheld = tier_one["sentence"].iloc[1]
    assert "<5 in Q3 2024" in withheld and "Q2 2024: 91.0" in withheld
    assert "worse than" not in withheld


@pytest.mark.parametrize(
    "status, variation, assurance, expected",
    [
        ("not_met", "concern_high", "inconsistent", 1),
        ("not_met", "concern_low", "fail", 1),
        ("not_met", "common_cause", "fail", 2),
        ("not_met", "improvement_high", "fail", 2),
        ("met", "concern_high", "pass", 3),
        ("no_target", "concern_low", None, 3),
        ("not_met", "common_cause", "inconsistent", 4),
        ("not_met", None, None, 4),
        ("met", "common_cause", "pass", None),
        ("no_target", "neutral_high", None, None),
        ("no_data", None, None, None),
    ],
)
def test_tiers(status, variation, assurance, expected):
    assert review.tier(status, variation, assurance) == expected


def test_a_quarter_with_no_figures_gives_an_empty_table_and_no_exceptions(hand_made):
    table = review.quarter_table(hand_made, "2019Q1")
    assert table.empty
    assert review.exceptions(table, "2019Q1").empty


def test_a_month_is_not_a_quarter():
    with pytest.raises(ValueError, match="is a month"):
        review.as_quarter(Period.month(SEPTEMBER))
    with pytest.raises(ValueError, match="not a quarter"):
        review.as_quarter("2024-09")


def test_quarter_labels_and_the_same_quarter_a_year_earlier():
    q3 = Period.quarter("2024Q3")
    assert q3.short_label == "Q3 2024"
    assert q3.year_earlier() == Period.quarter("2023Q3")
    assert q3.previous_quarter().short_label == "Q2 2024"
    assert Period.quarter("2024Q1").previous_quarter().code == "2023Q4"


def test_the_review_of_the_demo_data_finds_the_calderdale_caseload_rise(demo_db):
    """End to end on the calibrated demo (docs/demo-data.md): in Q3 2024 Calderdale's caseload per
    offender manager rises above its target of 50 with a special cause of concern, while the
    other districts meet it, so it is a tier 1 exception and the review says so in words."""
    table = review.quarter_table(demo_db, "2024Q3")
    assert set(table["district"]) == {
        "Bradford",
        "Calderdale",
        "Kirklees",
        "Leeds",
        "Wakefield",
        FORCE,
    }
    caseload = table[table["metric_id"] == CASELOAD].set_index("district")
    calderdale = caseload.loc["Calderdale"]
    assert calderdale["value"] > calderdale["previous_value"] > calderdale["last_year_value"]
    assert calderdale["status"] == "not_met" and calderdale["variation"] == "concern_high"
    assert (caseload.drop(index="Calderdale")["status"] == "met").all()

    ranked = review.exceptions(table, "2024Q3")
    assert ranked["tier"].is_monotonic_increasing
    assert ranked["sentence"].str.endswith(".").all()
    caseload_exceptions = ranked[ranked["metric_id"] == CASELOAD]
    first = caseload_exceptions.iloc[0]
    assert (first["district"], first["tier"]) == ("Calderdale", 1)
    assert first["sentence"].startswith(
        "Calderdale: sex offenders per offender manager 60.3 in Q3 2024 against a target of 50.0 "
        "(not met); a special cause of concern, worse than Q2 2024 (56.3)"
    )
    assert "Calderdale" not in set(caseload_exceptions["district"].iloc[1:])
