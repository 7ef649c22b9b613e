"""Import a CSV or Excel extract into one table: validate everything, then load all or nothing.

The steps, each vectorised in DuckDB so a million-row file takes seconds:

1. read: the bytes are checked for UTF-8 (the line of the first bad byte is reported), split into
   physical lines, joined where a quoted value spans lines, and split into fields. Excel files are
   read cell by cell with openpyxl, the spreadsheet row being the line;
2. validate against the contract (safeguarding.contract, generated from the schema): header, value
   counts, types, required values, allowed values, districts, dates in the future, the schema's
   CHECK rules (end before start and the like), references repeated in the file. These are
   **errors**: any one stops the whole file. The data-quality rules (safeguarding.quality) run
   too; they are **queries**: the rows load and are flagged;
3. load, only when there are no errors, inside ``store.writer`` (a copy of the database replaced
   atomically on success): update the records whose reference is stored and differs, insert the
   new ones, leave identical ones alone, move the data's period and as-at date forward, refresh
   the metric figures, and write the audit row, all in one transaction. A failure anywhere, or a
   killed process, leaves the live database exactly as it was; readers see the old data or the
   new, never half.

A rejected file is still audited, in a second small write that touches only the ``imports`` table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from safeguarding import contract, metrics, quality, store
from safeguarding.contract import Column, TableContract

MAX_LISTED = 1000  # problems listed in a report; the rest are counted
PROBLEM_COLUMNS = ["file", "line", "column", "value", "severity", "rule", "message"]
MAX_DISTRICTS_NAMED = 12

# DuckDB strptime formats for the written forms in contract.DATE_FORMATS / TIMESTAMP_FORMATS.
_TIMESTAMP_PATTERNS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
_DATE_PATTERNS = ["%Y-%m-%d", "%d/%m/%Y", *_TIMESTAMP_PATTERNS]

# The column whose dates place a table's records in time (the period the metrics cover).
# Offenders and offender managers are stock: their start dates may go back decades, so they only
# make sure the period reaches their newest date.
ACTIVITY_DATE = {
    "offender_visits": "visit_date",
    "missing_reports": "reported_at",
    "forensic_cases": "submitted_on",
    "investigations": "opened_on",
    "investigation_reviews": "reviewed_on",
    "conferences": "held_on",
    "custody_detentions": "charged_at",
    "workforce": "month",
}

_QUOTED_FIELD = r',("(?:[^"]|"")*"|[^,"]*)'
# Problems with the file as a whole: no record could be read or checked.
FILE_RULES = ("empty_file", "header_only", "encoding", "not_xlsx", "header")
_SPACE = " \t"  # trimmed from both ends of every value
_EXCERPT_SQL = "case when length(text) > 80 then left(text, 77) || '...' else text end"


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


# --- reading ------------------------------------------------------------------------------------


@dataclass
class _FileProblem:
    line: int | None
    column: str
    value: str
    rule: str
    message: str


def _unquote(value: str) -> str:
    value = value.strip(_SPACE)
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value = value[1:-1].replace('""', '"').strip(_SPACE)
    return value


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _decode(data: bytes) -> tuple[str | None, _FileProblem | None]:
    """UTF-8 text, or the line and byte that are not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        shown = data[start : end if end >= 0 else len(data)].decode("utf-8", errors="replace")
        byte = data[exc.start]
        return None, _FileProblem(
            line,
            "",
            _excerpt(shown.rstrip("\r")),
            "encoding",
            f"is not UTF-8 text (the byte 0x{byte:02X} cannot be read). Save the file as "
            "CSV UTF-8 and try again.",
        )
    text = text.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        return None, _FileProblem(
            line, "", "", "encoding", "contains a NUL character, so this is not a text file"
        )
    return text, None


