"""Reading a file into a grid of text: CSV through DuckDB's own reader, Excel sheet by sheet.

Both end in the temp view or table ``_imp_grid``: one row per record that is not blank, with
``_line`` (the line where the record starts, counting the header as line 1 as a spreadsheet
does), ``_values`` (how many values the record holds) and ``c0`` .. ``c<n-1>`` (the values as
written, unquoted, not yet trimmed). Problems with the file's structure (encoding, quoting, the
number of values, an over-long line) come back as ``_FileProblem``\\ s with their line.

CSV is parsed by DuckDB's ``read_csv`` (every column as text, strict RFC 4180 quoting, faulty
records kept in a rejects table). DuckDB numbers a rejected record's line by the line breaks
outside quotes and drops blank lines from its output, so the physical line of every record is
rebuilt from three small lists: the blank lines (looked for only when the records, the line
breaks inside quoted values and the rejected records leave lines unaccounted for), the records
whose quoted values hold line breaks, and the rejected records. Records that are
none of these (nearly all) take their line from their position in the file.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from safeguarding import sql
from safeguarding.contract import Column, TableContract
from safeguarding.imports.common import _SPACE, _excerpt, _FileProblem, _lit

CHUNK = 8 << 20  # bytes read at a time while checking a file
MAX_LINE_BYTES = 1 << 20  # a record longer than this is refused before its values are read
MAX_STEPS_INLINE = 200  # line-number steps written into the SQL; more are joined
_BLANK = re.compile(rb"\n\r?(?=\n)")
_NOT_BLANK = re.compile(r"[^ \t,\r\n]")
_WHITESPACE = b" \t\r\n\xef\xbb\xbf"
_LONE_CR = "\ufffd".encode()
# Tab, line breaks and printable ASCII. Deleting these from a block (bytes.translate, one pass
# in C) leaves nothing in a plain file, about ten times faster than searching for the others
# with a regular expression.
_PLAIN_BYTES = bytes([9, 10, 13, *range(0x20, 0x7F)])
# The spaces trimmed from values beyond ASCII (no-break space and the rest), as UTF-8: searched
# for in what is left of a block once its plain bytes are deleted (whole characters, as a
# character of several bytes holds none below 0x80).
_WIDE_SPACE = re.compile(b"|".join(re.escape(c.encode()) for c in _SPACE if ord(c) > 0x7F))


def _unquote(value: str) -> str:
    value = value.strip(_SPACE)
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        value = value[1:-1].replace('""', '"').strip(_SPACE)
    return value


@contextlib.contextmanager
def as_file(data: bytes | os.PathLike[str] | str) -> Iterator[Path]:
    """A path to the file's bytes: the path itself, or a temp file holding bytes given in memory,
    so DuckDB reads from disk and nothing holds a second copy of a large file."""
    if not isinstance(data, bytes | bytearray | memoryview):
        yield Path(data)
        return
    handle = tempfile.NamedTemporaryFile(prefix="import-", suffix=".upload", delete=False)  # noqa: SIM115
    try:
        with handle:
            handle.write(data)
        yield Path(handle.name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)


def file_head(path: Path, size: int = 8) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def is_empty(path: Path) -> bool:
    """True when the file holds nothing but white space (and perhaps a byte order mark)."""
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            if block.strip(_WHITESPACE):
                return False
    return True


@dataclass
class _Scan:
    """What one pass over a CSV's bytes found: its encoding problem, line count, first record."""

    problem: _FileProblem | None = None
    lines: int = 0  # lines in the file, the last counting even without a line break after it
    first_record: str = ""
    mixed_line_ends: bool = False  # both CRLF and a bare LF or CR: DuckDB's strict mode refuses
    quotes: bool = False  # any quote mark: only then can a value span lines
    plain: bool = True  # printable ASCII, tab and line breaks only: no refused character
    wide_spaces: bool = False  # a space beyond ASCII (U+00A0 and the rest): trimmed too


