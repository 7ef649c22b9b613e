"""Benchmark of a command in a fresh process: ``python -m safeguarding actions add``.

Not a test: it prints figures. Run:
    python bench/bench_cli.py [--runs 20] [--before REV]
Goal (issue 12): adding an action from the command line, a fresh process each time, p95 under
0.2 s. Each run is timed from the process's start to its exit, so it counts starting Python,
importing the modules, parsing the command and the write itself.

A demo database is built once (not measured) and copied for each code measured. ``--before REV``
also measures the package as it was at git revision REV (unpacked from git into a temp
directory), the runs of the two interleaved so that both see the same load on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def unpack(rev: str, into: Path) -> Path:
    """The package, queries and schema as they were at ``rev``, in ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", rev, "safeguarding", "queries", "data"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def copy_db(source: Path, target: Path) -> Path:
    """The records, figures and app-state files of the demo database, copied beside ``target``."""
    for path in source.parent.glob(source.stem + ".*"):
        if path.suffix != ".lock":
            shutil.copyfile(path, target.parent / (target.stem + path.name[len(source.stem) :]))
    return target


def one_run(tree: Path, db: Path, n: int) -> float:
    """Seconds for one fresh ``actions add`` process running the code in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("SAFEGUARDING_APP_STATE", None)
    argv = [sys.executable, "-m", "safeguarding", "actions", "add", "--db", str(db)]
    argv += ["--quarter", "2024Q3", "--text", f"Bench action {n}", "--owner", "Bench"]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"actions add failed in {tree}:\n{done.stderr}")
    return seconds


def python_alone() -> float:
    """Seconds for a fresh interpreter that does nothing: the part no code change can remove."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="fresh processes per code measured")
    parser.add_argument("--before", metavar="REV", help="also measure the code at git REV")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        demo = work / "demo.duckdb"
        subprocess.run(
            [sys.executable, "-m", "safeguarding", "demo", "--db", str(demo)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            check=True,
        )
        trees = {"after": ROOT}
        if args.before:
            trees["before"] = unpack(args.before, work / "before")
        dbs = {label: copy_db(demo, work / f"{label}.duckdb") for label in trees}
        for label in trees:  # one run each first, not measured: the file cache warms
            one_run(trees[label], dbs[label], 0)
        times: dict[str, list[float]] = {label: [] for label in trees}
        bare: list[float] = []
        for n in range(1, args.runs + 1):
            for label in trees:
                times[label].append(one_run(trees[label], dbs[label], n))
            bare.append(python_alone())
        print(f"actions add, a fresh process each time ({args.runs} runs each, interleaved):")
        print(
            f"  {'python -c pass':<18} p50 {statistics.median(bare):6.3f} s   "
            f"p95 {p95(bare):6.3f} s   (starting the interpreter alone, for scale)"
        )
        for label, values in times.items():
            rev = f" ({args.before})" if label == "before" else ""
            print(
                f"  {label:<6}{rev:<12} p50 {statistics.median(values):6.3f} s   "
                f"p95 {p95(values):6.3f} s   max {max(values):6.3f} s   (goal: p95 under 0.2 s)"
            )


if __name__ == "__main__":
    main()
