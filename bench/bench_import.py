"""Benchmark of an import: validate and load a 1,000,000-row missing-reports CSV.

Not a test: it prints figures. Run:
    python bench/bench_import.py [--rows 1000000] [--keep DIR] [--before REV]
Goals on a 2-core machine: the import within 2x the time of DuckDB's own read_csv of the same
file into the typed table (the floor), and its peak memory within 2x of the floor's.

The demo database and the CSV (valid rows with realistic values, a few queries) are made in a
separate process, and every phase runs in a fresh process of its own, so each peak memory
printed is that phase's alone. Phases:

* floor      DuckDB read_csv of the file, typed as the schema says, into the missing_reports
             table of an in-memory database built from data/schema.sql: no checks at all; then
             the same into a copy of the demo database file, committed and checkpointed, to show
             what writing the rows durably costs by itself (the goals use the first);
* check      validation only, through a read-only reader (what the Data page does on upload);
* import     the whole write: copy the database, read and validate the file again, update and
             insert, recompute every metric and its SPC signals, audit, atomic replace; the
             lines under it split that time by step;
* again      the same file a second time (every record unchanged).

``--before REV`` runs check and import a second time with safeguarding/imports(.py) as it was
at git revision REV, on a fresh copy of the same database: before and after in one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import queue
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# The code measured: this checkout's, or (in a --before child) an older revision's unpacked tree.
sys.path.insert(
    0, os.environ.get("BENCH_IMPORT_TREE") or str(Path(__file__).resolve().parent.parent)
)

from safeguarding import imports, store  # noqa: E402

LAST_MONTH = dt.date(2025, 12, 1)
DISTRICTS = ["Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"]
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


def timed_steps(module) -> dict[str, float]:
    """Wrap the import's steps (as its load code calls them) so their share is printed."""
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
        ("_refresh", "period and as-at date"),
        ("_audit", "audit row"),
    ):
        if hasattr(module, attr):
            setattr(module, attr, wrap(name, getattr(module, attr)))
    # The figures are recomputed by the writer as it commits (store calls the refresh module's
    # after_records), inside what is otherwise the commit and the swap.
    from safeguarding import refresh

    if hasattr(refresh, "after_records"):
        refresh.after_records = wrap("metrics and SPC refresh", refresh.after_records)
    return spent


def _module(before: str | None):
    """The imports code to measure, and the module whose steps are timed. In a --before child
    the package imported is the older revision's (see unpack): it may be one module or a
    package of several."""
    load = getattr(imports, "load", imports)
    return imports, load


def unpack(rev: str, into: Path) -> Path:
    """The package, queries and schema as they were at git revision ``rev``, unpacked in
    ``into``: a child started with BENCH_IMPORT_TREE set to it imports that code."""
    root = Path(__file__).resolve().parent.parent
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", rev, "safeguarding", "queries", "data"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run_floor(csv: str, database: str | None, out) -> None:
    """DuckDB's read_csv of the file into missing_reports: of an in-memory database made from
    the schema (the floor the goals are measured against), or with ``database`` of a copy of
    that file, committed and checkpointed (what writing the rows durably costs on its own)."""
    import duckdb

    from safeguarding import contract
    from safeguarding.paths import SCHEMA_FILE

    columns = {c.name: c.sql_type for c in contract.get("missing_reports").columns}
    con = duckdb.connect(database or ":memory:")
    if database is None:
        con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
        con.execute("insert into districts select unnest($d), 'West Yorkshire'", {"d": DISTRICTS})
    start = time.perf_counter()
    con.execute(
        "insert into missing_reports select * from read_csv($path, header = true, "
        "columns = $columns, timestampformat = '%Y-%m-%d %H:%M:%S')",
        {"path": csv, "columns": columns},
    )
    if database is not None:
        con.execute("checkpoint")
        con.close()
    out.put({"floor": time.perf_counter() - start, "floor_mb": peak_mb()})


