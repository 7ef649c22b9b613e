"""Imports: every validation rule with its exact words, and loads that are all or nothing.

Each rule gets a file that breaks it once; the test asserts the one error it must produce (line,
column, value, message), so a rule that stops firing, or starts firing on good data, fails here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from safeguarding import contract, imports, metrics, refresh, store
from safeguarding.paths import ROOT

TODAY = dt.date(2026, 1, 15)
NOW = dt.datetime(2026, 1, 15, 9, 30)

MR_HEADER = (
    "report_ref,child_ref,district,age,risk_grade,reported_at,attended_at,supervisor_review_at,"
    "found_at,return_interview_at"
)
MR_VALUES = {
    "report_ref": "R1",
    "child_ref": "C1",
    "district": "Leeds",
    "age": "14",
    "risk_grade": "medium",
    "reported_at": "2025-06-01 10:00",
    "attended_at": "2025-06-01 10:30",
    "supervisor_review_at": "2025-06-01 12:00",
    "found_at": "2025-06-02 09:00",
    "return_interview_at": "2025-06-03 09:00",
}


def mr(**changes: str) -> str:
    """One missing-report line: a valid record with the given values changed."""
    return ",".join({**MR_VALUES, **changes}.values())


def csv_file(header: str, *lines: str) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


@pytest.fixture
def small_db(tmp_path) -> str:
    """Two districts, one offender and one investigation; no other records."""
    path = tmp_path / "small.duckdb"
    with store.writer(path, fresh=True) as con:
        con.execute(
            "insert into districts values ('Leeds', 'West Yorkshire'), "
            "('Kirklees', 'West Yorkshire')"
        )
        con.execute("insert into offenders values ('O1', 'Leeds', 'high', date '2020-01-01', null)")
        con.execute(
            "insert into investigations values ('I1', 'Kirklees', 9, date '2025-03-01', null)"
        )
    return str(path)


def check(db: str, table: str, data: bytes, name: str = "extract.csv") -> imports.Report:
    return imports.check(db, table, data, name, today=TODAY)


def errors(report: imports.Report) -> list[tuple]:
    rows = report.problems[report.problems["severity"] == "error"]
    return [
        (None if pd.isna(r.line) else int(r.line), r.column, r.value, r.message)
        for r in rows.itertuples()
    ]


def queries(report: imports.Report) -> list[tuple]:
    rows = report.problems[report.problems["severity"] == "query"]
    return [(int(r.line), r.column, r.rule, r.message) for r in rows.itertuples()]


def fingerprint(db: str) -> dict[str, str]:
    """The content of every importable table and the figures, as hashes of ordered rows."""
    con = store.reader(db)
    out = {}
    for table in (*contract.IMPORT_TABLES, "metric_values", "meta"):
        rows = con.execute(f'select * from "{table}" order by all').fetchall()
        out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def load(db: str, table: str, data: bytes, name: str = "extract.csv", **kw) -> imports.Result:
    return imports.import_file(
        db, table, data, name, by="tester", now=lambda: NOW, today=TODAY, **kw
    )


# --- each validation rule, with its exact words ---------------------------------------------------

MISSING_REPORT_RULES = [
    ({"age": "fourteen"}, "age", "fourteen", "'fourteen' is not a whole number"),
    ({"age": "14.5"}, "age", "14.5", "'14.5' is not a whole number"),
    ({"child_ref": ""}, "child_ref", "", "is empty, but a value is required"),
    (
        {"risk_grade": "hgh"},
        "risk_grade",
        "hgh",
        "'hgh' is not an allowed value (high, medium, low, no_apparent_risk)",
    ),
    (
        {"district": "Leds"},
        "district",
        "Leds",
        "'Leds' is not a district in the database (Kirklees, Leeds)",
    ),
    (
        {
            "reported_at": "2026-02-01 10:00",
            "attended_at": "",
            "supervisor_review_at": "",
            "found_at": "",
            "return_interview_at": "",
        },
        "reported_at",
        "2026-02-01 10:00",
        "'2026-02-01 10:00' is in the future (after today, 2026-01-15)",
    ),
    (
        {"attended_at": "2025-06-01 09:00"},
        "attended_at",
        "2025-06-01 09:00",
        "'2025-06-01 09:00' is before reported_at '2025-06-01 10:00' (attended before reported)",
    ),
    (
        {"supervisor_review_at": "2025-06-01 09:59"},
        "supervisor_review_at",
        "2025-06-01 09:59",
        "'2025-06-01 09:59' is before reported_at '2025-06-01 10:00' (supervisor review before "
        "reported)",
    ),
    (
        {"found_at": "2025-05-31 10:00", "return_interview_at": ""},
        "found_at",
        "2025-05-31 10:00",
        "'2025-05-31 10:00' is before reported_at '2025-06-01 10:00' (found before reported)",
    ),
    (
        {"found_at": ""},
        "return_interview_at",
        "2025-06-03 09:00",
        "'2025-06-03 09:00' is a return interview, but found_at is empty (a child is "
        "interviewed after being found)",
    ),
    (
        {"return_interview_at": "2025-06-02 08:00"},
        "return_interview_at",
        "2025-06-02 08:00",
        "'2025-06-02 08:00' is before found_at '2025-06-02 09:00' (return interview before found)",
    ),
    ({"age": "19"}, "age", "19", "'19' is outside the allowed range (0 to 17)"),
    (
        {"reported_at": "yesterday"},
        "reported_at",
        "yesterday",
        "'yesterday' is not a date and time (write them as YYYY-MM-DD HH:MM)",
    ),
]


@pytest.mark.parametrize(
    "changes, column, value, message",
    MISSING_REPORT_RULES,
    ids=[m for _, _, _, m in MISSING_REPORT_RULES],
)
def test_each_missing_report_rule_reports_line_column_value_and_words(
    small_db, changes, column, value, message
):
    report = check(
        small_db, "missing_reports", csv_file(MR_HEADER, mr(report_ref="R0"), mr(**changes))
    )
    assert errors(report) == [(3, column, value, message)]
    assert report.rows == 2 and report.rows_with_errors == 1


OTHER_TABLE_RULES = [
    (
        "forensic_cases",
        "F1,Leeds,true,2025-03-10,2025-03-01,false,",
        ("completed_on", "2025-03-01"),
        "'2025-03-01' is before submitted_on '2025-03-10' (completed before submitted)",
    ),
    (
        "forensic_cases",
        "F1,Leeds,maybe,2025-03-10,,false,",
        ("iioc", "maybe"),
        "'maybe' is not true or false",
    ),
    (
        "forensic_cases",
        "F1,Leeds,true,2025-03-10,,false,capacity",
        ("outsource_reason", "capacity"),
        "'capacity' is a reason for outsourcing, but outsourced is 'false' (give a reason only "
        "for outsourced cases)",
    ),
    (
        "forensic_cases",
        "F1,Leeds,true,2025-03-10,,yes,",
        ("outsource_reason", ""),
        "is empty, but outsourced is 'yes' (an outsourced case needs a reason: specialist, "
        "capacity or other)",
    ),
    (
        "forensic_cases",
        "F1,Leeds,true,31/02/2025,,false,",
        ("submitted_on", "31/02/2025"),
        "'31/02/2025' is not a date (write dates as YYYY-MM-DD or DD/MM/YYYY)",
    ),
    (
        "forensic_cases",
        "F1,Leeds,true,2025-03-10 10:00,,false,",
        ("submitted_on", "2025-03-10 10:00"),
        "'2025-03-10 10:00' has a time of day, but this column holds a date only",
    ),
    (
        "forensic_cases",
        "F1,Leeds,true,2026-01-16,,false,",
        ("submitted_on", "2026-01-16"),
        "'2026-01-16' is in the future (after today, 2026-01-15)",
    ),
    ("offender_managers", "M1,Leeds,full,2025-01-01,", ("fte", "full"), "'full' is not a number"),
    (
        "offender_managers",
        "M1,Leeds,0.125,2025-01-01,",
        ("fte", "0.125"),
        "'0.125' has more than 2 decimal places",
    ),
    (
        "offender_managers",
        "M1,Leeds,123.5,2025-01-01,",
        ("fte", "123.5"),
        "'123.5' is too large for this column",
    ),
    (
        "offender_managers",
        "M1,Leeds,1.5,2025-01-01,",
        ("fte", "1.5"),
        "'1.5' is outside the allowed range (more than 0 and at most 1)",
    ),
    (
        "offender_managers",
        "M1,Leeds,1,2025-01-01,2024-12-31",
        ("end_date", "2024-12-31"),
        "'2024-12-31' is before start_date '2025-01-01' (posting ended before it started)",
    ),
    (
        "offenders",
        "O2,Leeds,very_high,2025-01-01,2024-06-30",
        ("managed_to", "2024-06-30"),
        "'2024-06-30' is before managed_from '2025-01-01' (management ended before it started)",
    ),
    (
        "workforce",
        "Leeds,2025-07-15,offender_manager,5,6",
        ("month", "2025-07-15"),
        "'2025-07-15' is not the first day of a month (write the month as e.g. 2024-07-01)",
    ),
    (
        "workforce",
        "Leeds,2025-07-01,offender_manager,-1,6",
        ("fte_in_post", "-1"),
        "'-1' is outside the allowed range (0 or more)",
    ),
    (
        "custody_detentions",
        "D1,C1,Leeds,15,2025-04-01 18:00,false,true,",
        ("transferred_to_la", "true"),
        "'true' but held_overnight is 'false' (only a child held overnight is transferred to "
        "local-authority accommodation)",
    ),
    (
        "custody_detentions",
        "D1,C1,Leeds,9,2025-04-01 18:00,true,true,",
        ("age", "9"),
        "'9' is outside the allowed range (10 to 17)",
    ),
    (
        "custody_detentions",
        "D1,C1,Leeds,15,2025-04-01 18:00,true,true,2025-04-01 17:00",
        ("released_at", "2025-04-01 17:00"),
        "'2025-04-01 17:00' is before charged_at '2025-04-01 18:00' (released before charged)",
    ),
    (
        "investigations",
        "I2,Leeds,,2025-03-01,2025-02-01",
        ("closed_on", "2025-02-01"),
        "'2025-02-01' is before opened_on '2025-03-01' (closed before opened)",
    ),
    (
        "conferences",
        "K1,Leeds,icpc,2025-03-01,true,true",
        ("kind", "icpc"),
        "'icpc' is not an allowed value (ICPC, MARAC)",
    ),
    (
        "population",
        "Leeds,2024,1000,2000",
        ("under_18", "2000"),
        "'2000' is more than all_ages '1000' (more children than people)",
    ),
    (
        "population",
        "Leeds,1999,1000,200",
        ("year", "1999"),
        "'1999' is outside the allowed range (2000 to 2100)",
    ),
]


@pytest.mark.parametrize(
    "table, line, where, message", OTHER_TABLE_RULES, ids=[m for *_, m in OTHER_TABLE_RULES]
)
def test_each_rule_of_the_other_tables_has_its_exact_words(small_db, table, line, where, message):
    report = check(small_db, table, csv_file(contract.template_csv(table).strip(), line))
    assert errors(report) == [(2, *where, message)]


def test_the_problem_reads_as_one_sentence_with_file_line_and_column(small_db):
    lines = [mr(report_ref=f"R{i}") for i in range(12)] + [mr(report_ref="R99", risk_grade="hgh")]
    report = check(small_db, "missing_reports", csv_file(MR_HEADER, *lines))
    (problem,) = report.problems.to_dict("records")
    assert imports.describe(problem) == (
        "extract.csv, line 14, column risk_grade: 'hgh' is not an allowed value "
        "(high, medium, low, no_apparent_risk)"
    )


@pytest.mark.parametrize("ending", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_line_breaks_and_other_spaces_at_the_ends_of_a_value_are_trimmed_like_spaces(
    small_db, ending
):
    load(small_db, "missing_reports", csv_file(MR_HEADER, mr(), mr(report_ref="R2")))
    lines = [
        MR_HEADER,
        mr(report_ref=f'"R1{ending}"', risk_grade="high"),
        mr(report_ref="\u00a0R2\u00a0", district="Leeds\u2007", risk_grade="high"),
        mr(report_ref=f'"\u3000R3{ending} "', child_ref="C3\u202f"),
    ]
    result = load(small_db, "missing_reports", (ending.join(lines) + ending).encode())
    assert (result.outcome, result.inserted, result.updated) == ("loaded", 1, 2)
    stored = store.reader(small_db).execute(
        "select report_ref, child_ref, district, risk_grade from missing_reports order by 1"
    )
    assert stored.fetchall() == [
        ("R1", "C1", "Leeds", "high"),
        ("R2", "C1", "Leeds", "high"),
        ("R3", "C3", "Leeds", "medium"),
    ]


def test_a_reference_repeated_but_for_a_non_breaking_space_is_a_repeat(small_db):
    data = csv_file(MR_HEADER, mr(), mr(report_ref="R1\u00a0"))
    assert errors(check(small_db, "missing_reports", data)) == [
        (3, "report_ref", "R1", "'R1' appears more than once in the file (first on line 2)")
    ]


def test_a_reference_repeated_in_the_file_is_an_error_on_the_later_line(small_db):
    data = csv_file(MR_HEADER, mr(), mr(report_ref="R2"), mr())
    assert errors(check(small_db, "missing_reports", data)) == [
        (4, "report_ref", "R1", "'R1' appears more than once in the file (first on line 2)")
    ]


def test_a_composite_reference_repeated_in_the_file_names_all_its_parts(small_db):
    header = contract.template_csv("workforce").strip()
    data = csv_file(
        header,
        "Leeds,2025-07-01,offender_manager,5,6",
        "Leeds,2025-07-01,specialist_investigator,5,6",
        "Leeds,01/07/2025,offender_manager,4,6",
    )
    assert errors(check(small_db, "workforce", data)) == [
        (
            4,
            "district, month, role",
            "Leeds, 01/07/2025, offender_manager",
            "'Leeds, 01/07/2025, offender_manager' appears more than once in the file "
            "(first on line 2)",
        )
    ]


# --- the file as a whole ---------------------------------------------------------------------

LISTED = ", ".join(MR_VALUES)


def shown(text: str) -> str:
    """A long line as the report shows it: its first 77 characters and an ellipsis."""
    return text if len(text) <= 80 else text[:77] + "..."


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", [(None, "", "", "is empty: there is no header and no records")]),
        (b"\n \n\r\n", [(None, "", "", "is empty: there is no header and no records")]),
        (
            (MR_HEADER + "\n").encode(),
            [(None, "", "", "has a header but no records below it")],
        ),
        (
            csv_file(MR_HEADER.replace(",age", ""), mr().replace(",14,", ",")),
            [(1, "age", "", "is missing from the header")],
        ),
        (
            csv_file(MR_HEADER + ",notes", mr() + ",x"),
            [
                (
                    1,
                    "notes",
                    "notes",
                    f"'notes' is not a column of missing_reports (the columns are: {LISTED})",
                )
            ],
        ),
        (
            csv_file(MR_HEADER + ",Age", mr() + ",14"),
            [(1, "age", "Age", "'Age' appears more than once in the header")],
        ),
        (
            csv_file(MR_HEADER + ",", mr() + ","),
            [(1, "", "", "column 11 of the header has no name")],
        ),
        (
            csv_file(mr(), mr(report_ref="R2")),
            [
                (
                    1,
                    "",
                    shown(mr()),
                    "is not the header of a missing_reports file: line 1 must name the columns "
                    f"{LISTED} (download the template).",
                )
            ],
        ),
        (
            csv_file(MR_HEADER, mr(), mr(report_ref="R2") + ",extra"),
            [
                (
                    3,
                    "",
                    shown(mr(report_ref="R2") + ",extra"),
                    "has 11 values, but the header has 10 columns",
                )
            ],
        ),
        (
            csv_file(MR_HEADER, "R2,C2,Leeds"),
            [(2, "", "R2,C2,Leeds", "has 3 values, but the header has 10 columns")],
        ),
        (
            csv_file(MR_HEADER, mr(), mr(report_ref='"R2')),
            [(3, "", "", 'has a quoted value that is never closed (a " without its closing ")')],
        ),
        (
            csv_file(MR_HEADER, mr(report_ref='"R2"x')),
            [
                (
                    2,
                    "",
                    shown(mr(report_ref='"R2"x')),
                    "has a quote mark in the wrong place: a quoted value must be followed by a "
                    "comma or the end of the line",
                )
            ],
        ),
        (
            csv_file(MR_HEADER, mr(), mr(report_ref="R\x002")),
            [(3, "", "", "contains a NUL character, so this is not a text file")],
        ),
    ],
    ids=[
        "empty",
        "only-blank-lines",
        "header-only",
        "missing-column",
        "unknown-column",
        "duplicated-column",
        "unnamed-column",
        "no-header",
        "too-many-values",
        "too-few-values",
        "unclosed-quote",
        "stray-quote",
        "nul",
    ],
)
def test_a_broken_file_gets_one_clear_error(small_db, data, expected):
    report = check(small_db, "missing_reports", data)
    assert errors(report) == expected
    assert not report.ok


def test_a_byte_that_is_not_utf8_is_reported_on_its_line(small_db):
    data = csv_file(MR_HEADER, mr(), mr(report_ref="R2")) + mr(
        report_ref="R3", child_ref="Caf\udce9"
    ).encode("utf-8", "surrogateescape")
    assert errors(check(small_db, "missing_reports", data)) == [
        (
            4,
            "",
            shown(mr(report_ref="R3", child_ref="Caf\ufffd")),
            "is not UTF-8 text (the byte 0xE9 cannot be read). Save the file as CSV UTF-8 and "
            "try again.",
        )
    ]


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused_in_words(small_db):
    report = check(small_db, "missing_reports", csv_file(MR_HEADER, mr()), "extract.xlsx")
    assert errors(report) == [
        (
            None,
            "",
            "",
            "is not a readable Excel workbook (.xlsx): File is not a zip file. Save it from "
            "Excel as .xlsx or CSV UTF-8.",
        )
    ]


def test_an_old_xls_workbook_is_refused_with_what_to_do(small_db):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert errors(check(small_db, "missing_reports", data, "extract.xls")) == [
        (None, "", "", "is an old-style Excel .xls workbook. Save it as .xlsx or CSV UTF-8.")
    ]


def test_an_unknown_table_is_refused_before_anything_is_read(small_db):
    with pytest.raises(contract.UnknownTableError, match="There is no table called 'misper'"):
        check(small_db, "misper", csv_file(MR_HEADER, mr()))


def test_line_numbers_count_the_lines_of_a_value_that_spans_lines_and_blank_lines(small_db):
    spanning = mr(child_ref='"C1\nsecond line"')
    data = csv_file(MR_HEADER, spanning, "", mr(report_ref="R2", risk_grade="hgh"))
    report = check(small_db, "missing_reports", data)
    assert errors(report) == [
        (
            5,
            "risk_grade",
            "hgh",
            "'hgh' is not an allowed value (high, medium, low, no_apparent_risk)",
        )
    ]
    assert report.rows == 2


def test_windows_line_ends_a_byte_order_mark_and_any_header_order_are_accepted(small_db):
    names = MR_HEADER.split(",")[::-1]
    values = list(MR_VALUES.values())[::-1]
    text = "\ufeff" + ",".join(n.upper() for n in names) + "\r\n" + ",".join(values) + "\r\n"
    report = check(small_db, "missing_reports", text.encode("utf-8"))
    assert report.ok and report.rows == 1 and report.problems.empty


LINE_LAYOUTS = {
    "leading blank lines": ["", "", MR_HEADER, mr(), mr(report_ref="R2", age="x")],
    "an empty line inside a quoted value": [
        MR_HEADER,
        mr(child_ref='"C1\n\nthird line"'),
        "",
        mr(report_ref="R2", age="x"),
    ],
    "a broken record spanning lines before": [
        MR_HEADER,
        mr(child_ref='"C1\nsecond"') + ",surplus",
        "",
        mr(report_ref="R2", age="x"),
    ],
    "lines of spaces and commas": [MR_HEADER, "  ", ",,,", mr(), mr(report_ref="R2", age="x")],
}


@pytest.mark.parametrize("layout", sorted(LINE_LAYOUTS))
def test_the_line_of_an_error_is_the_line_a_spreadsheet_shows(small_db, layout):
    lines = LINE_LAYOUTS[layout]
    expected = next(i for i, line in enumerate("\n".join(lines).split("\n"), 1) if ",x," in line)
    for ending in ("\n", "\r\n"):
        data = (ending.join(lines) + ending).encode()
        found = [e for e in errors(check(small_db, "missing_reports", data)) if e[1] == "age"]
        assert found == [(expected, "age", "x", "'x' is not a whole number")], ending


def test_a_file_mixing_windows_and_unix_line_ends_reads_as_one(small_db):
    data = (MR_HEADER + "\r\n" + mr() + "\n" + mr(report_ref="R2", age="x") + "\r\n").encode()
    report = check(small_db, "missing_reports", data)
    assert errors(report) == [(3, "age", "x", "'x' is not a whole number")]
    assert report.rows == 2


OLD_MAC_LINE_ENDS = (
    "ends its lines with a carriage return alone (the old Mac format), so its records cannot be "
    "told apart. Save the file as CSV UTF-8 and try again."
)


@pytest.mark.parametrize("tail", ["\r", "", "\r\n"], ids=["cr", "nothing", "crlf"])
def test_a_file_whose_lines_end_with_a_carriage_return_alone_gets_one_message(small_db, tail):
    before = fingerprint(small_db)
    data = ("\r".join([MR_HEADER, mr(), mr(report_ref="R2", age="x")]) + tail).encode()
    result = load(small_db, "missing_reports", data)
    assert result.outcome == "rejected"
    assert errors(result.report) == [(None, "", "", OLD_MAC_LINE_ENDS)]
    assert result.report.summary().startswith("extract.csv: 1 error in the file as a whole")
    assert fingerprint(small_db) == before


def test_a_header_alone_ending_with_a_carriage_return_alone_gets_the_same_message(small_db):
    report = check(small_db, "missing_reports", (MR_HEADER + "\r").encode())
    assert errors(report) == [(None, "", "", OLD_MAC_LINE_ENDS)]


def test_quoted_values_with_commas_and_doubled_quotes_are_read_as_written(small_db):
    data = csv_file(MR_HEADER, mr(child_ref='"C,1 ""x"""'))
    result = load(small_db, "missing_reports", data)
    assert result.outcome == "loaded"
    stored = store.reader(small_db).execute("select child_ref from missing_reports").fetchone()
    assert stored == ('C,1 "x"',)