def _encoding_problem(block: bytes, exc: UnicodeDecodeError, lines_before: int) -> _FileProblem:
    line = lines_before + block.count(b"\n", 0, exc.start) + 1
    start = block.rfind(b"\n", 0, exc.start) + 1
    end = block.find(b"\n", exc.start)
    shown = block[start : end if end >= 0 else len(block)].decode("utf-8", errors="replace")
    return _FileProblem(
        line,
        "",
        _excerpt(shown.rstrip("\r")),
        "encoding",
        f"is not UTF-8 text (the byte 0x{block[exc.start]:02X} cannot be read). Save the file as "
        "CSV UTF-8 and try again.",
    )


def _blocks(path: Path) -> Iterator[bytes]:
    """The file's bytes in blocks of about CHUNK that end at a line break (the last perhaps not),
    so a line is never split between two blocks."""
    with open(path, "rb") as handle:
        rest = b""
        while chunk := handle.read(CHUNK):
            block = rest + chunk
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
            if block:
                yield block
        if rest:
            yield rest


def _blank_lines(path: Path) -> list[int]:
    """The lines that hold nothing at all (not even a space), counting from 1.

    One regular expression per block: it tries every line break, so it is the dearest part of
    reading a file's bytes, and runs only for a file that has some blank line to find."""
    found: list[int] = []
    lines_before = 0
    for block in _blocks(path):
        if lines_before == 0 and block.startswith(b"\xef\xbb\xbf"):
            block = block[3:]
        counted, at = 0, 0
        for match in _BLANK.finditer(b"\n" + block):
            counted += block.count(b"\n", at, match.start())
            at = match.start()
            found.append(lines_before + counted + 1)
        lines_before += block.count(b"\n")
    return found


def _scan_csv(path: Path) -> _Scan:
    """Check the bytes are UTF-8 without NUL, count the lines and keep the first record.

    Read in blocks that end at a line break, so a line is never split between two blocks; each
    block is decoded (C speed, which checks it is UTF-8) and counted.
    """
    scan = _Scan()
    nul_line = None
    seen_crlf = seen_lf = False
    lines_before = 0
    head: list[str] = []
    ends_open = False  # the last line has no line break after it
    for block in _blocks(path):
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError as exc:
            scan.problem = _encoding_problem(block, exc, lines_before)
            return scan
        if not scan.quotes and b'"' in block:
            scan.quotes = True
        bom = 3 if lines_before == 0 and block.startswith(b"\xef\xbb\xbf") else 0
        if not scan.wide_spaces:
            # Empty for a plain block; once a wide space is found, no block needs it.
            other = (block[bom:] if bom else block).translate(None, _PLAIN_BYTES)
            if other:
                scan.plain = False
                scan.wide_spaces = _WIDE_SPACE.search(other) is not None
        breaks = block.count(b"\n")
        # A block without a CR (most files) needs only the count of its line breaks.
        crlf = block.count(b"\r\n") if b"\r" in block else 0
        if crlf and (breaks > crlf or block.count(b"\r") > crlf):
            scan.mixed_line_ends = True
        elif crlf:
            seen_crlf = True
        elif b"\r" in block:
            scan.mixed_line_ends = True  # a CR that ends no line
        else:
            seen_lf = True
        if nul_line is None and b"\x00" in block:
            nul_line = lines_before + text.count("\n", 0, text.index("\x00")) + 1
        if lines_before == 0 and text.startswith("\ufeff"):
            text = text[1:]
            block = block[3:]
        if sum(len(h) for h in head) < MAX_LINE_BYTES:
            head.append(text[:MAX_LINE_BYTES])
        lines_before += breaks
        ends_open = not block.endswith(b"\n")
    scan.lines = lines_before + ends_open
    scan.mixed_line_ends = scan.mixed_line_ends or (seen_crlf and seen_lf)
    if nul_line is not None:
        scan.problem = _FileProblem(
            nul_line, "", "", "encoding", "contains a NUL character, so this is not a text file"
        )
        return scan
    text = "".join(head)
    scan.first_record = _first_record(text)
    if scan.mixed_line_ends and _lone_cr_ends_lines(text):
        scan.problem = _FileProblem(None, "", "", "encoding", OLD_MAC_LINE_ENDS)
    return scan


OLD_MAC_LINE_ENDS = (
    "ends its lines with a carriage return alone (the old Mac format), so its records cannot be "
    "told apart. Save the file as CSV UTF-8 and try again."
)
_QUOTE_OR_LINE_END = re.compile(r'"|\r*\n|\r+')


