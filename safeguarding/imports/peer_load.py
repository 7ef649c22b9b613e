"""Most similar groups (``peer_groups``) loaded as an import: checked, all or nothing, audited.

A peer-group file is the complete list of (force, peer) pairs, so loading it replaces the table
rather than updating records by their key; its rules (safeguarding.peer_groups.parse: known
forces, no force in its own group, no pair twice, at most seven peers) are not the record
contract's. Everything else is as for any import: the problems come back as a Report (file,
line, column, value, rule and message, the same words the command line and the Data page show
for every table), a file with any error changes nothing, and every attempt, loaded, unchanged
or rejected, is a row of the import audit (who, file, SHA-256, rows, outcome, message).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from safeguarding import peer_groups, store
from safeguarding.characters import plain_file_name
from safeguarding.imports.common import (
    FILE_RULES,
    MAX_LISTED,
    PROBLEM_COLUMNS,
    Report,
    Result,
)
from safeguarding.imports.load import Rejected, _audit, audit_rejected
from safeguarding.imports.read import as_file, sha256_of

TABLE = "peer_groups"
MAX_BYTES = 10 << 20  # a complete list for 43 forces is about 10 KB


def report_of(
    file_name: str, sha: str, rows: int, problems: Sequence[peer_groups.Problem]
) -> Report:
    """The problems as an import's report: errors, in line order, at most MAX_LISTED listed."""
    frame = pd.DataFrame(
        [
            {
                "file": file_name,
                "line": p.line,
                "column": p.column,
                "value": p.value,
                "severity": "error",
                "rule": p.rule,
                "message": p.message,
            }
            for p in problems
        ],
        columns=PROBLEM_COLUMNS,
    )
    frame["line"] = frame["line"].astype("Int64")
    frame = frame.sort_values("line", na_position="first", kind="stable").head(MAX_LISTED)
    lines = {p.line for p in problems if p.line is not None and p.rule not in FILE_RULES}
    return Report(
        file_name=file_name,
        table=TABLE,
        sha256=sha,
        rows=rows,
        errors=len(problems),
        queries=0,
        rows_with_errors=len(lines),
        problems=frame.reset_index(drop=True),
    )


def _read(path: Path, file_name: str) -> tuple[str | None, list[peer_groups.Problem]]:
    """The file's text, or the problem that stops it being read at all."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        return None, [
            peer_groups.Problem(
                file_name,
                None,
                "",
                "",
                f"is {size / 1e6:,.0f} MB, far larger than any list of peer groups (at most "
                f"{MAX_BYTES / 1e6:,.0f} MB), so it was not read",
                "encoding",
            )
        ]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [
            peer_groups.Problem(
                file_name,
                line,
                "",
                "",
                f"is not UTF-8 text (the byte 0x{data[exc.start]:02X} cannot be read). Save the "
                "file as CSV UTF-8 and try again.",
                "encoding",
            )
        ]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problem = "contains a NUL character, so this is not a text file"
        return None, [peer_groups.Problem(file_name, line, "", "", problem, "encoding")]
    return text, []


def _records(text: str) -> int:
    """How many records (non-blank lines below the header) the file holds."""
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error:
        return 0
    return sum(1 for r in rows[1:] if any(cell.strip() for cell in r))


def _stage(
    con: duckdb.DuckDBPyConnection, path: Path, file_name: str
) -> tuple[Report, pd.DataFrame | None]:
    """Check the file against the forces of ``con``: (report, the pairs if it has no error)."""
    sha = sha256_of(path)
    text, problems = _read(path, file_name)
    if text is None:
        return report_of(file_name, sha, 0, problems), None
    rows = _records(text)
    try:
        frame = peer_groups.parse(text, peer_groups.forces(con), file=file_name)
    except peer_groups.PeerGroupError as exc:
        return report_of(file_name, sha, rows, exc.problems), None
    return report_of(file_name, sha, rows, []), frame


def check(
    db: str | os.PathLike[str] | None, data: bytes | os.PathLike[str], file_name: str
) -> Report:
    """Validate a peer-group file against the live database, writing nothing."""
    with as_file(data) as path:
        return _stage(store.reader(db), path, plain_file_name(Path(file_name).name))[0]


def import_file(
    db: str | os.PathLike[str] | None,
    data: bytes | os.PathLike[str],
    file_name: str,
    *,
    by: str | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> Result:
    """Check a peer-group file and, with no error, make it the whole of ``peer_groups``.

    ``inserted`` counts the pairs new to the table, ``updated`` is 0, ``unchanged`` the pairs
    kept; pairs the file leaves out are removed (the message says how many). A file that holds
    exactly the stored groups changes nothing (outcome 'unchanged'). Audited either way.
    """
    clock = now or dt.datetime.now
    file_name = plain_file_name(Path(file_name).name)
    with as_file(data) as path:
        try:
            with store.writer(db) as con:
                report, frame = _stage(con, path, file_name)
                if frame is None:
                    raise Rejected(report)
                stored = set(con.execute("select force, peer from peer_groups").fetchall())
                incoming = set(frame.itertuples(index=False, name=None))
                added, removed = len(incoming - stored), len(stored - incoming)
                outcome = "loaded" if added or removed else "unchanged"
                if outcome == "loaded":
                    peer_groups.replace(con, frame)
                # No metric figure is made from peer groups, so none is recomputed; declaring
                # nothing changed (the same groups again) leaves the live files as they are.
                store.touched(con, {TABLE} if outcome == "loaded" else set())
                message = (
                    f"{len(incoming):,} peer pairs: {added:,} added, {removed:,} removed, "
                    f"{len(incoming) - added:,} kept"
                )
            import_id = _audit(
                db,
                report,
                outcome=outcome,
                by=by,
                now=clock(),
                inserted=added,
                message=message,
            )
        except Rejected as rejected:
            return audit_rejected(db, rejected.report, by=by, now=clock())
    return Result(report, outcome, added, 0, len(incoming) - added, import_id, message)
