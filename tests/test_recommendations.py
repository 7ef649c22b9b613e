"""The inspection recommendations tracker: overdue logic, progress recorded through the writer
(with the on-time metric recomputed), and the metrics linked to each recommendation."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding import recommendations, store

TODAY = dt.date(2015, 1, 1)


@pytest.fixture
def db(fresh_db_path):
    """Four recommendations of one report (1 September 2014), in the states that matter."""
    rows = [
        # ref, due, status, evidence, completed_on
        ("R1", "2014-12-01", "in_progress", None, None),  # due before TODAY, not done: overdue
        ("R2", "2015-01-01", "open", None, None),  # due TODAY: not yet overdue
        ("R3", "2014-12-01", "completed", "Audit done.", "2014-12-20"),  # completed late
        ("R4", "2015-03-31", "completed", "Protocol agreed.", "2014-11-28"),  # on time
    ]
    with store.writer(fresh_db_path) as con:
        con.execute("insert into districts values ('Kirklees', 'West Yorkshire')")
        for ref, due, status, evidence, completed in rows:
            con.execute(
                """
                insert into recommendations values
                    ($ref, 'West Yorkshire', '2014 child protection inspection',
                     date '2014-09-01', $text, 'Head of Crime', $due, $status, $evidence,
                     $completed, 'cai_over_3m_reviewed_pct;no_such_metric')
                """,
                {
                    "ref": ref,
                    "text": f"Recommendation {ref}.",
                    "due": due,
                    "status": status,
                    "evidence": evidence,
                    "completed": completed,
                },
            )
    return fresh_db_path


def by_ref(frame, column):
    return dict(zip(frame["recommendation_ref"], frame[column], strict=True))


def test_a_recommendation_not_completed_by_its_due_date_is_overdue(db):
    frame = recommendations.listing(store.reader(db), today=TODAY)
    assert by_ref(frame, "overdue") == {"R1": True, "R2": False, "R3": False, "R4": False}
    assert by_ref(frame, "days_overdue")["R1"] == 31
    assert by_ref(frame, "completed_late") == {"R1": False, "R2": False, "R3": True, "R4": False}


def test_overdue_recommendations_come_first_and_say_so_in_words(db):
    frame = recommendations.listing(store.reader(db), today=TODAY)
    assert frame["recommendation_ref"].tolist() == ["R1", "R2", "R3", "R4"]
    progress = by_ref(frame, "progress")
    assert progress["R1"] == "⚠ Overdue (in progress, due 1 December 2014)"
    assert progress["R2"] == "Open, due 1 January 2015"
    assert progress["R3"] == "Completed late (20 December 2014, due 1 December 2014)"
    assert progress["R4"] == "Completed on time (28 November 2014)"


def test_a_recommendation_becomes_overdue_the_day_after_it_is_due(db):
    frame = recommendations.listing(store.reader(db), today=TODAY + dt.timedelta(days=1))
    assert by_ref(frame, "overdue")["R2"] is True


def test_linked_metrics_are_the_known_ones_in_order(db):
    frame = recommendations.listing(store.reader(db), today=TODAY)
    assert frame["metric_ids"].iloc[0] == ["cai_over_3m_reviewed_pct"]
    assert recommendations.linked("a;icpc_report_shared_pct; icpc_police_attendance_pct") == [
        "icpc_report_shared_pct",
        "icpc_police_attendance_pct",
    ]
    assert recommendations.linked(None) == []


def test_completing_a_recommendation_records_evidence_and_date_and_it_is_no_longer_overdue(db):
    recommendations.save(
        db,
        "R1",
        status="completed",
        evidence="Weekly review list in place.",
        completed_on=dt.date(2014, 12, 30),
        today=TODAY,
    )
    saved = recommendations.get(store.reader(db), "R1")
    assert saved["status"] == "completed"
    assert saved["completed_on"] == dt.date(2014, 12, 30)
    assert saved["evidence"] == "Weekly review list in place."
    frame = recommendations.listing(store.reader(db), today=TODAY)
    assert by_ref(frame, "overdue")["R1"] is False
    assert by_ref(frame, "completed_late")["R1"] is True


def test_reopening_clears_the_completion_date(db):
    recommendations.save(db, "R4", status="in_progress", today=TODAY)
    saved = recommendations.get(store.reader(db), "R4")
    assert saved["status"] == "in_progress" and saved["completed_on"] is None


@pytest.mark.parametrize(
    "ref, changes, message",
    [
        ("R2", {"status": "completed"}, "evidence"),
        (
            "R2",
            {"status": "completed", "evidence": "x", "completed_on": dt.date(2015, 2, 1)},
            "in the future",
        ),
        (
            "R2",
            {"status": "completed", "evidence": "x", "completed_on": dt.date(2014, 8, 1)},
            "before the report",
        ),
        ("R2", {"status": "done"}, "Status must be one of"),
        ("R2", {"owner": "  "}, "needs an owner"),
        (
            "R2",
            {"status": "in_progress", "evidence": "Posts \u200bfilled"},
            r"The evidence contains an invisible or control character \(U\+200B\)",
        ),
        ("R2", {"due_date": dt.date(2014, 1, 1)}, "before the report"),
        ("R9", {"status": "open"}, "no recommendation 'R9'"),
    ],
)
def test_a_bad_change_is_refused_with_a_reason(db, ref, changes, message):
    with pytest.raises(recommendations.RecommendationError, match=message):
        recommendations.save(db, ref, today=TODAY, **changes)
    if ref == "R2":
        assert recommendations.get(store.reader(db), "R2")["status"] == "open"


def test_recording_progress_recomputes_the_on_time_metric(demo_db_path, tmp_path):
    path = tmp_path / "demo.duckdb"
    store.copy_database(demo_db_path, path)
    sql = (
        "select value from metric_values where metric_id = 'recommendations_on_time_pct' "
        "and month = date '2025-12-01'"
    )
    before = store.reader(path).execute(sql).fetchone()[0]
    frame = recommendations.listing(store.reader(path))
    overdue = frame[frame["overdue"]]["recommendation_ref"].iloc[0]
    # Completed on its due date: on time, so one more of the 8 counts.
    due = frame.loc[frame["recommendation_ref"] == overdue, "due_date"].iloc[0]
    recommendations.save(
        path, overdue, status="completed", evidence="Concordat in force.", completed_on=due
    )
    after = store.reader(path).execute(sql).fetchone()[0]
    assert after == pytest.approx(before + 100 / 8)
    signal = (
        store.reader(path)
        .execute(
            "select value from metric_signals where metric_id = 'recommendations_on_time_pct' "
            "and month = date '2025-12-01'"
        )
        .fetchone()[0]
    )
    assert signal == pytest.approx(after)


def test_the_seeded_2014_recommendations_link_to_figures_before_and_after(demo_db):
    frame = recommendations.listing(demo_db, today=dt.date(2025, 12, 31))
    assert len(frame) == 8
    assert frame["report"].eq("2014 child protection inspection").all()
    row = frame[frame["recommendation_ref"].str.endswith("CPI14-05")].iloc[0].to_dict()
    linked = recommendations.linked_figures(demo_db, row)
    assert linked["metric_id"].tolist() == [
        "iioc_turnaround_days",
        "iioc_within_30d_pct",
        "iioc_backlog_over_30d",
        "iioc_outsourced_non_specialist_pct",
    ]
    turnaround = linked.iloc[0]
    assert turnaround["before_month"] == dt.date(2014, 9, 1)
    assert turnaround["now_month"] == dt.date(2025, 12, 1)
    # The forensic unit's expansion: months in 2014, about a month by 2025 (DESIGN.md).
    before_days = float(turnaround["before_text"].split()[0])
    now_days = float(turnaround["now_text"].split()[0])
    assert before_days > now_days
    summary = recommendations.linked_summary(linked)
    assert "Indecent-image examinations: median turnaround" in summary and "→" in summary