def test_the_list_stops_at_the_limit_and_says_how_many_more_there_are(small_db, monkeypatch):
    monkeypatch.setattr(imports.common, "MAX_LISTED", 5)
    lines = [mr(report_ref=f"R{i}", age="x") for i in range(8)]
    report = check(small_db, "missing_reports", csv_file(MR_HEADER, *lines))
    assert len(report.problems) == 5 and report.errors == 8
    assert report.listed_note == (
        "Showing the first 5 of 8 problems (errors first); fix these and check the file again "
        "to see the rest."
    )
    assert report.summary() == (
        "extract.csv: 8 records read; 8 errors on 8 lines, 0 queries. Nothing can be loaded "
        "until every error is fixed."
    )


def test_queries_are_listed_but_do_not_stop_the_load(small_db):
    data = csv_file(MR_HEADER, mr(risk_grade="high", attended_at=""))
    report = check(small_db, "missing_reports", data)
    assert report.ok
    assert queries(report) == [
        (
            2,
            "attended_at",
            "high_risk_not_attended",
            "is empty, but the report (reported 2025-06-01 10:00:00) is graded high risk: was "
            "the attendance recorded?",
        )
    ]
    result = load(small_db, "missing_reports", data)
    assert result.outcome == "loaded" and result.inserted == 1
    assert result.message == "1 inserted, 0 updated, 0 unchanged; 1 query"


