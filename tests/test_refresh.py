"""The refresh pipeline recomputes only what changed, and the result equals a full rebuild.

A short demo (January 2014 to June 2015) is the base. Hypothesis draws imports of changed and new
records (dates moved earlier or later, references added) into the tables whose metrics look back
over time (the 90-day repeat-missing window, cases open more than 30 days or 3 months, visits
overdue); after each, every figure and signal must be exactly what a full rebuild gives. On a
three-force base the same holds for an import of one force's records, which recomputes that force
only; and figures computed force by force equal those computed over every force at once.
"""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguarding import (
    contract,
    demo,
    imports,
    metrics,
    rebases,
    refresh,
    signals,
    store,
    target_setting,
)

LAST = dt.date(2015, 6, 1)
TODAY = dt.date(2015, 7, 15)
TABLES = ["missing_reports", "forensic_cases", "investigations", "offender_visits"]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("refresh") / "base.duckdb"
    with store.writer(path, fresh=True) as con:
        demo.build(con, seed=7, last_month=LAST)
    return str(path)


@pytest.fixture(scope="module")
def three_forces(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("refresh3") / "three.duckdb"
    with store.writer(path, fresh=True) as con:
        demo.build(con, seed=7, forces=3, last_month=LAST)
    return str(path)


FORCES = ["West Yorkshire", "Force 02", "Force 03"]


def figures_of(path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(":memory:")
    quoted = str(store.figures_path(path)).replace("'", "''")
    con.execute(f"attach '{quoted}' as f (read_only)")
    out = {
        table: con.execute(f"select * from f.main.{table} order by all").df()
        for table in ("metric_values", "metric_signals")
    }
    con.close()
    return out


def rebuilt(path, tmp_path, name: str) -> dict[str, pd.DataFrame]:
    """The figures a full rebuild gives for the same records and app state."""
    copy = store.copy_database(path, tmp_path / f"{name}.duckdb")
    with store.figures_writer(copy) as con:
        refresh.after_records(con, tables=None)
    return figures_of(copy)


def assert_same_figures(path, tmp_path, name: str) -> None:
    incremental, full = figures_of(path), rebuilt(path, tmp_path, name)
    for table in incremental:
        pd.testing.assert_frame_equal(
            incremental[table].reset_index(drop=True), full[table].reset_index(drop=True)
        )


def extract(path, table: str) -> pd.DataFrame:
    """The stored rows of a table as an import file's text values."""
    out = io.StringIO()
    con = store.reader(path)
    frame = con.execute(f'select * from "{table}"').df()
    frame.to_csv(out, index=False)
    return pd.read_csv(io.StringIO(out.getvalue()), dtype=str, keep_default_na=False)


def extract_for_force(path, table: str, force: str) -> pd.DataFrame:
    """``extract`` of one force's rows (a visit is its offender's district's)."""
    con = store.reader(path)
    through = {"offender_visits": ("offender_ref", "offenders")}
    if table in through:
        key, parent = through[table]
        query = (
            f"select t.* from {table} as t join {parent} as p on p.{key} = t.{key} "
            "join districts as d on d.district = p.district where d.force = $f"
        )
    else:
        query = (
            f"select t.* from {table} as t join districts as d on d.district = t.district "
            "where d.force = $f"
        )
    out = io.StringIO()
    con.execute(query, {"f": force}).df().to_csv(out, index=False)
    return pd.read_csv(io.StringIO(out.getvalue()), dtype=str, keep_default_na=False)


def shifted(frame: pd.DataFrame, table: str, days: int) -> pd.DataFrame:
    """Every date of the rows moved by ``days`` (so their order, which the rules check, holds)."""
    out = frame.copy()
    for column in contract.get(table).columns:
        if column.kind not in ("date", "timestamp") or column.month_start:
            continue
        values = pd.to_datetime(out[column.name].replace("", None))
        moved = values + pd.Timedelta(days=days)
        fmt = "%Y-%m-%d" if column.kind == "date" else "%Y-%m-%d %H:%M:%S"
        out[column.name] = moved.dt.strftime(fmt).fillna("")
    return out


def ready(frame: pd.DataFrame, latest: pd.Timestamp) -> pd.DataFrame:
    """Rows whose dates stay within the data's period (a future date is rejected)."""
    keep = pd.Series(True, index=frame.index)
    for name in frame.columns:
        parsed = pd.to_datetime(frame[name].replace("", None), errors="coerce", format="mixed")
        if parsed.notna().any() and name not in ("district",):
            keep &= parsed.isna() | (parsed <= latest)
            keep &= parsed.isna() | (parsed >= pd.Timestamp("2014-01-01"))
    return frame[keep]


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    table=st.sampled_from(TABLES),
    picks=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6),
    days=st.integers(min_value=-200, max_value=60),
    new_rows=st.integers(min_value=0, max_value=3),
)
def test_an_import_refreshes_to_exactly_what_a_full_rebuild_gives(
    base, tmp_path_factory, table, picks, days, new_rows
):
    work = tmp_path_factory.mktemp("example")
    path = store.copy_database(base, work / "db.duckdb")
    import_and_compare(path, work, table, extract(path, table), picks, days, new_rows)


