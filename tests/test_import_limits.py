"""Import limits: implausible dates, over-long values, control and bidi characters, formulas
without a saved result, workbooks that would inflate past the limits, and the child process
that checks an upload away from the dashboard's own."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from safeguarding import contract, imports, store
from safeguarding.imports import read, worker

TODAY = dt.date(2026, 1, 15)
HEADER = contract.template_csv("missing_reports").strip()
VALUES = {
    "report_ref": "R1",
    "child_ref": "C1",
    "district": "Leeds",
    "age": "14",
    "risk_grade": "medium",
    "reported_at": "2025-06-01 10:00",
    "attended_at": "2025-06-01 10:30",
    "supervisor_review_at": "2025-06-01 12:00",
    "found_at": "",
    "return_interview_at": "",
}


def row(**changes: str) -> str:
    return ",".join({**VALUES, **changes}.values())


def csv_file(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


@pytest.fixture
def small_db(tmp_path) -> str:
    path = tmp_path / "limits.duckdb"
    with store.writer(path, fresh=True) as con:
        con.execute("insert into districts values ('Leeds', 'West Yorkshire')")
    return str(path)


def check(db: str, data: bytes, name: str = "extract.csv", table: str = "missing_reports"):
    return imports.check(db, table, data, name, today=TODAY)


def problems(report, severity: str = "error") -> list[tuple]:
    rows = report.problems[report.problems["severity"] == severity]
    return [
        (None if r.line is pd.NA else int(r.line), r.column, r.value, r.rule, r.message)
        for r in rows.itertuples()
    ]


# --- dates before the earliest plausible date ---------------------------------------------------


@pytest.mark.parametrize("written", ["1066-10-14 10:00", "01/01/0001 00:00", "1999-12-31 23:59"])
def test_a_date_before_the_earliest_plausible_one_is_an_error_on_its_line(small_db, written):
    report = check(
        small_db,
        csv_file(
            row(),
            row(report_ref="R2", reported_at=written, attended_at="", supervisor_review_at=""),
        ),
    )
    assert problems(report) == [
        (
            3,
            "reported_at",
            written,
            "too_early",
            f"'{written}' is before 2000-01-01, the earliest plausible date for reported_at: "
            "check the year",
        )
    ]


def test_the_earliest_date_is_set_per_column_in_the_contract(small_db):
    assert contract.get("missing_reports").column("reported_at").earliest == dt.date(2000, 1, 1)
    managed_from = contract.get("offenders").column("managed_from")
    assert managed_from.earliest == contract.EARLIEST_DATES[("offenders", "managed_from")]
    header = contract.template_csv("offenders").strip()
    data = "\n".join([header, "O1,Leeds,low,1998-05-01,", "O2,Leeds,low,1900-01-01,"]) + "\n"
    report = check(small_db, data.encode(), table="offenders")
    assert [(p[0], p[1], p[3]) for p in problems(report)] == [(3, "managed_from", "too_early")]


# --- lengths ------------------------------------------------------------------------------------


def test_a_value_longer_than_its_column_allows_is_refused_with_its_length(small_db):
    long = "C" * 300
    report = check(small_db, csv_file(row(child_ref=long)))
    assert problems(report) == [
        (
            2,
            "child_ref",
            "C" * 77 + "...",
            "too_long",
            "is 300 characters long, but this column holds at most 64",
        )
    ]


def test_a_ten_megabyte_value_is_refused_without_being_read(small_db):
    report = check(small_db, csv_file(row(), row(report_ref="R2", child_ref="x" * 10_000_000)))
    ((line, column, _, rule, message),) = problems(report)
    assert (line, column, rule) == (3, "", "line_too_long")
    assert message.startswith("is longer than 1,048,576 bytes")
    assert len(report.problems.iloc[0]["value"]) <= 80


# --- control and bidi characters ----------------------------------------------------------------

CHARACTERS = {
    "escape": ("\x1b", "U+001B"),
    "bell": ("\x07", "U+0007"),
    "right-to-left override": ("\u202e", "U+202E"),
    "zero-width space": ("\u200b", "U+200B"),
    "left-to-right isolate": ("\u2066", "U+2066"),
    # Characters that draw nothing: a value of them alone would pass for words.
    "invisible separator": ("\u2063", "U+2063"),
    "soft hyphen": ("\u00ad", "U+00AD"),
    "tag letter": ("\U000e0041", "U+E0041"),
    "hangul filler": ("\u3164", "U+3164"),
}


@pytest.mark.parametrize("name", sorted(CHARACTERS))
def test_a_control_or_bidi_character_is_refused_with_its_position(small_db, name):
    character, code = CHARACTERS[name]
    report = check(small_db, csv_file(row(), row(report_ref="R2", child_ref=f"CH{character}9")))
    assert problems(report) == [
        (
            3,
            "child_ref",
            "CH\ufffd9",
            "control_character",
            f"contains an invisible or control character ({code}) at character 3: remove it "
            "(such characters can hide or reorder text on screen)",
        )
    ]


CR_WORDS = (
    "contains a carriage return (U+000D) at character {}: remove it (such characters can hide "
    "or reorder text on screen)"
)


@pytest.mark.parametrize(
    ("written", "data_end", "column", "shown", "at"),
    [
        ('"C\r1"', "\n", "child_ref", "C\ufffd1", 2),
        ("C\r1", "\n", "child_ref", "C\ufffd1", 2),
        ("C1", "\r", "return_interview_at", "\ufffd", 1),
    ],
    ids=["quoted", "unquoted", "end-of-file"],
)
def test_a_lone_carriage_return_in_a_value_is_named_as_one_at_its_position(
    small_db, written, data_end, column, shown, at
):
    data = ("\n".join([HEADER, row(), row(report_ref="R2", child_ref=written)]) + data_end).encode()
    result = imports.import_file(small_db, "missing_reports", data, "cr.csv", today=TODAY)
    assert result.outcome == "rejected"
    assert problems(result.report) == [(3, column, shown, "control_character", CR_WORDS.format(at))]
    with store.reader(small_db) as con:
        assert con.execute("select count(*) from missing_reports").fetchone() == (0,)


def test_a_replacement_character_of_the_file_s_own_is_named_as_such(small_db):
    own = row(report_ref="R3", child_ref="C\ufffd3")
    words = (
        "contains an invisible or control character (U+FFFD) at character 2: remove it (such "
        "characters can hide or reorder text on screen)"
    )
    assert problems(check(small_db, csv_file(row(), own))) == [
        (3, "child_ref", "C\ufffd3", "control_character", words)
    ]
    # Beside a lone carriage return, which is read as U+FFFD, the two cannot be told apart.
    data = csv_file(row(), own, row(report_ref="R4", child_ref='"C\r4"'))
    both = (
        "contains a carriage return (U+000D) or the replacement character (U+FFFD) at character "
        "2: remove it (such characters can hide or reorder text on screen)"
    )
    assert problems(check(small_db, data)) == [
        (3, "child_ref", "C\ufffd3", "control_character", both),
        (4, "child_ref", "C\ufffd4", "control_character", both),
    ]


def test_a_control_character_in_a_number_is_reported_as_such_not_as_a_bad_number(small_db):
    report = check(small_db, csv_file(row(age="1\u200b4")))
    assert [(p[1], p[3]) for p in problems(report)] == [("age", "control_character")]


def test_tabs_and_line_breaks_inside_a_quoted_value_are_not_control_characters(small_db):
    report = check(small_db, csv_file(row(child_ref='"C\t1\nsecond line"')))
    assert report.ok, report.problems


# --- formulas without a saved result ------------------------------------------------------------


def workbook(*rows: list) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "missing_reports"
    sheet.append(HEADER.split(","))
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)  # openpyxl saves formulas without a calculated result
    return buffer.getvalue()


GOOD_CELLS = [
    "R1",
    "C1",
    "Leeds",
    14,
    "medium",
    dt.datetime(2025, 6, 1, 10),
    None,
    None,
    None,
    None,
]


@pytest.mark.parametrize("title", ["Missing_Reports", " MISSING_REPORTS "])
def test_the_sheet_named_after_the_table_is_read_whatever_its_case(small_db, title):
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Extract of 1 June"])
    sheet = book.create_sheet(title)
    sheet.append(HEADER.split(","))
    sheet.append(GOOD_CELLS)
    buffer = io.BytesIO()
    book.save(buffer)
    report = check(small_db, buffer.getvalue(), name="extract.xlsx")
    assert report.ok and report.rows == 1, report.problems


def test_a_hidden_first_sheet_is_passed_over_for_the_first_one_the_user_can_see(small_db):
    # A hidden sheet holds what nobody opening the workbook would check: it was once read first.
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "old"
    hidden.sheet_state = "hidden"
    hidden.append(HEADER.split(","))
    hidden.append(["OLD-1", *GOOD_CELLS[1:3], "not an age", *GOOD_CELLS[4:]])
    shown = book.create_sheet("June")
    shown.append(HEADER.split(","))
    shown.append(GOOD_CELLS)
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)
    report = check(small_db, buffer.getvalue(), name="extract.xlsx")
    assert report.ok and report.rows == 1, report.problems


def test_a_formula_without_a_saved_result_is_an_error_in_a_required_column(small_db):
    cells = list(GOOD_CELLS)
    cells[1] = '=CONCAT("C", "1")'
    report = check(small_db, workbook(cells), "june.xlsx")
    assert problems(report) == [
        (
            2,
            "child_ref",
            '=CONCAT("C", "1")',
            "formula_no_value",
            'is a formula (=CONCAT("C", "1")) whose result the workbook does not hold, so the '
            "required value is missing: open it in Excel, let it calculate, save it and load it "
            "again",
        )
    ]


def test_a_formula_without_a_saved_result_is_a_query_in_an_optional_column(small_db):
    cells = list(GOOD_CELLS)
    cells[6] = "=F2+1/24"
    report = check(small_db, workbook(cells), "june.xlsx")
    assert report.ok
    assert [(p[0], p[1], p[3]) for p in problems(report, "query")] == [
        (2, "attended_at", "formula_no_value")
    ]
    assert "so it loads as empty" in problems(report, "query")[0][4]


# --- workbooks past the limits ------------------------------------------------------------------


def _refuse_to_open(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened although its declared size is refused")

    monkeypatch.setattr(openpyxl, "load_workbook", never)


def test_a_workbook_that_would_inflate_a_thousandfold_is_refused_before_it_is_read(
    small_db, monkeypatch
):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        with bomb.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b"<worksheet><sheetData>")
            line = b'<row><c t="inlineStr"><is><t>R</t></is></c></row>' * 2000
            for _ in range(300):  # about 30 MB of XML, a few tens of kB once deflated
                sheet.write(line)
            sheet.write(b"</sheetData></worksheet>")
    data = buffer.getvalue()
    assert len(data) < 1_000_000
    _refuse_to_open(monkeypatch)
    report = check(small_db, data, "bomb.xlsx")
    ((line_, column, value, rule, message),) = problems(report)
    assert (line_, rule) == (None, "xlsx_limit")
    assert re.fullmatch(
        r"is a workbook whose part xl/worksheets/sheet1\.xml would inflate [\d,]+ times, to "
        r"\d+ MB \(a spreadsheet inflates at most about 100 times\), so it was not read\. Save "
        r"the table as CSV UTF-8\.",
        message,
    ), message


def _with_dimension(data: bytes, ref: str | None) -> bytes:
    """The workbook with its sheet's <dimension> set to ``ref`` (or removed)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                replacement = f'<dimension ref="{ref}"/>'.encode() if ref else b""
                content = re.sub(rb"<dimension[^>]*/>", replacement, content)
            book.writestr(item, content)
    return out.getvalue()


