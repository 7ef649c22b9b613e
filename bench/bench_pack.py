"""Benchmark of the board pack: snapshot, charts, PDF and PowerPoint for one quarter.

Not a test: it prints figures. Run:
    python bench/bench_pack.py [--db PATH] [--quarter 2024Q3] [--repeat 3]
Without --db it builds a one-force demo database in a temporary folder. Each step is timed on
its own: building the snapshot document (queries, suppression, exceptions), keeping it (one
write), drawing the charts (Kaleido and Chromium, started once per pack), and laying out the PDF
and the PowerPoint file from the document and the drawn charts. "First pack" is what a user
waits for after clicking the download button: snapshot + keep + charts + PDF. The machine is
shared and noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safeguarding import demo, pack, store  # noqa: E402

LAST_MONTH = dt.date(2025, 12, 1)


def timed(fn, repeat: int):
    """(median seconds, last result) over ``repeat`` runs."""
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing database (copied, never written)")
    parser.add_argument("--quarter", default="2024Q3")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        if args.db:
            shutil.copyfile(args.db, path)
        else:
            start = time.perf_counter()
            with store.writer(path, fresh=True) as con:
                demo.build(con, last_month=LAST_MONTH)
            print(f"demo database built in {time.perf_counter() - start:.1f} s")

        con = store.reader(path)
        content_s, content = timed(
            lambda: pack.build_content(con, args.quarter, today=dt.date(2025, 1, 10)),
            args.repeat,
        )
        snapshot = pack.new_snapshot(content)
        hash_s, _ = timed(lambda: pack.snapshot_id(content), args.repeat)
        size_kb = len(pack.canonical(content)) / 1e3

        start = time.perf_counter()
        with store.writer(path) as writer:
            kept = pack.keep(writer, snapshot)
        keep_s = time.perf_counter() - start

        # Charts are drawn once per pack (then cached); time a cold draw each run.
        def draw():
            pack._CHART_CACHE.clear()
            return pack.render_charts(kept)

        charts_s, drawn = timed(draw, args.repeat)
        pdf_s, pdf = timed(lambda: pack.to_pdf(kept), args.repeat)
        pptx_s, pptx = timed(lambda: pack.to_pptx(kept), args.repeat)
        load_s, _ = timed(lambda: pack.load(store.reader(path), kept.short_id), args.repeat)

        print(f"\n== board pack for {args.quarter}, snapshot {kept.short_id}")
        print(f"snapshot document      {content_s * 1000:8.0f} ms   ({size_kb:,.0f} kB of JSON)")
        print(f"snapshot identifier    {hash_s * 1000:8.1f} ms")
        print(f"keep (one write)       {keep_s * 1000:8.0f} ms")
        print(f"load a kept pack       {load_s * 1000:8.1f} ms")
        print(f"charts ({len(drawn)} PNGs)      {charts_s:8.1f} s")
        print(f"PDF layout             {pdf_s:8.2f} s   ({len(pdf) / 1e6:.1f} MB)")
        print(f"PowerPoint layout      {pptx_s:8.2f} s   ({len(pptx) / 1e6:.1f} MB)")
        first = content_s + keep_s + charts_s + pdf_s
        print(f"first pack (PDF)       {first:8.1f} s   (snapshot + keep + charts + PDF)")
        print(f"then the PowerPoint    {pptx_s:8.2f} s   (charts already drawn)")


if __name__ == "__main__":
    main()
