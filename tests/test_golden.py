"""Golden tests: every metric on a tiny hand-made dataset, each answer worked out by hand.

The dataset is tests/golden/tiny.sql; its comments describe every record. Force Testshire has
two districts, Northdale and Southdale; the figures are for January to March 2024, whose month
ends are 31 Jan, 29 Feb (a leap year) and 31 Mar. A second force, Westshire (district Westvale),
holds a few records that must never show up in Testshire's figures.

Each expected figure is (numerator, denominator, value); None is a missing value (shown as
missing, never as 0).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from safeguarding import metrics, registry, store

GOLDEN_SQL = Path(__file__).parent / "golden" / "tiny.sql"
JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
N, S, T = "Northdale", "Southdale", "Testshire"


def build_tiny_db() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    store.create_schema(con)
    store.create_figures_schema(con)  # the figures' tables too: one database holds both here
    con.execute(GOLDEN_SQL.read_text(encoding="utf-8"))
    return con


@pytest.fixture(scope="module")
def tiny_db():
    con = build_tiny_db()
    yield con
    con.close()


@pytest.fixture
def refreshed_tiny_db():
    con = build_tiny_db()
    metrics.refresh(con, JAN, MAR)
    yield con
    con.close()


def figures(con, metric_id: str) -> dict[tuple[str, dt.date], tuple]:
    frame = metrics.compute_frame(con, metric_id, JAN, MAR)
    return {
        (row.district, row.month.date()): tuple(
            None if math.isnan(x) else x for x in (row.numerator, row.denominator, row.value)
        )
        for row in frame.itertuples()
    }


def figure(con, metric_id: str, district: str, month: dt.date) -> tuple:
    return figures(con, metric_id)[(district, month)]


def in_numerator(con, metric_id: str, district: str, month: dt.date) -> dict[str, bool]:
    rows = metrics.records(con, metric_id, district, month)
    return dict(zip(rows.iloc[:, 0], rows["in_numerator"], strict=True))


EXPECTED = {
    "rso_caseload_per_officer": {
        # Offenders managed at month end / offender-manager FTE in post at month end.
        # Northdale: N1, N2, N3 every month; FTE 1.0 + 0.5 in Jan, then OM-N2 leaves 29 Feb.
        (N, JAN): (3, 1.5, 2.0),
        (N, FEB): (3, 1.0, 3.0),
        (N, MAR): (3, 1.0, 3.0),
        # Southdale: Jan S1-S4 but nobody in post (ratio undefined); Feb S1 has gone (15 Feb);
        # Mar S3 has gone too (ended on 31 Mar, the month end).
        (S, JAN): (4, 0.0, None),
        (S, FEB): (3, 1.0, 3.0),
        (S, MAR): (2, 1.0, 2.0),
        # Force: ratio of the sums. 7 / 1.5, 6 / 2, 5 / 2.
        (T, JAN): (7, 1.5, 7 / 1.5),
        (T, FEB): (6, 2.0, 3.0),
        (T, MAR): (5, 2.0, 2.5),
    },
    "rso_visits_overdue_pct": {
        # Due date = later of last visit and managed_from + 1/3/6/12 months; overdue if < month end.
        # N1 (1m): last 15 Dec -> due 15 Jan: overdue on 31 Jan; visit 10 Feb -> due 10 Mar: fine
        #   on 29 Feb, overdue on 31 Mar. (The April visit does not count.)
        # N2 (3m): last 31 Oct -> due 31 Jan: not overdue on 31 Jan, overdue Feb and Mar.
        # N3 (6m): never visited, managed from 15 Aug -> due 15 Feb: overdue Feb and Mar.
        (N, JAN): (1, 3, 100 / 3),
        (N, FEB): (2, 3, 200 / 3),
        (N, MAR): (3, 3, 100.0),
        # S1 (12m) last 1 Mar 2023 -> due 1 Mar 2024 (gone by then). S2 (3m) new 10 Jan -> due
        # 10 Apr. S3 (6m) last 20 Jan. S4 (6m) last 30 Sep -> due 30 Mar: overdue on 31 Mar.
        (S, JAN): (0, 4, 0.0),
        (S, FEB): (0, 3, 0.0),
        (S, MAR): (1, 2, 50.0),
        (T, JAN): (1, 7, 100 / 7),
        (T, FEB): (2, 6, 100 / 3),
        (T, MAR): (4, 5, 80.0),
    },
    "misper_high_risk_attended_60m": {
        # Northdale Jan: M01 at exactly 60 min (in), M02 at 61 (out), M03 never attended (out).
        (N, JAN): (1, 3, 100 / 3),
        (N, FEB): (0, 0, None),
        (N, MAR): (0, 0, None),
        # Southdale: M04 reported 23:30 on 31 Jan, attended 45 min later (a January report);
        # M05 in March at 30 min.
        (S, JAN): (1, 1, 100.0),
        (S, FEB): (0, 0, None),
        (S, MAR): (1, 1, 100.0),
        (T, JAN): (2, 4, 50.0),
        (T, FEB): (0, 0, None),  # no high-risk reports anywhere in February
        (T, MAR): (1, 1, 100.0),
    },
    "misper_low_risk_reviewed_24h": {
        # Northdale Feb: M06 (low) reviewed at exactly 24 h (in), M07 (no apparent risk) at 48 h.
        (N, JAN): (0, 0, None),
        (N, FEB): (1, 2, 50.0),
        (N, MAR): (0, 0, None),
        # Southdale: M09 reviewed after 10 h in Jan; M08 never reviewed in Mar.
        (S, JAN): (1, 1, 100.0),
        (S, FEB): (0, 0, None),
        (S, MAR): (0, 1, 0.0),
        (T, JAN): (1, 1, 100.0),
        (T, FEB): (1, 2, 50.0),
        (T, MAR): (0, 1, 0.0),
    },
    "misper_return_interview_72h": {
        # By month found. Northdale Jan: M01 at exactly 72 h (in), M02 at 79 h, M03 none.
        # Northdale Feb: M06 found 1 Feb, no interview.
        (N, JAN): (1, 3, 100 / 3),
        (N, FEB): (0, 1, 0.0),
        (N, MAR): (0, 0, None),
        # Southdale: M04 found 1 Feb (reported in Jan) interviewed after 31 h; M05 after 37 h.
        (S, JAN): (0, 0, None),
        (S, FEB): (1, 1, 100.0),
        (S, MAR): (1, 1, 100.0),
        (T, JAN): (1, 3, 100 / 3),
        (T, FEB): (1, 2, 50.0),
        (T, MAR): (1, 1, 100.0),
    },
    "misper_repeat_children": {
        # Windows (month end - 89 .. month end): 3 Nov-31 Jan, 2 Dec-29 Feb, 2 Jan-31 Mar.
        # C10: 20 Dec, 10 Jan, 25 Jan, all Northdale -> 3 in Jan and Feb windows, 2 in Mar.
        # C09: Northdale 15 Jan, 20 Feb, Southdale 10 Mar -> 3 only in the Mar window; latest
        #   in Southdale. (Its Westvale report on 15 Mar is another force's.)
        # C11: Southdale 1 Jan, 10 Feb, 5 Mar -> 1 Jan is outside the Mar window: never 3.
        # C13: Northdale 1 Dec, 15 Jan, 29 Feb -> spans 90 days: at most 2 in any window.
        # C14: Southdale 2 Jan, 15 Feb, 31 Mar -> 2 Jan is the Mar window's first day: 3.
        (N, JAN): (1, 1, 1.0),
        (N, FEB): (1, 1, 1.0),
        (N, MAR): (0, 1, 0.0),
        (S, JAN): (0, 1, 0.0),
        (S, FEB): (0, 1, 0.0),
        (S, MAR): (2, 1, 2.0),  # C09, C14
        (T, JAN): (1, 1, 1.0),  # C10
        (T, FEB): (1, 1, 1.0),  # C10
        (T, MAR): (2, 1, 2.0),  # C09, C14
    },
    "iioc_turnaround_days": {
        # Days: F01 40, F02 29, F03 30 (all Northdale, Jan); F04 120 (Southdale, Feb);
        # F07 81 (Northdale, Mar); F08 10 (Southdale, Mar). Numerator = total days.
        (N, JAN): (99, 3, 30.0),  # median of 29, 30, 40
        (N, FEB): (0, 0, None),
        (N, MAR): (81, 1, 81.0),
        (S, JAN): (0, 0, None),
        (S, FEB): (120, 1, 120.0),
        (S, MAR): (10, 1, 10.0),
        (T, JAN): (99, 3, 30.0),
        (T, FEB): (120, 1, 120.0),
        (T, MAR): (91, 2, 45.5),  # median of 10 and 81 = (10 + 81) / 2, over the force's cases
    },
    "iioc_within_30d_pct": {
        # Within 30 days inclusive: F02 (29) and F03 (30) yes, F01 (40) no; F04, F07 no; F08 yes.
        (N, JAN): (2, 3, 200 / 3),
        (N, FEB): (0, 0, None),
        (N, MAR): (0, 1, 0.0),
        (S, JAN): (0, 0, None),
        (S, FEB): (0, 1, 0.0),
        (S, MAR): (1, 1, 100.0),
        (T, JAN): (2, 3, 200 / 3),
        (T, FEB): (0, 1, 0.0),
        (T, MAR): (1, 2, 50.0),
    },
    "iioc_backlog_over_30d": {
        # Open at month end and month end - submitted > 30 days.
        # 31 Jan: F07 (47 days) N; F04 (91) S; F09 exactly 30 days: not yet; F05 11 days.
        # 29 Feb: F07, F09 (59) N; F05 (40) S; F04 completed on 29 Feb: not in the backlog.
        # 31 Mar: F09 N; F05 S; F07 completed 5 Mar.
        (N, JAN): (1, 1, 1.0),
        (N, FEB): (2, 1, 2.0),
        (N, MAR): (1, 1, 1.0),
        (S, JAN): (1, 1, 1.0),
        (S, FEB): (1, 1, 1.0),
        (S, MAR): (1, 1, 1.0),
        (T, JAN): (2, 1, 2.0),
        (T, FEB): (3, 1, 3.0),
        (T, MAR): (2, 1, 2.0),
    },
    "iioc_outsourced_non_specialist_pct": {
        # Northdale Jan: F03 outsourced for capacity (counts), F02 for specialist work (not),
        # F01 in-house. F06 (capacity) is not IIOC. Southdale Feb: F04 outsourced 'other'.
        (N, JAN): (1, 3, 100 / 3),
        (N, FEB): (0, 0, None),
        (N, MAR): (0, 1, 0.0),
        (S, JAN): (0, 0, None),
        (S, FEB): (1, 1, 100.0),
        (S, MAR): (0, 1, 0.0),
        (T, JAN): (1, 3, 100 / 3),
        (T, FEB): (1, 1, 100.0),
        (T, MAR): (0, 2, 0.0),
    },
    "cai_open_over_3m": {
        # Open at month end and opened + 3 months < month end.
        # I1 (1 Sep) every month. I2 (31 Oct): 3 months on 31 Jan, so from Feb.
        # I3 opened and closed in January: never. I4 (1 Aug) closed on 29 Feb: Jan only.
        # I5 (1 Dec): 3 months on 1 Mar, so from Mar.
        (N, JAN): (1, 1, 1.0),
        (N, FEB): (2, 1, 2.0),
        (N, MAR): (2, 1, 2.0),
        (S, JAN): (1, 1, 1.0),
        (S, FEB): (0, 1, 0.0),
        (S, MAR): (1, 1, 1.0),
        (T, JAN): (2, 1, 2.0),
        (T, FEB): (2, 1, 2.0),
        (T, MAR): (3, 1, 3.0),
    },
    "cai_over_3m_reviewed_pct": {
        # Last review on or before month end within month end - 27 .. month end.
        # Jan (from 4 Jan): I1 4 Jan yes; I4 20 Jan yes.
        # Feb (from 2 Feb): I1 last 1 Feb, 28 days before: no; I2 never (2 Apr is later).
        # Mar (from 4 Mar): I1 31 Mar yes; I2 no; I5 10 Mar yes.
        (N, JAN): (1, 1, 100.0),
        (N, FEB): (0, 2, 0.0),
        (N, MAR): (1, 2, 50.0),
        (S, JAN): (1, 1, 100.0),
        (S, FEB): (0, 0, None),
        (S, MAR): (1, 1, 100.0),
        (T, JAN): (2, 2, 100.0),
        (T, FEB): (0, 2, 0.0),
        (T, MAR): (2, 3, 200 / 3),
    },
    "icpc_police_attendance_pct": {
        # ICPCs: N Jan K1 yes, K2 yes, K3 no; S Feb K4 yes; S Mar K5 no.
        (N, JAN): (2, 3, 200 / 3),
        (N, FEB): (0, 0, None),
        (N, MAR): (0, 0, None),
        (S, JAN): (0, 0, None),
        (S, FEB): (1, 1, 100.0),
        (S, MAR): (0, 1, 0.0),
        (T, JAN): (2, 3, 200 / 3),
        (T, FEB): (1, 1, 100.0),
        (T, MAR): (0, 1, 0.0),
    },
    "icpc_report_shared_pct": {
        # ICPCs: N Jan K1 shared, K2 and K3 not; S Feb K4 shared; S Mar K5 shared.
        (N, JAN): (1, 3, 100 / 3),
        (N, FEB): (0, 0, None),
        (N, MAR): (0, 0, None),
        (S, JAN): (0, 0, None),
        (S, FEB): (1, 1, 100.0),
        (S, MAR): (1, 1, 100.0),
        (T, JAN): (1, 3, 100 / 3),
        (T, FEB): (1, 1, 100.0),
        (T, MAR): (1, 1, 100.0),
    },
    "marac_info_shared_pct": {
        # MARACs: N Jan K6 shared; S Jan K7 not; S Mar K8 (31 Mar) shared.
        (N, JAN): (1, 1, 100.0),
        (N, FEB): (0, 0, None),
        (N, MAR): (0, 0, None),
        (S, JAN): (0, 1, 0.0),
        (S, FEB): (0, 0, None),
        (S, MAR): (1, 1, 100.0),
        (T, JAN): (1, 2, 50.0),
        (T, FEB): (0, 0, None),
        (T, MAR): (1, 1, 100.0),
    },
    "children_detained_overnight": {
        # N Jan: D1, D2 overnight (D3 not). S: D4 charged 23:00 on 29 Feb, D5 00:30 on 1 Mar.
        (N, JAN): (2, 1, 2.0),
        (N, FEB): (0, 1, 0.0),
        (N, MAR): (0, 1, 0.0),
        (S, JAN): (0, 1, 0.0),
        (S, FEB): (1, 1, 1.0),
        (S, MAR): (1, 1, 1.0),
        (T, JAN): (2, 1, 2.0),
        (T, FEB): (1, 1, 1.0),
        (T, MAR): (1, 1, 1.0),
    },
    "pace_transfer_pct": {
        # Of those: D1 transferred, D2 not; D4 not; D5 transferred.
        (N, JAN): (1, 2, 50.0),
        (N, FEB): (0, 0, None),
        (N, MAR): (0, 0, None),
        (S, JAN): (0, 0, None),
        (S, FEB): (0, 1, 0.0),
        (S, MAR): (1, 1, 100.0),
        (T, JAN): (1, 2, 50.0),
        (T, FEB): (0, 1, 0.0),
        (T, MAR): (1, 1, 100.0),
    },
    "specialist_investigators_fte": {
        # In post / funded from the specialist-investigator returns (the offender-manager row
        # is ignored). Southdale sent no March return: unknown, so the force total is too.
        (N, JAN): (4.5, 5, 4.5),
        (N, FEB): (5, 5, 5.0),
        (N, MAR): (5, 6, 5.0),
        (S, JAN): (2, 3, 2.0),
        (S, FEB): (2.5, 3, 2.5),
        (S, MAR): (None, None, None),
        (T, JAN): (6.5, 8, 6.5),  # 4.5 + 2 of 5 + 3
        (T, FEB): (7.5, 8, 7.5),  # 5 + 2.5 of 5 + 3
        (T, MAR): (None, None, None),
    },
    "recommendations_on_time_pct": {
        # Due by month end; on time = completed on or before the due date.
        # Jan: R1 (early) on time, R2 (5 days late) not. Feb: + R3 (open). Mar: + R4 (completed
        # on its due date: on time). R5 is due in June. Force rows only.
        (T, JAN): (1, 2, 50.0),
        (T, FEB): (1, 3, 100 / 3),
        (T, MAR): (2, 4, 50.0),
    },
}


def test_every_metric_has_hand_worked_answers():
    assert set(EXPECTED) == set(registry.metrics())


@pytest.mark.parametrize("metric_id", list(EXPECTED))
def test_every_testshire_figure_matches_the_hand_worked_answer(tiny_db, metric_id):
    actual = {
        key: value for key, value in figures(tiny_db, metric_id).items() if key[0] in (N, S, T)
    }
    expected = EXPECTED[metric_id]
    assert set(actual) == set(expected)
    for key, numbers in expected.items():
        assert actual[key] == pytest.approx(numbers), f"{metric_id} {key}"


# The edge cases, one by one ----------------------------------------------------------------


def test_a_high_risk_report_never_attended_counts_in_the_denominator_only(tiny_db):
    flags = in_numerator(tiny_db, "misper_high_risk_attended_60m", N, JAN)
    assert flags == {"M01": True, "M02": False, "M03": False}


def test_attendance_at_exactly_60_minutes_is_within_60_minutes(tiny_db):
    rows = metrics.records(tiny_db, "misper_high_risk_attended_60m", N, JAN)
    m01 = rows.set_index("report_ref").loc["M01"]
    assert m01["minutes_to_attend"] == 60
    assert m01["in_numerator"]


def test_a_report_made_late_on_the_last_day_belongs_to_that_month(tiny_db):
    assert "M04" in in_numerator(tiny_db, "misper_high_risk_attended_60m", S, JAN)
    assert figure(tiny_db, "misper_high_risk_attended_60m", S, FEB) == (0, 0, None)


def test_an_investigation_opened_and_closed_in_the_same_month_is_never_counted(tiny_db):
    for month in (JAN, FEB, MAR):
        assert "I3" not in in_numerator(tiny_db, "cai_open_over_3m", N, month)
        assert "I3" not in in_numerator(tiny_db, "cai_over_3m_reviewed_pct", N, month)


def test_an_investigation_open_exactly_3_months_at_month_end_is_not_yet_counted(tiny_db):
    assert "I2" not in in_numerator(tiny_db, "cai_open_over_3m", N, JAN)
    assert "I2" in in_numerator(tiny_db, "cai_open_over_3m", N, FEB)


def test_a_district_with_nothing_to_count_shows_a_missing_value_not_zero(tiny_db):
    assert figure(tiny_db, "cai_over_3m_reviewed_pct", S, FEB) == (0, 0, None)
    assert figure(tiny_db, "rso_caseload_per_officer", S, JAN) == (4, 0, None)
    assert figure(tiny_db, "misper_high_risk_attended_60m", T, FEB) == (0, 0, None)


def test_an_offender_never_visited_is_measured_from_when_management_began(tiny_db):
    rows = metrics.records(tiny_db, "rso_visits_overdue_pct", N, FEB).set_index("offender_ref")
    n3 = rows.loc["O-N3"]
    assert pd.isna(n3["last_visit_on"])
    assert n3["next_visit_due_on"].date() == dt.date(2024, 2, 15)  # 15 Aug + 6 months
    assert n3["in_numerator"]
    assert not in_numerator(tiny_db, "rso_visits_overdue_pct", N, JAN)["O-N3"]


def test_a_visit_after_month_end_does_not_clear_an_earlier_month(tiny_db):
    rows = metrics.records(tiny_db, "rso_visits_overdue_pct", N, MAR).set_index("offender_ref")
    assert rows.loc["O-N1", "last_visit_on"].date() == dt.date(2024, 2, 10)
    assert rows.loc["O-N1", "in_numerator"]


def test_a_visit_due_on_the_last_day_of_the_month_is_not_yet_overdue(tiny_db):
    flags = in_numerator(tiny_db, "rso_visits_overdue_pct", N, JAN)
    assert "O-N2" in flags and not flags["O-N2"]  # last visit 31 Oct, due 31 Jan


def test_a_child_missing_three_times_across_two_districts_counts_once_for_the_force(tiny_db):
    # C09: twice in Northdale, once in Southdale (latest) in the 90 days to 31 Mar.
    assert in_numerator(tiny_db, "misper_repeat_children", S, MAR) == {"C09": True, "C14": True}
    assert in_numerator(tiny_db, "misper_repeat_children", N, MAR) == {}
    assert in_numerator(tiny_db, "misper_repeat_children", T, MAR) == {"C09": True, "C14": True}
    assert figure(tiny_db, "misper_repeat_children", T, MAR) == (2, 1, 2)


def test_another_forces_report_does_not_move_a_repeat_child_out_of_the_force(tiny_db):
    # C09's latest report (15 Mar) is in Westvale, another force, with 1 report there.
    assert figure(tiny_db, "misper_repeat_children", "Westshire", MAR) == (0, 1, 0)
    assert "C09" in in_numerator(tiny_db, "misper_repeat_children", S, MAR)


def test_a_report_90_days_before_month_end_is_outside_the_90_days(tiny_db):
    # C11: 1 Jan is 90 days before 31 Mar; with 10 Feb and 5 Mar that leaves 2 reports.
    for district in (S, T):
        assert "C11" not in in_numerator(tiny_db, "misper_repeat_children", district, MAR)


def test_a_report_89_days_before_month_end_is_inside_the_90_days(tiny_db):
    # C14: 2 Jan is 89 days before 31 Mar (and the last report is at 23:59 on 31 Mar).
    rows = metrics.records(tiny_db, "misper_repeat_children", S, MAR).set_index("child_ref")
    assert rows.loc["C14", "reports_in_90_days"] == 3
    assert rows.loc["C14", "window_start"].date() == dt.date(2024, 1, 2)


def test_a_report_counts_at_a_month_end_three_months_after_its_own_month(tiny_db):
    # C15 in Westvale: 31 Jan, 15 Mar, 20 Apr 2023; 30 Apr 2023 - 89 days = 31 Jan 2023.
    april = dt.date(2023, 4, 1)
    frame = metrics.compute_frame(tiny_db, "misper_repeat_children", april, april)
    by_unit = dict(zip(frame["district"], frame["numerator"], strict=True))
    assert by_unit["Westvale"] == 1
    assert by_unit["Westshire"] == 1


def test_the_force_median_is_taken_over_all_its_cases_not_the_districts_medians(tiny_db):
    rows = metrics.records(tiny_db, "iioc_turnaround_days", T, MAR)
    assert sorted(rows["days"]) == [10, 81]
    assert figure(tiny_db, "iioc_turnaround_days", T, MAR) == (91, 2, 45.5)


def test_a_case_completed_on_month_end_has_left_the_backlog(tiny_db):
    assert "F04" in in_numerator(tiny_db, "iioc_backlog_over_30d", S, JAN)
    assert "F04" not in in_numerator(tiny_db, "iioc_backlog_over_30d", S, FEB)


def test_a_missing_workforce_return_leaves_the_force_figure_missing(tiny_db):
    rows = metrics.records(tiny_db, "specialist_investigators_fte", T, MAR).set_index("district")
    assert rows.loc[N, "in_numerator"]
    assert not rows.loc[S, "in_numerator"]
    assert figure(tiny_db, "specialist_investigators_fte", T, MAR) == (None, None, None)


def test_recommendations_are_a_force_figure_only(tiny_db):
    districts = set(figures(tiny_db, "recommendations_on_time_pct"))
    assert districts == {(force, m) for force in (T, "Westshire") for m in (JAN, FEB, MAR)}


def test_a_recommendation_completed_on_its_due_date_is_on_time(tiny_db):
    assert in_numerator(tiny_db, "recommendations_on_time_pct", T, MAR) == {
        "R1": True,
        "R2": False,
        "R3": False,
        "R4": True,
    }


def test_the_second_force_has_its_own_figures(tiny_db):
    assert figure(tiny_db, "misper_high_risk_attended_60m", "Westvale", JAN) == (1, 1, 100.0)
    assert figure(tiny_db, "misper_high_risk_attended_60m", "Westshire", JAN) == (1, 1, 100.0)
    assert figure(tiny_db, "rso_caseload_per_officer", "Westshire", JAN) == (1, 0, None)
    assert figure(tiny_db, "rso_visits_overdue_pct", "Westshire", JAN) == (1, 1, 100.0)


# Refresh ------------------------------------------------------------------------------------


def test_refresh_fills_metric_values_with_every_metric(refreshed_tiny_db):
    stored = refreshed_tiny_db.execute(
        "select metric_id, count(*) from metric_values group by metric_id"
    ).fetchall()
    # 3 districts + 2 forces = 5 rows a month; recommendations: 2 forces only. 3 months.
    expected = {
        metric_id: (2 if metric.scope == "force" else 5) * 3
        for metric_id, metric in registry.metrics().items()
    }
    assert dict(stored) == expected


def test_refresh_stores_the_same_figures_as_the_metric_query(refreshed_tiny_db):
    for metric_id in registry.metrics():
        stored = metrics.frame(refreshed_tiny_db, metric_id)
        computed = metrics.compute_frame(refreshed_tiny_db, metric_id, JAN, MAR)
        stored["month"] = stored["month"].astype(computed["month"].dtype)
        assert stored.equals(computed), metric_id