def _cell_text(value, column: Column | None) -> str:
    """An Excel cell as the text a CSV would hold (dates in ISO form, true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if column is not None and column.kind == "date" and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_xlsx(
    data: bytes, table: TableContract
) -> tuple[pd.DataFrame | None, _FileProblem | None]:
    """The sheet named after the table (else the first) as (line, fields) rows."""
    import openpyxl  # only needed for Excel files

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        reason = str(exc).strip() or type(exc).__name__
        return None, _FileProblem(
            None,
            "",
            "",
            "not_xlsx",
            f"is not a readable Excel workbook (.xlsx): {reason}. Save it from Excel as .xlsx "
            "or CSV UTF-8.",
        )
    try:
        sheet = book[table.name] if table.name in book.sheetnames else book.worksheets[0]
        by_name = {c.name: c for c in table.columns}
        header: list[Column | None] = []
        lines: list[int] = []
        rows: list[list[str]] = []
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            if not header and not rows and number == 1:
                names = [_cell_text(v, None).strip().casefold() for v in values]
                header = [by_name.get(n) for n in names]
            cells = [
                _cell_text(v, header[i] if i < len(header) else None) for i, v in enumerate(values)
            ]
            while cells and cells[-1] == "":
                cells.pop()  # Excel pads rows to the widest row with empty cells
            lines.append(number)
            rows.append(cells)
    except Exception as exc:  # a damaged sheet inside a valid zip
        return None, _FileProblem(
            None, "", "", "not_xlsx", f"is not a readable Excel workbook (.xlsx): {exc}."
        )
    finally:
        book.close()
    if rows:
        # The header row keeps its width: padding rows to it keeps a trailing empty cell a value.
        width = len(rows[0])
        rows = [r + [""] * (width - len(r)) if 0 < len(r) < width else r for r in rows]
    return pd.DataFrame({"line": lines, "fields": rows}), None


def _is_xlsx(data: bytes, file_name: str) -> bool:
    return file_name.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04")


def _csv_to_fields(con: duckdb.DuckDBPyConnection, text: str) -> list[_FileProblem]:
    """Split CSV text into _imp_fields in DuckDB; report quoted values that are never closed.

    _imp_fields holds one row per record that is not blank: its first line, its text, its values
    (unquoted and trimmed for records with quote marks; as split, for the rest, which are trimmed
    when the columns are picked) and whether its quoting is well formed. Records without a quote
    mark (nearly all, in a typical extract) take the fast path: a plain split on commas.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    con.execute(
        """
        create or replace temp table _imp_lines as
        select cast(line as integer) as line, text
        from unnest(string_split($text, chr(10))) with ordinality as u(text, line)
        """,
        {"text": text},
    )
    problems: list[_FileProblem] = []
    quotes = "length(text) - length(replace(text, '\"', ''))"
    has_odd = con.execute(f"select count(*) from _imp_lines where ({quotes}) % 2 = 1").fetchone()[0]
    if has_odd:
        # A quoted value holds a line break: join the lines of each record. A record starts
        # where the quote marks before it are balanced.
        con.execute(
            f"""
            create or replace temp table _imp_joined as
            with counted as (
                select line, text, {quotes} as quotes from _imp_lines
            ),
            running as (
                select *, sum(quotes) over (order by line rows between unbounded preceding
                                            and 1 preceding) as before
                from counted
            ),
            grouped as (
                select *, sum(case when coalesce(before, 0) % 2 = 0 then 1 else 0 end)
                          over (order by line) as record
                from running
            )
            select min(line) as line, string_agg(text, chr(10) order by line) as text,
                   sum(quotes) % 2 = 1 as unclosed
            from grouped group by record
            """
        )
        for (line,) in con.execute(
            "select line from _imp_joined where unclosed order by line"
        ).fetchall():
            problems.append(
                _FileProblem(
                    line,
                    "",
                    "",
                    "quotes",
                    'has a quoted value that is never closed (a " without its closing ")',
                )
            )
        source = "(select line, text from _imp_joined where not unclosed)"
    else:
        source = "_imp_lines"
    con.execute(
        f"""
        create or replace temp table _imp_fields as
        select line, text, string_split(text, ',') as fields, true as wellformed
        from {source}
        where not contains(text, '"') and not regexp_full_match(text, '[ \t,]*')
        union all
        select * from (
            select line, text,
                   list_transform(regexp_extract_all(',' || text, $pattern, 1), lambda f: trim(
                       case when starts_with(f, '"') and length(f) >= 2
                            then replace(f[2:-2], '""', '"') else f end, $space)) as fields,
                   array_to_string(regexp_extract_all(',' || text, $pattern, 0), '')
                       = ',' || text as wellformed
            from {source}
            where contains(text, '"')
        )
        where len(list_filter(fields, lambda f: f <> '')) > 0 or not wellformed
        """,
        {"pattern": _QUOTED_FIELD, "space": _SPACE},
    )
    # A million-line file is held several times over on the way; let go of each stage early.
    con.execute("drop table if exists temp._imp_lines")
    con.execute("drop table if exists temp._imp_joined")
    return problems


