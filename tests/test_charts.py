"""Charts say what they show, in plain English with units, without relying on colour alone."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from safeguarding import charts, kinds
from safeguarding.ui import periods
from safeguarding.ui.periods import Period

PERCENT = kinds.Measured("proportion", "%")

UNITS = ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield", "West Yorkshire"]
FORCES = ["West Yorkshire"]


def _trend(with_spc: bool = False) -> pd.DataFrame:
    months = pd.date_range("2024-01-01", periods=6, freq="MS")
    rows = []
    for i, unit in enumerate(UNITS):
        for j, month in enumerate(months):
            row = {"district": unit, "month": month, "value": 80 + i + j, "target": 90.0}
            if with_spc:
                row |= {"mean": 82.0, "lpl": 70.0, "upl": 94.0, "point_type": "common_cause"}
                if j == 5 and unit == "Leeds":
                    row["point_type"] = "special_cause_improvement"
            rows.append(row)
    return pd.DataFrame(rows)


def _month() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district": UNITS,
            "value": [96.0, 88.0, float("nan"), 95.0, 70.0, 90.0],
            "target": [95.0] * 6,
            "status": ["met", "not_met", "no_data", "met", "not_met", "not_met"],
        }
    )


def test_the_palette_is_okabe_ito_and_the_force_is_black():
    colours = charts.district_colours(UNITS, FORCES)
    assert colours["Bradford"] == "#0072B2"
    assert colours["West Yorkshire"] == "#000000"
    assert len({colours[u] for u in UNITS[:-1]}) == 5


def test_small_multiples_draw_one_panel_per_area_with_the_target():
    fig = charts.trend_small_multiples(
        _trend(), title="Attended within 60 minutes", measure=PERCENT, units=UNITS, forces=FORCES
    )
    panel_titles = [a.text for a in fig.layout.annotations]
    assert panel_titles == UNITS
    names = {t.name for t in fig.data}
    assert "Target" in names
    assert fig.layout.yaxis.title.text == "Percentage (%)"
    assert fig.layout.title.text == "Attended within 60 minutes"


def test_special_causes_are_marked_by_shape_and_named_in_the_legend():
    fig = charts.trend_small_multiples(
        _trend(with_spc=True), title="t", measure=PERCENT, units=UNITS, forces=FORCES
    )
    special = [t for t in fig.data if t.name == "Special cause: improvement"]
    assert len(special) == 1 and special[0].marker.symbol == "circle"
    assert {t.name for t in fig.data} >= {"Process limits", "Mean", "Target"}
    # Each legend entry appears once however many panels use it.
    assert sum(1 for t in fig.data if t.name == "Target" and t.showlegend) == 1


def test_the_comparison_bar_states_each_status_in_words_on_the_axis():
    fig = charts.comparison_bar(_month(), title="t", measure=PERCENT, units=UNITS, forces=FORCES)
    labels = list(fig.data[0].y)
    assert labels[0] == "Bradford: 96.0% ✓ Met"
    assert labels[1] == "Calderdale: 88.0% ✗ Not met"
    assert labels[2] == "Kirklees: no data … No data"
    # Not met bars carry a pattern as well as a colour.
    shapes = list(fig.data[0].marker.pattern.shape)
    assert shapes[1] == "/" and shapes[0] == ""
    assert fig.layout.xaxis.title.text == "Percentage (%)"


def test_alt_text_says_what_the_chart_shows_and_where_it_ends():
    alt = charts.trend_alt(
        "High-risk missing children attended", PERCENT, _trend(), UNITS, spc=True
    )
    assert "January 2024 to June 2024" in alt
    assert "SPC process limits" in alt
    assert "Leeds 88.0%" in alt
    alt = charts.comparison_alt("Attended", PERCENT, _month(), dt.date(2024, 8, 1))
    assert "Calderdale 88.0% (not met)" in alt and "August 2024" in alt
    assert charts.trend_alt("X", PERCENT, _trend().iloc[0:0], UNITS, spc=False) == (
        "X: no figures to chart."
    )


@pytest.mark.parametrize(
    "kind, unit, expected",
    [
        ("proportion", "%", "Percentage (%)"),
        ("count", "children", "Number of children"),
        ("median", "days", "Median (days)"),
        ("level", "FTE", "FTE"),
        ("ratio", "offenders per FTE", "Offenders per FTE"),
    ],
)
def test_axis_titles_are_decided_by_the_kind_with_the_unit_as_label(kind, unit, expected):
    assert charts.axis_title(kinds.Measured(kind, unit)) == expected


def test_metric_small_multiples_give_each_metric_its_own_titled_panel():
    data = _trend()[lambda f: f["district"] == "Leeds"][["month", "value", "target"]]
    fig = charts.metric_small_multiples(
        [
            ("Return home interviews within 72 hours", PERCENT, data),
            ("Backlog", kinds.Measured("count", "cases"), data),
        ],
        title="Leeds",
    )
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "Return home interviews within 72 hours<br>(%)"
    assert titles[1] == "Backlog (cases)"


# --- periods and change -------------------------------------------------------------------


def test_a_quarter_knows_its_months_label_and_link_form():
    q = Period.quarter("2024Q3")
    assert q.months == [dt.date(2024, 7, 1), dt.date(2024, 8, 1), dt.date(2024, 9, 1)]
    assert q.code == "2024Q3" and q.label == "Q3 2024 (July to September 2024)"
    assert q.previous_quarter().code == "2024Q2"
    assert Period.month(dt.date(2024, 1, 1)).previous_quarter().code == "2023-10"


def test_only_complete_quarters_are_offered():
    months = [dt.date(2024, m, 1) for m in range(1, 9)]
    assert [q.code for q in periods.complete_quarters(months)] == ["2024Q1", "2024Q2"]


@pytest.mark.parametrize(
    "current, previous, direction, expected",
    [
        (96.0, 90.0, "higher_is_better", ("up", "improved from 90.0%")),
        (96.0, 90.0, "lower_is_better", ("up", "worsened from 90.0%")),
        (80.0, 90.0, "lower_is_better", ("down", "improved from 90.0%")),
        (80.0, 90.0, "neutral", ("down", "lower from 90.0%")),
        (90.01, 90.0, "higher_is_better", ("same", "no change")),
        (90.0, float("nan"), "higher_is_better", ("none", "no earlier figure")),
    ],
)
def test_change_is_judged_by_the_metrics_direction(current, previous, direction, expected):
    assert periods.change(current, previous, direction, PERCENT) == expected


def test_a_quarter_averages_its_months_against_the_last_months_target():
    figures = pd.DataFrame(
        {
            "metric_id": ["m"] * 3,
            "district": ["Leeds"] * 3,
            "month": pd.to_datetime(["2024-07-01", "2024-08-01", "2024-09-01"]),
            "numerator": [9.0, 8.0, 10.0],
            "denominator": [10.0, 10.0, 10.0],
            "value": [90.0, 80.0, 100.0],
            "target": [80.0, 80.0, 95.0],
            "status": ["met", "met", "met"],
        }
    )
    out = periods.period_figures(figures, Period.quarter("2024Q3"), {"m": "higher_is_better"})
    row = out.iloc[0]
    assert row["value"] == pytest.approx(90.0)
    assert row["target"] == 95.0 and row["status"] == "not_met"
