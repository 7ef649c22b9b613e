"""The demo generator: deterministic, calibrated to public figures, and within the schema."""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pandas as pd
import pytest

from safeguarding import demo, metrics, registry, store
from tests.conftest import DEMO_LAST_MONTH


def _fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    out = {}
    for table in demo.RECORD_TABLES:
        rows = con.execute(f"select * from {table} order by all").fetchall()
        out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def _build(seed: int, last_month=dt.date(2015, 6, 1), forces: int = 1) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    store.create_schema(con)
    demo.build(con, seed=seed, forces=forces, last_month=last_month)
    return con


@pytest.fixture(scope="module")
def seed_7() -> dict[str, str]:
    """The record fingerprints of one build with seed 7 (built once for the tests below)."""
    return _fingerprint(_build(7))


def test_the_same_seed_builds_the_same_records(seed_7):
    assert _fingerprint(_build(7)) == seed_7


def test_a_different_seed_builds_different_records(seed_7):
    second = _fingerprint(_build(8))
    assert all(seed_7[t] != second[t] for t in ("offenders", "missing_reports", "forensic_cases"))


def test_august_2014_caseloads_match_the_inspection(demo_db):
    frame = metrics.frame(
        demo_db,
        "rso_caseload_per_officer",
        from_month=dt.date(2014, 8, 1),
        to_month=dt.date(2014, 8, 1),
    ).set_index("district")
    assert frame.loc["Kirklees", "value"] == pytest.approx(100, abs=4)
    assert frame.loc["Calderdale", "value"] == pytest.approx(58, abs=3)


def test_registered_offenders_grow_from_about_2650_to_about_3450(demo_db):
    frame = metrics.frame(demo_db, "rso_caseload_per_officer", districts=["West Yorkshire"])
    by_month = frame.set_index("month")["numerator"]
    assert by_month[pd.Timestamp("2014-08-01")] == pytest.approx(2650, rel=0.05)
    assert by_month[pd.Timestamp("2024-12-01")] == pytest.approx(3450, rel=0.05)


def test_about_11000_missing_child_reports_a_year_with_5_to_16_percent_high_risk(demo_db):
    per_year = demo_db.execute(
        "select count(*) from missing_reports where year(reported_at) = 2014"
    ).fetchone()[0]
    assert per_year == pytest.approx(11_000, rel=0.1)
    shares = demo_db.execute(
        "select district, avg((risk_grade = 'high')::int) from missing_reports group by district"
    ).fetchall()
    assert len(shares) == 5
    assert all(0.045 <= share <= 0.165 for _, share in shares)


def test_district_child_populations_are_calibrated(demo_db):
    rows = dict(
        demo_db.execute("select district, under_18 from population where year = 2014").fetchall()
    )
    assert rows == {
        "Bradford": 145_000,
        "Calderdale": 46_000,
        "Kirklees": 99_000,
        "Leeds": 174_000,
        "Wakefield": 75_000,
    }


def test_indecent_image_turnaround_falls_after_the_forensic_expansion(demo_db):
    frame = metrics.frame(demo_db, "iioc_turnaround_days", districts=["West Yorkshire"])
    frame["year"] = frame["month"].dt.year
    yearly = frame.groupby("year")["value"].median()
    assert yearly[2018] > 90  # several months before 2020
    assert yearly[2023] < 40  # toward a month after the expansion


def test_no_event_is_dated_after_the_data_as_at_date(demo_db):
    as_at = dt.date.fromisoformat(store.meta(demo_db)["as_at"])
    assert as_at == dt.date(2025, 12, 31)
    checks = {
        "missing_reports": "greatest(reported_at, attended_at, supervisor_review_at, found_at, "
        "return_interview_at)",
        "forensic_cases": "greatest(submitted_on, completed_on)",
        "investigations": "greatest(opened_on, closed_on)",
        "offender_visits": "visit_date",
        "conferences": "held_on",
        "custody_detentions": "greatest(charged_at, released_at)",
    }
    for table, expr in checks.items():
        latest = demo_db.execute(f"select max({expr})::date from {table}").fetchone()[0]
        assert latest <= as_at, table


def test_references_are_unique_across_districts_and_hold_no_names(demo_db):
    refs = demo_db.execute(
        "select count(*), count(distinct report_ref), min(report_ref) from missing_reports"
    ).fetchone()
    assert refs[0] == refs[1]
    assert refs[2].startswith("MIS-")
    child = demo_db.execute("select min(child_ref) from missing_reports").fetchone()[0]
    assert child.startswith("C-")


def test_every_metric_is_materialised_for_every_district_and_month(demo_db):
    counts = dict(
        demo_db.execute(
            "select metric_id, count(*) from metric_values group by metric_id"
        ).fetchall()
    )
    months = (DEMO_LAST_MONTH.year - 2014) * 12 + DEMO_LAST_MONTH.month
    assert set(counts) == set(registry.metrics())
    assert counts["rso_caseload_per_officer"] == months * 6  # five districts and the force
    assert counts["recommendations_on_time_pct"] == months  # force only


def test_forces_option_builds_that_many_forces_each_with_its_own_districts(tmp_path):
    path = tmp_path / "four.duckdb"
    with store.writer(path, fresh=True) as con:
        demo.build(con, seed=3, forces=4, last_month=dt.date(2015, 6, 1))
    con = store.reader(path)
    forces = con.execute(
        "select force, count(*) from districts group by force order by force"
    ).fetchall()
    assert len(forces) == 4
    assert forces[-1][0] == "West Yorkshire"
    assert all(n >= 3 for _, n in forces)
    force_rows = con.execute(
        "select count(distinct district) from metric_values where district in "
        "(select force from districts)"
    ).fetchone()[0]
    assert force_rows == 4