def _xlsx_to_fields(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    con.execute(
        """create or replace temp table _imp_fields
           (line integer, text varchar, fields varchar[], wellformed boolean)"""
    )
    if frame.empty:
        return
    con.register("_imp_xlsx", frame)
    try:
        con.execute(
            """insert into _imp_fields
               select line, array_to_string(fields, ','), fields, true from _imp_xlsx
               where len(list_filter(fields, lambda f: trim(f, $space) <> '')) > 0""",
            {"space": _SPACE},
        )
    finally:
        con.unregister("_imp_xlsx")


# --- validation ---------------------------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list_sql(values) -> str:
    return "[" + ", ".join(_lit(v) for v in values) + "]"


def _typed_sql(column: Column) -> str:
    """SQL turning the trimmed text ``r.<column>`` into the column's type; NULL if it is not one."""
    raw = f"r.{_q(column.name)}"
    kind = column.kind
    if kind == "text":
        typed = f"nullif({raw}, '')"
    elif kind == "integer":
        typed = (
            f"case when regexp_full_match({raw}, '[+-]?[0-9]+') "
            f"then try_cast({raw} as {column.sql_type}) end"
        )
    elif kind == "decimal":
        typed = (
            f"case when regexp_full_match({raw}, '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)') "
            f"and length(regexp_extract({raw}, '[.]([0-9]*)$', 1)) <= {column.scale} "
            f"then try_cast({raw} as {column.sql_type}) end"
        )
    elif kind == "date":
        parsed = f"try_strptime({raw}, {_list_sql(_DATE_PATTERNS)})"
        typed = (
            f"case when cast({parsed} as time) = time '00:00:00' then cast({parsed} as date) end"
        )
    elif kind == "timestamp":
        typed = f"try_strptime({raw}, {_list_sql(_TIMESTAMP_PATTERNS)})"
    else:  # boolean
        typed = (
            f"case when lower({raw}) in {tuple(contract.TRUE_WORDS)} then true "
            f"when lower({raw}) in {tuple(contract.FALSE_WORDS)} then false end"
        )
    if column.default is not None:
        default = f"cast({column.default} as {column.sql_type})"
        typed = f"case when {raw} = '' then {default} else {typed} end"
    return typed


def _type_message(column: Column) -> str:
    """SQL for the words explaining why the text in ``t._raw_<column>`` is not of its type."""
    raw = f"t.{_q('_raw_' + column.name)}"
    shown = f"'''' || {raw} || ''''"
    if column.kind == "integer":
        return f"{shown} || ' is not a whole number'"
    if column.kind == "decimal":
        return (
            f"case when not regexp_full_match({raw}, '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)') "
            f"then {shown} || ' is not a number' "
            f"when length(regexp_extract({raw}, '[.]([0-9]*)$', 1)) > {column.scale} "
            f"then {shown} || ' has more than {column.scale} decimal places' "
            f"else {shown} || ' is too large for this column' end"
        )
    if column.kind == "date":
        return (
            f"case when try_strptime({raw}, {_list_sql(_TIMESTAMP_PATTERNS)}) is not null "
            f"then {shown} || ' has a time of day, but this column holds a date only' "
            f"else {shown} || ' is not a date (write dates as YYYY-MM-DD or DD/MM/YYYY)' end"
        )
    if column.kind == "timestamp":
        return f"{shown} || ' is not a date and time (write them as YYYY-MM-DD HH:MM)'"
    return f"{shown} || ' is not true or false'"


def _problem_insert(
    con: duckdb.DuckDBPyConnection,
    select: str,
    params: dict | None = None,
) -> None:
    con.execute(
        f'insert into _imp_problems (line, position, "column", value, severity, rule, message) '
        f"{select}",
        params or {},
    )


def _check_header(
    table: TableContract, header: list[str], line: int
) -> tuple[list[_FileProblem], dict[str, int]]:
    """Problems with the header line, and each contract column's position in the file."""
    names = [h.strip().casefold() for h in header]
    expected = table.column_names
    listed = ", ".join(expected)
    if not set(names) & set(expected):
        return [
            _FileProblem(
                line,
                "",
                _excerpt(",".join(header)),
                "header",
                f"is not the header of a {table.name} file: line 1 must name the columns "
                f"{listed} (download the template).",
            )
        ], {}
    problems: list[_FileProblem] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if not name:
            problems.append(
                _FileProblem(
                    line, "", "", "header", f"column {position + 1} of the header has no name"
                )
            )
        elif name in seen:
            problems.append(
                _FileProblem(
                    line,
                    name,
                    header[position].strip(),
                    "header",
                    f"'{header[position].strip()}' appears more than once in the header",
                )
            )
        elif name not in expected:
            problems.append(
                _FileProblem(
                    line,
                    header[position].strip(),
                    header[position].strip(),
                    "header",
                    f"'{header[position].strip()}' is not a column of {table.name} "
                    f"(the columns are: {listed})",
                )
            )
        else:
            seen[name] = position
    for name in expected:
        if name not in seen:
            problems.append(_FileProblem(line, name, "", "header", "is missing from the header"))
    return problems, seen


def _known_districts(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("select district from districts order by 1").fetchall()]


def _validate_rows(con: duckdb.DuckDBPyConnection, table: TableContract, today: dt.date) -> None:
    """Every row-level check, each one query over _imp_typed, into _imp_problems."""
    position = {c.name: i for i, c in enumerate(table.columns)}

    def raw(name: str) -> str:
        return f"t.{_q('_raw_' + name)}"

    def shown(name: str) -> str:
        return f"'''' || {raw(name)} || ''''"

    for c in table.columns:
        where = {"position": position[c.name], "column": c.name}
        if c.required:
            _problem_insert(
                con,
                f"""select t._line, $position, $column, '', 'error', 'missing_value',
                           'is empty, but a value is required'
                    from _imp_typed t where {raw(c.name)} = ''""",
                where,
            )
        if c.kind != "text":
            _problem_insert(
                con,
                f"""select t._line, $position, $column, {raw(c.name)}, 'error', 'wrong_type',
                           {_type_message(c)}
                    from _imp_typed t where {raw(c.name)} <> '' and t.{_q(c.name)} is null""",
                where,
            )
        if c.allowed:
            _problem_insert(
                con,
                f"""select t._line, $position, $column, {raw(c.name)}, 'error', 'not_allowed',
                           {shown(c.name)} || ' is not an allowed value (' || $words || ')'
                    from _imp_typed t
                    where t.{_q(c.name)} is not null
                      and not list_contains({_list_sql(c.allowed)}, t.{_q(c.name)})""",
                {**where, "words": ", ".join(c.allowed)},
            )
        if c.district_ref:
            known = _known_districts(con)
            if not known:
                hint = "there are none yet: import the districts file first"
            elif len(known) <= MAX_DISTRICTS_NAMED:
                hint = ", ".join(known)
            else:
                hint = "see the districts table"
            _problem_insert(
                con,
                f"""select t._line, $position, $column, {raw(c.name)}, 'error',
                           'unknown_district',
                           {shown(c.name)} || ' is not a district in the database (' || $hint || ')'
                    from _imp_typed t
                    where t.{_q(c.name)} is not null
                      and t.{_q(c.name)} not in (select district from districts)""",
                {**where, "hint": hint},
            )
        if c.kind in ("date", "timestamp"):
            _problem_insert(
                con,
                f"""select t._line, $position, $column, {raw(c.name)}, 'error', 'future_date',
                           {shown(c.name)} || ' is in the future (after today, '
                           || strftime($today, '%Y-%m-%d') || ')'
                    from _imp_typed t where cast(t.{_q(c.name)} as date) > $today""",
                {**where, "today": today},
            )

    for rule in table.rules:
        text = rule.text
        clean = " and ".join(f"({raw(n)} = '' or t.{_q(n)} is not null)" for n in rule.columns)
        cases = [(cond, quality.template_sql(template, raw)) for cond, template in text.messages]
        if len(cases) == 1:
            message = cases[0][1]
        else:
            message = (
                "case "
                + " ".join(f"when {cond} then {sql}" for cond, sql in cases if cond)
                + f" else {next(sql for cond, sql in cases if cond is None)} end"
            )
        _problem_insert(
            con,
            f"""select t._line, $position, $column, {raw(text.column)}, 'error', $kind, {message}
                from _imp_typed t
                where not coalesce(({rule.expression}), true) and {clean}""",
            {"position": position[text.column], "column": text.column, "kind": text.kind},
        )

    keys = ", ".join(f"t.{_q(k)}" for k in table.key)
    key_raw = " || ', ' || ".join(raw(k) for k in table.key)
    _problem_insert(
        con,
        f"""select _line, $position, $column, ref, 'error', 'duplicate_reference',
                   '''' || ref || ''' appears more than once in the file (first on line '
                   || first_line || ')'
            from (
                select t._line, {key_raw} as ref,
                       min(t._line) over (partition by {keys}) as first_line
                from _imp_typed t
                where {" and ".join(f"t.{_q(k)} is not null" for k in table.key)}
            )
            where _line > first_line""",
        {"position": position[table.key[0]], "column": table.key_label},
    )

    for query in quality.rules_for(table.name):
        _problem_insert(
            con,
            f"""select line, $position, "column", value, 'query', rule, message
                from ({quality.rule_sql(query, "_imp_typed", with_line=True)})""",
            {"position": position[query.column]},
        )


def _stage(
    con: duckdb.DuckDBPyConnection,
    table: TableContract,
    data: bytes,
    file_name: str,
    today: dt.date,
) -> Report:
    """Read and validate a file into temp tables of ``con``; _imp_typed holds the typed rows."""
    sha = hashlib.sha256(data).hexdigest()
    con.execute(
        """
        create or replace temp table _imp_problems (
            line integer, position integer, "column" varchar, value varchar,
            severity varchar, rule varchar, message varchar
        )
        """
    )
    file_problems: list[_FileProblem] = []
    rows = 0

    def report() -> Report:
        for p in file_problems:
            _problem_insert(
                con,
                "select $line, -1, $column, $value, 'error', $rule, $message",
                dataclasses.asdict(p),
            )
        counts = dict(
            con.execute("select severity, count(*) from _imp_problems group by 1").fetchall()
        )
        lines_with_errors = con.execute(
            """select count(distinct line) from _imp_problems
               where severity = 'error' and line is not null and not list_contains($whole, rule)""",
            {"whole": list(FILE_RULES)},
        ).fetchone()[0]
        listed = con.execute(
            """
            select $file as file, line, "column", value, severity, rule, message
            from _imp_problems
            order by severity = 'query', line nulls first, position, rule
            limit $limit
            """,
            {"file": file_name, "limit": MAX_LISTED},
        ).df()
        listed["line"] = listed["line"].astype("Int64")
        errors = int(counts.get("error", 0))
        return Report(
            file_name=file_name,
            table=table.name,
            sha256=sha,
            rows=rows,
            errors=errors,
            queries=int(counts.get("query", 0)),
            rows_with_errors=int(lines_with_errors) if errors else 0,
            problems=listed[PROBLEM_COLUMNS],
        )

    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        file_problems.append(
            _FileProblem(None, "", "", "empty_file", "is empty: there is no header and no records")
        )
        return report()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        file_problems.append(
            _FileProblem(
                None,
                "",
                "",
                "not_xlsx",
                "is an old-style Excel .xls workbook. Save it as .xlsx or CSV UTF-8.",
            )
        )
        return report()
    if _is_xlsx(data, file_name):
        frame, problem = _read_xlsx(data, table)
        if problem:
            file_problems.append(problem)
            return report()
        _xlsx_to_fields(con, frame)
    else:
        text, problem = _decode(data)
        if problem:
            file_problems.append(problem)
            return report()
        file_problems += _csv_to_fields(con, text)
        del text

    first = con.execute(
        "select line, fields, wellformed, text from _imp_fields order by line limit 1"
    ).fetchone()
    if first is None:
        file_problems.append(
            _FileProblem(None, "", "", "empty_file", "is empty: there is no header and no records")
        )
        return report()
    header_line, header, header_ok, header_text = first
    header = [_unquote(h) for h in header]
    if not header_ok:
        file_problems.append(
            _FileProblem(
                header_line,
                "",
                _excerpt(header_text),
                "quotes",
                "has a quote mark in the wrong place in the header",
            )
        )
        return report()
    header_problems, positions = _check_header(table, header, header_line)
    file_problems += header_problems
    if header_problems:
        return report()

    rows = con.execute(
        "select count(*) from _imp_fields where line > $h", {"h": header_line}
    ).fetchone()[0]
    if rows == 0 and not file_problems:
        file_problems.append(
            _FileProblem(None, "", "", "header_only", "has a header but no records below it")
        )
        return report()
    width = len(header)
    _problem_insert(
        con,
        f"""select line, -1, '', {_EXCERPT_SQL}, 'error', 'quotes',
                  'has a quote mark in the wrong place: a quoted value must be followed by a '
                  || 'comma or the end of the line'
           from _imp_fields where line > $h and not wellformed""",
        {"h": header_line},
    )
    _problem_insert(
        con,
        f"""select line, -1, '', {_EXCERPT_SQL}, 'error', 'field_count',
                  'has ' || len(fields) || ' value' || case when len(fields) = 1 then '' else 's'
                  end || ', but the header has ' || $width || ' columns'
           from _imp_fields where line > $h and wellformed and len(fields) <> $width""",
        {"h": header_line, "width": width},
    )
    selects = ", ".join(
        f"trim(fields[{positions[c.name] + 1}], $space) as {_q(c.name)}" for c in table.columns
    )
    con.execute(
        f"""
        create or replace temp table _imp_raw as
        select line as _line, {selects}
        from _imp_fields where line > $h and wellformed and len(fields) = $width
        """,
        {"h": header_line, "width": width, "space": _SPACE},
    )
    typed = ", ".join(
        f"{_typed_sql(c)} as {_q(c.name)}, r.{_q(c.name)} as {_q('_raw_' + c.name)}"
        for c in table.columns
    )
    con.execute("drop table if exists temp._imp_fields")
    con.execute(
        f"create or replace temp table _imp_typed as select r._line, {typed} from _imp_raw r"
    )
    con.execute("drop table if exists temp._imp_raw")
    _validate_rows(con, table, today)
    return report()


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    for name in (
        "lines",
        "records",
        "fields",
        "split",
        "raw",
        "typed",
        "problems",
        "new",
        "changed",
    ):
        con.execute(f"drop table if exists temp._imp_{name}")


def validate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    data: bytes,
    file_name: str,
    *,
    today: dt.date | None = None,
) -> Report:
    """Check a file without loading it (any connection, including a read-only reader)."""
    contract_ = contract.get(table)
    try:
        return _stage(con, contract_, data, file_name, today or dt.date.today())
    finally:
        _drop_temp(con)


