"""Reading a file into rows of fields: CSV text checked for UTF-8, or an Excel sheet by cell."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import duckdb
import pandas as pd

from safeguarding.contract import Column, TableContract
from safeguarding.imports.common import _SPACE, _excerpt, _FileProblem

_QUOTED_FIELD = r',("(?:[^"]|"")*"|[^,"]*)'


def _unquote(value: str) -> str:
    value = value.strip(_SPACE)
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value = value[1:-1].replace('""', '"').strip(_SPACE)
    return value


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


def read_path(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    """A file's name and bytes (OSError for one that cannot be read)."""
    target = Path(path)
    return target.name, target.read_bytes()
