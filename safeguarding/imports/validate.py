"""Validating a file against the contract: every error and query, into one report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os

import duckdb

from safeguarding import contract, quality, store
from safeguarding.contract import Column, TableContract
from safeguarding.imports import common
from safeguarding.imports.common import (
    _EXCERPT_SQL,
    _SPACE,
    FILE_RULES,
    PROBLEM_COLUMNS,
    Report,
    _excerpt,
    _FileProblem,
    _list_sql,
    _q,
)
from safeguarding.imports.read import (
    _csv_to_fields,
    _decode,
    _is_xlsx,
    _read_xlsx,
    _unquote,
    _xlsx_to_fields,
)

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
            {"file": file_name, "limit": common.MAX_LISTED},
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
