"""What every step of an import shares: the report of problems, the result, SQL helpers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

MAX_LISTED = 1000  # problems listed in a report; the rest are counted
PROBLEM_COLUMNS = ["file", "line", "column", "value", "severity", "rule", "message"]
# Problems with the file as a whole: no record could be read or checked.
FILE_RULES = ("empty_file", "header_only", "encoding", "not_xlsx", "header")
# Trimmed from both ends of every value (and header name): spaces and tabs, line breaks (inside
# a quoted value), and the other spaces of Unicode (no-break, thin, ideographic and the rest, as
# Python's str.strip takes them), none of which can be told from a space on screen. Not the
# control characters str.strip also takes (U+000B, U+000C, U+001C-U+001F, U+0085): those are
# refused, wherever they are.
_SPACE = (
    " \t\n\r\u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True)
class Report:
    """What validation found in one file. ``problems`` lists at most MAX_LISTED, errors first."""

    file_name: str
    table: str
    sha256: str
    rows: int
    errors: int
    queries: int
    rows_with_errors: int
    problems: pd.DataFrame

    @property
    def ok(self) -> bool:
        return self.errors == 0

    @property
    def listed_note(self) -> str:
        """Says when the list is cut short, so nobody thinks the list is everything."""
        total = self.errors + self.queries
        if total <= len(self.problems):
            return ""
        return (
            f"Showing the first {len(self.problems):,} of {total:,} problems "
            f"(errors first); fix these and check the file again to see the rest."
        )

    def summary(self) -> str:
        rows = f"{self.rows:,} record{'s' if self.rows != 1 else ''}"
        if self.errors and not self.rows_with_errors:
            return (
                f"{self.file_name}: {_count(self.errors, 'error')} in the file as a whole (its "
                "encoding, layout or header), so no record was checked. Nothing can be loaded "
                "until every error is fixed."
            )
        if self.errors:
            return (
                f"{self.file_name}: {rows} read; {_count(self.errors, 'error')} on "
                f"{_count(self.rows_with_errors, 'line')}, {_count(self.queries, 'query')}. "
                "Nothing can be loaded until every error is fixed."
            )
        return f"{self.file_name}: {rows} read; no errors, {_count(self.queries, 'query')}" + (
            " (these load, and are listed on the Data quality page)." if self.queries else "."
        )


@dataclass(frozen=True)
class Result:
    """What an import did. ``outcome`` is loaded, unchanged or rejected (as in the audit)."""

    report: Report
    outcome: str
    inserted: int
    updated: int
    unchanged: int
    import_id: int
    message: str


def _count(n: int, word: str) -> str:
    plural = {"query": "queries"}.get(word, word + "s")
    return f"{n:,} {word if n == 1 else plural}"


def describe(problem: dict) -> str:
    """One problem in a sentence: file, line, column, then what is wrong with the value."""
    where = [str(problem["file"])]
    if pd.notna(problem["line"]):
        where.append(f"line {int(problem['line'])}")
    if problem["column"]:
        where.append(f"column {problem['column']}")
    return f"{', '.join(where)}: {problem['message']}"


@dataclass
class _FileProblem:
    line: int | None
    column: str
    value: str
    rule: str
    message: str


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list_sql(values) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]"
