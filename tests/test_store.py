"""Writes are all or nothing, and readers see the new data without reopening by hand."""

from __future__ import annotations

import pytest

from safeguarding import store


def test_a_failed_write_leaves_the_stored_data_exactly_as_it_was(fresh_db_path):
    with store.writer(fresh_db_path) as con:
        con.execute("insert into districts values ('North', 'Testshire')")
    before = store.version(fresh_db_path)
    with pytest.raises(RuntimeError), store.writer(fresh_db_path) as con:
        con.execute("insert into districts values ('South', 'Testshire')")
        raise RuntimeError("import failed half way")
    assert store.version(fresh_db_path) == before
    rows = store.reader(fresh_db_path).execute("select district from districts").fetchall()
    assert rows == [("North",)]


def test_a_write_that_commits_part_way_then_fails_still_leaves_the_stored_data_alone(
    fresh_db_path,
):
    with store.writer(fresh_db_path) as con:
        con.execute("insert into districts values ('North', 'Testshire')")
    before = store.version(fresh_db_path)
    with pytest.raises(RuntimeError), store.writer(fresh_db_path) as con:
        con.execute("insert into districts values ('South', 'Testshire')")
        assert store.commit_so_far(con)  # committed to the write's private copy only
        con.execute("insert into districts values ('East', 'Testshire')")
        raise RuntimeError("build failed after its first force")
    assert store.version(fresh_db_path) == before
    rows = store.reader(fresh_db_path).execute("select district from districts").fetchall()
    assert rows == [("North",)]
    with store.writer(fresh_db_path) as con:  # and the next write is not blocked
        con.execute("insert into districts values ('West', 'Testshire')")
        assert store.commit_so_far(con)
        con.execute("insert into districts values ('East', 'Testshire')")
    rows = store.reader(fresh_db_path).execute("select district from districts order by 1")
    assert rows.fetchall() == [("East",), ("North",), ("West",)]
    assert not store.commit_so_far(store.reader(fresh_db_path))  # not a writer's connection


def test_a_reader_sees_a_completed_write_without_a_restart(fresh_db_path):
    first = store.reader(fresh_db_path)
    assert first.execute("select count(*) from districts").fetchone() == (0,)
    with store.writer(fresh_db_path) as con:
        con.execute("insert into districts values ('North', 'Testshire')")
    assert store.reader(fresh_db_path).execute("select count(*) from districts").fetchone() == (1,)
    # a cursor opened before the write still reads the version it started with
    assert first.execute("select count(*) from districts").fetchone() == (0,)


def test_a_reader_cannot_write(fresh_db_path):
    import duckdb

    # Refused because the file is open read-only, not for any other fault of the statement (a
    # typo in the table name would raise a duckdb.Error too).
    with pytest.raises(duckdb.InvalidInputException, match="attached in read-only mode"):
        store.reader(fresh_db_path).execute("insert into districts values ('X', 'Y')")
    assert store.reader(fresh_db_path).execute("select count(*) from districts").fetchone() == (0,)


def test_build_if_absent_builds_once(tmp_path):
    path = tmp_path / "first.duckdb"
    calls = []

    def build(con):
        calls.append(1)
        con.execute("insert into districts values ('North', 'Testshire')")

    assert store.build_if_absent(path, build) is True
    assert store.build_if_absent(path, build) is False
    assert calls == [1]


def test_reading_a_missing_database_says_how_to_build_one(tmp_path):
    with pytest.raises(store.StoreError, match="python -m safeguarding demo"):
        store.reader(tmp_path / "nothing.duckdb")