def test_a_sheet_declaring_thirty_million_rows_is_refused_before_it_is_read(small_db, monkeypatch):
    data = _with_dimension(workbook(GOOD_CELLS), "A1:J30000000")
    _refuse_to_open(monkeypatch)
    assert problems(check(small_db, data, "big.xlsx")) == [
        (
            None,
            "",
            "",
            "xlsx_limit",
            "is a workbook whose sheet declares 30,000,000 rows and 10 columns (the limit is "
            "500,000 rows and 100 columns), so it was not read. Save the table as CSV UTF-8 to "
            "load more rows.",
        )
    ]


def test_a_sheet_that_hides_its_size_stops_being_read_at_the_row_limit(small_db, monkeypatch):
    monkeypatch.setattr(read, "MAX_XLSX_ROWS", 5)
    rows = [[f"R{i}", *GOOD_CELLS[1:]] for i in range(10)]
    report = check(small_db, _with_dimension(workbook(*rows), None), "big.xlsx")
    assert [(p[3], p[4]) for p in problems(report)] == [
        (
            "xlsx_limit",
            "has more than 5 rows, so it was not read further. Save the table as CSV UTF-8 to "
            "load more rows.",
        )
    ]


def test_a_workbook_within_the_limits_still_loads(small_db):
    result = imports.import_file(
        small_db, "missing_reports", workbook(GOOD_CELLS), "june.xlsx", today=TODAY
    )
    assert (result.outcome, result.inserted) == ("loaded", 1)


