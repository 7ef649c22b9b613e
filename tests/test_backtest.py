"""The frozen backtest: the demo's scorecard and signals for two quarters equal the committed files.

A failure lists every row that changed. If the change is intended, regenerate the files with
``python tests/backtest.py --write`` and commit them with the change (see tests/backtest.py).
"""

from __future__ import annotations

import pytest

import backtest


@pytest.mark.parametrize("name", ["scorecard.csv", "signals.csv"])
def test_the_demo_quarters_match_the_frozen_files(demo_db, name):
    computed = backtest.outputs(demo_db)[name]
    assert len(computed) > 0
    assert backtest.differences(name, computed) == ""


def test_the_comparison_reports_a_changed_figure(demo_db):
    # Guards the guard: a one-digit change in one figure must be reported, not rounded away.
    computed = backtest.outputs(demo_db)["scorecard.csv"].copy()
    row = computed.index[computed["value"].notna()][0]
    computed.loc[row, "value"] = computed.loc[row, "value"] * (1 + 1e-9)
    report = backtest.differences("scorecard.csv", computed)
    assert f"{computed.loc[row, 'metric_id']} {computed.loc[row, 'district']}" in report
    assert "value" in report


def test_the_comparison_reports_a_missing_row(demo_db):
    computed = backtest.outputs(demo_db)["signals.csv"]
    report = backtest.differences("signals.csv", computed.iloc[1:])
    first = computed.iloc[0]
    assert f"only frozen: {first['metric_id']} {first['district']} {first['month']}" in report