def test_an_unknown_parent_record_is_a_query_not_an_error(small_db):
    header = contract.template_csv("offender_visits").strip()
    data = csv_file(header, "V1,O1,2025-02-01", "V2,O404,2025-02-01")
    report = check(small_db, "offender_visits", data)
    assert report.ok
    assert queries(report) == [
        (
            3,
            "offender_ref",
            "visit_offender_unknown",
            "'O404' is not in the offenders table (load the offenders file too)",
        )
    ]


# --- loading -------------------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(small_db):
    data = csv_file(MR_HEADER, mr(), mr(report_ref="R2", district="Kirklees"))
    first = load(small_db, "missing_reports", data)
    assert (first.outcome, first.inserted, first.updated) == ("loaded", 2, 0)
    before = fingerprint(small_db)
    second = load(small_db, "missing_reports", data)
    assert (second.outcome, second.inserted, second.updated, second.unchanged) == (
        "unchanged",
        0,
        0,
        2,
    )
    assert fingerprint(small_db) == before
    audit = imports.history(store.reader(small_db))
    assert audit["outcome"].tolist() == ["unchanged", "loaded"]


def test_a_stored_reference_is_updated_not_duplicated(small_db):
    load(small_db, "missing_reports", csv_file(MR_HEADER, mr(), mr(report_ref="R2")))
    result = load(
        small_db, "missing_reports", csv_file(MR_HEADER, mr(risk_grade="high"), mr(report_ref="R3"))
    )
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 0)
    rows = (
        store.reader(small_db)
        .execute("select report_ref, risk_grade from missing_reports order by 1")
        .fetchall()
    )
    assert rows == [("R1", "high"), ("R2", "medium"), ("R3", "medium")]