def check(
    db: str | os.PathLike[str] | None,
    table: str,
    data: bytes,
    file_name: str,
    *,
    today: dt.date | None = None,
) -> Report:
    """Validate against the live database through a reader: no lock, nothing written."""
    return validate(store.reader(db), table, data, file_name, today=today)


# --- loading ------------------------------------------------------------------------------------


class _Rejected(Exception):
    def __init__(self, report: Report):
        super().__init__(report.summary())
        self.report = report


def _upsert(con: duckdb.DuckDBPyConnection, table: TableContract) -> tuple[int, int, int]:
    """Update stored records that differ, insert new ones; (inserted, updated, unchanged)."""
    name = _q(table.name)
    cols = ", ".join(_q(c) for c in table.column_names)
    join = " and ".join(f"t.{_q(k)} = s.{_q(k)}" for k in table.key)
    others = [c for c in table.column_names if c not in table.key]
    differs = " or ".join(f"t.{_q(c)} is distinct from s.{_q(c)}" for c in others) or "false"
    con.execute(
        f"""create or replace temp table _imp_new as
            select {cols} from _imp_typed s
            where not exists (select 1 from {name} t where {join})"""
    )
    con.execute(
        f"""create or replace temp table _imp_changed as
            select {", ".join(f"s.{_q(c)}" for c in table.column_names)}
            from _imp_typed s join {name} t on {join} where {differs}"""
    )
    inserted = con.execute("select count(*) from _imp_new").fetchone()[0]
    updated = con.execute("select count(*) from _imp_changed").fetchone()[0]
    total = con.execute("select count(*) from _imp_typed").fetchone()[0]
    if updated and others:
        sets = ", ".join(f"{_q(c)} = s.{_q(c)}" for c in others)
        con.execute(f"update {name} as t set {sets} from _imp_changed s where {join}")
    if inserted:
        con.execute(f"insert into {name} ({cols}) select {cols} from _imp_new")
    return inserted, updated, total - inserted - updated


