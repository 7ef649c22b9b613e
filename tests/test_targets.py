"""Targets in force for each figure, and status against them respecting direction."""

from __future__ import annotations

import datetime as dt

import handmade
import pytest

from safeguarding import store, targets


@pytest.fixture
def figures_db(fresh_db_path):
    """Hand-made figures and targets for two districts of one force."""
    with store.writer(fresh_db_path) as con:
        con.execute("insert into districts values ('North', 'Testshire'), ('South', 'Testshire')")
    handmade.add_targets(
        fresh_db_path,
        [
            ("misper_return_interview_72h", None, "2014-01-01", "2018-03-31", 80, None),
            ("misper_return_interview_72h", None, "2018-04-01", None, 90, None),
            ("misper_return_interview_72h", "South", "2018-04-15", None, 95, "local plan"),
            ("rso_caseload_per_officer", None, "2014-01-01", None, 50, None),
            ("pace_transfer_pct", None, "2014-01-01", None, 90, None),
        ],
    )
    with handmade.figures_connection(fresh_db_path) as con:
        con.execute(
            """
            insert into metric_values values
            ('misper_return_interview_72h', 'North', date '2018-03-01', 17, 20, 85.0),
            ('misper_return_interview_72h', 'North', date '2018-04-01', 17, 20, 85.0),
            ('misper_return_interview_72h', 'South', date '2018-04-01', 18, 20, 90.0),
            ('rso_caseload_per_officer', 'North', date '2018-04-01', 100, 2, 50.0),
            ('rso_caseload_per_officer', 'South', date '2018-04-01', 102, 2, 51.0),
            ('misper_repeat_children', 'North', date '2018-04-01', 4, 1, 4.0),
            ('specialist_investigators_fte', 'North', date '2018-04-01', 9.5, 10, 9.5),
            ('specialist_investigators_fte', 'South', date '2018-04-01', 10, 10, 10),
            ('pace_transfer_pct', 'North', date '2018-04-01', 0, 0, null)
            """
        )
    return store.reader(fresh_db_path)


def _status(frame, metric_id, district, month):
    row = frame[
        (frame.metric_id == metric_id) & (frame.district == district) & (frame.month == month)
    ]
    assert len(row) == 1
    return row.iloc[0]["target"], row.iloc[0]["status"]


def test_a_target_changed_mid_year_applies_from_its_month(figures_db):
    frame = targets.figures(figures_db)
    assert _status(frame, "misper_return_interview_72h", "North", "2018-03-01") == (80, "met")
    assert _status(frame, "misper_return_interview_72h", "North", "2018-04-01") == (90, "not_met")


def test_a_district_target_beats_the_force_wide_one_from_mid_month(figures_db):
    frame = targets.figures(figures_db)
    assert _status(frame, "misper_return_interview_72h", "South", "2018-04-01") == (95, "not_met")


def test_lower_is_better_meets_a_target_exactly_on_it_and_misses_above(figures_db):
    frame = targets.figures(figures_db, metric_id="rso_caseload_per_officer")
    assert _status(frame, "rso_caseload_per_officer", "North", "2018-04-01") == (50, "met")
    assert _status(frame, "rso_caseload_per_officer", "South", "2018-04-01") == (50, "not_met")


def test_a_metric_with_no_target_says_so(figures_db):
    frame = targets.figures(figures_db, metric_id="misper_repeat_children")
    target, status = _status(frame, "misper_repeat_children", "North", "2018-04-01")
    assert status == "no_target" and target != target  # NaN


def test_a_zero_denominator_is_no_data_not_a_miss(figures_db):
    frame = targets.figures(figures_db, metric_id="pace_transfer_pct")
    assert _status(frame, "pace_transfer_pct", "North", "2018-04-01")[1] == "no_data"


def test_funded_posts_are_the_target_for_investigators_in_post(figures_db):
    frame = targets.figures(figures_db, metric_id="specialist_investigators_fte")
    assert _status(frame, "specialist_investigators_fte", "North", "2018-04-01") == (10, "not_met")
    assert _status(frame, "specialist_investigators_fte", "South", "2018-04-01") == (10, "met")


def test_filters_by_month_and_district(figures_db):
    frame = targets.figures(
        figures_db,
        from_month=dt.date(2018, 4, 1),
        to_month=dt.date(2018, 4, 1),
        districts=["South"],
    )
    assert set(frame.district) == {"South"}
    assert set(frame.metric_id) == {
        "misper_return_interview_72h",
        "rso_caseload_per_officer",
        "specialist_investigators_fte",
    }


def test_demo_targets_are_seeded_from_the_csv(demo_db):
    history = targets.history(demo_db, "misper_return_interview_72h")
    assert list(history["target"]) == [90, 80]
