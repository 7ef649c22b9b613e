"""The app-state store: what people write while using the dashboard.

Actions, rebases, targets (with their history), recommendation progress, board-pack snapshots,
the import audit and the access log live here, not in the DuckDB records file. A write here is one
short transaction that costs what it changes: nothing is copied, many processes write at once, a
reader sees the state before a write or after it, and a committed write survives a crash.

Callers use :func:`open` (or :func:`for_connection`, from a DuckDB connection to the records
file) and the :class:`AppStore` it returns:

    with appstore.open(db).write() as tx:
        tx.execute("insert into actions (...) values (:a, ...)", {"a": ...})

SQL uses named parameters (``:name``) and portable types (integer, real, text; dates as ISO
text), so a server database can take SQLite's place behind the same interface: a backend is
anything with ``read()`` and ``write()`` context managers yielding a :class:`Session`. The
embedded default is SQLite in WAL mode (``sqlite.py``). The file is ``<db>.app.sqlite3`` beside
the records file, or ``$SAFEGUARDING_APP_STATE``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from safeguarding.appstore.session import Session
from safeguarding.appstore.sqlite import SQLiteBackend
from safeguarding.paths import db_path

APP_STATE_ENV_VAR = "SAFEGUARDING_APP_STATE"

__all__ = [
    "APP_STATE_ENV_VAR",
    "AppStore",
    "Session",
    "at",
    "default_path",
    "for_connection",
    "open",
    "session",
]


def default_path(database: str | os.PathLike[str] | None = None) -> Path:
    """$SAFEGUARDING_APP_STATE, else the records file's name with ``.app.sqlite3``."""
    env = os.environ.get(APP_STATE_ENV_VAR)
    if env:
        return Path(env)
    return db_path(database).with_suffix(".app.sqlite3")


class AppStore:
    """One app-state store (a backend) and the records database it sits beside."""

    def __init__(self, backend: SQLiteBackend, database: Path) -> None:
        self.backend = backend
        self.database = database
        self.migrated = False
        backend.app = self

    @property
    def path(self) -> Path:
        return self.backend.path

    def read(self):
        """A read transaction: every query in the block sees one committed state."""
        return self.backend.read()

    def write(self, *, bump: bool = True):
        """A write transaction, committed when the block ends, rolled back if it raises.

        ``bump`` advances the store's revision (what cached pages key on); the access log writes
        with ``bump=False`` so a records view does not empty every page's cache.
        """
        return self.backend.write(bump=bump)

    def revision(self) -> int:
        return self.backend.revision()


_stores: dict[tuple[int, Path], AppStore] = {}
_lock = threading.Lock()


def open(database: str | os.PathLike[str] | None = None) -> AppStore:  # noqa: A001
    """The app-state store beside ``database``; created, and migrated from an older database's
    own tables, on first use."""
    live = db_path(database).resolve()
    path = default_path(database).resolve()
    key = (os.getpid(), path)
    with _lock:
        found = _stores.get(key)
        if found is None or found.database != live or not found.migrated:
            from safeguarding.appstore import migrate

            backend = found.backend if found is not None else SQLiteBackend(path)
            found = AppStore(backend, live)
            migrate.ensure(found)
            found.migrated = True
            _stores[key] = found
        return found


def at(path: str | os.PathLike[str]) -> AppStore:
    """A store in a given file (e.g. an access log kept apart by $SAFEGUARDING_AUDIT), with no
    records database beside it and nothing to migrate."""
    path = Path(path).resolve()
    key = (os.getpid(), path)
    with _lock:
        found = _stores.get(key)
        if found is None:
            found = AppStore(SQLiteBackend(path), path)
            _stores[key] = found
        return found


def for_connection(con) -> AppStore:
    """The app-state store beside the records file a DuckDB connection (reader or writer) is on.

    Lets functions that are given a records connection reach the app state without every caller
    passing both.
    """
    if isinstance(con, AppStore):
        return con
    from safeguarding import store

    return open(store.database_of(con))


@contextlib.contextmanager
def session(con) -> Iterator[Session]:
    """A read session for ``con``: the transaction itself if it is one (so a write reads what
    it wrote), else a read transaction on the app state beside ``con``'s records."""
    if isinstance(con, Session):
        yield con
        return
    with for_connection(con).read() as tx:
        yield tx


def forget() -> None:
    """Drop this process's open stores (after their file was deleted: demo --drop-app-state)."""
    with _lock:
        for found in _stores.values():
            found.backend.close()
        _stores.clear()