def _lone_cr_ends_lines(text: str) -> bool:
    """True when the first record (the header) holds a carriage return that is neither inside
    quotes nor before a line feed: a header's names hold none, so the file ends its lines with a
    carriage return alone (the old Mac format), and is one line to any reader that splits at
    line feeds."""
    found = _NOT_BLANK.search(text)
    if not found:
        return False
    quoted = False
    for token in _QUOTE_OR_LINE_END.finditer(text, text.rfind("\n", 0, found.start()) + 1):
        if token.group() == '"':
            quoted = not quoted
        elif not quoted:
            return not token.group().endswith("\n")
    return False


# What U+FFFD in the grid stands for: itself (a file that holds it, or nothing was replaced), a
# carriage return on its own (replaced by it in a file that mixes line ends), or either (both
# are in the file: the grid cannot tell them apart).
Replacement = Literal["itself", "carriage return", "either"]


@contextlib.contextmanager
def _one_line_end(path: Path) -> Iterator[tuple[Path, Replacement]]:
    """A copy of the file with every line ending as LF, as a file saved by one program would be
    (a CRLF inside a quoted value becomes LF too), and what U+FFFD in it stands for.

    A CR on its own ends no line (a file whose header ends with one has been refused already:
    see _lone_cr_ends_lines), but DuckDB's strict reader refuses it: it becomes U+FFFD, which
    the checks refuse with its position, rather than vanish or split a record. The checks name
    it as a carriage return, unless the file holds a U+FFFD of its own as well."""
    handle = tempfile.NamedTemporaryFile(prefix="import-", suffix=".csv", delete=False)  # noqa: SIM115
    own = lone = False
    try:
        with handle, open(path, "rb") as source:
            rest = b""
            tail = b""  # the last bytes read, so a U+FFFD across two chunks is seen
            while chunk := source.read(CHUNK):
                if not own:
                    own = _LONE_CR in tail + chunk
                tail = chunk[-2:]
                block = rest + chunk
                # keep a final CR back: its LF may start the next chunk
                block, rest = (block[:-1], b"\r") if block.endswith(b"\r") else (block, b"")
                block = block.replace(b"\r\n", b"\n")
                if b"\r" in block:
                    lone = True
                    block = block.replace(b"\r", _LONE_CR)
                handle.write(block)
            if rest:
                lone = True
                handle.write(_LONE_CR)
        meaning: Replacement = ("either" if own else "carriage return") if lone else "itself"
        yield Path(handle.name), meaning
    finally:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)


def _first_record(text: str) -> str:
    """The first line that holds a value, with the lines its quoted values run on to."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _NOT_BLANK.search(line):
            record = [line]
            while sum(part.count('"') for part in record) % 2 and i + len(record) < len(lines):
                record.append(lines[i + len(record)])
            return "\n".join(record)
    return ""


def _width(record: str) -> int:
    """How many values the header holds, as a lenient CSV parser reads it."""
    try:
        return max(1, len(next(csv.reader(io.StringIO(record)), [""])))
    except csv.Error:
        return max(1, record.count(",") + 1)


REJECT_TEXT_BYTES = 4096  # DuckDB keeps this much of a rejected record's text
_QUOTE_OR_BREAK = re.compile(rb'["\n]')


def _record_breaks(path: Path, start: int) -> int:
    """The line breaks inside the record that starts at byte ``start``: those inside quotes,
    up to the first line break outside them (RFC 4180: a doubled quote toggles twice). For a
    rejected record whose text DuckDB cut short."""
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(MAX_LINE_BYTES + 2).lstrip(b"\r\n")
    quoted = False
    breaks = 0
    for found in _QUOTE_OR_BREAK.finditer(data):
        if found.group() == b'"':
            quoted = not quoted
        elif quoted:
            breaks += 1
        else:
            break
    return breaks


def _rejects_sql(path: Path, width: int) -> str:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    return f"""
        select * from read_csv({_lit(str(path))}, header = false, auto_detect = false,
            delim = ',', quote = '"', escape = '"', columns = {columns},
            strict_mode = true, store_rejects = true, rejects_table = '_imp_rejects',
            rejects_scan = '_imp_reject_scans', max_line_size = {MAX_LINE_BYTES},
            rejects_line_size_limit = {REJECT_TEXT_BYTES})
    """


def _line_of(text: str) -> str:
    """A rejected record's text as the report shows it (DuckDB keeps the break before it)."""
    return text.lstrip("\r\n").rstrip("\r\n")


