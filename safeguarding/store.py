"""The DuckDB files: the records, the figures derived from them, and writes never seen half done.

Two DuckDB files sit side by side (the third store, what people write, is ``appstore``):

* the **records** file (``<db>``): the record tables, written only by imports and the demo build;
* the **figures** file (``<db>.figures.duckdb``): ``metric_values`` and ``metric_signals``, and
  read-only mirrors of the app-state tables the metric SQL and the status join read (targets,
  rebases, recommendations with their progress). It is small next to the records (about 1/30th),
  so a rebase or a target change rewrites it without copying the records.

DuckDB lets a file be opened by one read-write process or by many read-only ones, never both, so
nothing writes to a live file: a writer takes an exclusive lock (``<db>.lock``), copies the file
to ``<file>.next``, writes the copy, checkpoints and closes it, then renames it over the live file
(``os.replace``, atomic on POSIX). A records write stages both files and swaps the figures first,
keeping the figures it replaced as ``<db>.figures.duckdb.prev``, then the records. Every records
write stamps a new ``generation`` in the records' ``meta``, and the figures record the generation
they were computed from, so a reader opening between the two renames (or after a crash between
them) finds the figures that match its records in ``.prev``. Readers open both files read-only
(attached as ``live`` and ``figures``, with ``figures`` first on the search path) and reopen when
either file changes, so they see the old pair or the new pair, never a mixture.

A failed write, or a process killed half way, leaves only stray ``.next`` files; the live files are
exactly as they were, and the lock (``flock``) dies with its process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from safeguarding import sql
from safeguarding.paths import SCHEMA_FILE, db_path, not_a_database


class StoreError(RuntimeError):
    """A database problem a user can act on (missing file, wrong file)."""


FIGURES_SCHEMA = """
create table if not exists meta (key varchar primary key, value varchar not null);
create table if not exists metric_values (
    metric_id varchar not null,
    district varchar not null,
    month date not null,
    numerator double,
    denominator double,
    value double,
    primary key (metric_id, district, month)
);
create table if not exists metric_signals (
    metric_id varchar not null,
    district varchar not null,
    month date not null,
    value double,
    mean double,
    lpl double,
    upl double,
    period integer not null,
    provisional boolean not null,
    cause varchar,
    point_type varchar,
    variation varchar,
    target double,
    assurance varchar,
    primary key (metric_id, district, month)
);
-- Mirrors of app state (safeguarding.appstore), rewritten with the figures they produced.
create table if not exists targets (
    metric_id varchar not null,
    district varchar,
    effective_from date not null,
    effective_to date,
    target double not null,
    note varchar
);
create table if not exists rebases (
    metric_id varchar not null,
    district varchar not null,
    month date not null,
    reason varchar not null,
    agreed_by varchar not null,
    agreed_on date not null
);
create table if not exists recommendations (
    recommendation_ref varchar primary key,
    force varchar not null,
    report varchar not null,
    report_date date not null,
    text varchar not null,
    owner varchar not null,
    due_date date not null,
    status varchar not null,
    evidence varchar,
    completed_on date,
    linked_metrics varchar
);
"""

SEARCH_PATH = "set search_path = 'figures.main,live.main'"


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every records table (idempotent)."""
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))


def create_figures_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(FIGURES_SCHEMA)


