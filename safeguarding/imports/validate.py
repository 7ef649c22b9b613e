"""Validating a file against the contract: every error and query, into one report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from safeguarding import characters, contract, quality, sql, store
from safeguarding.contract import Column, TableContract
from safeguarding.imports import common
from safeguarding.imports.common import (
    FILE_RULES,
    PROBLEM_COLUMNS,
    Report,
    _excerpt,
    _FileProblem,
    _list_sql,
    _lit,
    _q,
)
from safeguarding.imports.read import (
    Replacement,
    _unquote,
    as_file,
    drop_read,
    file_head,
    is_empty,
    is_xlsx,
    read_csv,
    read_xlsx,
    sha256_of,
    trimmed,
)

MAX_DISTRICTS_NAMED = 12
# A value's U+FFFD, named by what it stands for (read.Replacement) when that is not itself.
_REPLACED = {
    "carriage return": "a carriage return (U+000D)",
    "either": "a carriage return (U+000D) or the replacement character (U+FFFD)",
}

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
# try_strptime tries a list's patterns in turn, and a pattern that fails costs many times one
# that parses: an empty value failing all nine took most of the time of a file with an optional
# date. So the text is parsed only when there is some, and only with the patterns written like
# it: the ISO patterns hold no '/' and the UK ones all do, so a value can match only the patterns
# on its side (the first that parses wins, as in the whole list).


def _parsed_sql(raw: str, patterns: list[str]) -> str:
    """try_strptime(raw, patterns), NULL for an empty value, trying only the matching side."""
    uk = [p for p in patterns if "/" in p]
    iso = [p for p in patterns if "/" not in p]
    return (
        f"case when {raw} = '' then null when contains({raw}, '/') "
        f"then try_strptime({raw}, {_list_sql(uk)}) else try_strptime({raw}, {_list_sql(iso)}) end"
    )


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
        parsed = _parsed_sql(raw, _DATE_PATTERNS)
        typed = (
            f"case when cast({parsed} as time) = time '00:00:00' then cast({parsed} as date) end"
        )
    elif kind == "timestamp":
        typed = _parsed_sql(raw, _TIMESTAMP_PATTERNS)
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


class UnknownForceError(ValueError):
    """An import for a force the database does not hold; the message names the forces it does."""


def forces_of(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each stored district's force."""
    return dict(con.execute("select district, force from districts order by 1").fetchall())


def check_force(con: duckdb.DuckDBPyConnection, force: str | None) -> None:
    """UnknownForceError unless ``force`` (when given) is a force of the stored districts."""
    if force is None:
        return
    known = sorted(set(forces_of(con).values()))
    if force not in known:
        listed = f"the forces are: {', '.join(known)}" if known else "it has no districts yet"
        raise UnknownForceError(f"There is no force called '{force}' in the database ({listed}).")


