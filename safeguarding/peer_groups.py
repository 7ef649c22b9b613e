"""Most similar groups as data: the peer-group file's rules, and replacing the table.

A peer-group file is a CSV of (force, peer) pairs; ``parse`` checks it like any import (every
problem with its line, column and rule, nothing kept unless the whole file is right) and
``replace`` makes it the whole of ``peer_groups`` inside a write. Loading one is an import
(safeguarding.imports.peer_load: audited, all or nothing); the comparisons are in
safeguarding.peers. Its own module so that both can use the rules without importing each other.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from safeguarding import csv_lines

MAX_PEERS = 7
"""The Home Office / HMICFRS most similar groups have up to seven forces besides the force."""
COLUMNS = ("force", "peer")

# --- peer groups as data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a peer-group file, where it is (line 1 is the header)."""

    file: str
    line: int | None
    column: str
    value: str
    message: str
    rule: str = ""  # as in an import's report: header, unknown_force, own_group, ...

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class PeerGroupError(ValueError):
    """The file was not loaded; ``problems`` says every reason, each with line and column."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n  ... and {more} more" if more > 0 else ""
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''}; nothing was loaded:\n{shown}{tail}"
        )


def forces(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every force in the database (from ``districts``), alphabetically."""
    return [r[0] for r in con.execute("select distinct force from districts order by 1").fetchall()]


def parse(text: str, known_forces: Iterable[str], *, file: str = "<text>") -> pd.DataFrame:
    """Validate a peer-group CSV (columns force, peer); the rows, or PeerGroupError.

    Every problem is reported, not just the first: a missing or extra column, a blank value, a
    force the database does not hold (in either column), a force in its own group, a pair listed
    twice, and a force with more than MAX_PEERS peers (reported on each line past the seventh).
    """
    known = set(known_forces)
    problems: list[Problem] = []
    records = csv_lines.records(text.lstrip("\ufeff"))
    try:
        _, header = next(records, (1, None))
    except csv_lines.BrokenCsv as exc:
        unread = f"the header could not be read as CSV ({exc.reason}); expected force,peer"
        raise PeerGroupError([Problem(file, 1, "", "", unread, "quotes")]) from None
    if header is None:
        empty = "the file is empty; expected force,peer"
        raise PeerGroupError([Problem(file, 1, "", "", empty, "empty_file")])
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    extra = [h for h in names if h not in COLUMNS]
    repeated = sorted({h for h in names if h in COLUMNS and names.count(h) > 1})
    if missing or extra or repeated:
        words = []
        if missing:
            words.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            words.append(f"unexpected column(s) {', '.join(extra)}")
        if repeated:
            words.append(f"column(s) named more than once: {', '.join(repeated)}")
        raise PeerGroupError(
            [
                Problem(
                    file,
                    1,
                    "",
                    ",".join(header),
                    f"{'; '.join(words)}: expected force,peer",
                    "header",
                )
            ]
        )
    at = {c: names.index(c) for c in COLUMNS}
    rows: list[tuple[int, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    count: dict[str, int] = {}

    def refuse(line: int, column: str, value: str, message: str, rule: str) -> None:
        problems.append(Problem(file, line, column, value, message, rule))

    try:
        for line, record in records:
            if not any(cell.strip() for cell in record):
                continue  # a blank line (often the last) holds nothing to check
            if len(record) != len(header):
                counts = f"{len(record)} values; the header has {len(header)}"
                refuse(line, "", ",".join(record), counts, "field_count")
                continue
            force, peer = (record[at[c]].strip() for c in COLUMNS)
            bad = False
            for column, value in (("force", force), ("peer", peer)):
                if not value:
                    refuse(line, column, value, f"{column} must not be blank", "missing_value")
                    bad = True
                elif value not in known:
                    unknown = (
                        f"'{value}' is not a force in the database (forces come from the "
                        "districts table; check the spelling)"
                    )
                    refuse(line, column, value, unknown, "unknown_force")
                    bad = True
            if bad:
                continue
            if force == peer:
                refuse(line, "peer", peer, f"'{force}' is listed in its own group", "own_group")
                continue
            if (force, peer) in seen:
                first = seen[(force, peer)]
                again = f"'{peer}' is already in the group of '{force}' (line {first})"
                refuse(line, "peer", peer, again, "duplicate_reference")
                continue
            seen[(force, peer)] = line
            count[force] = count.get(force, 0) + 1
            if count[force] > MAX_PEERS:
                too_many = (
                    f"'{force}' has more than {MAX_PEERS} peers; a most similar group has "
                    f"at most {MAX_PEERS} forces besides the force itself"
                )
                refuse(line, "peer", peer, too_many, "too_many_peers")
                continue
            rows.append((line, force, peer))
    except csv_lines.BrokenCsv as exc:
        # Past broken quoting the reader cannot be trusted: nothing below it is read.
        unread = f"could not be read as CSV ({exc.reason}); check the quote marks from this line on"
        problems.append(Problem(file, exc.line, "", "", unread, "quotes"))
    if problems:
        raise PeerGroupError(problems)
    return pd.DataFrame([(f, p) for _, f, p in rows], columns=list(COLUMNS))


def read_file(path: str | os.PathLike[str], known_forces: Iterable[str]) -> pd.DataFrame:
    """``parse`` a file; a file that cannot be read is a PeerGroupError too."""
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        missing = Problem(str(target), None, "", "", "no such file", "missing_file")
        raise PeerGroupError([missing]) from None
    except UnicodeDecodeError as exc:
        raise PeerGroupError(
            [Problem(str(target), None, "", "", f"not UTF-8 text ({exc.reason})", "encoding")]
        ) from None
    return parse(text, known_forces, file=target.name)


def replace(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> int:
    """Replace every peer group with ``frame`` (already validated) inside the caller's write."""
    con.execute("delete from peer_groups")
    if len(frame):
        con.register("incoming_peers", frame.loc[:, list(COLUMNS)])
        try:
            con.execute(
                "insert into peer_groups (force, peer) select force, peer from incoming_peers"
            )
        finally:
            con.unregister("incoming_peers")
    return len(frame)