def figures_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The figures file beside the records file: ``<db>.figures.duckdb``."""
    return db_path(path).with_suffix(".figures.duckdb")


def _prev(path: Path) -> Path:
    return path.with_name(path.name + ".prev")


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _next_path(path: Path) -> Path:
    return path.with_name(path.name + ".next")


class Busy(StoreError):
    """Another writer holds the database (raised only when asked not to wait for it)."""


@contextlib.contextmanager
def _locked(live: Path, *, wait: bool = True) -> Iterator[None]:
    """Writers of either DuckDB file queue here, one at a time, across processes (``wait=False``:
    Busy instead of queueing)."""
    live.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(live), "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(f"Another write to {live} is in progress.") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


# A writer's DuckDB works within this much memory, spilling to ``<db>.tmp/`` beyond it (without a
# limit its buffer may grow to 80% of the machine). A transaction's uncommitted rows are held in
# memory whatever the limit, so a long write also commits part way (commit_so_far).
WRITER_MEMORY_ENV_VAR = "SAFEGUARDING_WRITER_MEMORY"
WRITER_MEMORY_DEFAULT = "1GB"


def _write_connection(live: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for a write: memory bounded, spilling beside the database."""
    con = duckdb.connect(":memory:")
    limit = os.environ.get(WRITER_MEMORY_ENV_VAR) or WRITER_MEMORY_DEFAULT
    con.execute("set memory_limit = $limit", {"limit": limit})
    spill = live.with_name(live.name + ".tmp")
    con.execute("set temp_directory = $dir", {"dir": str(spill)})
    return con


def _stage(live: Path, *, fresh: bool) -> Path:
    staged = _next_path(live)
    for stale in (staged, staged.with_name(staged.name + ".wal")):
        stale.unlink(missing_ok=True)
    if live.exists() and not fresh:
        shutil.copyfile(live, staged)
    return staged


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _swap_figures(staged: Path, figures: Path) -> None:
    """Put staged figures live, keeping the ones they replace as ``.prev`` for readers whose
    records are still the previous generation."""
    if figures.exists():
        keep = _prev(figures)
        tmp = keep.with_name(keep.name + ".tmp")
        tmp.unlink(missing_ok=True)
        os.link(figures, tmp)
        os.replace(tmp, keep)
    os.replace(staged, figures)


# --- what a write changed, for the refresh -------------------------------------------------------


@dataclass
class Changes:
    """What a records write changed: tables, and the first month their records touch.

    ``tables=None`` means "anything" (a fresh build, or a write that did not say): the figures
    are rebuilt in full.
    """

    tables: set[str] | None = None
    first_month: dt.date | None = None
    database: Path | None = None
    declared: bool = field(default=False)
    # The forces whose records changed (None: any); only their figures are recomputed.
    forces: set[str] | None = None
    # Called as each force's figures are computed when the write closes (a full build).
    progress: Callable[[int, int, str], None] | None = None


_changes: dict[int, Changes] = {}


def touched(
    con: duckdb.DuckDBPyConnection,
    tables: set[str],
    first_month=None,
    *,
    forces: set[str] | None = None,
) -> None:
    """Tell the write in progress which record tables it changed, from which month (None: from
    the start) and whose records they are (``forces``; None: any force's). Without this, the
    figures are rebuilt in full after the write."""
    found = _changes.get(id(con))
    if found is None:
        raise StoreError("touched() is for a connection from store.writer().")
    if not found.declared:
        found.tables, found.first_month, found.declared = set(), first_month, True
        found.forces = set()
    found.tables = (found.tables or set()) | set(tables)
    if first_month is not None and (found.first_month is None or first_month < found.first_month):
        found.first_month = first_month
    elif first_month is None:
        found.first_month = None
    if tables:
        if forces is None or found.forces is None:
            found.forces = None
        else:
            found.forces |= set(forces)


def commit_so_far(con: duckdb.DuckDBPyConnection) -> bool:
    """Commit what the write in progress has done so far to its private copy, and go on in a new
    transaction; False (and nothing done) if ``con`` is not a writer's.

    DuckDB holds a transaction's new rows in memory until it commits, so a build that appends
    every force's records in one transaction held them all at once (3 GB at 43 forces); a
    commit per force holds one force's. The live files are untouched either way: the copy is
    swapped in only when the whole write succeeds, and discarded if it fails."""
    if id(con) not in _changes:
        return False
    con.execute("commit")
    con.execute("begin transaction")
    return True


