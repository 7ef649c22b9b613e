"""Adding a metric is its SQL file and its registry entry (and its golden test), nothing else.

A copy of the project gets one new metric, written the way docs/adding-a-metric.md says (a count
of missing-child reports graded medium risk); with no other edit it must reach the scorecard, the
SPC signals, its theme page, the quarterly review and the board pack, the parametrised query
tests must pick it up, and the frozen backtest must still pass. The copy runs in its own
process, so its registry and queries are the ones loaded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from safeguarding.paths import ROOT

NEW_ID = "misper_medium_risk_reports"
NEW_SQL = f"""-- {NEW_ID}
-- Missing-child reports graded medium risk, reported in the month.
-- grain: one row per report; kind count (the frame is derived by safeguarding/metrics.py)
-- contributes: numerator 1
-- params: $from_month, $to_month (DATE, first of month, inclusive)
-- source: missing_reports
with reports as (
    select report_ref, district, date_trunc('month', reported_at)::date as month, reported_at
    from missing_reports
    where risk_grade = 'medium'
      and reported_at >= $from_month::date
      and reported_at < $to_month::date + interval 1 month
),

final as (
    select report_ref, district, month, reported_at, 1 as numerator from reports
)

select * from final order by district, month, reported_at, report_ref
"""
NEW_ENTRY = f"""
[metrics.{NEW_ID}]
kind = "count"
title = "Medium-risk missing-child reports"
unit = "reports"
direction = "neutral"
definition = "Missing-child reports graded medium risk, reported in the month."
theme = "missing_children"
sources = ["missing_reports"]
finding = "2014 inspection: the response to missing children differed between districts."
"""

# Runs inside the copy: every place a metric should reach, as facts the test checks.
PROBE = """
import datetime as dt, json, sys
from pathlib import Path
from streamlit.testing.v1 import AppTest
import safeguarding
from safeguarding import demo, pack, review, scorecard, signals, store

sys.path.insert(0, "tests")
import backtest

new_id, out = sys.argv[1], {"package": safeguarding.__file__}
db = Path("probe.duckdb")
with store.writer(db, fresh=True) as con:
    demo.build(con, seed=backtest.DEMO_SEED, last_month=backtest.DEMO_LAST_MONTH)
con = store.reader(db)
# The frozen backtest compares the metrics it froze: a new metric must not fail it.
out["backtest"] = {n: backtest.differences(n, f) for n, f in backtest.outputs(con).items()}
card = scorecard.scorecard(con, dt.date(2024, 8, 1))
out["scorecard"] = card.loc[card["metric_id"] == new_id, ["district", "value"]].values.tolist()
sig = signals.for_month(con, dt.date(2024, 8, 1))
out["signals"] = sorted(sig.loc[sig["metric_id"] == new_id, "district"])
table = review.quarter_table(con, "2024Q3")
out["review"] = sorted(table.loc[table["metric_id"] == new_id, "district"])
content = pack.build_content(con, "2024Q3", today=dt.date(2025, 1, 10))
out["pack_series"] = bool(content["series"].get(new_id))
out["pack_mentions"] = json.dumps(content).count(new_id)
con.close()
import os
os.environ["SAFEGUARDING_DB"] = str(db.resolve())
at = AppTest.from_file("dashboard.py", default_timeout=120)
at.secrets = {"not_auth": {"note": "no sign-in configured"}}
at.run()
at.switch_page("pages/missing-children.py")
at.query_params["month"] = "2024-08"
at.run()
out["page_errors"] = [e.value for e in at.exception]
out["page_html"] = "".join(h.proto.body for h in at.get("html"))
print(json.dumps(out))
"""


def copy_project(target: Path) -> Path:
    ignore = shutil.ignore_patterns("*.duckdb*", "__pycache__", ".venv", ".git", "*.egg-info")
    for name in ("safeguarding", "queries", "data", "pages", "config", "tests"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("dashboard.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, target / name)
    return target


def add_metric(project: Path) -> None:
    """Exactly the two files docs/adding-a-metric.md asks for (its golden test aside)."""
    (project / "queries" / f"{NEW_ID}.sql").write_text(NEW_SQL, encoding="utf-8")
    registry = project / "queries" / "metrics.toml"
    registry.write_text(registry.read_text(encoding="utf-8") + NEW_ENTRY, encoding="utf-8")


def run_in(project: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("SAFEGUARDING_DB", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("project"))
    add_metric(project)
    return project


@pytest.mark.slow
def test_a_new_metric_reaches_every_view_with_no_other_edit(project):
    done = run_in(project, "-c", PROBE, NEW_ID)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(found["package"]).is_relative_to(project), "the copy's package was not the one run"
    areas = ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield", "West Yorkshire"]
    assert sorted(d for d, _ in found["scorecard"]) == areas
    force = dict(found["scorecard"])["West Yorkshire"]
    assert force == sum(v for d, v in found["scorecard"] if d != "West Yorkshire") > 0
    assert found["signals"] == areas
    assert found["backtest"] == {"scorecard.csv": "", "signals.csv": ""}
    assert found["review"] == areas
    assert found["pack_series"] and found["pack_mentions"] > 1
    assert found["page_errors"] == []
    assert "Medium-risk missing-child reports" in found["page_html"]
    assert f"metric?metric={NEW_ID}&amp;district=" in found["page_html"]


@pytest.mark.slow
def test_the_query_tests_take_the_new_metric_as_it_is(project):
    # The parametrised query tests cover it without an edit: run the ones it is a case of (the
    # rest are the suite's own, unchanged, and run there).
    done = run_in(
        project,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_queries.py",
        "-k",
        NEW_ID,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 8, done.stdout[-1000:]