def _period(
    con: duckdb.DuckDBPyConnection, table: TableContract, today: dt.date
) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """(first month, last month, newest date) that the imported rows bring, up to today.

    The first month is None for stock tables (offenders, offender managers): they only make sure
    the period reaches their newest date.
    """
    dated = [c for c in table.columns if c.kind in ("date", "timestamp")]
    if not dated:
        return None, None, None

    def as_date(c: Column) -> str:
        expr = f"cast({_q(c.name)} as date)"
        return f"last_day({expr})" if c.month_start else expr

    newest = con.execute(
        f"select max(greatest({', '.join(as_date(c) for c in dated)})) from _imp_typed"
    ).fetchone()[0]
    if newest is None:
        return None, None, None
    newest = min(newest, today)
    activity = ACTIVITY_DATE.get(table.name)
    if activity:
        oldest = con.execute(
            f"select min(cast({_q(activity)} as date)) from _imp_typed"
        ).fetchone()[0]
        first = metrics.first_of_month(min(oldest, newest))
    else:
        first = None  # stock: its old start dates say nothing about the period to report
    return first, metrics.first_of_month(newest), newest


def _refresh(con: duckdb.DuckDBPyConnection, table: TableContract, today: dt.date) -> None:
    """Move the data's period and as-at date forward, then recompute every figure."""
    info = store.meta(con)
    first, last, newest = _period(con, table, today)

    def stored(key: str) -> dt.date | None:
        return dt.date.fromisoformat(info[key]) if info.get(key) else None

    last = max(filter(None, [stored("last_month"), last]), default=None)
    # A database's first stock-only import starts the period at its newest month.
    first = min(filter(None, [stored("first_month"), first]), default=last)
    as_at = max(filter(None, [stored("as_at"), newest]), default=None)
    values = {"source": "import"}
    if first and last and as_at:
        values.update(
            first_month=first.isoformat(), last_month=last.isoformat(), as_at=as_at.isoformat()
        )
    store.set_meta(con, **values)
    if first and last:
        metrics.refresh(con, first, last)