def report_progress(
    con: duckdb.DuckDBPyConnection, progress: Callable[[int, int, str], None]
) -> bool:
    """Have the write in progress call ``progress(done, total, force)`` as each force's figures
    are computed when it closes; False (and nothing done) if ``con`` is not a writer's."""
    found = _changes.get(id(con))
    if found is None:
        return False
    found.progress = progress
    return True


def database_of(con: duckdb.DuckDBPyConnection) -> Path:
    """The live records file behind a connection from :func:`reader` or :func:`writer`."""
    found = _changes.get(id(con))
    if found is not None and found.database is not None:
        return found.database
    rows = con.execute(
        "select database_name, path from duckdb_databases() where path is not null"
    ).fetchall()
    paths = dict(rows)
    path = paths.get("live") or next(iter(paths.values()), None)
    if path is None:
        raise StoreError("This connection is not on a database file.")
    path = Path(path)
    if path.name.endswith(".next"):
        path = path.with_name(path.name.removesuffix(".next"))
    return path.resolve()


@contextlib.contextmanager
def writer(
    path: str | os.PathLike[str] | None = None, *, fresh: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of the records that replaces them on success.

    ``fresh=True`` starts from an empty database (with the schema) instead of a copy. After the
    block, the figures are brought up to date from the records (and the app state) by
    ``safeguarding.refresh`` before either file is swapped in; call :func:`touched` in the block
    to refresh only what changed. Whatever the block raises, the live files are untouched.
    """
    live = db_path(path)
    problem = not_a_database(live)
    if problem and not (fresh and live.is_file()):
        raise StoreError(problem)
    with _locked(live):
        yield from _write_records(live, fresh=fresh)


def _write_records(live: Path, *, fresh: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    from safeguarding import refresh

    figures = figures_path(live)
    staged = _stage(live, fresh=fresh)
    staged_figures = _stage(figures, fresh=fresh)
    try:
        con = _write_connection(live)
        changes = Changes(database=live.resolve())
        _changes[id(con)] = changes
        try:
            con.execute(f"attach {_quoted(staged)} as live")
            con.execute("use live")
            create_schema(con)
            previous = _generation(con, "live", "generation") or ""
            con.execute("begin transaction")
            try:
                yield con
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    con.execute("rollback")
                raise
            if changes.declared and not changes.tables:
                # The write says it changed nothing (an import of records already stored):
                # discard the copies, so the live files (and their generation) stay as they are.
                con.execute("rollback")
                return
            generation = uuid.uuid4().hex
            set_meta(con, generation=generation)
            con.execute("commit")
            con.execute(f"attach {_quoted(staged_figures)} as figures")
            con.execute("use figures")
            con.execute(SEARCH_PATH)
            create_figures_schema(con)
            # Figures that do not belong to the records before this write (a crash between a
            # write's two renames) are rebuilt rather than refreshed.
            matching = _generation(con, "figures", "records_generation") == previous
            if not matching:
                _empty_figures(con)
            full = (
                fresh or not matching or not changes.declared or not staged_figures_had_figures(con)
            )
            con.execute("begin transaction")
            refresh.after_records(
                con,
                tables=None if full else changes.tables,
                first_month=None if full else changes.first_month,
                forces=None if full else changes.forces,
                progress=changes.progress,
            )
            set_meta(con, records_generation=generation)
            con.execute("commit")
            con.execute("checkpoint live")
            con.execute("checkpoint figures")
        finally:
            _changes.pop(id(con), None)
            con.close()
        _fsync(staged)
        _fsync(staged_figures)
        _swap_figures(staged_figures, figures)
        os.replace(staged, live)
    finally:
        staged.unlink(missing_ok=True)
        staged_figures.unlink(missing_ok=True)


def _empty_figures(con: duckdb.DuckDBPyConnection) -> None:
    for table in (
        "metric_values",
        "metric_signals",
        "targets",
        "rebases",
        "recommendations",
        "meta",
    ):
        con.execute(f"delete from figures.main.{table}")


def staged_figures_had_figures(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(sql.scalar(con, "select count(*) > 0 from figures.metric_values"))


def _generation(con: duckdb.DuckDBPyConnection, catalog: str, key: str) -> str | None:
    try:
        row = con.execute(f"select value from {catalog}.main.meta where key = $k", {"k": key})
        found = row.fetchone()
    except duckdb.CatalogException:
        return None
    return found[0] if found else None


def _matches(con: duckdb.DuckDBPyConnection) -> bool:
    # Records written before generations existed have none: figures built for them say "".
    theirs = _generation(con, "figures", "records_generation")
    return theirs is not None and theirs == (_generation(con, "live", "generation") or "")


def _figures_match(live: Path, figures: Path) -> bool:
    """Whether the live figures were computed from the live records (else rebuild them)."""
    if not (live.exists() and figures.exists()):
        return False
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {_quoted(live)} as live (read_only)")
        con.execute(f"attach {_quoted(figures)} as figures (read_only)")
        return _matches(con)
    finally:
        con.close()


def refresh_figures(
    path: str | os.PathLike[str] | None = None, *, wait: bool = True
) -> dict[str, int]:
    """Bring the figures up to date after a change of app state (a rebase, a target,
    recommendation progress): one copy of the figures file, never of the records. ``wait=False``
    raises Busy rather than queue behind another writer."""
    from safeguarding import refresh

    with figures_writer(path, wait=wait) as con:
        return refresh.after_records(con, tables=set())


# The (files, app-state revision) of each database last found with its figures in step.
_in_step: dict[Path, tuple] = {}
_in_step_lock = threading.Lock()


def catch_up(path: str | os.PathLike[str] | None = None) -> bool:
    """Bring the figures in line with the app state if a change to it was committed but the
    refresh after it never ran (the process was stopped in between: Ctrl-C while it queued for
    the lock, a kill). True if it refreshed them.

    Checked once per version of the files and of the app state, by comparing the figures'
    mirrors of targets, rebases and recommendation progress with the app state (a few hundred
    rows). Never waits: while another writer holds the database it is left to that writer,
    which brings the mirrors in line as it commits."""
    return _catch_up(db_path(path).resolve())[0]


def _state(live: Path) -> tuple[int, int, int]:
    """This version of the records, the figures and the app state."""
    from safeguarding import appstore

    return (_identity(live), _identity(figures_path(live)), appstore.open(live).revision())


def _catch_up(live: Path) -> tuple[bool, tuple[int, int, int]]:
    """(whether ``catch_up`` refreshed the figures, the version it leaves)."""
    from safeguarding import refresh

    key = _state(live)
    if not (live.exists() and figures_path(live).exists()):
        return False, key
    with _in_step_lock:
        if _in_step.get(live) == key:
            return False, key
    behind = refresh.mirrors_behind(reader(live))
    if behind:
        try:
            refresh_figures(live, wait=False)
        except Busy:
            return False, key  # the writer holding it refreshes the mirrors as it commits
        except (OSError, duckdb.Error) as exc:
            # A reader that cannot write here (a read-only copy) still shows its pages; the
            # next writer brings the figures in line.
            logging.getLogger(__name__).warning("figures behind the app state: %s", exc)
            return False, key
        key = _state(live)
    with _in_step_lock:
        _in_step[live] = key
    return bool(behind), key


@contextlib.contextmanager
def figures_writer(
    path: str | os.PathLike[str] | None = None, *, wait: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection on a copy of the figures (records attached read-only) that replaces the
    figures on success: for changes that alter figures but not records (rebases, targets,
    recommendation progress). Costs a copy of the figures file, never of the records.

    If the figures do not match the records (a crash between a records write's two renames), the
    copy starts empty and the refresh rebuilds it in full.
    """
    live = db_path(path)
    figures = figures_path(live)
    with _locked(live, wait=wait):
        if not live.exists():
            raise StoreError(
                f"No database at {live}. Build one with: python -m safeguarding demo --db {live}"
            )
        staged = _stage(figures, fresh=False)
        try:
            con = _write_connection(live)
            _changes[id(con)] = Changes(database=live.resolve())
            try:
                con.execute(f"attach {_quoted(live)} as live (read_only)")
                con.execute(f"attach {_quoted(staged)} as figures")
                con.execute("use figures")
                con.execute(SEARCH_PATH)
                create_figures_schema(con)
                matches = _matches(con)
                if not matches:
                    _empty_figures(con)
                con.execute("begin transaction")
                try:
                    if not matches:
                        from safeguarding import refresh

                        refresh.after_records(con, tables=None)
                    yield con
                    set_meta(
                        con,
                        records_generation=_generation(con, "live", "generation") or "",
                    )
                    con.execute("commit")
                except BaseException:
                    with contextlib.suppress(duckdb.Error):
                        con.execute("rollback")
                    raise
                con.execute("checkpoint figures")
            finally:
                _changes.pop(id(con), None)
                con.close()
            _fsync(staged)
            _swap_figures(staged, figures)
        finally:
            staged.unlink(missing_ok=True)


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
        with contextlib.contextmanager(_write_records)(live, fresh=True) as con:
            build(con)
    return True


def ensure_figures(path: str | os.PathLike[str] | None = None) -> bool:
    """Build the figures file for a database that has none (one made before the figures had
    their own file, or whose figures were lost); True if it was built.

    An older file's own ``metric_values`` and ``metric_signals`` are copied rather than
    recomputed, then the refresh brings them in line with the app state.
    """
    live = db_path(path)
    figures = figures_path(live)
    if not live.exists() or _figures_match(live, figures):
        return False
    with _locked(live):
        if _figures_match(live, figures):
            return False
        staged = _stage(figures, fresh=True)
        try:
            con = _write_connection(live)
            _changes[id(con)] = Changes(database=live.resolve())
            try:
                con.execute(f"attach {_quoted(live)} as live (read_only)")
                con.execute(f"attach {_quoted(staged)} as figures")
                con.execute("use figures")
                con.execute(SEARCH_PATH)
                create_figures_schema(con)
                _adopt_old_figures(con)
                from safeguarding import refresh

                con.execute("begin transaction")
                refresh.after_records(con, tables=None, reuse_values=True)
                set_meta(con, records_generation=_generation(con, "live", "generation") or "")
                con.execute("commit")
                con.execute("checkpoint figures")
            finally:
                _changes.pop(id(con), None)
                con.close()
            _fsync(staged)
            _swap_figures(staged, figures)
        finally:
            staged.unlink(missing_ok=True)
    return True


def _adopt_old_figures(con: duckdb.DuckDBPyConnection) -> None:
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'live'"
        ).fetchall()
    }
    # The figures, and the app state they were computed with (as the mirrors), so that the
    # refresh that follows finds nothing to recompute unless the app state has moved on.
    columns = {
        "metric_values": "*",
        "metric_signals": "*",
        "targets": "metric_id, district, effective_from, effective_to, target, note",
        "rebases": "metric_id, district, month, reason, agreed_by, agreed_on",
        "recommendations": "*",
    }
    for table, cols in columns.items():
        if table in tables:
            con.execute(f"insert into figures.main.{table} select {cols} from live.main.{table}")