def run_imports(db: str, csv: str, before: str | None, out) -> None:
    package, load = _module(before)
    name = Path(csv).name
    # The imports package reads the file from disk; the single module it replaced took bytes.
    source = Path(csv) if hasattr(package, "__path__") else Path(csv).read_bytes()
    start = time.perf_counter()
    report = package.check(db, "missing_reports", source, name, today=TODAY)
    figures = {"check": time.perf_counter() - start, "check_mb": peak_mb()}
    figures["summary"] = report.summary()
    if not report.ok:
        figures["problems"] = report.problems.head().to_string()
        out.put(figures)
        return
    spent = timed_steps(load)
    start = time.perf_counter()
    result = package.import_file(db, "missing_reports", source, name, by="bench", today=TODAY)
    figures["import"] = time.perf_counter() - start
    figures["import_mb"] = peak_mb()
    figures["outcome"] = f"{result.outcome}: {result.message}"
    figures["steps"] = dict(spent)
    spent.clear()
    start = time.perf_counter()
    again = package.import_file(db, "missing_reports", source, name, by="bench", today=TODAY)
    figures["again"] = time.perf_counter() - start
    figures["again_outcome"] = again.outcome
    out.put(figures)


def _quiet(target, *args) -> None:
    # DuckDB draws a progress bar on stdout for long queries; the figures come back by queue.
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
    target(*args)


def in_child(target, *args) -> dict:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_quiet, args=(target, *args, out))
    child.start()
    while True:
        try:
            figures = out.get(timeout=1)
            break
        except queue.Empty:
            if not child.is_alive():
                raise SystemExit(f"{target.__name__} failed (exit code {child.exitcode})") from None
    child.join()
    return figures


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    parser.add_argument("--before", metavar="REV", help="also measure the code at git REV")
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
    floor = in_child(run_floor, str(csv), None)
    print(
        f"floor: DuckDB read_csv into the typed table {floor['floor']:6.2f} s   "
        f"peak RSS {floor['floor_mb']:6.0f} MB"
    )
    scratch = workdir / "floor.duckdb"
    scratch.unlink(missing_ok=True)
    shutil.copyfile(db, scratch)
    on_disk = in_child(run_floor, str(csv), str(scratch))
    scratch.unlink()
    print(
        f"  the same into a copy of the database file, committed and checkpointed "
        f"{on_disk['floor']:6.2f} s   peak RSS {on_disk['floor_mb']:6.0f} MB"
    )
    runs = [("after", None)] + ([("before", args.before)] if args.before else [])
    for label, rev in runs:
        copy = workdir / f"bench-{label}.duckdb"
        for stale in workdir.glob(f"{copy.name}*"):  # a kept directory's last run
            stale.unlink()
        store.copy_database(db, copy)  # records, figures and app state, as a pair
        if rev:
            os.environ["BENCH_IMPORT_TREE"] = str(unpack(rev, workdir / "tree-before"))
        try:
            f = in_child(run_imports, str(copy), str(csv), rev)
        finally:
            os.environ.pop("BENCH_IMPORT_TREE", None)
        print(f"--- {label}{f' ({rev})' if rev else ''}")
        if "problems" in f:
            print(f"the generated file has errors: {f['problems']}")
            continue
        print(
            f"check            {f['check']:6.2f} s   peak RSS {f['check_mb']:6.0f} MB   "
            f"{args.rows / f['check']:,.0f} rows/s   ({f['summary']})"
        )
        print(
            f"import           {f['import']:6.2f} s   peak RSS {f['import_mb']:6.0f} MB   "
            f"{args.rows / f['import']:,.0f} rows/s   ({f['outcome']})"
        )
        steps = sum(f["steps"].values())
        for step, seconds in f["steps"].items():
            print(f"  {step:<24} {seconds:6.2f} s")
        print(f"  {'copy, commit, replace':<24} {f['import'] - steps:6.2f} s")
        print(f"again (same file) {f['again']:5.2f} s   ({f['again_outcome']})")
        validate = f["steps"].get("read and validate", f["check"])
        print(
            f"ratio to the floor: read and validate {validate / floor['floor']:.1f}x time, "
            f"import {f['import'] / floor['floor']:.1f}x time, "
            f"{f['import_mb'] / floor['floor_mb']:.1f}x peak memory (goal: 2x each); "
            f"import {f['import'] / on_disk['floor']:.1f}x the floor written to the database file"
        )
    if holder:
        holder.cleanup()


if __name__ == "__main__":
    main()
