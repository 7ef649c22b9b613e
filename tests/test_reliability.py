"""Writes from many processes at once, writers killed half way, and readers that never see half.

Real processes (multiprocessing, fork), real files: SQLite's and DuckDB's own locking is what is
under test, so nothing is mocked.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import multiprocessing as mp
import os
import signal
import time

import pytest

from safeguarding import actions, appstore, rebases, store, target_setting, targets

CTX = mp.get_context("fork")


@pytest.fixture
def small_db(tmp_path) -> str:
    path = tmp_path / "small.duckdb"
    with store.writer(path, fresh=True) as con:
        con.execute("insert into districts values ('Leeds', 'West Yorkshire')")
    return str(path)


def _add_one(path: str, number: int, barrier) -> None:
    appstore.forget()  # a process of its own, with its own connection
    barrier.wait()
    actions.write(
        path, actions.add, quarter="2025Q1", text=f"Action number {number}", owner="Chair"
    )


def test_twenty_processes_adding_an_action_at_once_store_all_twenty_once(small_db):
    barrier = CTX.Barrier(20)
    workers = [CTX.Process(target=_add_one, args=(small_db, n, barrier)) for n in range(20)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * 20
    log = actions.listing(store.reader(small_db))
    assert sorted(log["text"]) == sorted(f"Action number {n}" for n in range(20))
    assert sorted(log["action_id"]) == list(range(1, 21))


def _write_and_hang(path: str, ready) -> None:
    appstore.forget()
    with appstore.open(path).write() as tx:
        actions.add(tx, quarter="2025Q1", text="Never committed", owner="Chair")
        ready.set()
        time.sleep(600)


def test_an_app_state_write_killed_half_way_loses_nothing_and_blocks_nothing(small_db):
    kept = actions.write(small_db, actions.add, quarter="2025Q1", text="Committed", owner="Chair")
    ready = CTX.Event()
    victim = CTX.Process(target=_write_and_hang, args=(small_db, ready))
    victim.start()
    assert ready.wait(30)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join()
    started = time.perf_counter()
    after = actions.write(small_db, actions.add, quarter="2025Q1", text="Next", owner="Chair")
    assert time.perf_counter() - started < 5  # no stale lock to wait out
    log = actions.listing(store.reader(small_db))
    assert list(log["text"]) == ["Committed", "Next"]
    assert after == kept + 1


def _records_write_and_hang(path: str, ready) -> None:
    with store.writer(path) as con:
        con.execute("insert into districts values ('Wakefield', 'West Yorkshire')")
        ready.set()
        time.sleep(600)


def test_a_records_write_killed_half_way_leaves_the_files_as_they_were(small_db):
    before = store.version(small_db)
    ready = CTX.Event()
    victim = CTX.Process(target=_records_write_and_hang, args=(small_db, ready))
    victim.start()
    assert ready.wait(30)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join()
    assert store.version(small_db) == before
    with store.writer(small_db) as con:  # the lock died with the process
        con.execute("insert into districts values ('Kirklees', 'West Yorkshire')")
    rows = store.reader(small_db).execute("select district from districts order by 1").fetchall()
    assert rows == [("Kirklees",), ("Leeds",)]


def _read_throughout(path: str, stop, errors, seen) -> None:
    appstore.forget()
    while not stop.is_set():
        try:
            con = store.reader(path)
            count = len(actions.listing(con))
            periods = con.execute(
                "select count(distinct period) from metric_signals "
                "where metric_id = 'iioc_turnaround_days' and district = 'Leeds'"
            ).fetchone()[0]
            seen.append((count, periods))
        except Exception as exc:  # the test is that there are none
            errors.append(repr(exc))


def test_a_reader_open_throughout_sees_old_or_new_data_never_an_error(demo_db_path, tmp_path):
    path = str(store.copy_database(demo_db_path, tmp_path / "busy.duckdb"))
    manager = CTX.Manager()
    stop, errors, seen = manager.Event(), manager.list(), manager.list()
    readers = [
        CTX.Process(target=_read_throughout, args=(path, stop, errors, seen)) for _ in range(2)
    ]
    for r in readers:
        r.start()
    try:
        for n in range(5):
            actions.write(path, actions.add, quarter="2025Q1", text=f"Live {n}", owner="Chair")
        rebases.record(
            path,
            metric_id="iioc_turnaround_days",
            district="Leeds",
            month=dt.date(2024, 4, 1),
            reason="Second examination lab opened",
            agreed_by="Performance board",
            agreed_on=dt.date(2024, 5, 2),
        )
        time.sleep(1)
    finally:
        stop.set()
        for r in readers:
            r.join(timeout=60)
    assert list(errors) == []
    counts = [c for c, _ in seen]
    assert counts and set(counts) <= set(range(6))
    periods = sorted({p for _, p in seen})
    assert len(periods) <= 2  # before the rebase, or after it: nothing in between
    assert periods[-1] == periods[0] + (1 if len(periods) == 2 else 0)


def _set_target(path: str) -> None:
    appstore.forget()
    target_setting.set_target(
        path,
        by="Chief Constable",
        metric_id=TARGET_METRIC,
        district="Leeds",
        effective_from=dt.date(2014, 1, 1),
        target=5.0,
        reason="Set while an import ran",
    )


TARGET_METRIC = "iioc_turnaround_days"


def _leeds_target(path: str) -> float:
    frame = targets.figures(store.reader(path), metric_id=TARGET_METRIC, districts=["Leeds"])
    return float(frame.iloc[-1]["target"])


def test_a_target_saved_whose_refresh_was_killed_is_caught_up_on_the_next_read(
    demo_db_path, tmp_path
):
    db = str(store.copy_database(demo_db_path, tmp_path / "demo.duckdb"))
    was = _leeds_target(db)
    logged = len(targets.changes(appstore.open(db)))
    # A long write (an import) holds the database: the change is saved in the app state, and its
    # refresh queues for the lock; the process is killed there.
    with open(db + ".lock", "a+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        setter = CTX.Process(target=_set_target, args=(db,))
        setter.start()
        deadline = time.monotonic() + 60
        while len(targets.changes(appstore.open(db))) == logged:
            assert time.monotonic() < deadline, "the change was never saved"
            time.sleep(0.05)
        os.kill(setter.pid, signal.SIGKILL)
        setter.join()
        assert _leeds_target(db) == was  # the figures are behind the saved change
        started = time.perf_counter()
        assert store.catch_up(db) is False  # not while another writer holds the database
        assert time.perf_counter() - started < 5  # and without waiting for it
        fcntl.flock(holder, fcntl.LOCK_UN)
    store.version(db)  # what every page run asks first
    assert _leeds_target(db) == 5.0
    assert store.catch_up(db) is False  # in step: nothing more to do
