"""What a meeting sees: every target, status, label and format right.

Each numbered defect of the accountability-meeting review has a test here that fails on the code
before it was fixed; the property tests check every metric x area x month of the demo data (and
one month of the 43-force option) for a cell whose target, figure and status contradict.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from safeguarding import charts_stats, demo, kinds, registry, review, scorecard, store, targets
from safeguarding.formatting import (
    ROUNDING_RULE,
    code_words,
    count_text,
    day_text,
    figure_and_target,
    format_value,
    plural,
)
from safeguarding.paths import ROOT
from safeguarding.quarters import Period, complete_quarters, period_figures
from safeguarding.ui import district_view, icons, records, stats, views

FTE = "specialist_investigators_fte"
TURNAROUND = "iioc_turnaround_days"
AUG = dt.date(2025, 8, 1)
NUMBER = re.compile(r"-?[\d,]+(?:\.\d+)?")


def _number(text: str) -> float:
    return float(NUMBER.search(text).group(0).replace(",", ""))


# --- 1. each area against its own target ----------------------------------------------------


def test_a_row_whose_areas_have_different_targets_gives_each_cell_its_own(demo_db):
    frame = targets.figures(demo_db, metric_id=FTE, from_month=AUG, to_month=AUG)
    districts, forces = scorecard.units(demo_db)
    (row,) = scorecard.rows(frame, districts + forces)
    assert row.target_heading == "targets differ by area"
    by_area = frame.set_index("district")
    for area, cell in row.cells.items():
        assert cell.show_target
        assert _number(cell.target_text) == pytest.approx(by_area.loc[area, "target"], abs=0.05)
    # The force's funded posts (about 90) is not every district's target.
    assert row.cells["Bradford"].target_text != row.cells[forces[0]].target_text


def test_the_scorecard_html_never_heads_a_row_with_one_areas_target(demo_db):
    frame = targets.figures(demo_db, metric_id=FTE, from_month=AUG, to_month=AUG)
    districts, forces = scorecard.units(demo_db)
    page = views.scorecard_html(frame, districts + forces, Period.month(AUG))
    heading = re.search(r'<span class="sg-unit">([^<]+)</span>', page).group(1)
    assert "targets differ by area" in heading and "target 9" not in heading
    assert page.count('<span class="sg-target">target ') == len(districts + forces)


# --- 2. one rounding rule --------------------------------------------------------------------


def test_a_figure_level_with_its_target_when_rounded_shows_the_places_that_decide():
    median = registry.get(TURNAROUND)
    assert figure_and_target(30.4, 30.0, "not_met", median) == ("30.4 days", "30.0 days")
    assert figure_and_target(29.6, 30.0, "met", median) == ("30 days", "30 days")
    percent = registry.get("misper_high_risk_attended_60m")
    assert figure_and_target(94.96, 95.0, "not_met", percent) == ("94.96%", "95.00%")
    # Already apart at the usual places: no more are needed.
    assert figure_and_target(94.94, 94.96, "not_met", percent) == ("94.9%", "95.0%")
    assert "Status is decided on the full figure" in ROUNDING_RULE
    doc = (ROOT / "docs" / "statistics.md").read_text(encoding="utf-8")
    assert "## Rounding" in doc and "30.4 days" in doc


def _shown_target(row: scorecard.Row, cell: scorecard.Cell) -> str:
    if cell.show_target:
        return cell.target_text
    assert row.target_heading.startswith("target "), (row.metric.id, cell.district)
    return row.target_heading.removeprefix("target ")


def _assert_consistent(row: scorecard.Row, cell: scorecard.Cell, target: float, where) -> None:
    """The target shown is the one decided against, and what is shown agrees with the status
    and the direction."""
    shown = _number(_shown_target(row, cell))
    places = len(_shown_target(row, cell).split("%")[0].split(" ")[0].partition(".")[2])
    assert shown == pytest.approx(round(target, places), abs=10**-places / 2 + 1e-9), where
    value = _number(cell.value_text)
    direction = row.metric.direction
    if cell.status == "met":
        assert value >= shown if direction == "higher_is_better" else value <= shown, where
    elif cell.status == "not_met":
        assert value < shown if direction == "higher_is_better" else value > shown, where


def _check_every_cell(frame: pd.DataFrame, columns: list[str]) -> int:
    checked = 0
    decided = frame.set_index(["metric_id", "district"])
    for row in scorecard.rows(frame, columns):
        for area, cell in row.cells.items():
            target = decided.loc[(row.metric.id, area), "target"]
            if cell.status in ("met", "not_met"):
                _assert_consistent(row, cell, float(target), (row.metric.id, area))
                checked += 1
            else:
                assert cell.status in ("no_target", "no_data")
    return checked


def test_every_cell_of_every_month_shows_the_target_its_status_was_decided_against(demo_db):
    districts, forces = scorecard.units(demo_db)
    figures = targets.figures(demo_db)
    checked = 0
    for _, month in figures.groupby("month"):
        checked += _check_every_cell(month, districts + forces)
    assert checked == figures["status"].isin(["met", "not_met"]).sum() > 10_000


def test_every_quarter_cell_shows_the_target_its_status_was_decided_against(demo_db):
    districts, forces = scorecard.units(demo_db)
    figures = targets.figures(demo_db)
    known = registry.metrics()
    directions = {m.id: m.direction for m in known.values()}
    months = list(pd.to_datetime(figures["month"]).dt.date.unique())
    checked = expected = 0
    for quarter in complete_quarters(months):
        frame = period_figures(figures, quarter, directions, dict(known))
        checked += _check_every_cell(frame, districts + forces)
        expected += frame["status"].isin(["met", "not_met"]).sum()
    assert checked == expected > 3_000


@pytest.mark.slow
def test_no_cell_contradicts_itself_for_43_forces(tmp_path):
    path = tmp_path / "national.duckdb"
    with store.writer(path, fresh=True) as con:
        demo.build(con, seed=2014, forces=43, last_month=dt.date(2015, 1, 1))
    con = store.reader(path)
    districts, forces = scorecard.units(con)
    assert len(forces) == 43
    month = targets.figures(con, from_month=dt.date(2015, 1, 1), to_month=dt.date(2015, 1, 1))
    assert _check_every_cell(month, districts + forces) > 1000


# --- 3. status and assurance that seem to contradict ------------------------------------------


def test_met_beside_a_failing_assurance_is_explained_in_words():
    percent = registry.get("iioc_outsourced_non_specialist_pct")
    note = scorecard.assurance_note("met", "fail", -1.2, 4.0, 0, percent, "0.0%")
    assert note == (
        "Met this period, but the process usually misses the target of 0.0% (its usual range is "
        "0.0% to 4.0%)."
    )
    assert scorecard.assurance_note("met", "pass", 1, 2, 0, percent, "0.0%") is None


def test_missed_beside_a_passing_assurance_with_recent_points_outside_points_to_rebasing():
    ratio = registry.get("rso_caseload_per_officer")
    note = scorecard.assurance_note("not_met", "pass", 30.0, 45.0, 2, ratio, "50.0")
    assert note.startswith("2 of the last 3 months are outside the process limits")
    assert "no longer describe them" in note and "rebase register" in note


def test_the_scorecard_numbers_each_note_and_lists_it_under_the_table():
    frame = pd.DataFrame(
        {
            "metric_id": ["iioc_outsourced_non_specialist_pct"],
            "district": ["Leeds"],
            "value": [0.0],
            "target": [0.0],
            "status": ["met"],
            "variation": ["common_cause"],
            "assurance": ["fail"],
            "lpl": [-1.0],
            "upl": [3.0],
            "recent_outside": [0],
        }
    )
    page = views.scorecard_html(frame, ["Leeds"], Period.month(AUG))
    assert '<span class="sg-note-mark">note 1</span>' in page
    assert "<li>Indecent-image cases outsourced" in page and "usually misses" in page


# --- 4. words for what a figure is made of ----------------------------------------------------


def test_captions_and_axes_say_what_the_numerator_and_denominator_are():
    ratio = registry.get("rso_caseload_per_officer")
    assert "denominator is not a count of these records" in kinds.record_caption(ratio, 848, 848)
    assert kinds.funnel_axis_title(ratio) == "Size of the denominator (FTE)"
    proportion = registry.get("misper_high_risk_attended_60m")
    assert kinds.funnel_axis_title(proportion) == "Number of cases (denominator)"


def test_a_median_table_shows_its_cases_not_a_total_that_does_not_make_the_median():
    median = registry.get(TURNAROUND)
    frame = pd.DataFrame(
        {
            "district": ["Leeds"],
            "value": [30.0],
            "target": [30.0],
            "status": ["met"],
            "numerator": [417.0],
            "denominator": [12.0],
        }
    )
    table = views.month_table(frame, median, ["Leeds"])
    assert list(table.columns) == [
        "Area",
        "Figure",
        "Target",
        "Status",
        "Cases (the median is of these)",
    ]
    assert table.iloc[0]["Cases (the median is of these)"] == "12"


def test_counts_show_as_whole_numbers_and_lose_their_denominator_of_one():
    count = registry.get("children_detained_overnight")
    frame = pd.DataFrame(
        {
            "district": ["Leeds"],
            "value": [848.0],
            "target": [None],
            "status": ["no_target"],
            "numerator": [848.0],
            "denominator": [1.0],
        }
    )
    table = views.month_table(frame, count, ["Leeds"])
    assert table.iloc[0]["Figure"] == "848" and table.iloc[0]["Count"] == "848"
    assert "Out of (denominator)" not in table.columns
    assert count_text(16.5) == "16.5" and count_text(848.0) == "848"


# --- 5. impossible limits ---------------------------------------------------------------------


def test_a_counts_limits_are_drawn_from_zero_while_the_rules_keep_the_computed_value():
    months = pd.date_range("2024-01-01", periods=14, freq="MS")
    frame = pd.DataFrame(
        {
            "month": months,
            "value": [0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 0, 2, 1, 0],
            "mean": [0.79] * 14,
            "lpl": [-1.9] * 14,
            "upl": [3.5] * 14,
            "point_type": ["common_cause"] * 14,
            "period": [1] * 14,
        }
    )
    count = registry.get("children_detained_overnight")
    fig = charts_stats.spc_figure(frame, title="t", y_title="n", measure=count)
    # Each period's limits are one trace: the upper limit, a gap, then the lower.
    limits = [t for t in fig.data if (t.meta or {}).get("line") == "limits"]
    lower = [y for t in limits for y in t.y[list(t.y).index(None) + 1 :]]
    assert lower and min(lower) == 0
    hover = next(t for t in fig.data if t.hovertext is not None).hovertext[0]
    assert "process limits -1.9 to 3.5" in hover
    proportion = kinds.Measured("proportion", "%")
    assert kinds.drawable(pd.Series([-3.0, 50.0, 104.0]), proportion).tolist() == [0, 50, 100]


def test_the_statistics_doc_says_limits_are_truncated_for_drawing_only():
    doc = (ROOT / "docs" / "statistics.md").read_text(encoding="utf-8")
    assert "truncated" in doc and "computed limits" in doc


# --- 7. raw formatting ------------------------------------------------------------------------


def test_records_show_dates_blanks_and_codes_as_words():
    frame = pd.DataFrame(
        {
            "reported_at": pd.to_datetime(["2021-05-26 14:05", None]),
            "found_on": pd.to_datetime(["2021-05-26", "2021-06-01"]),
            "risk_grade": ["very_high", None],
        }
    )
    shown = records.for_display(frame)
    assert shown["Reported at"].tolist() == ["26 May 2021 14:05", ""]
    assert shown["Found on"].tolist() == ["26 May 2021", "1 June 2021"]
    assert shown["Risk grade"].tolist() == ["very high", ""]
    csv = records.for_display(frame, readable=False)
    assert csv["Risk grade"].iloc[0] == "very_high"


def test_the_access_log_names_its_columns_and_writes_times_as_words():
    frame = pd.DataFrame(
        {
            "entry_id": [3],
            "logged_at_utc": pd.to_datetime(["2025-12-01 09:30:00"]),
            "user_id": ["lead@force.example"],
            "role": ["district_lead"],
            "action": ["view"],
            "metric_id": [TURNAROUND],
            "district": ["Leeds"],
            "month": [dt.date(2025, 11, 1)],
            "rows": [12],
            "detail": [None],
        }
    )
    shown = views.access_log_table(frame)
    assert "entry_id" not in shown.columns and "logged_at_utc" not in shown.columns
    row = shown.iloc[0]
    assert row["When (UTC)"] == "1 December 2025 09:30:00"
    assert row["Metric"] == registry.get(TURNAROUND).title
    assert row["Month"] == "November 2025" and row["Role"] == "district lead"
    assert row["Detail"] == ""


def test_counts_of_things_are_plural_only_when_more_than_one():
    assert plural(1, "action") == "1 action"
    assert plural(3, "action") == "3 actions"
    assert plural(0, "action") == "no actions"
    assert day_text(dt.date(2021, 5, 26)) == "26 May 2021"
    assert code_words("very_high") == "very high"


def test_an_action_is_raised_at_the_quarters_label_not_its_code():
    from safeguarding.ui import review_ui

    assert review_ui._quarter_words("2026Q3") == "Q3 2026 review"


# --- 8. smaller -------------------------------------------------------------------------------


def test_the_district_page_opens_on_the_first_district_the_filter_holds():
    districts = ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"]
    assert district_view.default_district(districts, ["Kirklees", "Leeds"]) == "Kirklees"
    assert district_view.default_district(districts, None) == "Bradford"
    assert district_view.default_district(districts, districts) == "Bradford"


def test_a_force_total_is_kept_off_the_districts_axis_and_no_target_is_claimed(demo_db):
    metric = registry.get("misper_repeat_children")
    frame = targets.figures(demo_db, metric_id=metric.id, from_month=AUG, to_month=AUG)
    districts, forces = scorecard.units(demo_db)
    fig, alt, note = stats.comparison_figure(metric, frame, AUG, districts + forces, forces)
    drawn = " ".join(fig.data[0].y)
    assert forces[0] not in drawn
    assert "the districts' total" in note and forces[0] in alt
    assert "dashed line is the target" not in note and "no target" in note


# --- the kind decides, the unit labels --------------------------------------------------------


@pytest.mark.parametrize(
    "kind, value, expected",
    [
        ("proportion", 12.345, "12.3%"),
        ("ratio", 56.44, "56.4"),
        ("count", 1234.0, "1,234"),
        ("median", 30.0, "30 days"),
        ("level", 24.25, "24.2"),
    ],
)
def test_a_figure_is_written_by_its_kind_whatever_its_unit_says(kind, value, expected):
    unit = "days" if kind == "median" else "anything at all"
    if kind == "proportion":
        unit = "%"
    assert format_value(value, kinds.Measured(kind, unit)) == expected


def test_every_metric_kind_has_one_rule_for_each_decision():
    for metric in registry.metrics().values():
        kind = kinds.of(metric)
        assert kind.decimals >= 0 and kind.funnel in ("proportion", "rate", "none")
    assert kinds.of(registry.get(FTE)).counts == ()


def test_no_module_decides_by_the_unit_string():
    # The unit is a label: no comparison of it with a literal anywhere in the package.
    pattern = re.compile(r"""unit\s*(==|!=|in)\s*[("']""")
    offenders = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "safeguarding").rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- icons ------------------------------------------------------------------------------------