def test_a_file_name_that_could_hide_or_reorder_text_is_shown_and_audited_in_plain_view(
    small_db,
):
    # The name is not refused: each such character is written as its code point.
    name, shown = "odd \u00e9\u202e.csv", "odd \u00e9<U+202E>.csv"
    report = check(small_db, "missing_reports", csv_file(MR_HEADER, mr(age="x")), name)
    assert report.file_name == shown
    assert report.problems["file"].tolist() == [shown]
    assert report.summary().startswith(f"{shown}: 1 record read;")
    loaded = load(small_db, "missing_reports", csv_file(MR_HEADER, mr()), name)
    assert loaded.outcome == "loaded" and loaded.report.file_name == shown
    bad = load(small_db, "missing_reports", csv_file(MR_HEADER, mr(age="x")), "b\u200bad\x1b\n.csv")
    assert bad.outcome == "rejected"
    assert bad.message.endswith(
        "First: b<U+200B>ad<U+001B><U+000A>.csv, line 2, column age: 'x' is not a whole number"
    )
    audit = imports.history(store.reader(small_db))
    assert audit["file_name"].tolist() == ["b<U+200B>ad<U+001B><U+000A>.csv", shown]
    peers = imports.check(small_db, imports.PEER_TABLE, b"force,peer\n", "peers\u2066.csv")
    assert peers.file_name == "peers<U+2066>.csv"
    assert set(peers.problems["file"]) <= {"peers<U+2066>.csv"}


