"""Small-number suppression: what leaves the dashboard never reveals a count of 1-4."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from safeguarding import kinds, suppression
from safeguarding.suppression import Rule

PERCENT = kinds.Measured("proportion", "%")
COUNT = kinds.Measured("count", "children")

AUG = dt.date(2024, 8, 1)
SEP = dt.date(2024, 9, 1)


def _month(month, numerators, denominators, force="West Yorkshire"):
    districts = ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"]
    rows = [
        {"district": d, "month": month, "numerator": n, "denominator": m, "value": 100 * n / m}
        for d, n, m in zip(districts, numerators, denominators, strict=True)
    ]
    n, m = sum(numerators), sum(denominators)
    rows.append(
        {"district": force, "month": month, "numerator": n, "denominator": m, "value": 100 * n / m}
    )
    return rows


def test_counts_of_one_to_four_are_shown_as_less_than_five_and_zero_is_kept():
    frame = pd.DataFrame({"district": list("ABCDEF"), "value": [0, 1, 4, 5, 12, None]})
    out = suppression.suppress(frame, ["value"])
    assert out["value"].tolist()[:5] == [0, "<5", "<5", 5, 12]
    assert pd.isna(out["value"].iloc[5])


def test_the_range_is_configurable_and_the_label_follows_it():
    rule = Rule(low=1, high=9)
    out = suppression.suppress(pd.DataFrame({"n": [3, 9, 10]}), ["n"], rule=rule)
    assert out["n"].tolist() == ["<10", "<10", 10]
    with pytest.raises(ValueError):
        Rule(low=5, high=2)


def test_one_small_district_forces_a_second_cell_so_the_force_total_cannot_reveal_it():
    frame = pd.DataFrame(_month(AUG, [3, 20, 30, 40, 9], [40, 50, 60, 70, 30]))
    out = suppression.suppress_figures(frame, PERCENT, totals=["West Yorkshire"])
    numerators = dict(zip(out["district"], out["numerator"], strict=True))
    assert numerators["Bradford"] == "<5"
    # Wakefield's 9 is the smallest other part: withheld, so 102 - 90 = 12 is split two ways.
    assert numerators["Wakefield"] == "[c]"
    assert numerators["West Yorkshire"] == 102
    assert [numerators[d] for d in ("Calderdale", "Kirklees", "Leeds")] == [20, 30, 40]


def test_a_percentage_built_on_a_withheld_count_is_withheld_too():
    frame = pd.DataFrame(_month(AUG, [3, 20, 30, 40, 9], [40, 50, 60, 70, 30]))
    out = suppression.suppress_figures(frame, PERCENT, totals=["West Yorkshire"])
    values = dict(zip(out["district"], out["value"], strict=True))
    assert values["Bradford"] == "[c]" and values["Wakefield"] == "[c]"
    assert values["Leeds"] == pytest.approx(100 * 40 / 70)


def test_two_small_districts_already_protect_each_other():
    frame = pd.DataFrame(_month(AUG, [3, 2, 30, 40, 9], [40, 50, 60, 70, 30]))
    out = suppression.suppress_figures(frame, PERCENT, totals=["West Yorkshire"])
    assert out["numerator"].tolist() == ["<5", "<5", 30, 40, 9, 84]


def test_secondary_suppression_is_decided_month_by_month():
    frame = pd.DataFrame(
        _month(AUG, [3, 20, 30, 40, 9], [40, 50, 60, 70, 30])
        + _month(SEP, [13, 20, 30, 40, 9], [40, 50, 60, 70, 30])
    )
    out = suppression.suppress_figures(frame, PERCENT, totals=["West Yorkshire"])
    september = out[out["month"] == SEP]
    assert not september["numerator"].isin(["<5", "[c]"]).any()


def test_when_no_other_part_can_be_withheld_the_total_is():
    frame = pd.DataFrame(
        {
            "district": ["Leeds", "West Yorkshire"],
            "month": [AUG, AUG],
            "numerator": [3, 3],
            "denominator": [1, 1],
            "value": [3, 3],
        }
    )
    out = suppression.suppress_figures(frame, COUNT, totals=["West Yorkshire"])
    assert out["value"].tolist() == ["<5", "<5"]
    frame.loc[1, ["numerator", "value"]] = 30
    out = suppression.suppress_figures(frame, COUNT, totals=["West Yorkshire"])
    assert out["value"].tolist() == ["<5", "[c]"]


def test_plain_counts_keep_their_denominator_of_one_and_fte_is_not_suppressed():
    frame = pd.DataFrame(
        {
            "district": ["Leeds"],
            "month": [AUG],
            "numerator": [2.0],
            "denominator": [1.0],
            "value": [2.0],
        }
    )
    out = suppression.suppress_figures(frame, COUNT)
    assert out[["numerator", "denominator", "value"]].iloc[0].tolist() == ["<5", 1.0, "<5"]
    out = suppression.suppress_figures(frame, kinds.Measured("level", "FTE"))
    assert out["value"].iloc[0] == 2.0


def test_a_median_of_a_handful_of_cases_is_withheld():
    frame = pd.DataFrame(
        {
            "district": ["Leeds"],
            "month": [AUG],
            "numerator": [120.0],
            "denominator": [3.0],
            "value": [41.0],
        }
    )
    out = suppression.suppress_figures(frame, kinds.Measured("median", "days"))
    assert out[["numerator", "denominator", "value"]].iloc[0].tolist() == ["[c]", "<5", "[c]"]


def test_no_small_count_survives_on_the_demo_data(demo_db):
    from safeguarding import metrics, registry

    for metric in registry.metrics().values():
        frame = metrics.frame(demo_db, metric.id, from_month=AUG, to_month=AUG)
        out = suppression.suppress_figures(frame, metric, totals=["West Yorkshire"])
        counts, _ = suppression.count_columns(metric)
        for column in counts:
            shown = pd.to_numeric(out[column], errors="coerce")
            assert not shown.between(1, 4).any(), (metric.id, column)


def test_the_note_explains_both_labels():
    note = suppression.DEFAULT_RULE.note()
    assert "<5" in note and "[c]" in note
