"""The command line: each command's output and its clear errors for what a user gets wrong."""

from __future__ import annotations

import csv
import io

import pytest

from cli_runner import run


def test_metric_prints_the_standard_frame_as_csv(capsys, demo_db_path):
    code, out, _ = run(
        capsys,
        "metric",
        "rso_caseload_per_officer",
        "--db",
        demo_db_path,
        "--from",
        "2014-08",
        "--to",
        "2014-08",
        "--format",
        "csv",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["district", "month", "numerator", "denominator", "value"]
    kirklees = next(r for r in rows if r["district"] == "Kirklees")
    assert kirklees["month"] == "2014-08"
    assert float(kirklees["value"]) == pytest.approx(100, abs=4)
    assert {r["district"] for r in rows} >= {"Calderdale", "West Yorkshire"}


def test_every_catalogue_metric_prints_its_frame(capsys, demo_db_path):
    from safeguarding import registry

    for metric_id in registry.metrics():
        code, out, err = run(
            capsys,
            "metric",
            metric_id,
            "--db",
            demo_db_path,
            "--from",
            "2024-01",
            "--to",
            "2024-03",
        )
        assert code == 0, err
        assert "West Yorkshire" in out


def test_scorecard_shows_value_target_and_status_in_words(capsys, demo_db_path):
    code, out, _ = run(capsys, "scorecard", "--month", "2014-08", "--db", demo_db_path)
    assert code == 0
    line = next(
        ln for ln in out.splitlines() if "rso_caseload_per_officer" in ln and "Kirklees" in ln
    )
    assert "50.0" in line and "Not met" in line


def test_unknown_metric_is_a_clear_error(capsys, demo_db_path):
    code, _, err = run(capsys, "metric", "caseload", "--db", demo_db_path)
    assert code == 2
    assert "Unknown metric 'caseload'" in err
    assert "rso_caseload_per_officer" in err


@pytest.mark.parametrize("month", ["2024-13", "\u0662\u0660\u0662\u0664-\u0660\u0668"])
def test_bad_month_is_a_clear_error(capsys, demo_db_path, month):
    # Other scripts' digits were once read as 2024-08.
    code, _, err = run(capsys, "scorecard", "--month", month, "--db", demo_db_path)
    assert code == 2
    assert f"'{month}' is not a month: write it as YYYY-MM" in err


def test_month_without_data_says_how_far_the_data_runs(capsys, demo_db_path):
    code, _, err = run(capsys, "scorecard", "--month", "2030-01", "--db", demo_db_path)
    assert code == 2
    assert "No figures for 2030-01" in err and "2025-12-31" in err


def test_missing_database_is_a_clear_error(capsys, tmp_path):
    missing = tmp_path / "absent.duckdb"
    code, _, err = run(capsys, "metric", "rso_caseload_per_officer", "--db", str(missing))
    assert code == 2
    assert f"No database at {missing}" in err
    assert not missing.exists()


def test_db_defaults_to_the_environment_variable(capsys, monkeypatch, demo_db_path):
    monkeypatch.setenv("SAFEGUARDING_DB", demo_db_path)
    code, out, _ = run(capsys, "metric", "cai_open_over_3m", "--from", "2020-01", "--to", "2020-01")
    assert code == 0
    assert "Leeds" in out


def test_demo_will_not_replace_a_database_unless_asked(capsys, fresh_db_path):
    code, _, err = run(capsys, "demo", "--db", fresh_db_path)
    assert code == 2
    assert "already exists. Add --force" in err


def test_demo_will_not_replace_imported_data_even_with_force(capsys, fresh_db_path):
    from safeguarding import store

    with store.writer(fresh_db_path) as con:
        store.set_meta(con, source="import")
    code, _, err = run(capsys, "demo", "--db", fresh_db_path, "--force")
    assert code == 2
    assert "holds imported data" in err


def test_demo_builds_a_database_with_a_fixed_last_month(capsys, tmp_path):
    path = tmp_path / "built.duckdb"
    code, out, _ = run(capsys, "demo", "--db", str(path), "--to", "2015-03", "--seed", "5")
    assert code == 0
    assert "Built demo database" in out
    code, out, _ = run(
        capsys, "metric", "iioc_backlog_over_30d", "--db", str(path), "--format", "csv"
    )
    assert out.strip().splitlines()[-1].startswith("West Yorkshire,2015-03")


@pytest.mark.parametrize(
    "month, message",
    [
        ("2014-03", "The demo needs at least January 2014 to January 2015"),
        # Records of months to come would be refused on the way back in.
        ("2099-01", "The demo cannot run to January 2099: that month is not over yet"),
    ],
)
def test_demo_to_a_month_it_cannot_end_in_is_an_error_in_words(capsys, tmp_path, month, message):
    path = tmp_path / "demo.duckdb"
    code, _, err = run(capsys, "demo", "--db", str(path), "--to", month)
    assert code == 2 and message in err and "Traceback" not in err
    assert not path.exists()