def test_the_audit_records_when_who_what_and_the_outcome(small_db):
    data = csv_file(MR_HEADER, mr())
    result = load(small_db, "missing_reports", data, name="/some/dir/june.csv")
    row = imports.history(store.reader(small_db)).iloc[0]
    assert row["import_id"] == result.import_id
    assert row["imported_at"] == pd.Timestamp(NOW)
    assert row["imported_by"] == "tester"
    assert row["file_name"] == "june.csv"
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert row["table_name"] == "missing_reports"
    assert (row["rows_inserted"], row["rows_updated"], row["rows_rejected"]) == (1, 0, 0)
    assert row["outcome"] == "loaded"


def test_a_passed_file_is_loaded_from_its_typed_values_alone(small_db, monkeypatch):
    """Once a file has passed, the text as written is let go before the load (it is half of
    what the staged rows hold); the load sees the typed columns and the line only."""
    load_module = sys.modules["safeguarding.imports.load"]
    seen = {}
    upsert = load_module._upsert

    def spy(con, table):
        seen["columns"] = [
            name
            for (name,) in con.execute(
                "select name from pragma_table_info('_imp_typed')"
            ).fetchall()
        ]
        return upsert(con, table)

    monkeypatch.setattr(load_module, "_upsert", spy)
    result = load(small_db, "missing_reports", csv_file(MR_HEADER, mr(), mr(report_ref="R2")))
    assert (result.outcome, result.inserted) == ("loaded", 2)
    assert seen["columns"] == ["_line", *contract.get("missing_reports").column_names]


