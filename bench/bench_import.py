"""Benchmark of an import: validate and load a 1,000,000-row missing-reports CSV.

Not a test: it prints figures. Run:  python bench/bench_import.py [--rows 1000000] [--keep DIR]
Goal on a 2-core machine: validate and load a million rows in under 20 s.

The demo database and the CSV (valid rows with realistic values, a few queries) are made in a
separate process, so the peak memory printed is the import's own, not the generator's. Phases:

* check      validation only, through a read-only reader (what the Data page does on upload);
* import     the whole write: copy the database, read and validate the file again, update and
             insert, recompute every metric and its SPC signals, audit, atomic replace; the
             lines under it split that time by step;
* again      the same file a second time (every record unchanged).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safeguarding import imports, store  # noqa: E402

LAST_MONTH = dt.date(2025, 12, 1)
TODAY = dt.date(2026, 1, 15)


def setup(workdir: str, rows: int) -> None:
    """Build the demo database and write the CSV (run in a child process)."""
    import duckdb
    import numpy as np
    import pandas as pd

    from safeguarding import demo

    with store.writer(Path(workdir) / "bench.duckdb", fresh=True) as con:
        demo.build(con, last_month=LAST_MONTH)
    rng = np.random.default_rng(2014)
    reported = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        rng.integers(0, 700 * 24 * 60, rows), unit="min"
    )
    grade = rng.choice(["high", "medium", "low", "no_apparent_risk"], rows, p=[0.1, 0.4, 0.3, 0.2])
    attended = reported + pd.to_timedelta(rng.integers(5, 240, rows), unit="min")
    reviewed = reported + pd.to_timedelta(rng.integers(30, 48 * 60, rows), unit="min")
    found = reported + pd.to_timedelta(rng.integers(60, 96 * 60, rows), unit="min")
    interview = found + pd.to_timedelta(rng.integers(60, 120 * 60, rows), unit="min")
    frame = pd.DataFrame(
        {
            "report_ref": [f"BENCH-{i:08d}" for i in range(rows)],
            "child_ref": [f"BC-{i:07d}" for i in rng.integers(0, rows // 4, rows)],
            "district": rng.choice(list(demo.WY_DISTRICTS), rows),
            "age": rng.integers(5, 18, rows),
            "risk_grade": grade,
            "reported_at": reported,
            # about 1 in 50 high-risk reports have no attendance time: queries, not errors
            "attended_at": attended.where(rng.random(rows) > 0.02),
            "supervisor_review_at": reviewed,
            "found_at": found,
            "return_interview_at": interview.where(rng.random(rows) > 0.3),
        }
    )
    con = duckdb.connect()
    con.register("frame", frame)
    target = str(Path(workdir) / "missing_reports.csv").replace("'", "''")
    con.execute(
        f"copy (select * from frame) to '{target}' "
        "(format csv, header true, timestampformat '%Y-%m-%d %H:%M:%S')"
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def timed_steps() -> dict[str, float]:
    """Wrap the import's steps (as the load module calls them) so their share is printed."""
    spent: dict[str, float] = {}

    def wrap(name: str, fn: Callable) -> Callable:
        def inner(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

        return inner

    for attr, name in (
        ("_stage", "read and validate"),
        ("_upsert", "update and insert"),
        ("_refresh", "metrics and SPC refresh"),
        ("_audit", "audit row"),
    ):
        setattr(imports.load, attr, wrap(name, getattr(imports.load, attr)))
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    args = parser.parse_args()
    holder = None if args.keep else tempfile.TemporaryDirectory()
    workdir = Path(args.keep or holder.name)
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(
        target=setup, args=(str(workdir), args.rows)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit("setup failed")
    db = workdir / "bench.duckdb"
    csv = workdir / "missing_reports.csv"
    print(
        f"setup (demo database + CSV, not measured) {time.perf_counter() - start:6.1f} s; "
        f"CSV {csv.stat().st_size / 1e6:,.0f} MB, database {db.stat().st_size / 1e6:,.0f} MB"
    )
    print(f"baseline peak RSS {peak_mb():8.0f} MB")

    start = time.perf_counter()
    name, data = imports.read_path(csv)
    read_s = time.perf_counter() - start
    print(f"read file        {read_s:6.2f} s   peak RSS {peak_mb():6.0f} MB")

    start = time.perf_counter()
    report = imports.check(db, "missing_reports", data, name, today=TODAY)
    check_s = time.perf_counter() - start
    print(
        f"check            {check_s:6.2f} s   peak RSS {peak_mb():6.0f} MB   "
        f"{args.rows / check_s:,.0f} rows/s   ({report.summary()})"
    )
    if not report.ok:
        raise SystemExit(f"the generated file has errors: {report.problems.head()}")

    spent = timed_steps()
    start = time.perf_counter()
    result = imports.import_file(db, "missing_reports", data, name, by="bench", today=TODAY)
    import_s = time.perf_counter() - start
    print(
        f"import           {import_s:6.2f} s   peak RSS {peak_mb():6.0f} MB   "
        f"{args.rows / import_s:,.0f} rows/s   ({result.outcome}: {result.message})"
    )
    steps = sum(spent.values())
    for step, seconds in spent.items():
        print(f"  {step:<24} {seconds:6.2f} s")
    print(f"  {'copy, commit, replace':<24} {import_s - steps:6.2f} s")

    spent.clear()
    start = time.perf_counter()
    again = imports.import_file(db, "missing_reports", data, name, by="bench", today=TODAY)
    again_s = time.perf_counter() - start
    print(f"again (same file) {again_s:5.2f} s   peak RSS {peak_mb():6.0f} MB   ({again.outcome})")
    verdict = "met" if import_s < 20 else "NOT met"
    print(f"goal: validate and load {args.rows:,} rows under 20 s: {verdict} ({import_s:.1f} s)")
    if holder:
        holder.cleanup()


if __name__ == "__main__":
    main()