def read_csv(
    con: duckdb.DuckDBPyConnection, path: Path
) -> tuple[int, list[_FileProblem], _FileProblem | None, bool, frozenset[int], Replacement]:
    """Read a CSV file into the view _imp_grid; (width, problems per record, file problem, plain,
    padded, what U+FFFD stands for).

    ``width`` is the number of values the header holds; records with another number of values,
    broken quoting or an over-long line are reported as problems on their line. ``plain`` is
    True when the file holds only printable ASCII, tabs and line breaks, so no value can hold a
    refused character and the check for them can be skipped. ``padded`` holds the positions of
    the columns where some value begins or ends with a space or tab: only those need trimming.
    """
    scan = _scan_csv(path)
    if scan.problem:
        return 0, [], scan.problem, False, frozenset(), "itself"
    if scan.mixed_line_ends:
        with _one_line_end(path) as (normalised, meaning):
            return (*read_csv(con, normalised)[:5], meaning)
    width = _width(scan.first_record)
    position = _read_in_order(con, _rejects_sql(path, width))
    values = " || ".join(f"coalesce(c{i}, '')" for i in range(width))
    spanning = (
        {}
        if not scan.quotes
        else dict(
            con.execute(
                f"""select {position("_imp_read")},
                       len({values}) - len(replace({values}, chr(10), ''))
                from _imp_read where contains({values}, chr(10))"""
            ).fetchall()
        )
    )
    # A line break can be in a value only if some record spans lines (DuckDB keeps a CRLF inside
    # quotes whole; a CR on its own is U+FFFD by now).
    padded = padded_columns(
        con, "_imp_read", width, breaks=bool(spanning), wide_spaces=scan.wide_spaces
    )
    rejected = con.execute(
        """
        -- DuckDB reports one error per missing or surplus value; the fewest found of the
        -- missing, or the most of the surplus, is how many values the record holds.
        select line, list(distinct error_type),
               coalesce(min(found) filter (error_type = 'MISSING COLUMNS'), max(found)),
               first(csv_line), min(line_byte_position), max(strlen(csv_line))
        from (select *, try_cast(regexp_extract(error_message, 'Found: ([0-9]+)', 1) as integer)
                        as found from _imp_rejects)
        group by line order by line
        """
    ).fetchall()
    # (line, kinds, values found, text, line breaks inside the record). The text of a long
    # record is cut short: its line breaks are then counted in the file.
    rejected = [
        (
            line,
            kinds,
            found,
            text,
            _record_breaks(path, start)
            if (size or 0) >= REJECT_TEXT_BYTES and start is not None
            else _line_of(text or "").count("\n"),
        )
        for line, kinds, found, text, start, size in rejected
    ]
    # With one column DuckDB returns a blank line as a row (an empty value); with more it skips
    # it. Every line of the file is then a record read, a line break inside a quoted value, a
    # line of a rejected record, or blank: the blank lines are looked for only when the others
    # do not account for every line.
    blank_lines: list[int] = []
    if width > 1:
        (records,) = sql.one(con, "select count(*) from _imp_read")
        taken = records + sum(spanning.values())
        taken += sum(1 + breaks for *_, breaks in rejected)
        if taken < scan.lines:
            blank_lines = _blank_lines(path)
    segments, reject_lines = _line_segments(blank_lines, spanning, rejected)
    # Several steps may start at one record (a blank line after a spanning record): the last
    # holds the count for it.
    steps = sorted(dict(segments).items())
    fields = ", ".join(f"r.c{i}" for i in range(width))
    blank = " and ".join(f"{trimmed(f'r.c{i}', i in padded)} = ''" for i in range(width))
    if len(steps) <= MAX_STEPS_INLINE:
        # Nearly every file: a few steps, written into the expression (no join to repeat).
        cases = " ".join(f"when {position('r')} >= {k} then {add}" for k, add in reversed(steps))
        line = f"{position('r')} + 1 + case {cases} else 0 end"
        source = "_imp_read r"
    else:
        # Many blank lines or spanning values: join each record to its step once.
        con.execute("create or replace temp table _imp_segments (k bigint, add_lines bigint)")
        con.executemany("insert into _imp_segments values (?, ?)", steps)
        con.execute(
            f"create or replace temp table _imp_lines as select {position('r')} as _k, "
            f"{position('r')} + 1 + s.add_lines as _line "
            f"from _imp_read r asof join _imp_segments s on {position('r')} >= s.k"
        )
        line = "l._line"
        source = f"_imp_read r join _imp_lines l on l._k = {position('r')}"
    con.execute(
        f"""
        create or replace temp view _imp_grid as
        select {line} as _line, {width} as _values, {fields}
        from {source}
        where not ({blank})
        """
    )
    problems = []
    for (_, kinds, found, text, breaks), physical in zip(rejected, reject_lines, strict=True):
        shown = _line_of(text or "")
        if not _NOT_BLANK.search(shown) and kinds != ["LINE SIZE OVER MAXIMUM"]:
            continue  # a line of spaces or commas only: blank, as in a spreadsheet
        problems.append(_reject_problem(physical, kinds, found, shown, width, breaks))
    return width, problems, None, scan.plain, padded, "itself"