def _audit(
    con: duckdb.DuckDBPyConnection,
    report: Report,
    *,
    outcome: str,
    by: str | None,
    now: dt.datetime,
    inserted: int = 0,
    updated: int = 0,
    message: str,
) -> int:
    (import_id,) = con.execute("select coalesce(max(import_id), 0) + 1 from imports").fetchone()
    con.execute(
        """
        insert into imports (import_id, imported_at, imported_by, file_name, sha256, table_name,
                             rows_inserted, rows_updated, rows_rejected, outcome, message)
        values ($id, $at, $by, $file, $sha, $table, $inserted, $updated, $rejected, $outcome,
                $message)
        """,
        {
            "id": import_id,
            "at": now,
            "by": by,
            "file": report.file_name,
            "sha": report.sha256,
            "table": report.table,
            "inserted": inserted,
            "updated": updated,
            "rejected": report.rows_with_errors if report.errors else 0,
            "outcome": outcome,
            "message": message,
        },
    )
    return import_id


def _rejection_message(report: Report) -> str:
    first = report.problems[report.problems["severity"] == "error"].head(1).to_dict("records")
    where = (
        f"on {_count(report.rows_with_errors, 'line')}"
        if report.rows_with_errors
        else "in the file as a whole"
    )
    text = f"Rejected: {_count(report.errors, 'error')} {where}; nothing was loaded."
    return text + (f" First: {describe(first[0])}" if first else "")