def test_a_rejected_file_changes_no_record_and_is_audited(small_db):
    load(small_db, "missing_reports", csv_file(MR_HEADER, mr()))
    before = fingerprint(small_db)
    bad = csv_file(MR_HEADER, mr(report_ref="R2"), mr(report_ref="R3", age="x", risk_grade="hgh"))
    result = load(small_db, "missing_reports", bad)
    assert result.outcome == "rejected"
    assert fingerprint(small_db) == before
    row = imports.history(store.reader(small_db)).iloc[0]
    assert (row["outcome"], row["rows_inserted"], row["rows_rejected"]) == ("rejected", 0, 1)
    assert row["message"] == (
        "Rejected: 2 errors on 1 line; nothing was loaded. First: extract.csv, line 3, column "
        "age: 'x' is not a whole number"
    )


def test_a_failure_half_way_through_the_load_leaves_the_data_as_it_was(small_db, monkeypatch):
    load(small_db, "missing_reports", csv_file(MR_HEADER, mr()))
    before = fingerprint(small_db)

    def broken_refresh(con, **changes):
        raise RuntimeError("disk full while recomputing figures")

    monkeypatch.setattr(refresh, "after_records", broken_refresh)
    with pytest.raises(RuntimeError, match="disk full"):
        load(small_db, "missing_reports", csv_file(MR_HEADER, mr(report_ref="R2")))
    assert fingerprint(small_db) == before
    row = imports.history(store.reader(small_db)).iloc[0]
    assert row["outcome"] == "rejected"
    assert row["message"] == (
        "Failed while loading (RuntimeError: disk full while recomputing figures); nothing was "
        "changed."
    )


