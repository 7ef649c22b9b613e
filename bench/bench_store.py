"""Benchmark of the store: demo build, scorecard and metric history at one force and 43 forces.

Not a test: it prints figures. Run:  python bench/bench_store.py [--forces 1 43] [--repeat 30]
Goals at 43 forces on a 2-core machine: scorecard for one month under 250 ms; any metric's full
history for all districts under 100 ms. The machine is shared and noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safeguarding import demo, metrics, registry, scorecard, store  # noqa: E402

LAST_MONTH = dt.date(2026, 10, 1)


def timed(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm-up: first-run costs (file cache, plan) are not what a meeting sees
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    p95 = runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))]
    return statistics.median(runs), p95


def bench_scale(forces: int, repeat: int, workdir: Path) -> None:
    path = workdir / f"demo_{forces}.duckdb"
    start = time.perf_counter()
    with store.writer(path, fresh=True) as con:
        counts = demo.build(con, forces=forces, last_month=LAST_MONTH)
    build_s = time.perf_counter() - start
    size_mb = path.stat().st_size / 1e6
    con = store.reader(path)
    units = con.execute("select count(*) from districts").fetchone()[0]
    print(
        f"\n== {forces} force(s): {units} districts, {counts['missing_reports']:,} missing reports"
    )
    print(f"demo build            {build_s:8.1f} s   database {size_mb:8.1f} MB")
    med, p95 = timed(lambda: scorecard.scorecard(store.reader(path), LAST_MONTH), repeat)
    print(f"scorecard, all units  median {med:7.1f} ms   p95 {p95:7.1f} ms")
    med, p95 = timed(
        lambda: scorecard.scorecard(store.reader(path), LAST_MONTH, force=demo.WEST_YORKSHIRE),
        repeat,
    )
    print(f"scorecard, one force  median {med:7.1f} ms   p95 {p95:7.1f} ms")
    worst = (0.0, 0.0, "")
    meds = []
    for metric_id in registry.metrics():
        med, p95 = timed(lambda m=metric_id: metrics.frame(store.reader(path), m), repeat)
        meds.append(med)
        if p95 > worst[1]:
            worst = (med, p95, metric_id)
    print(
        f"metric full history   median of medians {statistics.median(meds):6.1f} ms   "
        f"worst p95 {worst[1]:6.1f} ms ({worst[2]}, median {worst[0]:.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forces", type=int, nargs="+", default=[1, 43])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for forces in args.forces:
            bench_scale(forces, args.repeat, Path(tmp))


if __name__ == "__main__":
    main()