def drop_read(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the staged text of a file and DuckDB's tables of its rejected records."""
    for name in ("_imp_rejects", "_imp_reject_scans", "_imp_read"):
        con.execute(f"drop table if exists temp.{name}")


def _read_in_order(con: duckdb.DuckDBPyConnection, source: str) -> Callable[[str], str]:
    """Create _imp_read from ``source`` (the reader) in the file's order; SQL for each row's
    position in the file (from 0), as a function of the table's alias.

    DuckDB keeps the order of what it inserts (``preserve_insertion_order``, on unless a
    connection turns it off, which nothing here does), so the table's row ids run in the file's
    order, one apart. They start at 0 in a table created outside a transaction and far beyond any
    line in one created inside a writer's transaction (its rows are its own until it commits), so
    the first is subtracted. Numbering the rows with ``row_number() over ()`` as they are read
    took 0.8 s of a 1,000,000-row file against 0.44 s without; it is the fallback should the ids
    not run one apart."""
    (keeps_order,) = sql.one(con, "select current_setting('preserve_insertion_order')")
    if not keeps_order:
        raise RuntimeError("imports need preserve_insertion_order: a file's lines would be lost")
    drop_read(con)
    con.execute(f"create temp table _imp_read as {source}")
    first, last, count = sql.one(con, "select min(rowid), max(rowid), count(*) from _imp_read")
    if not count or last - first + 1 == count:
        return lambda alias: f"({alias}.rowid - {first or 0})"
    drop_read(con)
    con.execute(
        f"create temp table _imp_read as select row_number() over () - 1 as _k, * from ({source})"
    )
    return lambda alias: f"{alias}._k"


def padded_columns(
    con: duckdb.DuckDBPyConnection,
    table: str,
    width: int,
    *,
    breaks: bool = True,
    wide_spaces: bool = True,
) -> frozenset[int]:
    """The columns c<i> of ``table`` where some value begins or ends with a character trimmed
    (common._SPACE): a space or a tab, a line break if ``breaks``, a space beyond ASCII (U+00A0
    and the rest) if ``wide_spaces``. The caller says which can be there at all (from the bytes
    of the file and the records that span lines).

    Trimming is the dearest step of reading a value (DuckDB's trim with the characters to remove
    costs several times a copy), and real extracts rarely pad their values; this one pass of
    prefix and suffix tests, far cheaper, says which columns need it. For the rare file holding
    a wide space, one regular expression per value tests for all of them: with about twenty
    characters it is cheaper than their forty prefix and suffix tests."""
    if wide_spaces:
        ends = _lit(f"^[{_SPACE}]|[{_SPACE}]$")
        tests = ", ".join(
            f"coalesce(bool_or(regexp_matches(c{i}, {ends})), false)" for i in range(width)
        )
    else:
        chars = ["' '", "chr(9)", *(["chr(10)", "chr(13)"] if breaks else [])]
        tests = ", ".join(
            "coalesce(bool_or("
            + " or ".join(f"starts_with(c{i}, {c}) or ends_with(c{i}, {c})" for c in chars)
            + "), false)"
            for i in range(width)
        )
    row = con.execute(f"select {tests} from {table}").fetchone() or ()
    return frozenset(i for i, flag in enumerate(row) if flag)


def trimmed(value: str, padded: bool = True) -> str:
    """SQL for a value of the grid: NULL read as empty, spaces, tabs, line breaks and the other
    spaces of Unicode (common._SPACE) trimmed from both ends (only where the column holds any:
    see padded_columns)."""
    if not padded:
        return f"coalesce({value}, '')"
    return f"trim(coalesce({value}, ''), {_lit(_SPACE)})"


def _reject_problem(
    line: int, kinds: list, found, shown: str, width: int, breaks: int = 0
) -> _FileProblem:
    if "LINE SIZE OVER MAXIMUM" in kinds:
        return _FileProblem(
            line,
            "",
            _excerpt(shown),
            "line_too_long",
            f"is longer than {MAX_LINE_BYTES:,} bytes, far longer than any record of this table "
            "(is a value missing its closing quote?)",
        )
    if "UNQUOTED VALUE" in kinds and shown.count('"') % 2:
        return _FileProblem(
            line,
            "",
            "",
            "quotes",
            'has a quoted value that is never closed (a " without its closing ")',
        )
    if "UNQUOTED VALUE" in kinds:
        return _FileProblem(
            line,
            "",
            _excerpt(shown),
            "quotes",
            "has a quote mark in the wrong place: a quoted value must be followed by a comma or "
            "the end of the line",
        )
    found = found or 0
    # A record over several lines: most often a stray quote mark that opened a value the next
    # lines were read into.
    spans = (
        f" (a quoted value runs on from line {line} to line {line + breaks}: is a quote mark "
        "missing or extra?)"
        if breaks
        else ""
    )
    return _FileProblem(
        line,
        "",
        _excerpt(shown),
        "field_count",
        f"has {found} value{'' if found == 1 else 's'}, but the header has {width} columns{spans}",
    )


def _line_segments(
    blank_lines: list[int], spanning: dict[int, int], rejected: list[tuple]
) -> tuple[list[tuple[int, int]], list[int]]:
    """Where each record starts, as steps: record k (in file order, from 0) of those DuckDB read
    starts on line k + 1 + add for the last step (k_from, add) with k_from <= k.

    DuckDB's line of a record counts one line per record and per blank line; its physical line
    adds the line breaks inside quoted values before it. Walk the three lists in file order,
    keeping both counts: ``skipped`` (blank lines and rejected records before, which take a line
    but are not in the grid) and ``inside`` (line breaks inside quoted values before).
    ``rejected`` rows are (DuckDB's line, kinds, values found, text, line breaks inside).
    Also returns the physical line of each rejected record, in the order given.
    """
    blanks = sorted(blank_lines)
    spans = sorted(spanning.items())
    segments: list[tuple[int, int]] = [(0, 0)]
    reject_lines: list[int] = []
    skipped = inside = 0
    b = s = r = 0
    covered_to = 0  # the last physical line inside a record already placed
    while True:
        next_span = spans[s][0] + 1 + skipped if s < len(spans) else None
        next_reject = rejected[r][0] if r < len(rejected) else None
        while b < len(blanks) and blanks[b] <= covered_to:
            b += 1  # an empty line inside a quoted value, not a blank line
        next_blank = blanks[b] - inside if b < len(blanks) else None
        candidates = [c for c in (next_blank, next_reject, next_span) if c is not None]
        if not candidates:
            break
        first = min(candidates)
        if next_blank == first:
            skipped += 1
            b += 1
            segments.append((first - skipped, skipped + inside))
        elif next_reject == first:
            breaks = rejected[r][4]
            start = first + inside
            reject_lines.append(start)
            covered_to = max(covered_to, start + breaks)
            skipped += 1
            inside += breaks
            r += 1
            segments.append((first - skipped, skipped + inside))
        else:
            k, breaks = spans[s]
            start = first + inside
            covered_to = max(covered_to, start + breaks)
            inside += breaks
            s += 1
            segments.append((k + 1, skipped + inside))
    return segments, reject_lines


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


# Limits checked from the workbook's zip directory and sheet headers before a cell is read. A
# .xlsx is a zip of XML; the XML of a real extract inflates 5-20 times. A few MB that claim to
# inflate a thousandfold, or a sheet that declares millions of rows, would hold the server for
# minutes (a "zip bomb"), so they are refused at once.
MAX_XLSX_INFLATED = 1 << 30  # bytes, all parts of the workbook together once inflated
MAX_XLSX_RATIO = 100  # inflated / compressed size of any part larger than MAX_XLSX_SMALL_PART
MAX_XLSX_SMALL_PART = 10 << 20  # parts below this inflate as they like (shared strings, styles)
MAX_XLSX_ROWS = 500_000  # rows in a sheet; load more from CSV
MAX_XLSX_COLUMNS = 100  # no table has more than a dozen
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_XLSX_BATCH = 50_000


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _refuse_xlsx(message: str) -> _FileProblem:
    return _FileProblem(None, "", "", "xlsx_limit", message)


def xlsx_limits(path: Path) -> _FileProblem | None:
    """Refuse a workbook whose declared sizes exceed the limits, reading only its directory and
    the first bytes of each sheet (its <dimension> element). None if within them, or if the file
    is not a zip at all (the workbook reader then says what is wrong in its own words)."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return None
    with book:
        parts = book.infolist()
        inflated = sum(p.file_size for p in parts)
        if inflated > MAX_XLSX_INFLATED:
            return _refuse_xlsx(
                f"is a workbook that would inflate to {inflated / 1e6:,.0f} MB when opened (the "
                f"limit is {MAX_XLSX_INFLATED / 1e6:,.0f} MB), so it was not read. Save the table "
                "as CSV UTF-8, or split it."
            )
        for part in parts:
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > MAX_XLSX_SMALL_PART and ratio > MAX_XLSX_RATIO:
                return _refuse_xlsx(
                    f"is a workbook whose part {part.filename} would inflate {ratio:,.0f} times, "
                    f"to {part.file_size / 1e6:,.0f} MB (a spreadsheet inflates at most about "
                    f"{MAX_XLSX_RATIO} times), so it was not read. Save the table as CSV UTF-8."
                )
        for part in parts:
            if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
                continue
            with book.open(part) as sheet:
                head = sheet.read(4096)  # the dimension comes first, before any cell
            found = _DIMENSION.search(head)
            if not found:
                continue
            last_col, last_row = found.group(3) or found.group(1), found.group(4) or found.group(2)
            rows = int(last_row or 0)
            columns = _column_number((last_col or b"A").decode("ascii"))
            if rows > MAX_XLSX_ROWS or columns > MAX_XLSX_COLUMNS:
                return _refuse_xlsx(
                    f"is a workbook whose sheet declares {rows:,} rows and {columns:,} columns "
                    f"(the limit is {MAX_XLSX_ROWS:,} rows and {MAX_XLSX_COLUMNS} columns), so it "
                    "was not read. Save the table as CSV UTF-8 to load more rows."
                )
    return None


def _sheet_to_read(book, table_name: str) -> str:
    """The sheet named after the table (its case and spaces as a header's are: Missing_Reports
    is missing_reports), else the first sheet the user can see (a hidden or very hidden sheet
    holds what nobody opening the workbook would check), else the first."""
    wanted = table_name.casefold()
    for sheet in book.worksheets:
        if sheet.title.strip().casefold() == wanted:
            return sheet.title
    visible = [s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
    return (visible or book.worksheets)[0].title


def read_xlsx(
    con: duckdb.DuckDBPyConnection, path: Path, table: TableContract
) -> tuple[int, _FileProblem | None, list[tuple[int, int, str]]]:
    """The sheet named after the table (else the first visible one: ``_sheet_to_read``) into the
    view _imp_grid; (width, problem, formulas). The spreadsheet row is the line; rows are
    padded to the header's width.

    ``formulas`` lists the cells (line, position, formula) holding a formula whose result Excel
    did not save: openpyxl reads such a cell as empty, which must not pass for a value. The
    sheet is streamed (read-only mode) twice in step, for the saved values and for the
    formulas, and written to DuckDB in batches, so memory stays bounded whatever its size.
    """
    import openpyxl  # only needed for Excel files

    limit = xlsx_limits(path)
    if limit:
        return 0, limit, []
    try:
        # File objects, not the path: openpyxl judges a path by its extension.
        values_book = openpyxl.load_workbook(open(path, "rb"), read_only=True, data_only=True)  # noqa: SIM115
        formula_book = openpyxl.load_workbook(open(path, "rb"), read_only=True, data_only=False)  # noqa: SIM115
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        reason = str(exc).strip() or type(exc).__name__
        return (
            0,
            _FileProblem(
                None,
                "",
                "",
                "not_xlsx",
                f"is not a readable Excel workbook (.xlsx): {reason}. Save it from Excel as "
                ".xlsx or CSV UTF-8.",
            ),
            [],
        )
    con.execute("drop table if exists temp._imp_xlsx_grid")
    width = 0
    formulas: list[tuple[int, int, str]] = []
    try:
        name = _sheet_to_read(values_book, table.name)
        sheets = [b[name] for b in (values_book, formula_book)]
        by_name = {c.name: c for c in table.columns}
        header: list[Column | None] = []
        batch: list[tuple[int, list[str]]] = []
        rows = zip(
            sheets[0].iter_rows(min_row=1, values_only=True),
            sheets[1].iter_rows(min_row=1, values_only=True),
            strict=False,
        )
        for number, (values, written) in enumerate(rows, start=1):
            if number > MAX_XLSX_ROWS:
                return (
                    0,
                    _refuse_xlsx(
                        f"has more than {MAX_XLSX_ROWS:,} rows, so it was not read further. "
                        "Save the table as CSV UTF-8 to load more rows."
                    ),
                    [],
                )
            if number == 1:
                names = [_cell_text(v, None).strip().casefold() for v in values]
                header = [by_name.get(n) for n in names]
            cells = [
                _cell_text(v, header[i] if i < len(header) else None) for i, v in enumerate(values)
            ]
            for i, (value, formula) in enumerate(zip(values, written, strict=False)):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    formulas.append((number, i, formula))
            while cells and cells[-1] == "":
                cells.pop()  # Excel pads rows to the widest row with empty cells
            if number == 1:
                width = max(1, len(cells))
            if any(c.strip(_SPACE) for c in cells) or any(f[0] == number for f in formulas[-1:]):
                batch.append((number, cells))
            if len(batch) >= _XLSX_BATCH:
                _xlsx_batch(con, batch, width)
                batch = []
        width = max(width, 1)
        if batch:
            _xlsx_batch(con, batch, width)
        elif not _xlsx_grid_exists(con):
            columns = ", ".join(f"c{i} varchar" for i in range(width))
            con.execute(
                f"create temp table _imp_xlsx_grid (_line bigint, _values bigint, {columns})"
            )
    except Exception as exc:  # a damaged sheet inside a valid zip
        return (
            0,
            _FileProblem(
                None, "", "", "not_xlsx", f"is not a readable Excel workbook (.xlsx): {exc}."
            ),
            [],
        )
    finally:
        values_book.close()
        formula_book.close()
    con.execute("create or replace temp view _imp_grid as select * from _imp_xlsx_grid")
    return max(width, 1), None, formulas


def _xlsx_grid_exists(con: duckdb.DuckDBPyConnection) -> bool:
    query = "select count(*) from duckdb_tables() where table_name = '_imp_xlsx_grid' and temporary"
    return sql.scalar(con, query) > 0


def _xlsx_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple[int, list[str]]], width: int):
    frame = pd.DataFrame(
        {"_line": [n for n, _ in batch], "_values": [max(len(c), width) for _, c in batch]}
    )
    for i in range(width):
        frame[f"c{i}"] = pd.array([c[i] if i < len(c) else "" for _, c in batch], dtype="str")
    con.register("_imp_xlsx", frame)
    try:
        if _xlsx_grid_exists(con):
            con.execute("insert into _imp_xlsx_grid select * from _imp_xlsx")
        else:
            con.execute("create temp table _imp_xlsx_grid as select * from _imp_xlsx")
    finally:
        con.unregister("_imp_xlsx")


def is_xlsx(head: bytes, file_name: str) -> bool:
    return file_name.lower().endswith(".xlsx") or head.startswith(b"PK\x03\x04")


def read_path(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    """A file's name and bytes (OSError for one that cannot be read)."""
    target = Path(path)
    return target.name, target.read_bytes()