def import_and_compare(path, work, table, stored, picks, days, new_rows, force=None) -> None:
    """Import some of ``stored`` changed (dates moved by ``days``) and ``new_rows`` new ones,
    then check every figure and signal equals a full rebuild's."""
    rows = stored.iloc[sorted({p % len(stored) for p in picks})]
    changed = shifted(rows, table, days)
    key = contract.get(table).key[0]
    fresh = shifted(rows.head(new_rows), table, days // 2)
    fresh[key] = fresh[key] + "-NEW"
    incoming = ready(pd.concat([changed, fresh]), pd.Timestamp("2015-06-30 23:59"))
    if incoming.empty:
        return
    data = incoming.to_csv(index=False).encode()
    result = imports.import_file(path, table, data, f"{table}.csv", today=TODAY, force=force)
    assert result.outcome in ("loaded", "unchanged"), result.message
    assert_same_figures(path, work, "full")


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    table=st.sampled_from(TABLES),
    force=st.sampled_from(FORCES),
    picks=st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=6),
    days=st.integers(min_value=-200, max_value=60),
    new_rows=st.integers(min_value=0, max_value=3),
)
def test_an_import_for_one_force_of_several_refreshes_to_what_a_full_rebuild_gives(
    three_forces, tmp_path_factory, table, force, picks, days, new_rows
):
    work = tmp_path_factory.mktemp("example3")
    path = store.copy_database(three_forces, work / "db.duckdb")
    stored = extract_for_force(path, table, force)
    import_and_compare(path, work, table, stored, picks, days, new_rows, force=force)


def test_an_import_for_one_force_recomputes_that_forces_figures_only(
    three_forces, tmp_path, monkeypatch
):
    path = store.copy_database(three_forces, tmp_path / "db.duckdb")
    rows = extract_for_force(path, "missing_reports", "Force 02").head(3)
    rows = shifted(rows, "missing_reports", 5)
    scopes: list[list[str]] = []
    real = refresh.scoped

    def spy(con, forces):
        scopes.append(sorted(forces))
        return real(con, forces)

    monkeypatch.setattr(refresh, "scoped", spy)
    data = rows.to_csv(index=False).encode()
    result = imports.import_file(
        path, "missing_reports", data, "mr.csv", today=TODAY, force="Force 02"
    )
    assert result.outcome == "loaded", result.message
    assert scopes and all(scope == ["Force 02"] for scope in scopes)
    # A visit is its offender's force's: a visits import is that force's too.
    scopes.clear()
    visits = shifted(
        extract_for_force(path, "offender_visits", "Force 03").head(2), "offender_visits", 3
    )
    result = imports.import_file(
        path, "offender_visits", visits.to_csv(index=False).encode(), "v.csv", today=TODAY
    )
    assert result.outcome == "loaded", result.message
    assert scopes and all(scope == ["Force 03"] for scope in scopes)


def test_figures_computed_force_by_force_equal_those_over_every_force_at_once(
    three_forces, tmp_path
):
    copy = store.copy_database(three_forces, tmp_path / "at-once.duckdb")
    with store.figures_writer(copy) as con:
        first, last = refresh._period(con)
        assert first is not None and last is not None
        metrics.refresh(con, first, last)  # every force in one statement per metric
        signals.refresh(con)
    at_once, by_force = figures_of(copy), figures_of(three_forces)
    for table in at_once:
        assert len(by_force[table]) > 0
        pd.testing.assert_frame_equal(at_once[table], by_force[table])


def test_a_rebase_and_a_target_change_refresh_to_what_a_full_rebuild_gives(base, tmp_path):
    path = store.copy_database(base, tmp_path / "db.duckdb")
    rebases.record(
        path,
        metric_id="misper_return_interview_72h",
        district="Leeds",
        month=dt.date(2014, 11, 1),
        reason="New return-interview service",
        agreed_by="Performance board",
        agreed_on=dt.date(2015, 1, 5),
    )
    assert_same_figures(path, tmp_path, "after-rebase")
    target_setting.set_target(
        path,
        by="Chief Constable",
        metric_id="misper_return_interview_72h",
        district="Kirklees",
        effective_from=dt.date(2015, 1, 1),
        target=70.0,
        reason="Local recovery plan",
    )
    assert_same_figures(path, tmp_path, "after-target")


def test_a_rebase_recomputes_only_its_own_series(base, tmp_path):
    path = store.copy_database(base, tmp_path / "db.duckdb")
    before = figures_of(path)["metric_signals"]
    rebases.record(
        path,
        metric_id="iioc_turnaround_days",
        district="Leeds",
        month=dt.date(2014, 10, 1),
        reason="Second examination lab opened",
        agreed_by="Performance board",
        agreed_on=dt.date(2015, 1, 5),
    )
    after = figures_of(path)["metric_signals"]
    merged = before.merge(after, on=["metric_id", "district", "month"], suffixes=("_a", "_b"))
    moved = merged[
        (merged["mean_a"] != merged["mean_b"]) & merged[["mean_a", "mean_b"]].notna().all(axis=1)
    ]
    assert set(zip(moved["metric_id"], moved["district"], strict=True)) == {
        ("iioc_turnaround_days", "Leeds")
    }
