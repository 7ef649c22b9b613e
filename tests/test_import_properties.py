"""Property-based tests: whatever is in the file, the import ends in words, not a traceback.

Hypothesis feeds three kinds of file: arbitrary bytes; a valid extract damaged by random edits
(commas, quotes, line breaks, bytes that are not UTF-8, NULs); and a valid extract with one known
defect injected. For every one, validation returns a report whose problems each have a line in the
file (or none, for the file as a whole) and a message; and an import that is rejected leaves the
stored data exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguarding import contract, imports, store

TODAY = dt.date(2026, 1, 15)
HEADER = contract.template_csv("missing_reports").strip()
GOOD_ROWS = [
    "R1,C1,Leeds,14,medium,2025-06-01 10:00,2025-06-01 10:30,2025-06-01 12:00,,",
    "R2,C2,Kirklees,9,high,2025-06-02 22:15,2025-06-02 22:40,,2025-06-03 08:00,",
    'R3,"C,3",Leeds,16,no_apparent_risk,01/06/2025 08:00,,2025-06-01 09:00,,',
]
VALID = ("\n".join([HEADER, *GOOD_ROWS]) + "\n").encode()
NASTY = [b",", b'"', b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xe9", b"\xef\xbb\xbf", b" ", b"x"]

DEFECTS = {
    "a word for an age": lambda rows: [rows[0].replace(",14,", ",fourteen,"), *rows[1:]],
    "an extra value": lambda rows: [rows[0] + ",surplus", *rows[1:]],
    "a missing value": lambda rows: [rows[0].replace("R1,C1", "R1,"), *rows[1:]],
    "an unclosed quote": lambda rows: [rows[0].replace("C1", '"C1'), *rows[1:]],
    "an unknown district": lambda rows: [rows[0].replace("Leeds", "Atlantis"), *rows[1:]],
    "a future date": lambda rows: [
        rows[0].replace("2025-06-01 10:00", "2030-01-01 10:00"),
        *rows[1:],
    ],
    "a repeated reference": lambda rows: [*rows, rows[0]],
    "attended before reported": lambda rows: [
        rows[0].replace("2025-06-01 10:30", "2025-06-01 09:30"),
        *rows[1:],
    ],
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("props") / "props.duckdb"
    with store.writer(path, fresh=True) as con:
        con.execute(
            "insert into districts values ('Leeds', 'West Yorkshire'), "
            "('Kirklees', 'West Yorkshire')"
        )
    return str(path)


def fingerprint(db: str) -> str:
    con = store.reader(db)
    rows = [
        con.execute(f'select * from "{t}" order by all').fetchall()
        for t in (*contract.IMPORT_TABLES, "metric_values", "meta")
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def assert_clear(report: imports.Report, data: bytes) -> None:
    lines = data.count(b"\n") + 1
    assert report.errors + report.queries >= len(report.problems)
    for problem in report.problems.to_dict("records"):
        assert problem["severity"] in ("error", "query")
        assert problem["message"].strip()
        assert pd.isna(problem["line"]) or 1 <= problem["line"] <= lines
        assert imports.describe(problem).startswith("extract.csv")
    if not report.ok:
        assert "Nothing can be loaded" in report.summary()


def edits():
    """A list of (position fraction, replace-count, bytes to insert) edits."""
    return st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1),
            st.integers(min_value=0, max_value=3),
            st.sampled_from(NASTY) | st.binary(max_size=3),
        ),
        min_size=1,
        max_size=6,
    )


def damage(data: bytes, changes) -> bytes:
    out = bytearray(data)
    for where, remove, insert in changes:
        at = int(where * len(out))
        out[at : at + remove] = insert
    return bytes(out)


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
IMPORTS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes_end_in_a_report_not_a_traceback(db, data):
    report = imports.check(db, "missing_reports", data, "extract.csv", today=TODAY)
    assert_clear(report, data)


@FUZZ
@given(edits())
def test_a_damaged_extract_ends_in_a_report_not_a_traceback(db, changes):
    data = damage(VALID, changes)
    report = imports.check(db, "missing_reports", data, "extract.csv", today=TODAY)
    assert_clear(report, data)


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_named_xlsx_end_in_a_report_not_a_traceback(db, data):
    report = imports.check(db, "missing_reports", b"PK\x03\x04" + data, "extract.xlsx")
    assert not report.ok
    assert report.problems.iloc[0]["message"].startswith("is not a readable Excel workbook")


@IMPORTS
@given(
    defect=st.sampled_from(sorted(DEFECTS)),
    extra=st.lists(st.sampled_from(GOOD_ROWS[1:]), max_size=3),
    noise=st.sampled_from([b"", b"\n", b"\n\n", b"\r\n"]),
)
def test_a_file_with_a_defect_is_rejected_with_words_and_changes_nothing(db, defect, extra, noise):
    rows = DEFECTS[defect](GOOD_ROWS[:1] + [r.replace("R2", "R9") for r in extra])
    data = ("\n".join([HEADER, *rows]) + "\n").encode() + noise
    before = fingerprint(db)
    result = imports.import_file(db, "missing_reports", data, "extract.csv", today=TODAY)
    assert result.outcome == "rejected", defect
    assert result.report.errors >= 1
    assert_clear(result.report, data)
    assert fingerprint(db) == before


@IMPORTS
@given(edits())
def test_a_damaged_extract_either_loads_or_changes_nothing(db, changes):
    data = damage(VALID, changes)
    before = fingerprint(db)
    result = imports.import_file(db, "missing_reports", data, "extract.csv", today=TODAY)
    assert_clear(result.report, data)
    if result.outcome == "rejected":
        assert fingerprint(db) == before
    else:
        assert result.report.ok


# The kinds of line a real extract holds, as (text, rule of the error it carries or None). "{n}"
# makes each reference its own; "{br}" is a line break inside a quoted value.
LINE_KINDS = {
    "record": ("G{n},C1,Leeds,14,medium,2025-06-01 10:00,,,,", None),
    "record with a wrong age": ("B{n},C1,Leeds,x,medium,2025-06-01 10:00,,,,", "wrong_type"),
    "record with a value on two lines": (
        'S{n},"C1{br}more",Leeds,14,low,2025-06-01 10:00,,,,',
        None,
    ),
    "wrong age, a value on two lines": (
        'T{n},"C{br}1",Leeds,x,low,2025-06-01 10:00,,,,',
        "wrong_type",
    ),
    "record with a surplus value": (
        "X{n},C1,Leeds,14,low,2025-06-01 10:00,,,,,more",
        "field_count",
    ),
    "blank": ("", None),
    "spaces": ("   ", None),
    "commas": (",,,,,,,,,", None),
}


@IMPORTS
@given(
    kinds=st.lists(st.sampled_from(sorted(LINE_KINDS)), min_size=1, max_size=12),
    ending=st.sampled_from(["\n", "\r\n"]),
    inside=st.sampled_from(["\n", "\r\n"]),
    final_break=st.booleans(),
)
def test_every_error_is_reported_on_the_line_where_its_record_starts(
    db, kinds, ending, inside, final_break
):
    lines, expected, line = [HEADER], [], 2
    for n, kind in enumerate(kinds):
        template, rule = LINE_KINDS[kind]
        text = template.format(n=n, br=inside)
        lines.append(text)
        if rule:
            expected.append((line, rule))
        line += 1 + text.count("\n")
    data = (ending.join(lines) + (ending if final_break else "")).encode()
    report = imports.check(db, "missing_reports", data, "extract.csv", today=TODAY)
    found = sorted(
        (int(p.line), p.rule)
        for p in report.problems.itertuples()
        if p.rule in ("wrong_type", "field_count")
    )
    assert found == expected, data