def _big_file(rows: int) -> bytes:
    frame = pd.DataFrame(
        {
            "report_ref": [f"B{i:07d}" for i in range(rows)],
            "child_ref": [f"C{i % 5000:05d}" for i in range(rows)],
            "district": "Leeds",
            "age": 12,
            "risk_grade": "medium",
            "reported_at": "2025-06-01 10:00",
            "attended_at": "2025-06-01 10:30",
            "supervisor_review_at": "",
            "found_at": "",
            "return_interview_at": "",
        }
    )
    return frame.to_csv(index=False).encode()


def test_a_killed_import_leaves_the_live_data_exactly_as_it_was(small_db, tmp_path):
    load(small_db, "missing_reports", csv_file(MR_HEADER, mr()))
    before = fingerprint(small_db)
    big = tmp_path / "big.csv"
    big.write_bytes(_big_file(400_000))
    staged = Path(small_db + ".next")
    code = (
        "import datetime as dt, sys; from safeguarding import imports; "
        "imports.import_file(sys.argv[1], 'missing_reports', open(sys.argv[2], 'rb').read(), "
        "'big.csv', today=dt.date(2026, 1, 15))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, small_db, str(big)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not staged.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert staged.exists(), "the import never started writing its copy"
        time.sleep(0.3)  # well into reading and validating the file
        assert process.poll() is None, "the import finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert fingerprint(small_db) == before
    # The next import is not blocked by the dead one: its lock died with it.
    result = load(small_db, "missing_reports", csv_file(MR_HEADER, mr(report_ref="R2")))
    assert result.outcome == "loaded"
    assert not staged.exists()


def test_a_reader_open_during_an_import_keeps_the_old_data_and_a_new_one_sees_the_new(small_db):
    load(small_db, "missing_reports", csv_file(MR_HEADER, mr()))
    old = store.reader(small_db)
    assert old.execute("select count(*) from missing_reports").fetchone() == (1,)
    load(small_db, "missing_reports", csv_file(MR_HEADER, mr(report_ref="R2")))
    assert old.execute("select count(*) from missing_reports").fetchone() == (1,)
    assert store.reader(small_db).execute("select count(*) from missing_reports").fetchone() == (2,)


def test_an_import_moves_the_period_forward_and_refreshes_the_figures(demo_db_path, tmp_path):
    db = str(tmp_path / "demo.duckdb")
    shutil.copy(demo_db_path, db)
    data = csv_file(
        MR_HEADER,
        mr(
            report_ref="NEW1",
            risk_grade="high",
            reported_at="2026-01-05 10:00",
            attended_at="2026-01-05 10:20",
            supervisor_review_at="",
            found_at="",
            return_interview_at="",
        ),
    )
    result = load(db, "missing_reports", data)
    assert result.outcome == "loaded"
    con = store.reader(db)
    info = store.meta(con)
    assert (info["source"], info["first_month"]) == ("import", "2014-01-01")
    assert (info["last_month"], info["as_at"]) == ("2026-01-01", "2026-01-05")
    frame = metrics.frame(
        con, "misper_high_risk_attended_60m", from_month=dt.date(2026, 1, 1), districts=["Leeds"]
    )
    assert frame[["numerator", "denominator", "value"]].values.tolist() == [[1.0, 1.0, 100.0]]


@pytest.mark.slow
def test_an_export_imports_back_unchanged_and_into_a_new_database_identically(
    demo_db_path, tmp_path, fresh_db_path
):
    exported = {}
    con = store.reader(demo_db_path)
    for table in contract.IMPORT_TABLES:
        out = tmp_path / f"{table}.csv"
        imports.export_csv(con, table, out)
        exported[table] = out.read_bytes()
    demo_copy = str(tmp_path / "demo.duckdb")
    shutil.copy(demo_db_path, demo_copy)
    before = fingerprint(demo_copy)
    for table in ("missing_reports", "workforce", "forensic_cases", "offender_managers"):
        result = imports.import_file(demo_copy, table, exported[table], f"{table}.csv")
        assert (result.outcome, result.inserted, result.updated) == ("unchanged", 0, 0), table
    assert fingerprint(demo_copy) == before
    for table in contract.IMPORT_TABLES:
        result = imports.import_file(
            fresh_db_path, table, exported[table], f"{table}.csv", today=dt.date(2026, 1, 15)
        )
        assert result.outcome == "loaded", (table, result.message)
        again = tmp_path / f"{table}.again.csv"
        imports.export_csv(store.reader(fresh_db_path), table, again)
        assert again.read_bytes() == exported[table], table


def test_an_excel_workbook_loads_the_same_as_its_csv(small_db, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "missing_reports"
    sheet.append(MR_HEADER.split(","))
    sheet.append(
        [
            "R1",
            "C1",
            "Leeds",
            14,
            "medium",
            dt.datetime(2025, 6, 1, 10, 0),
            dt.datetime(2025, 6, 1, 10, 30),
            None,
            None,
            None,
        ]
    )
    sheet.append(
        ["R2", "C2", "Leeds", 15.0, "hgh", dt.datetime(2025, 6, 1), None, None, None, None]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    report = check(small_db, "missing_reports", buffer.getvalue(), "june.xlsx")
    assert errors(report) == [
        (
            3,
            "risk_grade",
            "hgh",
            "'hgh' is not an allowed value (high, medium, low, no_apparent_risk)",
        )
    ]
    sheet["E3"] = "low"
    buffer = io.BytesIO()
    book.save(buffer)
    result = load(small_db, "missing_reports", buffer.getvalue(), name="june.xlsx")
    assert (result.outcome, result.inserted) == ("loaded", 2)
    rows = (
        store.reader(small_db)
        .execute("select report_ref, age, reported_at, attended_at from missing_reports order by 1")
        .fetchall()
    )
    assert rows == [
        ("R1", 14, dt.datetime(2025, 6, 1, 10, 0), dt.datetime(2025, 6, 1, 10, 30)),
        ("R2", 15, dt.datetime(2025, 6, 1, 0, 0), None),
    ]


def test_an_excel_date_cell_fills_a_date_column(small_db):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(contract.template_csv("forensic_cases").strip().split(","))
    sheet.append(["F1", "Leeds", True, dt.datetime(2025, 3, 10), None, False, None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = load(small_db, "forensic_cases", buffer.getvalue(), name="cases.xlsx")
    assert result.outcome == "loaded"
    row = store.reader(small_db).execute("select * from forensic_cases").fetchone()
    assert row == ("F1", "Leeds", True, dt.date(2025, 3, 10), None, False, None)


def test_an_empty_outsourced_value_takes_the_schema_default(small_db):
    header = contract.template_csv("forensic_cases").strip()
    load(small_db, "forensic_cases", csv_file(header, "F1,Leeds,yes,10/03/2025,,,"))
    row = store.reader(small_db).execute(
        "select iioc, submitted_on, outsourced from forensic_cases"
    )
    assert row.fetchone() == (True, dt.date(2025, 3, 10), False)


def test_old_stock_records_do_not_stretch_the_period_back(demo_db_path, tmp_path):
    # Offenders managed since 1998 are still managed now: they bring their newest date, not
    # decades of empty months, to the period the figures cover.
    db = str(tmp_path / "demo.duckdb")
    shutil.copy(demo_db_path, db)
    header = contract.template_csv("offenders").strip()
    result = load(db, "offenders", csv_file(header, "OLD-1,Leeds,low,1998-05-01,"))
    assert result.outcome == "loaded"
    info = store.meta(store.reader(db))
    assert (info["first_month"], info["last_month"], info["as_at"]) == (
        "2014-01-01",
        "2025-12-01",
        "2025-12-31",
    )
