"""Shared fixtures, named after the state they give."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from handmade import TINY_FORCES

from safeguarding import demo, store

from backtest import DEMO_LAST_MONTH, DEMO_SEED


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> str:
    """A demo database file for one force, January 2014 to December 2025 (built once)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with store.writer(path, fresh=True) as con:
        demo.build(con, seed=DEMO_SEED, last_month=DEMO_LAST_MONTH)
    return str(path)


@pytest.fixture(scope="session")
def three_forces_built(tmp_path_factory) -> str:
    """Demo data for West Yorkshire and two more forces, January 2014 to June 2015, built once
    per run. Read it only: a module that writes, or starts the app on it, takes
    ``three_forces_path``."""
    path = tmp_path_factory.mktemp("tiny_forces") / "three.duckdb"
    with store.writer(path, fresh=True) as con:
        demo.build(con, seed=2014, forces=3, last_month=dt.date(2015, 6, 1))
    return str(path)


@pytest.fixture(scope="module")
def three_forces_path(three_forces_built, tmp_path_factory) -> str:
    """A test module's own copy of the three-force demo (records, figures and app state)."""
    return str(
        store.copy_database(three_forces_built, tmp_path_factory.mktemp("forces") / "three.duckdb")
    )


@pytest.fixture
def tiny_forces(tmp_path) -> str:
    """A database holding three forces (TINY_FORCES) of one district each, and nothing else."""
    path = tmp_path / "three.duckdb"
    with store.writer(path, fresh=True) as con:
        for i, force in enumerate(TINY_FORCES):
            con.execute("insert into districts values ($d, $f)", {"d": f"District {i}", "f": force})
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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's headless Chromium under Playwright, one per test session.

    One for every browser test module: Playwright's sync API runs an event loop while it is open,
    so a second sync_playwright() in the same process would refuse to start. Skips when Chromium
    is absent, except in CI (CI=true), where the browser tests must run.
    """
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (Debian package 'chromium')"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the browser tests.")
        pytest.skip(f"{reason}; install it, or run ./dev test as root to have it installed.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
