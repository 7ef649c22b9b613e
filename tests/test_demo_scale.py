"""The demo at several forces: progress per force, invented peer groups, and West Yorkshire's
records the same whatever else is built."""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import pytest

from safeguarding import demo, metrics, peers, store

LAST = dt.date(2015, 3, 1)


def build(forces: int, progress=None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    store.create_schema(con)
    demo.build(con, seed=2014, forces=forces, last_month=LAST, progress=progress)
    return con


@pytest.fixture(scope="module")
def one_force():
    return build(1)


@pytest.fixture(scope="module")
def three_forces():
    calls = []
    con = build(3, progress=lambda done, total, what: calls.append((done, total, what)))
    return con, calls


def west_yorkshire_rows(con, table: str) -> list:
    return con.execute(
        f"select * exclude (district) from {table} where district in "
        "(select district from districts where force = 'West Yorkshire') order by all"
    ).fetchall()


@pytest.mark.parametrize("table", ["offenders", "missing_reports", "workforce", "conferences"])
def test_west_yorkshire_is_the_same_with_or_without_other_forces(one_force, three_forces, table):
    assert west_yorkshire_rows(one_force, table) == west_yorkshire_rows(three_forces[0], table)


def test_the_august_2014_calibration_holds_in_a_several_force_build(three_forces):
    # demo.build writes the records; the figures are computed from them as the write closes.
    august = dt.date(2014, 8, 1)
    frame = metrics.compute_frame(
        three_forces[0], "rso_caseload_per_officer", august, august
    ).set_index("district")
    assert frame.loc["Kirklees", "value"] == pytest.approx(100, abs=4)
    assert frame.loc["Calderdale", "value"] == pytest.approx(58, abs=3)


def test_progress_is_reported_once_per_force_for_records_alone(three_forces):
    # An in-memory build writes records only: its bar counts the forces' records.
    _, calls = three_forces
    assert calls == [
        (1, 3, "records: West Yorkshire"),
        (2, 3, "records: Force 02"),
        (3, 3, "records: Force 03"),
    ]


def test_a_stored_build_reports_each_forces_records_then_each_forces_figures(tmp_path):
    calls = []
    with store.writer(tmp_path / "two.duckdb", fresh=True) as con:
        demo.build(con, forces=2, last_month=LAST, progress=lambda *call: calls.append(call))
        assert len(calls) == 2  # the figures are computed as the write closes
    assert calls == [
        (1, 4, "records: West Yorkshire"),
        (2, 4, "records: Force 02"),
        (3, 4, "figures: Force 02"),
        (4, 4, "figures: West Yorkshire"),
    ]
    con = store.reader(tmp_path / "two.duckdb")
    forces_with_figures = con.execute(
        "select count(distinct d.force) from metric_values v "
        "join districts d on d.district = v.district"
    ).fetchone()[0]
    assert forces_with_figures == 2


def test_every_demo_force_gets_an_invented_group_of_the_others(three_forces):
    groups = peers.groups(three_forces[0])
    assert groups == {
        "Force 02": ["Force 03", "West Yorkshire"],
        "Force 03": ["Force 02", "West Yorkshire"],
        "West Yorkshire": ["Force 02", "Force 03"],
    }


def test_the_terminal_bar_redraws_in_place_on_a_terminal_and_writes_lines_to_a_log():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, log = Tty(), io.StringIO()
    for stream in (tty, log):
        bar = demo.TerminalProgress(stream, width=10)
        bar(1, 2, "West Yorkshire")
        bar(2, 2, "metrics and SPC signals")
    assert tty.getvalue().startswith("\r[#####-----] 1/2 West Yorkshire")
    assert tty.getvalue().count("\r") == 2 and tty.getvalue().endswith("s\n")
    lines = log.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith("[##########] 2/2 metrics and SPC signals")
