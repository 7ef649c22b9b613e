"""The one signals table: every figure has its SPC verdict, the same wherever it is shown."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from safeguarding import rebases, registry, signals, spc, store

from cli_runner import run


@pytest.fixture
def own_demo_path(demo_db_path, tmp_path) -> str:
    """A private copy of the demo database that a test may write to."""
    path = tmp_path / "own.duckdb"
    store.copy_database(demo_db_path, path)
    return str(path)


def test_every_figure_has_a_signals_row(demo_db):
    missing = demo_db.execute(
        """
        select count(*) from metric_values v
        anti join metric_signals s using (metric_id, district, month)
        """
    ).fetchone()[0]
    total = demo_db.execute("select count(*) from metric_values").fetchone()[0]
    assert missing == 0
    assert demo_db.execute("select count(*) from metric_signals").fetchone()[0] == total
    areas = demo_db.execute(
        "select count(*) from metric_signals where month = '2025-12-01'"
    ).fetchone()[0]
    # district metrics x (5 districts + force) + force-only metrics x the force
    scopes = [m.scope for m in registry.metrics().values()]
    assert areas == scopes.count("district") * 6 + scopes.count("force")
    # a month without a figure (no cases) is the only month without a verdict
    unexplained = demo_db.execute(
        "select count(*) from metric_signals where (value is null) != (variation is null)"
    ).fetchone()[0]
    assert unexplained == 0


def test_a_stored_series_is_the_xmr_chart_of_its_figures(demo_db):
    metric = registry.get("rso_caseload_per_officer")
    stored = signals.series(demo_db, metric.id, districts=["Kirklees"])
    months = pd.to_datetime(stored["month"])
    register = rebases.listing(demo_db, metric.id)
    register = register[register["district"] == "Kirklees"]
    positions = [int((months == pd.Timestamp(m)).argmax()) for m in register["month"]]
    expected = spc.xmr(
        stored["value"].to_numpy(),
        improvement=metric.improvement,
        target=stored["target"].to_numpy(),
        rebase=positions,
    )
    assert positions == [51]  # April 2018, the demo's recorded rebase
    for column in ("mean", "lpl", "upl"):
        assert stored[column].to_numpy() == pytest.approx(expected[column].to_numpy())
    assert stored["point_type"].tolist() == expected["point_type"].tolist()
    assert stored["variation"].tolist() == expected["variation"].tolist()
    assert stored["period"].tolist() == expected["period"].tolist()
    # Kirklees' caseload fell below the post-2018 average: an improvement signal at the end
    assert stored["variation"].iloc[-1] == "improvement_low"


def test_the_demo_charts_start_new_limits_at_recorded_rebases(demo_db):
    periods = demo_db.execute(
        """
        select metric_id, min(month) filter (where period = 1) as first_month, max(period)
        from metric_signals where district = 'Leeds' group by metric_id
        """
    ).df()
    by_metric = periods.set_index("metric_id")
    assert by_metric.loc["iioc_turnaround_days", "first_month"] == pd.Timestamp("2022-01-01")
    assert by_metric.loc["misper_high_risk_attended_60m", "first_month"] == pd.Timestamp(
        "2018-04-01"
    )
    assert by_metric["max(period)"].max() == 1


def test_cli_scorecard_shows_the_same_icons_as_the_table(capsys, demo_db_path, demo_db):
    code, out, err = run(
        capsys, "scorecard", "--month", "2025-12", "--db", demo_db_path, "--format", "csv"
    )
    assert code == 0, err
    printed = {(r["metric"], r["district"]): r for r in csv.DictReader(io.StringIO(out))}
    stored = signals.for_month(demo_db, dt.date(2025, 12, 1))
    assert len(stored) == len(printed)
    for row in stored.itertuples():
        shown = printed[(row.metric_id, row.district)]
        if pd.isna(row.variation):
            assert shown["variation"] == "no figure this month"
            continue
        assert shown["variation"] == signals.ICON_WORDS[row.variation]
        assurance = None if pd.isna(row.assurance) else row.assurance
        assert shown["assurance"] == signals.ASSURANCE_WORDS[assurance]


def test_cli_signals_prints_each_chart_in_a_sentence(capsys, demo_db_path):
    code, out, err = run(
        capsys,
        "signals",
        "--month",
        "2025-12",
        "--metric",
        "rso_caseload_per_officer",
        "--db",
        demo_db_path,
        "--format",
        "csv",
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["district"] for r in rows] == [
        "Bradford",
        "Calderdale",
        "Kirklees",
        "Leeds",
        "Wakefield",
        "West Yorkshire",
    ]
    kirklees = next(r for r in rows if r["district"] == "Kirklees")
    assert kirklees["summary"].startswith("Kirklees, sex offenders per offender manager: ")
    assert "special cause of improvement" in kirklees["summary"]


def test_cli_signals_for_a_month_without_data_is_a_clear_error(capsys, demo_db_path):
    code, _, err = run(capsys, "signals", "--month", "2030-01", "--db", demo_db_path)
    assert code == 2
    assert "No signals for 2030-01; the data runs to 2025-12-31." in err


def test_a_rebase_recalculates_the_signals_and_removing_it_restores_them(own_demo_path):
    key = {"metric_id": "misper_return_interview_72h", "district": "Calderdale"}
    before = signals.series(store.reader(own_demo_path), key["metric_id"], districts=["Calderdale"])
    rebases.record(
        own_demo_path,
        **key,
        month=dt.date(2023, 1, 1),
        reason="Return interviews brought in house",
        agreed_by="Performance board",
        agreed_on=dt.date(2023, 2, 1),
    )
    after = signals.series(store.reader(own_demo_path), key["metric_id"], districts=["Calderdale"])
    assert after["period"].max() == before["period"].max() + 1
    new = after[pd.to_datetime(after["month"]) >= "2023-01-01"]
    assert new["mean"].nunique() == 1
    assert new["mean"].iloc[0] != pytest.approx(before["mean"].iloc[-1])

    rebases.withdraw(own_demo_path, **key, month=dt.date(2023, 1, 1))
    restored = signals.series(
        store.reader(own_demo_path), key["metric_id"], districts=["Calderdale"]
    )
    pd.testing.assert_frame_equal(restored, before)
