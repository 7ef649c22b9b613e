"""Imports on a database of several forces: a force's file may name only that force's districts.

The force is a validation rule like any other (before anything is written): a record naming
another force's district is an error with its file, line, column and plain words, and nothing
is stored; the audit records the force. A one-force database behaves as it always has.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from safeguarding import access, imports, store

from cli_runner import run

TODAY = dt.date(2026, 1, 15)
HEADER = "officer_ref,district,fte,start_date,end_date"


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def errors(report: imports.Report) -> list[tuple]:
    rows = report.problems[report.problems["severity"] == "error"]
    return [(int(r.line), r.column, r.value, r.rule, r.message) for r in rows.itertuples()]


@pytest.fixture
def two_forces(tmp_path) -> str:
    path = tmp_path / "two.duckdb"
    with store.writer(path, fresh=True) as con:
        con.execute(
            "insert into districts values ('Leeds', 'West Yorkshire'), "
            "('Kirklees', 'West Yorkshire'), ('North A', 'Force 02'), ('North B', 'Force 02')"
        )
    return str(path)


@pytest.fixture
def one_force(tmp_path) -> str:
    path = tmp_path / "one.duckdb"
    with store.writer(path, fresh=True) as con:
        con.execute(
            "insert into districts values ('Leeds', 'West Yorkshire'), "
            "('Kirklees', 'West Yorkshire')"
        )
    return str(path)


def managers(db: str) -> int:
    return store.reader(db).execute("select count(*) from offender_managers").fetchone()[0]


def test_a_forces_import_refuses_another_forces_district_with_line_column_and_words(two_forces):
    data = csv_file(
        "M1,Leeds,1.0,2020-01-01,",
        "M2,North A,1.0,2020-01-01,",
        "M3,Kirklees,0.5,2021-01-01,",
    )
    result = imports.import_file(
        two_forces, "offender_managers", data, "om.csv", force="West Yorkshire", today=TODAY
    )
    assert result.outcome == "rejected"
    assert errors(result.report) == [
        (
            3,
            "district",
            "North A",
            "other_force_district",
            "district 'North A' belongs to force Force 02, not West Yorkshire: this import is for "
            "West Yorkshire only",
        )
    ]
    assert imports.describe(result.report.problems.iloc[0].to_dict()).startswith(
        "om.csv, line 3, column district: district 'North A' belongs to force Force 02"
    )
    assert managers(two_forces) == 0  # nothing stored
    audit = imports.history(store.reader(two_forces)).iloc[0]
    assert (audit["outcome"], audit["force"]) == ("rejected", "West Yorkshire")


def test_a_forces_own_districts_load_and_the_audit_records_the_force(two_forces):
    data = csv_file("M1,North A,1.0,2020-01-01,", "M2,North B,1.0,2020-01-01,")
    result = imports.import_file(
        two_forces, "offender_managers", data, "om.csv", force="Force 02", today=TODAY
    )
    assert (result.outcome, result.inserted) == ("loaded", 2)
    assert managers(two_forces) == 2
    audit = imports.history(store.reader(two_forces))
    assert list(audit.columns[:7]) == [
        "import_id",
        "imported_at",
        "imported_by",
        "file_name",
        "sha256",
        "table_name",
        "force",
    ]
    assert audit.iloc[0]["force"] == "Force 02"


def test_an_unknown_district_is_still_unknown_and_the_hint_names_the_forces_own(two_forces):
    report = imports.check(
        two_forces,
        "offender_managers",
        csv_file("M1,Nowhere,1.0,2020-01-01,"),
        "om.csv",
        force="Force 02",
        today=TODAY,
    )
    assert errors(report) == [
        (
            2,
            "district",
            "Nowhere",
            "unknown_district",
            "'Nowhere' is not a district in the database (North A, North B)",
        )
    ]


def test_a_districts_file_for_a_force_may_name_only_that_force(two_forces):
    data = csv_file("South C,West Yorkshire", "North C,Force 02", header="district,force")
    report = imports.check(two_forces, "districts", data, "d.csv", force="Force 02", today=TODAY)
    assert errors(report) == [
        (
            2,
            "force",
            "West Yorkshire",
            "other_force",
            "the force 'West Yorkshire' is not Force 02: this import is for Force 02 only",
        )
    ]


def test_without_a_force_every_stored_district_is_accepted_as_before(two_forces):
    data = csv_file("M1,Leeds,1.0,2020-01-01,", "M2,North A,1.0,2020-01-01,")
    report = imports.check(two_forces, "offender_managers", data, "om.csv", today=TODAY)
    assert report.ok


def test_an_unknown_force_is_refused_before_any_row_is_read(two_forces):
    with pytest.raises(imports.UnknownForceError, match="no force called 'Force 09'"):
        imports.check(two_forces, "offender_managers", csv_file(), "om.csv", force="Force 09")


def test_a_one_force_database_imports_as_before_and_its_audit_has_no_force_column(one_force):
    data = csv_file("M1,Leeds,1.0,2020-01-01,")
    result = imports.import_file(one_force, "offender_managers", data, "om.csv", today=TODAY)
    assert result.outcome == "loaded"
    assert "force" not in imports.history(store.reader(one_force)).columns


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def extract(tmp_path):
    def write(data: bytes, name: str = "om.csv") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def test_the_cli_needs_force_on_a_several_force_database(capsys, two_forces, extract):
    path = extract(csv_file("M1,Leeds,1.0,2020-01-01,"))
    code, _, err = run(capsys, "import", "offender_managers", path, "--db", two_forces)
    assert code == 2
    assert "holds 2 forces (Force 02, West Yorkshire). Add --force NAME" in err
    assert managers(two_forces) == 0
    assert imports.history(store.reader(two_forces)).empty  # nothing tried, nothing audited


def test_the_cli_refuses_an_unknown_force_by_name(capsys, two_forces, extract):
    path = extract(csv_file("M1,Leeds,1.0,2020-01-01,"))
    code, _, err = run(
        capsys, "import", "offender_managers", path, "--db", two_forces, "--force", "Force 9"
    )
    assert code == 2
    assert "There is no force called 'Force 9'" in err
    assert "the forces are: Force 02, West Yorkshire" in err


def test_the_cli_import_for_a_force_refuses_another_forces_row(capsys, two_forces, extract):
    path = extract(csv_file("M1,Leeds,1.0,2020-01-01,", "M2,North B,1.0,2020-01-01,"))
    argv = ["import", "offender_managers", path, "--db", two_forces, "--force", "West Yorkshire"]
    code, out, err = run(capsys, *argv, "--format", "csv")
    assert code == 2
    assert (
        "om.csv,3,district,North B,error,other_force_district,\"district 'North B' belongs to "
        'force Force 02, not West Yorkshire: this import is for West Yorkshire only"'
    ) in out
    assert "The database is unchanged" in err
    code, out, _ = run(capsys, "imports", "--db", two_forces, "--format", "csv")
    assert out.splitlines()[0].startswith("import_id,imported_at,imported_by,file_name,sha256,")
    assert ",offender_managers,West Yorkshire,0,0,1,rejected," in out


def test_the_cli_import_for_a_force_loads_its_own_rows(capsys, two_forces, extract):
    path = extract(csv_file("M1,Leeds,1.0,2020-01-01,"))
    argv = ["import", "offender_managers", path, "--db", two_forces, "--force", "West Yorkshire"]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "1 inserted" in out
    assert managers(two_forces) == 1


def test_the_cli_on_a_one_force_database_needs_no_force(capsys, one_force, extract):
    path = extract(csv_file("M1,Leeds,1.0,2020-01-01,"))
    code, out, _ = run(capsys, "import", "offender_managers", path, "--db", one_force)
    assert code == 0 and "1 inserted" in out


# --- whose force an upload on the Data page is for ------------------------------------------------

FORCE_OF = {"Leeds": "West Yorkshire", "North A": "Force 02", "South A": "Force 03"}


def scope(*roles: str, forces=(), districts=()) -> access.Scope:
    return access.Scope(
        user_id="u@example",
        roles=frozenset(roles),
        districts=frozenset(districts),
        forces=frozenset(forces),
    )


def test_the_upload_is_for_the_users_own_force():
    s = scope(access.LEADERSHIP, forces=["Force 02"])
    assert s.import_force(FORCE_OF) == ("Force 02", None)
    assert s.import_force(FORCE_OF, chosen="West Yorkshire") == ("Force 02", None)


def test_a_user_of_two_forces_imports_for_the_one_chosen():
    s = scope(access.LEADERSHIP, forces=["Force 02", "Force 03"])
    assert s.import_force(FORCE_OF, chosen="Force 03") == ("Force 03", None)
    force, refusal = s.import_force(FORCE_OF, chosen="West Yorkshire")
    assert force is None and "choose the force the file is for" in refusal


def test_a_user_with_no_force_on_a_several_force_database_cannot_import():
    force, refusal = scope(access.LEADERSHIP).import_force(FORCE_OF)
    assert force is None and "does not name a force" in refusal


def test_on_a_one_force_database_the_upload_names_no_force():
    assert scope(access.LEADERSHIP).import_force({"Leeds": "West Yorkshire"}) == (None, None)
    assert scope(access.LEADERSHIP).import_force({}) == (None, None)


def test_the_audit_frame_keeps_its_columns_when_no_import_named_a_force(one_force):
    frame = imports.history(store.reader(one_force))
    assert list(frame.columns) == imports.AUDIT_COLUMNS
    assert isinstance(frame, pd.DataFrame)