def _validate_rows(
    con: duckdb.DuckDBPyConnection,
    table: TableContract,
    today: dt.date,
    force: str | None = None,
    replacement: Replacement = "itself",
) -> None:
    """Every contract rule in one pass over _imp_typed, into _imp_problems.

    ``replacement``: what U+FFFD in a value stands for (see read._one_line_end), so a carriage
    return on its own is named as one, not as the character that replaced it.

    Each rule is a CASE giving a problem struct or NULL; one list per row holds them all and is
    unnested, so the file's rows are scanned once whatever the number of rules. A reference
    repeated in the file needs the first line of its key: a window in the same query. The
    data-quality queries (safeguarding.quality) follow, each its own query, since they look up
    other stored tables.
    """
    position = {c.name: i for i, c in enumerate(table.columns)}

    def raw(name: str) -> str:
        return f"t.{_q('_raw_' + name)}"

    def shown(name: str) -> str:
        return f"'''' || {raw(name)} || ''''"

    checks: list[str] = []
    refused = _lit(contract.REFUSED_CHARACTERS)

    def unreadable(name: str) -> str:
        """The cell is too long or holds a refused character: only that is reported for it."""
        limit = table.column(name).max_length
        return (
            f"(length({raw(name)}) > {limit} "
            f"or (t._suspect and regexp_matches({raw(name)}, {refused})))"
        )

    def add(
        condition: str,
        column: str,
        value: str,
        rule: str,
        message: str,
        uses: tuple[str, ...] | None = None,
    ) -> None:
        label = table.key_label if rule == "duplicate_reference" else column
        guard = " or ".join(unreadable(n) for n in (uses if uses is not None else (column,)))
        if guard:
            condition = f"({condition}) and not ({guard})"
        checks.append(
            f"case when {condition} then {{'position': {position[column]}, "
            f"'column': {_lit(label)}, 'value': ({value})::varchar, 'rule': {_lit(rule)}, "
            f"'message': ({message})::varchar}} end"
        )

    force_of = forces_of(con)
    own = sorted(d for d, f in force_of.items() if f == force) if force else []
    districts = own if force else sorted(force_of)
    if not districts:
        hint = "there are none yet: import the districts file first"
    elif len(districts) <= MAX_DISTRICTS_NAMED:
        hint = ", ".join(districts)
    else:
        hint = "see the districts table"
    for c in table.columns:
        typed = f"t.{_q(c.name)}"
        add(
            f"length({raw(c.name)}) > {c.max_length}",
            c.name,
            f"case when length({raw(c.name)}) > 80 then left({raw(c.name)}, 77) || '...' "
            f"else {raw(c.name)} end",
            "too_long",
            f"'is ' || format('{{:,}}', length({raw(c.name)})) || "
            f"{_lit(f' characters long, but this column holds at most {c.max_length}')}",
            uses=(),
        )
        first_refused = f"regexp_extract({raw(c.name)}, {refused}, 0)"
        what = (
            f"'an invisible or control character (' || "
            f"format('U+{{:04X}}', unicode({first_refused})) || ')'"
        )
        if replacement != "itself":
            named = _lit(_REPLACED[replacement])
            what = f"case when {first_refused} = '\ufffd' then {named} else {what} end"
        add(
            f"length({raw(c.name)}) <= {c.max_length} and t._suspect "
            f"and regexp_matches({raw(c.name)}, {refused})",
            c.name,
            f"regexp_replace({raw(c.name)}, {refused}, '\ufffd', 'g')",
            "control_character",
            f"'contains ' || {what} || ' at character ' || "
            f"(length(regexp_extract({raw(c.name)}, '(?s)^(.*?)' || {refused}, 1)) + 1) || "
            "': remove it (such characters can hide or reorder text on screen)'",
            uses=(),
        )
        if c.required:
            add(
                f"{raw(c.name)} = ''",
                c.name,
                "''",
                "missing_value",
                "'is empty, but a value is required'",
            )
        if c.kind != "text":
            add(
                f"{raw(c.name)} <> '' and {typed} is null",
                c.name,
                raw(c.name),
                "wrong_type",
                _type_message(c),
            )
        if c.allowed:
            words = _lit(" is not an allowed value (" + ", ".join(c.allowed) + ")")
            add(
                f"{typed} is not null and not list_contains({_list_sql(c.allowed)}, {typed})",
                c.name,
                raw(c.name),
                "not_allowed",
                f"{shown(c.name)} || {words}",
            )
        if c.district_ref:
            words = _lit(" is not a district in the database (" + hint + ")")
            add(
                f"{typed} is not null and {typed} not in (select district from districts)",
                c.name,
                raw(c.name),
                "unknown_district",
                f"{shown(c.name)} || {words}",
            )
            if force:
                others = [(d, f) for d, f in force_of.items() if f != force]
                whens = " ".join(f"when {typed} = {_lit(d)} then {_lit(f)}" for d, f in others)
                owner = f"case {whens} end"
                add(
                    f"{typed} is not null and not list_contains({_list_sql(own)}, {typed}) "
                    f"and {typed} in (select district from districts)",
                    c.name,
                    raw(c.name),
                    "other_force_district",
                    f"'district ' || {shown(c.name)} || ' belongs to force ' || {owner} || "
                    f"{_lit(f', not {force}: this import is for {force} only')}",
                )
        if force and table.name == "districts" and c.name == "force":
            add(
                f"{typed} is not null and {typed} <> {_lit(force)}",
                c.name,
                raw(c.name),
                "other_force",
                f"'the force ' || {shown(c.name)} || "
                f"{_lit(f' is not {force}: this import is for {force} only')}",
            )
        if c.kind in ("date", "timestamp"):
            words = _lit(f" is in the future (after today, {today.isoformat()})")
            add(
                f"cast({typed} as date) > date {_lit(today.isoformat())}",
                c.name,
                raw(c.name),
                "future_date",
                f"{shown(c.name)} || {words}",
            )
        if c.earliest:
            words = _lit(
                f" is before {c.earliest.isoformat()}, the earliest plausible date for "
                f"{c.name}: check the year"
            )
            add(
                f"cast({typed} as date) < date {_lit(c.earliest.isoformat())}",
                c.name,
                raw(c.name),
                "too_early",
                f"{shown(c.name)} || {words}",
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
        add(
            f"not coalesce(({rule.expression}), true) and {clean}",
            text.column,
            raw(text.column),
            text.kind,
            message,
            uses=rule.columns,
        )

    keys = ", ".join(_q(k) for k in table.key)
    key_raw = " || ', ' || ".join(raw(k) for k in table.key)
    add(
        " and ".join(f"t.{_q(k)} is not null" for k in table.key) + " and t._line > t._first",
        table.key[0],
        key_raw,
        "duplicate_reference",
        f"'''' || {key_raw} || ''' appears more than once in the file (first on line ' "
        "|| t._first || ')'",
        uses=table.key,
    )
    # The first line of each repeated reference takes a window over every row, dearer than the
    # rules themselves; most files repeat none, which one grouping finds out at a tenth the cost.
    known = " and ".join(f"{_q(k)} is not null" for k in table.key)
    repeated = con.execute(
        f"select exists (select 1 from _imp_typed where {known} group by {keys} "
        "having count(*) > 1)"
    ).fetchone()
    first = f"min(_line) over (partition by {keys})" if repeated and repeated[0] else "_line"
    con.execute(
        f"""
        insert into _imp_problems (line, position, "column", value, severity, rule, message)
        select _line, p.position, p.column, p.value, 'error', p.rule, p.message
        from (
            select t._line, unnest(list_filter([{", ".join(checks)}], lambda p: p is not null)) as p
            from (select *, {first} as _first from _imp_typed) as t
        )
        """
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
    path: Path,
    file_name: str,
    today: dt.date,
    force: str | None = None,
) -> Report:
    """Read and validate a file into temp tables of ``con``; _imp_typed holds the typed rows.

    ``force``: the file is that force's, so only its districts are accepted (UnknownForceError
    if the database holds no such force); None accepts every stored district."""
    check_force(con, force)
    # The file's hash is a pass over its bytes of its own: taken on a thread beside the checks
    # (hashlib and DuckDB both let go of the interpreter while they work).
    hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-sha256")
    sha = hashing.submit(sha256_of, path)
    hashing.shutdown(wait=False)
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
        # Before any value's problem on their line, in the order they were found (the header's
        # from its first column to its last): a negative position each.
        for order, p in enumerate(file_problems):
            _problem_insert(
                con,
                "select $line, $position, $column, $value, 'error', $rule, $message",
                {**dataclasses.asdict(p), "position": order - len(file_problems)},
            )
        counts = dict(
            con.execute("select severity, count(*) from _imp_problems group by 1").fetchall()
        )
        lines_with_errors = sql.scalar(
            con,
            """select count(distinct line) from _imp_problems
               where severity = 'error' and line is not null and not list_contains($whole, rule)""",
            {"whole": list(FILE_RULES)},
        )
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
            sha256=sha.result(),
            rows=rows,
            errors=errors,
            queries=int(counts.get("query", 0)),
            rows_with_errors=int(lines_with_errors) if errors else 0,
            problems=listed[PROBLEM_COLUMNS],
        )

    def whole(rule: str, message: str) -> Report:
        file_problems.append(_FileProblem(None, "", "", rule, message))
        return report()

    if is_empty(path):
        return whole("empty_file", "is empty: there is no header and no records")
    head = file_head(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return whole(
            "not_xlsx", "is an old-style Excel .xls workbook. Save it as .xlsx or CSV UTF-8."
        )
    formulas: list[tuple[int, int, str]] = []
    plain = False
    padded: frozenset[int] | None = None  # None: every column may need trimming
    replacement: Replacement = "itself"
    if is_xlsx(head, file_name):
        width, problem, formulas = read_xlsx(con, path, table)
        if problem:
            file_problems.append(problem)
            return report()
    else:
        try:
            width, record_problems, problem, plain, padded, replacement = read_csv(con, path)
        except duckdb.Error as exc:  # the reader gave up on the file as a whole
            reason = str(exc).splitlines()[0]
            return whole("encoding", f"could not be read as CSV UTF-8 text ({reason})")
        if problem:
            file_problems.append(problem)
            return report()
        file_problems += record_problems

    fields = ", ".join(f"c{i}" for i in range(width))
    # No row at all is possible here (a file of blank lines): first is then None. Its line
    # first, then its values: a top-1 of every row's values costs far more than the two.
    (first_line,) = sql.one(con, "select min(_line) from _imp_grid")
    first = con.execute(
        f"select _line, [{fields}] from _imp_grid where _line = $line", {"line": first_line}
    ).fetchone()
    before = [p for p in file_problems if first is None or p.line < first[0]]
    if before:
        # The header itself is broken: nothing below it can be read against it.
        bad = before[0]
        if bad.rule == "quotes" and bad.value:
            bad.message = "has a quote mark in the wrong place in the header"
        file_problems[:] = [bad]
        return report()
    if first is None:
        return whole("empty_file", "is empty: there is no header and no records")
    header_line, header = first
    header = [_unquote(h or "") for h in header]
    header_problems, positions = _check_header(table, header, header_line)
    file_problems += header_problems
    if header_problems:
        return report()

    (grid_rows,) = sql.one(
        con, "select count(*) from _imp_grid where _line > $h", {"h": header_line}
    )
    rows = grid_rows + sum(1 for p in file_problems if p.value)
    if rows == 0 and not file_problems:
        return whole("header_only", "has a header but no records below it")
    # A CSV record with another number of values is a reject; a spreadsheet row is padded to the
    # header's width, so only a wider one is wrong.
    for line, count in con.execute(
        "select _line, _values from _imp_grid where _line > $h and _values <> $width",
        {"h": header_line, "width": width},
    ).fetchall():
        file_problems.append(
            _FileProblem(
                line,
                "",
                "",
                "field_count",
                f"has {count} values, but the header has {width} columns",
            )
        )
    raws = ", ".join(
        f"{trimmed(f'c{positions[c.name]}', padded is None or positions[c.name] in padded)} "
        f"as {_q(c.name)}"
        for c in table.columns
    )
    typed = ", ".join(
        f"{_typed_sql(c)} as {_q(c.name)}, r.{_q(c.name)} as {_q('_raw_' + c.name)}"
        for c in table.columns
    )
    # One regular expression per row (over all its values) flags the rare rows that hold a
    # refused character; only those are searched cell by cell. A file of plain ASCII (seen as
    # its bytes were checked) cannot hold one.
    every = " || ".join(f"r.{_q(c.name)}" for c in table.columns)
    suspect = "false" if plain else f"regexp_matches({every}, {_lit(contract.REFUSED_CHARACTERS)})"
    con.execute(
        f"""
        create or replace temp table _imp_typed as
        select r._line, {typed},
               {suspect} as _suspect
        from (select _line, {raws} from _imp_grid where _line > $h and _values = $width) r
        """,
        {"h": header_line, "width": width},
    )
    _drop_grid(con)
    _validate_rows(con, table, today, force, replacement)
    _formula_problems(con, table, header, header_line, formulas)
    return report()


def _formula_problems(
    con: duckdb.DuckDBPyConnection,
    table: TableContract,
    header: list[str],
    header_line: int,
    formulas: list[tuple[int, int, str]],
) -> None:
    """A spreadsheet formula whose result was never saved reads as an empty cell: say so, as an
    error in a required column (in place of "is empty") and as a query in any other, where the
    record loads with the value empty."""
    names = [h.strip().casefold() for h in header]
    position = {c.name: i for i, c in enumerate(table.columns)}
    for line, index, formula in formulas:
        if line <= header_line or index >= len(names) or names[index] not in position:
            continue
        column = table.column(names[index])
        shown = _excerpt(formula)
        if column.required:
            severity = "error"
            consequence = "so the required value is missing"
            con.execute(
                """delete from _imp_problems where line = $line and "column" = $column
                   and rule = 'missing_value'""",
                {"line": line, "column": column.name},
            )
        else:
            severity = "query"
            consequence = "so it loads as empty"
        _problem_insert(
            con,
            "select $line, $position, $column, $value, $severity, 'formula_no_value', $message",
            {
                "line": line,
                "position": position[column.name],
                "column": column.name,
                "value": shown,
                "severity": severity,
                "message": f"is a formula ({shown}) whose result the workbook does not hold, "
                f"{consequence}: open it in Excel, let it calculate, save it and load it again",
            },
        )


def _drop_grid(con: duckdb.DuckDBPyConnection) -> None:
    # A million-row file is held twice on the way (as read, then typed); let go of the first.
    con.execute("drop view if exists temp._imp_grid")
    drop_read(con)
    for name in ("_imp_xlsx_grid", "_imp_segments", "_imp_lines"):
        con.execute(f"drop table if exists temp.{name}")


def keep_typed_only(con: duckdb.DuckDBPyConnection, table: TableContract) -> None:
    """Let go of the values as written once the file has passed: only the problems' words use
    them, and they are half of what _imp_typed holds. The load that follows then holds the
    stored table's new rows and its index beside the typed rows alone (a 1,000,000-row import
    peaked at 800-806 MB with them, 704-730 MB without, in the same runs)."""
    for c in table.columns:
        con.execute(f"alter table temp._imp_typed drop column {_q('_raw_' + c.name)}")
    con.execute("alter table temp._imp_typed drop column _suspect")


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    _drop_grid(con)
    for name in ("typed", "problems", "new", "changed"):
        con.execute(f"drop table if exists temp._imp_{name}")


def validate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    data: bytes | os.PathLike[str],
    file_name: str,
    *,
    today: dt.date | None = None,
    force: str | None = None,
) -> Report:
    """Check a file (its bytes, or a path to it) without loading it, on any connection,
    including a read-only reader. With ``force``, only that force's districts are accepted."""
    contract_ = contract.get(table)
    file_name = characters.plain_file_name(file_name)
    try:
        with as_file(data) as path:
            return _stage(con, contract_, path, file_name, today or dt.date.today(), force)
    finally:
        _drop_temp(con)


def check(
    db: str | os.PathLike[str] | None,
    table: str,
    data: bytes | os.PathLike[str],
    file_name: str,
    *,
    today: dt.date | None = None,
    force: str | None = None,
) -> Report:
    """Validate against the live database through a reader: no lock, nothing written."""
    return validate(store.reader(db), table, data, file_name, today=today, force=force)
