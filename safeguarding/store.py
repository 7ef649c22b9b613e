"""The DuckDB store: schema, connections, and writes that readers never see half done.

DuckDB lets a file be opened by one read-write process or by many read-only ones, never both.
The dashboard must stay up while an import runs, so nothing ever writes to the live file:

* a writer takes an exclusive lock (``<db>.lock``), copies the live file to ``<db>.next``, writes
  to the copy in one transaction, checkpoints and closes it, then renames it over the live file
  (``os.replace``, atomic on POSIX);
* readers open the live file read-only and reopen it when its inode changes, so they see either the
  old database or the new one, never a mixture, and never need a restart.

A failed write, or a process killed half way, leaves only a stray ``.next`` file; the live file is
exactly as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from safeguarding.paths import SCHEMA_FILE, db_path


class StoreError(RuntimeError):
    """A database problem a user can act on (missing file, wrong file)."""


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table (idempotent)."""
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _next_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


@contextlib.contextmanager
def _locked(live: Path) -> Iterator[None]:
    """Writers queue here, one at a time, across processes."""
    live.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(live), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def _staged(live: Path, *, fresh: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    staged = _next_path(live)
    try:
        for stale in (staged, staged.with_name(staged.name + ".wal")):
            stale.unlink(missing_ok=True)
        if live.exists() and not fresh:
            shutil.copyfile(live, staged)
        con = duckdb.connect(str(staged))
        try:
            create_schema(con)
            con.execute("begin transaction")
            yield con
            con.execute("commit")
            con.execute("checkpoint")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("rollback")
            raise
        finally:
            con.close()
        with open(staged, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staged, live)
    finally:
        staged.unlink(missing_ok=True)


@contextlib.contextmanager
def writer(
    path: str | os.PathLike[str] | None = None, *, fresh: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of the database that replaces it on success.

    ``fresh=True`` starts from an empty database (with the schema) instead of a copy. Whatever the
    block raises, the live file is untouched.
    """
    live = db_path(path)
    with _locked(live), _staged(live, fresh=fresh) as con:
        yield con


def build_if_absent(
    path: str | os.PathLike[str] | None, build: Callable[[duckdb.DuckDBPyConnection], object]
) -> bool:
    """Create the database with ``build`` unless it exists; True if this call built it.

    Checked under the writers' lock, so two dashboards starting at once build it only once.
    """
    live = db_path(path)
    with _locked(live):
        if live.exists():
            return False
        with _staged(live, fresh=True) as con:
            build(con)
    return True


_readers: dict[Path, tuple[int, duckdb.DuckDBPyConnection]] = {}
_readers_lock = threading.Lock()


def _identity(path: Path) -> int:
    stat = path.stat()
    return stat.st_ino ^ (stat.st_mtime_ns << 1)


def _open_read_only(live: Path) -> duckdb.DuckDBPyConnection:
    # ATTACH into a fresh in-memory instance rather than duckdb.connect(path): connect() caches
    # one instance per path, which would keep serving the replaced file after a write.
    con = duckdb.connect(":memory:")
    quoted = str(live).replace("'", "''")
    con.execute(f"attach '{quoted}' as live (read_only)")
    return con


def reader(path: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only cursor on the live database; reopened after every completed write.

    One connection per process per file version; each call returns a fresh cursor so threads do
    not share one. Cursors on a previous version stay valid until their readers finish.
    """
    live = db_path(path).resolve()
    if not live.exists():
        raise StoreError(
            f"No database at {live}. Build one with: python -m safeguarding demo --db {live}"
        )
    ident = _identity(live)
    with _readers_lock:
        current = _readers.get(live)
        if current is None or current[0] != ident:
            current = (ident, _open_read_only(live))
            _readers[live] = current
        cursor = current[1].cursor()
    cursor.execute("use live")
    return cursor


def version(path: str | os.PathLike[str] | None = None) -> int:
    """Changes whenever a write completes: a cache key for anything computed from the data."""
    return _identity(db_path(path).resolve())


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("select key, value from meta").fetchall())


def set_meta(con: duckdb.DuckDBPyConnection, **values: str) -> None:
    for key, value in values.items():
        con.execute(
            "insert or replace into meta (key, value) values ($key, $value)",
            {"key": key, "value": str(value)},
        )
