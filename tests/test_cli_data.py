"""The data commands: template, export, import, contract, imports; and their clear errors."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys

import duckdb
import pytest

from safeguarding import contract, imports, store
from safeguarding.paths import ROOT

from cli_runner import run

HEADER = contract.template_csv("missing_reports").strip()
GOOD = "R1,C1,Leeds,14,medium,2025-06-01 10:00,2025-06-01 10:30,2025-06-01 12:00,,"
BAD_GRADE = "R2,C2,Leeds,14,hgh,2025-06-01 10:00,2025-06-01 10:30,2025-06-01 12:00,,"


@pytest.fixture
def db(tmp_path) -> str:
    path = tmp_path / "cli.duckdb"
    with store.writer(path, fresh=True) as con:
        con.execute("insert into districts values ('Leeds', 'West Yorkshire')")
    return str(path)


@pytest.fixture
def extract(tmp_path):
    def write(*lines: str, name: str = "extract.csv") -> str:
        path = tmp_path / name
        path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
        return str(path)

    return write


def test_template_prints_the_header_line(capsys):
    code, out, _ = run(capsys, "template", "missing_reports")
    assert (code, out) == (0, HEADER + "\n")


def test_template_writes_a_file_that_imports_as_header_only(capsys, tmp_path, db):
    target = tmp_path / "t.csv"
    code, _, err = run(capsys, "template", "workforce", "--out", str(target))
    assert code == 0 and f"to {target}" in err
    assert target.read_text() == "district,month,role,fte_in_post,fte_funded\n"
    code, _, err = run(capsys, "import", "workforce", str(target), "--db", db)
    assert code == 2
    assert err == (
        "error: t.csv: 1 error in the file as a whole (its encoding, layout or header), so no "
        "record was checked. Nothing can be loaded until every error is fixed. The database is "
        "unchanged (recorded as import 1).\n"
    )


def test_an_unknown_table_is_a_clear_error(capsys, db):
    code, _, err = run(capsys, "export", "misper", "--db", db)
    assert code == 2
    assert err.startswith("error: There is no table called 'misper' to import. The tables are:")


def test_import_loads_a_good_file_and_says_what_it_did(capsys, db, extract):
    code, out, _ = run(capsys, "import", "missing_reports", extract(GOOD), "--db", db)
    assert code == 0
    assert out == (
        "Loaded extract.csv into missing_reports: 1 inserted, 0 updated, 0 unchanged "
        "(import 1). The figures have been recalculated.\n"
    )
    code, out, _ = run(capsys, "import", "missing_reports", extract(GOOD), "--db", db)
    assert code == 0
    assert out == (
        "extract.csv: every record is already stored exactly as in the file; nothing changed "
        "(import 2).\n"
    )


def test_a_file_with_errors_prints_each_problem_and_exits_2_with_nothing_loaded(
    capsys, db, extract
):
    code, out, err = run(capsys, "import", "missing_reports", extract(GOOD, BAD_GRADE), "--db", db)
    assert code == 2
    lines = out.splitlines()
    assert lines[0] == "Problems in extract.csv:"
    assert lines[1].split() == ["line", "column", "value", "severity", "message"]
    assert lines[2].split()[:4] == ["3", "risk_grade", "hgh", "error"]
    assert lines[2].endswith("'hgh' is not an allowed value (high, medium, low, no_apparent_risk)")
    assert err == (
        "error: extract.csv: 2 records read; 1 error on 1 line, 0 queries. Nothing can be loaded "
        "until every error is fixed. The database is unchanged (recorded as import 1).\n"
    )
    con = store.reader(db)
    assert con.execute("select count(*) from missing_reports").fetchone() == (0,)
    assert imports.history(con)["outcome"].tolist() == ["rejected"]


def test_problems_can_be_listed_as_csv(capsys, db, extract):
    code, out, _ = run(
        capsys, "import", "missing_reports", extract(BAD_GRADE), "--db", db, "--format", "csv"
    )
    assert code == 2
    assert out.splitlines() == [
        "file,line,column,value,severity,rule,message",
        "extract.csv,2,risk_grade,hgh,error,not_allowed,"
        "\"'hgh' is not an allowed value (high, medium, low, no_apparent_risk)\"",
    ]


def test_check_validates_without_writing_anything(capsys, db, extract):
    before = store.version(db)
    code, out, _ = run(capsys, "import", "missing_reports", extract(GOOD), "--db", db, "--check")
    assert code == 0
    assert out == "extract.csv: 1 record read; no errors, 0 queries.\n"
    assert store.version(db) == before


def test_who_imported_is_the_os_user_unless_given(capsys, db, extract):
    run(capsys, "import", "missing_reports", extract(GOOD), "--db", db)
    run(capsys, "import", "missing_reports", extract(GOOD), "--db", db, "--by", "j.smith")
    audit = imports.history(store.reader(db))
    assert audit["imported_by"].tolist() == ["j.smith", getpass.getuser()]


def test_a_missing_file_is_a_clear_error(capsys, db, tmp_path):
    missing = tmp_path / "nope.csv"
    code, _, err = run(capsys, "import", "missing_reports", str(missing), "--db", db)
    assert (code, err) == (2, f"error: No file at {missing}.\n")


def test_a_missing_database_is_created_only_when_asked(capsys, tmp_path):
    target = tmp_path / "new.duckdb"
    districts = tmp_path / "districts.csv"
    districts.write_text("district,force\nLeeds,West Yorkshire\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "districts", str(districts), "--db", str(target))
    assert code == 2
    assert err.startswith(f"error: No database at {target}. Add --create")
    assert not target.exists()
    code, out, _ = run(
        capsys, "import", "districts", str(districts), "--db", str(target), "--create"
    )
    assert code == 0 and "1 inserted" in out
    assert store.reader(target).execute("select * from districts").fetchall() == [
        ("Leeds", "West Yorkshire")
    ]


def test_export_writes_what_import_reads_back_unchanged(capsys, db, extract, tmp_path):
    run(capsys, "import", "missing_reports", extract(GOOD), "--db", db)
    code, stdout_csv, _ = run(capsys, "export", "missing_reports", "--db", db)
    assert code == 0
    assert stdout_csv.splitlines() == [
        HEADER,
        "R1,C1,Leeds,14,medium,2025-06-01 10:00:00,2025-06-01 10:30:00,2025-06-01 12:00:00,,",
    ]
    target = tmp_path / "out.csv"
    code, _, err = run(capsys, "export", "missing_reports", "--db", db, "--out", str(target))
    assert code == 0 and err == f"Exported 1 missing_reports rows to {target}\n"
    assert target.read_text() == stdout_csv
    code, out, _ = run(capsys, "import", "missing_reports", str(target), "--db", db)
    assert code == 0 and "nothing changed" in out


def test_contract_writes_the_published_contract(capsys, tmp_path):
    target = tmp_path / "contract.md"
    code, _, _ = run(capsys, "contract", "--out", str(target))
    assert code == 0
    assert target.read_text() == (ROOT / "docs" / "data-contract.md").read_text()


def test_imports_lists_the_audit_newest_first(capsys, db, extract):
    run(capsys, "import", "missing_reports", extract(GOOD), "--db", db, "--by", "a")
    run(capsys, "import", "missing_reports", extract(BAD_GRADE), "--db", db, "--by", "b")
    code, out, _ = run(capsys, "imports", "--db", db, "--format", "csv")
    assert code == 0
    rows = out.splitlines()
    assert rows[0] == (
        "import_id,imported_at,imported_by,file_name,sha256,table_name,rows_inserted,"
        "rows_updated,rows_rejected,outcome,message"
    )
    assert [r.split(",")[0] for r in rows[1:]] == ["2", "1"]
    assert ",b,extract.csv," in rows[1] and ",rejected," in rows[1]


def test_every_data_command_is_documented():
    text = (ROOT / "docs" / "importing.md").read_text(encoding="utf-8")
    for command in ("template", "export", "import", "contract", "imports"):
        assert f"python -m safeguarding {command} " in text, command
    for option in ("--check", "--create", "--by", "--format csv", "--out"):
        assert option in text, option


def test_the_real_command_line_exits_2_without_a_traceback(tmp_path, db):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(HEADER.encode() + b"\nR1,Caf\xe9,Leeds\n")
    done = subprocess.run(
        [sys.executable, "-m", "safeguarding", "import", "missing_reports", str(bad), "--db", db],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "is not UTF-8 text (the byte 0xE9 cannot be read)" in done.stdout


def test_the_problem_list_and_the_audit_as_csv_write_formulas_as_text(capsys, db, extract):
    # Both are for people (a spreadsheet opens them): a value, a file name or a name that would
    # start a formula was once written as it came.
    row = GOOD.replace("Leeds", "=HYPERLINK(1)")
    code, out, _ = run(
        capsys, "import", "missing_reports", extract(row), "--db", db, "--format", "csv",
        "--by", "=EVIL()",
    )  # fmt: skip
    assert code == 2
    assert ",'=HYPERLINK(1)," in out and ",=HYPERLINK(1)," not in out
    code, out, _ = run(capsys, "imports", "--db", db, "--format", "csv")
    assert code == 0
    assert ",'=EVIL()," in out and ",=EVIL()," not in out


@pytest.mark.parametrize("by", ["Eve\x1b[2J", "B" * 5000])
def test_a_name_given_with_by_is_held_to_the_rule_for_words(capsys, db, extract, by):
    code, _, err = run(capsys, "import", "missing_reports", extract(GOOD), "--db", db, "--by", by)
    assert code == 2 and "Traceback" not in err
    assert "name given with --by" in err
    assert imports.history(store.reader(db)).empty  # nothing loaded, nothing audited


NOT_OURS = {
    "folder": (lambda p: p.mkdir(), "is a folder, not a database file"),
    "text": (lambda p: p.write_text("hello"), "is not a DuckDB database file"),
    "other DuckDB": (
        lambda p: duckdb.connect(str(p)).execute("create table t (x int)").close(),
        "is a DuckDB database, but not this dashboard's",
    ),
}
READS = [["scorecard", "--month", "2024-09"], ["export", "districts"], ["imports"], ["refresh"]]
# An action is app state: it opens no DuckDB (so it cannot tell another DuckDB file from this
# dashboard's), but a folder or a file of another kind it refuses as well.
ADD_ACTION = ["actions", "add", "--quarter", "2024Q3", "--text", "t", "--owner", "o"]
CASES = [(kind, command) for kind in NOT_OURS for command in READS] + [
    ("folder", ADD_ACTION),
    ("text", ADD_ACTION),
]


@pytest.mark.parametrize("kind, command", CASES)
def test_a_db_that_is_not_a_dashboard_database_is_an_error_in_words(
    capsys, tmp_path, kind, command
):
    make, message = NOT_OURS[kind]
    path = tmp_path / "x.duckdb"
    make(path)
    code, _, err = run(capsys, *command, "--db", str(path))
    assert code == 2, err
    assert message in err and "Traceback" not in err


def test_imports_limit_is_bounded(capsys, db):
    code, _, err = run(capsys, "imports", "--limit", "99999999999999999999", "--db", db)
    assert code == 2 and "must be at most 1,000,000" in err
