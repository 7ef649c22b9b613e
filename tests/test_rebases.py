"""The rebase register: recorded with a reason, checked, and refused with a clear message."""

from __future__ import annotations

import datetime as dt

import pytest

from safeguarding import rebases, store

from cli_runner import run


@pytest.fixture
def own_demo_path(demo_db_path, tmp_path) -> str:
    path = tmp_path / "own.duckdb"
    store.copy_database(demo_db_path, path)
    return str(path)


GOOD = {
    "metric_id": "iioc_turnaround_days",
    "district": "Leeds",
    "month": dt.date(2024, 4, 1),
    "reason": "Second examination lab opened",
    "agreed_by": "Performance board",
    "agreed_on": dt.date(2024, 5, 2),
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"metric_id": "turnaround"}, "Unknown metric 'turnaround'"),
        ({"district": "Leeds North"}, "No figures for iioc_turnaround_days in 'Leeds North'"),
        ({"month": dt.date(2014, 1, 1)}, "January 2014 is outside the figures"),
        ({"month": dt.date(2026, 1, 1)}, "January 2026 is outside the figures"),
        ({"month": dt.date(2024, 4, 2)}, "starts at the beginning of a month"),
        ({"reason": "  "}, "Give the reason"),
        ({"agreed_by": ""}, "Say who agreed"),
        ({"reason": "Lab \u202eopened"}, r"The reason contains .* \(U\+202E\)"),
        ({"agreed_by": "Board\x07"}, r"who agreed it contains .* \(U\+0007\)"),
        ({"reason": "x" * 1001}, "The reason is too long"),
        # worked out when the test runs, not when it is collected (a run can cross midnight)
        ({"agreed_on": lambda: dt.date.today() + dt.timedelta(days=1)}, "is in the future"),
        ({"month": dt.date(2022, 1, 1)}, "already rebased at January 2022"),
    ],
)
def test_a_bad_rebase_is_refused_and_changes_nothing(own_demo_path, change, message):
    change = {k: v() if callable(v) else v for k, v in change.items()}
    version = store.version(own_demo_path)
    with pytest.raises(rebases.RebaseError, match=message):
        rebases.record(own_demo_path, **{**GOOD, **change})
    assert store.version(own_demo_path) == version


def test_a_recorded_rebase_is_listed_with_its_reason(own_demo_path):
    rebases.record(own_demo_path, **GOOD)
    listed = rebases.listing(store.reader(own_demo_path), "iioc_turnaround_days")
    leeds = listed[listed["district"] == "Leeds"]
    assert leeds["month"].dt.date.tolist() == [dt.date(2022, 1, 1), dt.date(2024, 4, 1)]
    assert leeds["reason"].iloc[-1] == "Second examination lab opened"
    assert leeds["agreed_by"].iloc[-1] == "Performance board"


def test_removing_a_rebase_that_is_not_there_is_refused(own_demo_path):
    with pytest.raises(rebases.RebaseError, match="There is no rebase of iioc_turnaround_days"):
        rebases.withdraw(
            own_demo_path,
            metric_id="iioc_turnaround_days",
            district="Leeds",
            month=dt.date(2024, 4, 1),
        )


def test_cli_adds_lists_and_removes_rebases(capsys, own_demo_path):
    code, out, err = run(
        capsys, "rebase", "add", "iioc_turnaround_days", "Leeds", "2024-04",
        "--reason", "Second examination lab opened", "--agreed-by", "Performance board",
        "--agreed-on", "2024-05-02", "--db", own_demo_path,
    )  # fmt: skip
    assert code == 0, err
    assert "starts a new period in 2024-04" in out
    code, out, _ = run(
        capsys, "rebase", "list", "--metric", "iioc_turnaround_days", "--db", own_demo_path,
        "--format", "csv",
    )  # fmt: skip
    assert code == 0
    assert "iioc_turnaround_days,Leeds,2024-04,Second examination lab opened" in out
    code, out, _ = run(
        capsys, "rebase", "remove", "iioc_turnaround_days", "Leeds", "2024-04",
        "--db", own_demo_path,
    )  # fmt: skip
    assert code == 0
    assert "Removed the rebase" in out


def test_cli_refuses_a_rebase_outside_the_data_with_exit_2(capsys, own_demo_path):
    code, _, err = run(
        capsys, "rebase", "add", "iioc_turnaround_days", "Leeds", "2030-01",
        "--reason", "x", "--agreed-by", "y", "--db", own_demo_path,
    )  # fmt: skip
    assert code == 2
    assert err.startswith("error: January 2030 is outside the figures")


def test_cli_rebase_needs_a_reason(capsys, own_demo_path):
    code, _, err = run(
        capsys, "rebase", "add", "iioc_turnaround_days", "Leeds", "2024-04",
        "--agreed-by", "y", "--db", own_demo_path,
    )  # fmt: skip
    assert code == 2
    assert "--reason" in err


def test_cli_rebase_on_a_missing_database_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(
        capsys, "rebase", "add", "iioc_turnaround_days", "Leeds", "2024-04", "--reason", "x",
        "--agreed-by", "y", "--db", str(tmp_path / "absent.duckdb"),
    )  # fmt: skip
    assert code == 2
    assert "No database at" in err
