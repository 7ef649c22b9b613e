"""Benchmark of the small writes people make while using the dashboard, while others read.

Not a test: it prints figures. For each database given it works on a private copy and measures

* add an action, as the review page does it and as the CLI does (in-process), with 5 reader
  processes querying the scorecard throughout: median and p95;
* a records view's access-log entry, with an empty log and after 20,000 entries (does it grow?);
* record a rebase (the signals of its series recomputed);
* change a target (statuses and assurance follow), where the code can;
* import 10 new missing-child reports for one district (the records file written, the figures
  the import feeds recomputed);

and the readers' query count and errors. Run it once with the code before a change and once
after, each writing --json, then --compare the two files for the ratios:

    PYTHONPATH=<old checkout> python bench/bench_writes.py --db demo.duckdb --json before.json
    python bench/bench_writes.py --db demo.duckdb --json after.json
    python bench/bench_writes.py --compare before.json after.json

The machine is shared and noisy: read the ratios within one run, not the seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import multiprocessing as mp
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__" and "--compare" not in sys.argv:
    # Whichever checkout PYTHONPATH names (the code before a change), else this one's.
    sys.path.append(str(Path(__file__).resolve().parent.parent))

CTX = mp.get_context("fork")


def stats(runs: list[float]) -> dict[str, float]:
    runs = sorted(runs)
    p95 = runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))]
    return {"median_ms": statistics.median(runs) * 1000, "p95_ms": p95 * 1000, "n": len(runs)}


def copy(db: Path, workdir: Path) -> Path:
    from safeguarding import store

    target = workdir / db.name
    if hasattr(store, "copy_database"):
        return store.copy_database(db, target)
    shutil.copyfile(db, target)  # the code before: one file, and the log's file beside it
    log = db.with_suffix(".audit.duckdb")
    if log.exists():
        shutil.copyfile(log, target.with_suffix(".audit.duckdb"))
    return target


def _reader(path: str, stop, counts, errors, month: dt.date) -> None:
    from safeguarding import scorecard, store

    n = 0
    while not stop.is_set():
        try:
            scorecard.scorecard(store.reader(path), month)
            n += 1
        except Exception as exc:  # counted and printed: readers must never fail
            errors.append(repr(exc))
    counts.append(n)


@contextlib.contextmanager
def readers(path: Path, month: dt.date, how_many: int):
    manager = CTX.Manager()
    stop, counts, errors = manager.Event(), manager.list(), manager.list()
    procs = [
        CTX.Process(target=_reader, args=(str(path), stop, counts, errors, month))
        for _ in range(how_many)
    ]
    for p in procs:
        p.start()
    time.sleep(2)  # let them open the files and start querying
    result: dict = {}
    try:
        yield result
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=120)
        result.update(queries=sum(counts), errors=list(errors))


def timed(fn, repeat: int) -> dict[str, float]:
    runs = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        runs.append(time.perf_counter() - start)
    return stats(runs)


def bench(db: Path, *, repeat: int, slow_repeat: int, n_readers: int) -> dict:
    from safeguarding import actions, audit, cli, rebases, store

    out: dict = {"database": str(db), "size_mb": db.stat().st_size / 1e6}
    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        start = time.perf_counter()
        path = copy(db, Path(tmp))
        out["copy_s"] = time.perf_counter() - start
        start = time.perf_counter()
        con = store.reader(path)  # first start: migrates an older database
        out["first_open_s"] = time.perf_counter() - start
        month = dt.date.fromisoformat(store.meta(con)["last_month"])
        district = con.execute("select min(district) from districts").fetchone()[0]

        with readers(path, month, n_readers) as read:
            out["add_action_page"] = timed(
                lambda i: actions.write(
                    path,
                    actions.add,
                    quarter="2025Q3",
                    text=f"Benchmark question {i}",
                    owner="Chair",
                    metric_id="misper_return_interview_72h",
                    district=district,
                ),
                repeat,
            )

            def by_cli(i: int) -> None:
                with contextlib.redirect_stdout(io.StringIO()):
                    code = cli.main(
                        ["actions", "add", "--db", str(path), "--quarter", "2025Q3",
                         "--text", f"CLI question {i}", "--owner", "Chair"]
                    )  # fmt: skip
                assert code == 0

            out["add_action_cli"] = timed(by_cli, repeat)
        out["readers"] = {"processes": n_readers, **read}

        log = audit.default_path(path)
        entry = audit.Entry(
            "bench@force.example", "leadership", "view", "misper_return_interview_72h",
            district, month, rows=10,
        )  # fmt: skip
        out["audit_entry_empty_log"] = timed(lambda i: audit.log(entry, log), repeat)
        prefill(log, 20_000)
        out["audit_entry_20k_log"] = timed(lambda i: audit.log(entry, log), repeat)

        months = [
            r[0]
            for r in con.execute(
                "select distinct month from metric_values order by month"
            ).fetchall()
        ]
        out["add_rebase"] = timed(
            lambda i: rebases.record(
                path,
                metric_id="iioc_turnaround_days",
                district=district,
                month=months[len(months) // 3 + i],
                reason="Benchmark: new process",
                agreed_by="Performance board",
                agreed_on=dt.date(2025, 1, 1),
            ),
            slow_repeat,
        )
        try:
            from safeguarding import target_setting

            set_target = target_setting.set_target
        except (ImportError, AttributeError):
            out["change_target"] = None  # nothing could write a target before
        else:
            out["change_target"] = timed(
                lambda i: set_target(
                    path,
                    by="Chief Constable",
                    metric_id="misper_return_interview_72h",
                    district=None,
                    effective_from=dt.date(2025, 1, 1) + dt.timedelta(days=i),
                    target=90.0 + i,
                    reason="Benchmark",
                ),
                slow_repeat,
            )
        out["import_10_rows"] = timed(lambda i: import_rows(path, district, month, i), slow_repeat)
    return out


def import_rows(path: Path, district: str, month: dt.date, run: int) -> None:
    """Import 10 new missing-child reports for ``district`` in ``month`` (new references each
    run, so every run writes)."""
    import inspect

    from safeguarding import imports, store

    header = (
        "report_ref,child_ref,district,age,risk_grade,reported_at,attended_at,"
        "supervisor_review_at,found_at,return_interview_at"
    )
    day = month.isoformat()
    lines = [
        f"BENCH-{run}-{n},BENCHCHILD-{n},{district},14,medium,{day} 10:00,{day} 10:30,"
        f"{day} 12:00,{day} 18:00,"
        for n in range(10)
    ]
    data = ("\n".join([header, *lines]) + "\n").encode()
    kwargs: dict = {"by": "bench", "today": dt.date.today()}
    if "force" in inspect.signature(imports.import_file).parameters:
        con = store.reader(path)
        kwargs["force"] = con.execute(
            "select force from districts where district = $d", {"d": district}
        ).fetchone()[0]
    result = imports.import_file(path, "missing_reports", data, "bench.csv", **kwargs)
    if result.outcome != "loaded":
        raise SystemExit(f"bench import not loaded: {result.outcome} {result.message}")


def prefill(log: Path, n: int) -> None:
    """Grow the access log by ``n`` entries directly (the growth is what is measured)."""
    from safeguarding import audit

    rows = [
        ("2025-01-01 00:00:00", f"user{i}@force.example", "leadership", "view", None, None,
         None, 1, None)
        for i in range(n)
    ]  # fmt: skip
    if hasattr(audit, "LogUnavailable"):  # the app-state store (SQLite)
        import sqlite3

        con = sqlite3.connect(log)
        con.executemany(
            "insert into access_log (logged_at_utc, user_id, role, action, metric_id, district,"
            " month, rows, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        con.commit()
        con.close()
        return
    import duckdb  # the code before: its own DuckDB file
    import pandas as pd

    con = duckdb.connect(str(log))
    start = con.execute("select coalesce(max(entry_id), 0) from access_log").fetchone()[0]
    frame = pd.DataFrame(
        [(start + 1 + i, *r) for i, r in enumerate(rows)],
        columns=["entry_id", "logged_at_utc", "user_id", "role", "action", "metric_id",
                 "district", "month", "rows", "detail"],
    )  # fmt: skip
    con.register("prefill", frame)
    con.execute("insert into access_log select * from prefill")
    con.close()


ROWS = [
    ("add an action, page path (p95, 5 readers)", "add_action_page", "p95_ms", "< 200 ms"),
    ("add an action, CLI (p95, 5 readers)", "add_action_cli", "p95_ms", "< 200 ms"),
    ("records-view audit entry, empty log (median)", "audit_entry_empty_log", "median_ms", "< 50"),
    ("records-view audit entry, 20k-entry log (median)", "audit_entry_20k_log", "median_ms", ""),
    ("add a rebase (median)", "add_rebase", "median_ms", "< 2000 ms"),
    ("change a target (median)", "change_target", "median_ms", "< 2000 ms"),
    ("import 10 rows (median)", "import_10_rows", "median_ms", "< 5 s one force, 15 s 43"),
]


def show(results: list[dict]) -> None:
    for r in results:
        print(f"\n== {r['database']} ({r['size_mb']:.0f} MB); first open {r['first_open_s']:.1f} s")
        for label, key, stat, goal in ROWS:
            value = r.get(key)
            text = "not possible" if value is None else f"{value[stat]:10.1f} ms (n={value['n']})"
            print(f"  {label:<50} {text}   goal {goal}")
        rd = r["readers"]
        errors = len(rd["errors"])
        print(f"  readers: {rd['queries']:,} queries by {rd['processes']}, errors {errors}")


def compare(before_file: str, after_file: str) -> None:
    before = {r["database"]: r for r in json.loads(Path(before_file).read_text())}
    after = {r["database"]: r for r in json.loads(Path(after_file).read_text())}
    for db, a in after.items():
        b = before.get(db)
        if b is None:
            continue  # not measured before
        print(f"\n== {db} ({a['size_mb']:.0f} MB)")
        print(f"  {'write':<50} {'before':>12} {'after':>12} {'before/after':>13}")
        for label, key, stat, _goal in ROWS:
            new = a.get(key)
            old = b.get(key) if b else None
            new_t = f"{new[stat]:10.1f}ms" if new else "n/a"
            old_t = f"{old[stat]:10.1f}ms" if old else "not possible"
            ratio = f"{old[stat] / new[stat]:12.0f}x" if old and new else ""
            print(f"  {label:<50} {old_t:>12} {new_t:>12} {ratio:>13}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", type=Path, default=[])
    parser.add_argument("--repeat", type=int, default=20, help="actions and audit entries")
    parser.add_argument("--slow-repeat", type=int, default=3, help="rebases and targets")
    parser.add_argument("--readers", type=int, default=5)
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    results = [
        bench(db, repeat=args.repeat, slow_repeat=args.slow_repeat, n_readers=args.readers)
        for db in args.db
    ]
    show(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