def import_file(
    db: str | os.PathLike[str] | None,
    table: str,
    data: bytes,
    file_name: str,
    *,
    by: str | None = None,
    now: Callable[[], dt.datetime] | None = None,
    today: dt.date | None = None,
) -> Result:
    """Validate and load a file into ``table``: all of it, or (with any error) none of it.

    ``by`` is who imported it (the OS user from the CLI, the signed-in user from the page);
    ``now`` and ``today`` are the clock, injectable for tests. Re-importing a stored reference
    updates it; a file whose records are all stored unchanged changes nothing (outcome
    'unchanged'). Raises UnknownTableError for a table that cannot be imported.
    """
    contract_ = contract.get(table)
    clock = now or dt.datetime.now
    today = today or dt.date.today()
    file_name = Path(file_name).name
    try:
        with store.writer(db) as con:
            report = _stage(con, contract_, data, file_name, today)
            if not report.ok:
                raise _Rejected(report)
            inserted, updated, unchanged = _upsert(con, contract_)
            outcome = "loaded" if inserted or updated else "unchanged"
            if outcome == "loaded":
                _refresh(con, contract_, today)
            message = (
                f"{inserted:,} inserted, {updated:,} updated, {unchanged:,} unchanged; "
                f"{_count(report.queries, 'query')}"
            )
            import_id = _audit(
                con,
                report,
                outcome=outcome,
                by=by,
                now=clock(),
                inserted=inserted,
                updated=updated,
                message=message,
            )
            _drop_temp(con)
    except _Rejected as rejected:
        report = rejected.report
        message = _rejection_message(report)
        # Only the audit changes: the record tables stay exactly as they were.
        with store.writer(db) as con:
            import_id = _audit(con, report, outcome="rejected", by=by, now=clock(), message=message)
        return Result(report, "rejected", 0, 0, 0, import_id, message)
    except Exception as exc:
        # Something other than the file failed (disk full, a bug): the writer has already
        # discarded its copy, so nothing changed. Record the attempt if the database allows it,
        # then let the caller see the failure.
        failed = Report(
            file_name,
            contract_.name,
            hashlib.sha256(data).hexdigest(),
            0,
            0,
            0,
            0,
            pd.DataFrame(columns=PROBLEM_COLUMNS),
        )
        note = f"Failed while loading ({type(exc).__name__}: {exc}); nothing was changed."
        with contextlib.suppress(Exception), store.writer(db) as con:
            _audit(con, failed, outcome="rejected", by=by, now=clock(), message=note)
        raise
    return Result(report, outcome, inserted, updated, unchanged, import_id, message)


