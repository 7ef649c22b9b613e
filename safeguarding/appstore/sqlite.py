"""The embedded backend: one SQLite file in WAL mode (standard library, no server).

WAL lets readers go on reading while one writer commits; ``begin immediate`` takes the write lock
at the start of a write, so two writers queue (``busy_timeout``) instead of one failing half way
when it upgrades a read lock. ``synchronous = full`` makes a commit durable before it returns, so
a crash (or SIGKILL) loses nothing committed; an uncommitted transaction is rolled back by SQLite
on the next open, and no lock outlives the process that held it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from safeguarding.appstore.session import Session

if TYPE_CHECKING:
    from safeguarding.appstore import AppStore

SCHEMA_FILE = Path(__file__).with_name("schema.sql")
BUSY_TIMEOUT_MS = 60_000
# Columns added to schema.sql's tables after stores were first made: (table, column, type).
ADDED_COLUMNS = (("imports", "force", "text"),)


class SQLiteBackend:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self.app: AppStore | None = None  # set by the AppStore that owns this backend
        # Every statement is "if not exists", so processes starting at once may all run it.
        self._connection().executescript(SCHEMA_FILE.read_text(encoding="utf-8"))
        self._add_columns()

    def _add_columns(self) -> None:
        """Add the columns of ADDED_COLUMNS that a store made before them lacks ("create table
        if not exists" leaves its tables as they were)."""
        con = self._connection()
        for table, column, kind in ADDED_COLUMNS:
            have = {row[1] for row in con.execute(f"pragma table_info({table})")}
            if column not in have:
                # another process starting at once may add it first: then it is there
                with contextlib.suppress(sqlite3.OperationalError):
                    con.execute(f"alter table {table} add column {column} {kind}")

    def _connection(self) -> sqlite3.Connection:
        # sqlite3 connections belong to one thread; Streamlit serves each session on its own.
        con = getattr(self._local, "con", None)
        if con is None or getattr(self._local, "pid", None) != os.getpid():
            con = sqlite3.connect(
                self.path,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
            con.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
            con.execute("pragma journal_mode = wal")
            con.execute("pragma synchronous = full")
            con.execute("pragma foreign_keys = on")
            self._local.con, self._local.pid = con, os.getpid()
            with self._all_lock:
                self._all.append(con)
        return con

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        con = self._connection()
        if con.in_transaction:
            # Inside this thread's own transaction: read what it has written so far.
            yield Session(con, self.app)
            return
        con.execute("begin")
        try:
            yield Session(con, self.app)
        finally:
            con.execute("rollback")

    @contextlib.contextmanager
    def write(self, *, bump: bool = True) -> Iterator[Session]:
        con = self._connection()
        if con.in_transaction:
            # Nested in this thread's transaction: a savepoint, committed with the outer one.
            con.execute("savepoint nested")
            try:
                yield Session(con, self.app)
                con.execute("release nested")
            except BaseException:
                con.execute("rollback to nested")
                con.execute("release nested")
                raise
            return
        con.execute("begin immediate")
        try:
            session = Session(con, self.app)
            yield session
            if bump:
                con.execute(
                    "insert into meta (key, value) values ('revision', '1') on conflict (key) "
                    "do update set value = cast(cast(value as integer) + 1 as text)"
                )
            con.execute("commit")
        except BaseException:
            if con.in_transaction:
                con.execute("rollback")
            raise

    def revision(self) -> int:
        row = self._connection().execute("select value from meta where key = 'revision'").fetchone()
        return int(row[0]) if row else 0

    def backup(self, target: Path) -> None:
        """A consistent copy of the store (SQLite's online backup; writers may go on)."""
        out = sqlite3.connect(target)
        try:
            self._connection().backup(out)
        finally:
            out.close()

    def close(self) -> None:
        with self._all_lock:
            for con in self._all:
                with contextlib.suppress(sqlite3.Error):
                    con.close()
            self._all.clear()
        self._local = threading.local()