def copy_database(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Copy a database whole (records, figures and app state) to ``target``; returns its path.

    For backups and for tests that need a private database to write to. Records and figures are
    copied under the writers' lock, so the pair is consistent; the app state with SQLite's backup.
    """
    from safeguarding import appstore

    source, target = db_path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(source):
        shutil.copyfile(source, target)
        if figures_path(source).exists():
            shutil.copyfile(figures_path(source), figures_path(target))
    app = appstore.default_path(source)
    if app.exists() and not os.environ.get(appstore.APP_STATE_ENV_VAR):
        appstore.open(source).backend.backup(appstore.default_path(target))
    return target


# --- readers -----------------------------------------------------------------------------------

_readers: dict[Path, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}
_readers_lock = threading.Lock()


def _identity(path: Path) -> int:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return 0
    return stat.st_ino ^ (stat.st_mtime_ns << 1)


def _check_ours(con: duckdb.DuckDBPyConnection, live: Path) -> None:
    """StoreError unless the records attached as ``live`` are this dashboard's (its meta)."""
    if not sql.scalar(
        con,
        "select count(*) from duckdb_tables() where database_name = 'live' and table_name = 'meta'",
    ):
        con.close()
        raise StoreError(
            f"{live} is a DuckDB database, but not this dashboard's (it has no meta table)."
        )


def _open_read_only(live: Path) -> duckdb.DuckDBPyConnection:
    # ATTACH into a fresh in-memory instance rather than duckdb.connect(path): connect() caches
    # one instance per path, which would keep serving the replaced file after a write.
    figures = figures_path(live)
    for _attempt in range(50):
        con = duckdb.connect(":memory:")
        con.execute(f"attach {_quoted(live)} as live (read_only)")
        _check_ours(con, live)
        for candidate in (figures, _prev(figures)):
            try:
                con.execute(f"attach {_quoted(candidate)} as figures (read_only)")
            except duckdb.IOException:
                continue
            if _matches(con):
                return con
            con.execute("detach figures")
        if not figures.exists():
            # A database from before the figures had their own file: its own tables serve.
            return con
        con.close()
        # Between a records write's two renames: the pair is complete a moment later.
        time.sleep(0.05)
    raise StoreError(
        f"The figures beside {live} do not match its records. Rebuild them with: "
        f"python -m safeguarding refresh --db {live}"
    )


def reader(path: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only cursor on the live records and figures; reopened after every completed write.

    One connection per process per version of the files; each call returns a fresh cursor so
    threads do not share one. Cursors on a previous version stay valid until their readers finish.
    """
    live = db_path(path).resolve()
    if not live.exists():
        raise StoreError(
            f"No database at {live}. Build one with: python -m safeguarding demo --db {live}"
        )
    problem = not_a_database(live)
    if problem:
        raise StoreError(problem)
    if not figures_path(live).exists():
        probe = duckdb.connect(":memory:")
        probe.execute(f"attach {_quoted(live)} as live (read_only)")
        _check_ours(probe, live)
        probe.close()
        # First start on a database from before the figures had their own file.
        ensure_figures(live)
    ident = (_identity(live), _identity(figures_path(live)))
    with _readers_lock:
        current = _readers.get(live)
        if current is None or current[0] != ident:
            current = (ident, _open_read_only(live))
            _readers[live] = current
        cursor = current[1].cursor()
    cursor.execute("use live")
    has_figures = sql.scalar(
        cursor, "select count(*) from duckdb_databases() where database_name = 'figures'"
    )
    if has_figures:
        cursor.execute(SEARCH_PATH)
    return cursor


def version(path: str | os.PathLike[str] | None = None) -> int:
    """Changes whenever a write completes (records, figures or app state): a cache key for
    anything computed from the data."""
    # The figures are first caught up with a change of app state whose refresh was stopped.
    return hash(_catch_up(db_path(path).resolve())[1])


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return (
        dict(con.execute("select key, value from live.main.meta").fetchall())
        if _has_live(con)
        else dict(con.execute("select key, value from meta").fetchall())
    )


def _has_live(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        sql.scalar(con, "select count(*) from duckdb_databases() where database_name = 'live'")
    )


def set_meta(con: duckdb.DuckDBPyConnection, **values: str) -> None:
    for key, value in values.items():
        con.execute(
            "insert or replace into meta (key, value) values ($key, $value)",
            {"key": key, "value": str(value)},
        )
