"""Data-quality queries: counted per district and rule, with the records behind each count."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from safeguarding import contract, imports, quality, store

NOW = dt.datetime(2026, 1, 15, 9, 0)


@pytest.fixture
def quality_db(tmp_path) -> str:
    """A small database with one record behind each query, placed by hand."""
    path = tmp_path / "quality.duckdb"
    with store.writer(path, fresh=True) as con:
        con.execute(
            "insert into districts values ('Leeds', 'West Yorkshire'), "
            "('Kirklees', 'West Yorkshire')"
        )
        con.execute(
            """
            insert into missing_reports (report_ref, child_ref, district, age, risk_grade,
                reported_at, attended_at, supervisor_review_at, found_at)
            values
              ('M1', 'C1', 'Leeds', 12, 'high', '2025-05-01 10:00', null, '2025-05-01 11:00',
               null),
              ('M2', 'C2', 'Leeds', 12, 'high', '2025-05-01 10:00', '2025-05-01 10:20',
               '2025-05-01 11:00', null),
              ('M3', 'C3', 'Kirklees', 15, 'no_apparent_risk', '2025-05-02 10:00', null, null,
               '2025-05-02 18:00'),
              ('M4', 'C4', 'Kirklees', 15, 'medium', '2023-05-02 10:00', null,
               '2023-05-02 12:00', '2024-06-01 10:00')
            """
        )
        con.execute(
            """
            insert into offenders values ('O1', 'Leeds', 'high', '2020-01-01', '2024-12-31');
            insert into offender_visits values ('V1', 'O1', '2025-02-01'),
                                               ('V2', 'O1', '2024-02-01'),
                                               ('V3', 'O9', '2024-02-01');
            insert into investigations values ('I1', 'Kirklees', null, '2025-03-01', null);
            insert into investigation_reviews values ('IR1', 'I1', '2025-02-20'),
                                                     ('IR2', 'I1', '2025-03-20'),
                                                     ('IR3', 'I404', '2025-03-20');
            insert into custody_detentions values
              ('D1', 'C9', 'Leeds', 16, '2025-04-01 18:00', true, true, '2025-04-06 09:00');
            insert into workforce values ('Leeds', '2025-04-01', 'offender_manager', 2, 0);
            """
        )
    return str(path)


def test_every_rule_finds_exactly_the_record_placed_for_it(quality_db):
    found = quality.problems(store.reader(quality_db))
    pairs = sorted(zip(found["rule"], found["reference"], strict=True))
    assert pairs == [
        ("child_age_missing", "I1"),
        ("found_over_a_year_later", "M4"),
        ("high_risk_not_attended", "M1"),
        ("in_post_without_funding", "Leeds, 2025-04-01, offender_manager"),
        ("low_risk_not_reviewed", "M3"),
        ("released_over_3_days_later", "D1"),
        ("review_before_opened", "IR1"),
        ("review_investigation_unknown", "IR3"),
        ("visit_offender_unknown", "V3"),
        ("visit_outside_management", "V1"),
    ]


def test_every_rule_has_a_record_in_this_test(quality_db):
    # A new rule without a record above would be a rule nobody has seen fire.
    found = set(quality.problems(store.reader(quality_db))["rule"])
    assert found == {q.id for q in quality.RULES}


def test_a_record_says_what_is_wrong_in_words(quality_db):
    rows = quality.problems(store.reader(quality_db), rule_id="high_risk_not_attended")
    assert rows.to_dict("records") == [
        {
            "rule": "high_risk_not_attended",
            "reference": "M1",
            "district": "Leeds",
            "column": "attended_at",
            "value": "",
            "message": "is empty, but the report (reported 2025-05-01 10:00:00) is graded high "
            "risk: was the attendance recorded?",
        }
    ]
    review = quality.problems(store.reader(quality_db), rule_id="review_before_opened")
    assert review.iloc[0]["message"] == "'2025-02-20' is before investigation 'I1' opened"
    assert review.iloc[0]["district"] == "Kirklees"


def test_a_record_whose_parent_is_missing_has_no_known_district(quality_db):
    rows = quality.problems(store.reader(quality_db), rule_id="visit_offender_unknown")
    assert rows["district"].tolist() == [quality.UNKNOWN_DISTRICT]


def test_the_summary_counts_every_rule_for_every_district_including_zero(quality_db):
    summary = quality.summary(store.reader(quality_db))
    leeds = summary[summary["district"] == "Leeds"].set_index("rule")["records"]
    assert leeds["high_risk_not_attended"] == 1
    assert leeds["low_risk_not_reviewed"] == 0
    kirklees = summary[summary["district"] == "Kirklees"].set_index("rule")["records"]
    assert kirklees["low_risk_not_reviewed"] == 1
    assert set(summary["rule"]) == {q.id for q in quality.RULES}
    unknown = summary[summary["district"] == quality.UNKNOWN_DISTRICT]
    assert unknown.set_index("rule")["records"].to_dict() == {
        "visit_offender_unknown": 1,
        "review_investigation_unknown": 1,
    }


def test_one_districts_records_only(quality_db):
    rows = quality.problems(store.reader(quality_db), district="Kirklees")
    assert set(rows["district"]) == {"Kirklees"}
    assert sorted(rows["reference"]) == ["I1", "IR1", "M3", "M4"]


def test_queries_apply_to_the_demo_data_too(demo_db):
    summary = quality.summary(demo_db)
    totals = summary.groupby("rule")["records"].sum()
    assert totals["high_risk_not_attended"] > 0
    assert set(summary["district"]) >= {"Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"}


def test_a_demo_database_says_its_tables_are_demo_data(demo_db):
    loaded = imports.last_loaded(demo_db)
    assert loaded["table"].tolist() == list(contract.IMPORT_TABLES)
    assert set(loaded["source"]) == {"Demo data, as at 31 December 2025"}
    assert loaded["last_loaded"].isna().all()


def test_the_last_load_of_each_table_comes_from_the_audit(quality_db):
    header = contract.template_csv("conferences").strip()
    data = f"{header}\nK1,Leeds,ICPC,2025-03-01,true,false\n".encode()
    imports.import_file(quality_db, "conferences", data, "march.csv", by="analyst", now=lambda: NOW)
    rejected = f"{header}\nK2,Leeds,icpc,2025-03-01,true,false\n".encode()
    imports.import_file(quality_db, "conferences", rejected, "bad.csv", now=lambda: NOW)
    loaded = imports.last_loaded(store.reader(quality_db)).set_index("table")
    row = loaded.loc["conferences"]
    assert (row["rows"], row["last_loaded"], row["source"], row["by"]) == (
        1,
        pd.Timestamp(NOW),
        "march.csv (loaded)",
        "analyst",
    )
    assert loaded.loc["workforce", "source"] == "Never loaded"