def test_every_spc_icon_is_drawn_with_words():
    for variation in icons.VARIATION:
        markup = icons.variation_icon(variation, labelled=True)
        assert f'alt="{icons.VARIATION_WORDS[variation]}"' in markup
        assert icons.svg_markup(markup).startswith("<svg")
    for assurance in icons.ASSURANCE:
        markup = icons.assurance_icon(assurance)
        assert 'alt=""' in markup and f'title="{icons.ASSURANCE_WORDS[assurance]}"' in markup
    assert icons.variation_icon(None) == "" and icons.assurance_icon(None) == ""


def test_the_key_explains_every_symbol_the_table_uses(demo_db):
    districts, forces = scorecard.units(demo_db)
    frame = targets.figures(demo_db, from_month=AUG, to_month=AUG)
    frame = frame.merge(_signals(demo_db, AUG), on=["metric_id", "district"], how="left")
    key = views.key_html(True, frame)
    for status, word in targets.STATUS_WORDS.items():
        assert f"{targets.STATUS_SYMBOLS[status]}</span> {word}" in key
    for variation in set(frame["variation"].dropna()):
        assert icons.VARIATION_WORDS[variation] in key
    for assurance in set(frame["assurance"].dropna()):
        assert icons.ASSURANCE_WORDS[assurance] in key
    assert "note n" in key and "↑ ↓ →" in key


def _signals(con, month):
    from safeguarding import signals

    return signals.for_month(con, month)[["metric_id", "district", "variation", "assurance"]]


def test_review_spc_text_carries_the_note():
    assert review.spc_text("common_cause", "fail", "Met this period, but ...").endswith(
        "without change. Met this period, but ..."
    )


def test_the_registrys_funnel_setting_agrees_with_what_the_kind_decides():
    # The kind decides the funnel (kinds.KINDS); the older per-metric setting must not disagree
    # while it is still in the registry.
    for metric in registry.metrics().values():
        decided = kinds.of(metric).funnel if metric.scope != "force" else "none"
        assert metric.funnel == decided, metric.id