# --- export and the audit -----------------------------------------------------------------------


def export_csv(con: duckdb.DuckDBPyConnection, table: str, out: str | os.PathLike[str]) -> int:
    """Write a table's stored rows as a CSV that imports back unchanged; returns the row count.

    Ordered by reference, so two exports of the same data are byte-identical.
    """
    contract_ = contract.get(table)
    cols = ", ".join(_q(c) for c in contract_.column_names)
    order = ", ".join(_q(k) for k in contract_.key)
    target = str(out).replace("'", "''")
    con.execute(
        f"copy (select {cols} from {_q(table)} order by {order}) to '{target}' "
        "(format csv, header true, delimiter ',', quote '\"')"
    )
    return con.execute(f"select count(*) from {_q(table)}").fetchone()[0]


AUDIT_COLUMNS = [
    "import_id",
    "imported_at",
    "imported_by",
    "file_name",
    "sha256",
    "table_name",
    "rows_inserted",
    "rows_updated",
    "rows_rejected",
    "outcome",
    "message",
]


def history(con: duckdb.DuckDBPyConnection, *, limit: int = 200) -> pd.DataFrame:
    """The import audit, newest first."""
    return con.execute(
        f"select {', '.join(AUDIT_COLUMNS)} from imports order by import_id desc limit $limit",
        {"limit": limit},
    ).df()


def read_path(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    """A file's name and bytes (OSError for one that cannot be read)."""
    target = Path(path)
    return target.name, target.read_bytes()
