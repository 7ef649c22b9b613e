"""Shared fixtures, named after the state they give."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from safeguarding import demo, store

# A fixed last month keeps every test's demo data identical whatever today's date is.
DEMO_LAST_MONTH = dt.date(2025, 12, 1)


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> str:
    """A demo database file for one force, January 2014 to December 2025 (built once)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with store.writer(path, fresh=True) as con:
        demo.build(con, seed=2014, last_month=DEMO_LAST_MONTH)
    return str(path)


@pytest.fixture
def demo_db(demo_db_path) -> duckdb.DuckDBPyConnection:
    """A read-only cursor on the shared demo database."""
    return store.reader(demo_db_path)


@pytest.fixture
def fresh_db_path(tmp_path) -> str:
    """A path where an empty database (schema only) has just been created."""
    path = tmp_path / "fresh.duckdb"
    with store.writer(path, fresh=True):
        pass
    return str(path)