# --- the child process --------------------------------------------------------------------------


def test_a_check_in_the_child_process_gives_the_same_report(small_db):
    data = csv_file(row(), row(report_ref="R2", age="x"))
    direct = imports.check(small_db, "missing_reports", data, "june.csv")
    child = worker.check(small_db, "missing_reports", data, "june.csv")
    assert child.summary() == direct.summary()
    assert child.problems.equals(direct.problems)


def test_an_import_in_the_child_process_loads_all_or_nothing(small_db):
    result = worker.import_file(small_db, "missing_reports", csv_file(row()), "june.csv", by="t")
    assert (result.outcome, result.inserted) == ("loaded", 1)
    stored = store.reader(small_db).execute("select report_ref from missing_reports").fetchall()
    assert stored == [("R1",)]


def test_a_child_that_runs_past_its_time_is_stopped_with_words(small_db, monkeypatch):
    monkeypatch.setattr(worker, "CHECK_SECONDS", 0.01)
    with pytest.raises(worker.WorkerError, match="took longer than 0 seconds and was stopped"):
        worker.check(small_db, "missing_reports", csv_file(row()), "june.csv")


def _large_file(records: int) -> tuple[bytes, dict[int, str]]:
    """A file of ``records`` records (several of DuckDB's row groups, read by several threads)
    with blank lines and a quoted value over two lines near the top, and a wrong age on three
    lines far apart; the lines of those ages, as a spreadsheet numbers them."""
    lines = [HEADER, "", row(report_ref="R0", child_ref='"C\nX"')]
    bad: dict[int, str] = {}
    for i in range(1, records):
        if i in (7, records // 2, records - 1):
            age = f"x{i}"
            # line: the header, one blank, two for the spanning record, then one each
            bad[len(lines) + 2] = age
        else:
            age = "14"
        lines.append(row(report_ref=f"R{i}", age=age))
        if i == 3:
            lines.append("")
    return ("\n".join(lines) + "\n").encode(), bad


def test_every_record_of_a_large_file_keeps_its_line_in_a_check_and_in_an_import(small_db):
    # A check reads outside any transaction, an import inside the writer's: each numbers the rows
    # of its staged table from its own first row id.
    data, bad = _large_file(300_000)
    checked = imports.check(small_db, "missing_reports", data, "big.csv", today=TODAY)
    imported = imports.import_file(small_db, "missing_reports", data, "big.csv", today=TODAY)
    for report in (checked, imported.report):
        found = {
            int(r.line): r.value for r in report.problems.itertuples() if r.rule == "wrong_type"
        }
        assert found == bad
    assert imported.outcome == "rejected"


@pytest.mark.parametrize("long_note", [False, True])
def test_lines_after_a_rejected_record_over_many_lines_keep_their_numbers(small_db, long_note):
    # A stray quote mark on line 3 opens a value that swallows lines 3 to 70 (too many values
    # for the header); a second mark closes it. DuckDB keeps only the first 4,096 bytes of a
    # rejected record's text, so its line breaks past those were once not counted and every
    # line below came out too low (the wrong age on line 90 was reported on line 60).
    # Every value filled in: DuckDB reads surplus values that are all empty as no values.
    full = {"found_at": "2025-06-02 10:00", "return_interview_at": "2025-06-03 10:00"}
    lines = [row(report_ref="R2", **full)]
    for n in range(3, 101):
        changes = {"report_ref": f"R{n}", **full}
        if n == 3:
            changes["child_ref"] = '"C3'
        if n == 70:
            changes["child_ref"] = 'C70",extra'
        if n == 90:
            changes["age"] = "x"
        lines.append(row(**changes))
    if long_note:
        # The same with the record's text long on one line: the cut falls inside line 3.
        lines[1] = lines[1].replace('"C3', '"C3' + "n" * 5000)
    found = problems(check(small_db, csv_file(*lines)))
    assert [(line, rule) for line, _, _, rule, _ in found] == [
        (3, "field_count"),
        (90, "wrong_type"),
    ]
    assert found[0][4].endswith(
        "(a quoted value runs on from line 3 to line 70: is a quote mark missing or extra?)"
    )


def test_a_staged_file_whose_row_ids_do_not_run_one_apart_is_numbered_as_it_is_read(
    small_db, monkeypatch
):
    data, bad = _large_file(2_000)
    real_one = read.sql.one

    def gapped(con, query, params=None):
        found = real_one(con, query, params)
        if "max(rowid)" not in query:
            return found
        first, last, count = found
        return first, last + 1, count  # as if one id were skipped

    monkeypatch.setattr(read.sql, "one", gapped)
    numbered = []
    monkeypatch.setattr(read, "_read_in_order", _spy(read._read_in_order, numbered))
    report = check(small_db, data, "big.csv")
    assert numbered == ["r._k"]
    found = {int(r.line): r.value for r in report.problems.itertuples() if r.rule == "wrong_type"}
    assert found == bad


def _spy(function, seen: list):
    def spied(con, source):
        position = function(con, source)
        seen.append(position("r"))
        return position

    return spied


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("Caf\udce9", "is not UTF-8 text (the byte 0xE9 cannot be read)"),
        ("C\x001", "contains a NUL character, so this is not a text file"),
    ],
    ids=["not-utf8", "nul"],
)
@pytest.mark.parametrize("line_end", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_bytes_refused_while_the_file_is_read_reject_an_import_and_change_nothing(
    small_db, bad, message, line_end
):
    # Inside the import's transaction, whatever the line ends: the words are the byte check's,
    # on the record's line, and the stored records are as they were.
    good = imports.import_file(
        small_db, "missing_reports", csv_file(row()), "first.csv", today=TODAY
    )
    assert good.outcome == "loaded"
    lines = [HEADER, *(row(report_ref=f"R{i}") for i in range(2, 50)), row(child_ref=bad)]
    data = (line_end.join(lines) + line_end).encode("utf-8", "surrogateescape")
    result = imports.import_file(small_db, "missing_reports", data, "bad.csv", today=TODAY)
    assert result.outcome == "rejected"
    assert [
        (int(r.line), r.message[: len(message)]) for r in result.report.problems.itertuples()
    ] == [(50, message)]
    with store.reader(small_db) as con:
        assert con.execute("select report_ref from missing_reports").fetchall() == [("R1",)]


def test_the_headers_problems_are_listed_from_its_first_column_to_its_last(small_db):
    # Problems of the same line and rule were once listed in whatever order the database gave.
    header = HEADER + "," * 12
    data = (header + "\n" + row() + "\n").encode()
    for _ in range(3):
        listed = [m for *_, rule, m in problems(check(small_db, data)) if rule == "header"]
        assert listed == [f"column {n} of the header has no name" for n in range(11, 23)]
