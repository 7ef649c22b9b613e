"""Benchmark of the board pack: the first PDF pack end to end, beside its Kaleido floor.

Not a test: it prints figures. Run:
    python bench/bench_pack.py [--db PATH] [--quarter 2024Q3] [--force NAME] [--repeat 1]
Without --db it builds a one-force demo database in a temporary folder (a --db is copied, never
written).

"First pack" is what a user waits for after asking for the PDF (the page's button, ``pack
--format pdf``): the snapshot document, keeping it, building the chart figures, drawing them and
laying out the PDF, from cold caches (the figure cache and the drawn-chart cache emptied first).

Its floor: one Kaleido call drawing the same figures (one browser session started and closed
inside the timing, every figure handed over at once) plus the PDF layout with the charts already
drawn (the layout embedding the pictures itself). Both are measured in the same run,
interleaved with the first pack when --repeat > 1, because the machine is shared and noisy:
compare the ratio, not the seconds. The steps of the first pack are also timed on their own
(cold), to show where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from safeguarding import appstore, demo, figure_cache, pack, store  # noqa: E402

LAST_MONTH = dt.date(2025, 12, 1)
TODAY = dt.date(2025, 1, 10)


def cold() -> None:
    figure_cache.clear()
    pack._CHART_CACHE.clear()


def height_of(fig) -> int:
    """A figure's height, whether a plotly figure or its dict (the pack builds dicts)."""
    height = fig["layout"].get("height") if isinstance(fig, dict) else fig.layout.height
    return int(height or 500)


def kaleido_floor(figures, folder: Path) -> float:
    """Seconds for one Kaleido call drawing ``figures`` (PNG, the pack's size and scale),
    starting and closing its browser inside the timing."""
    import kaleido

    specs = [
        {
            "fig": fig,
            "path": folder / f"floor-{number}.png",
            "opts": {
                "format": "png",
                "width": pack.CHART_WIDTH,
                "height": height_of(fig),
                "scale": pack.CHART_SCALE,
            },
        }
        for number, fig in enumerate(figures)
    ]
    start = time.perf_counter()
    errors = asyncio.run(
        kaleido.write_fig_from_object(specs, kopts={"n": 1, "timeout": 120, "mathjax": False})
    )
    seconds = time.perf_counter() - start
    if errors:
        raise SystemExit(f"Kaleido failed: {errors}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing database (copied, never written)")
    parser.add_argument("--quarter", default="2024Q3")
    parser.add_argument("--force", help="the force (needed on a several-force database)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.duckdb"
        if args.db:
            store.copy_database(args.db, path)
        else:
            start = time.perf_counter()
            with store.writer(path, fresh=True) as con:
                demo.build(con, last_month=LAST_MONTH)
            print(f"demo database built in {time.perf_counter() - start:.1f} s")

        def content():
            return pack.build_content(
                store.reader(path), args.quarter, force=args.force, today=TODAY
            )

        def first_pack() -> tuple[float, bytes, pack.Snapshot]:
            """What the page's button and ``pack --format pdf`` do, from cold caches."""
            cold()
            start = time.perf_counter()
            if hasattr(pack, "make"):
                kept, _, pdf = pack.make(path, args.quarter, "pdf", force=args.force, today=TODAY)
            else:  # the code before pack.make
                kept, _ = pack.issue(path, args.quarter, force=args.force, today=TODAY)
                pdf = pack.to_pdf(kept)
            return time.perf_counter() - start, pdf, kept

        runs: dict[str, list[float]] = {k: [] for k in ("first", "floor", "kaleido", "layout")}
        steps: dict[str, list[float]] = {k: [] for k in ("content", "keep", "figures", "charts")}
        pdf, kept, count = b"", None, 0
        for _ in range(args.repeat):
            seconds, pdf, kept = first_pack()
            runs["first"].append(seconds)

            # The floor: the same figures in one Kaleido call, then the PDF layout alone.
            figures = [fig for _, fig, _ in pack.chart_figures(kept.content)]
            count = len(figures)
            call = kaleido_floor(figures, Path(folder))
            # Drawn (and cached) for the layout below, which embeds the pictures itself.
            pack.render_charts(kept)
            start = time.perf_counter()
            pack.to_pdf(kept)
            layout = time.perf_counter() - start
            runs["kaleido"].append(call)
            runs["layout"].append(layout)
            runs["floor"].append(call + layout)

            # The steps on their own, each cold.
            cold()
            start = time.perf_counter()
            document = content()
            steps["content"].append(time.perf_counter() - start)
            start = time.perf_counter()
            with appstore.open(path).write() as tx:
                pack.keep(tx, pack.new_snapshot(document))
            steps["keep"].append(time.perf_counter() - start)
            start = time.perf_counter()
            pack.chart_figures(kept.content)
            steps["figures"].append(time.perf_counter() - start)
            cold()
            start = time.perf_counter()
            pack.render_charts(kept)
            steps["charts"].append(time.perf_counter() - start)

        med = {k: statistics.median(v) for k, v in runs.items()}
        step = {k: statistics.median(v) for k, v in steps.items()}
        assert kept is not None
        print(f"\n== first board pack (PDF) for {args.quarter}, snapshot {kept.short_id}")
        print(f"{count} charts, {len(pdf) / 1e6:.1f} MB; median of {args.repeat} run(s)\n")
        print(f"first pack, end to end       {med['first']:7.1f} s")
        print(f"floor                        {med['floor']:7.1f} s")
        print(f"  one Kaleido call, {count} charts {med['kaleido']:7.1f} s")
        print(f"  PDF layout (charts drawn)  {med['layout']:7.1f} s")
        print(f"first pack / floor           {med['first'] / med['floor']:7.2f} x   (goal <= 1.5)")
        print("\nsteps, each from cold caches:")
        print(f"  snapshot document          {step['content']:7.1f} s")
        print(f"  keep (one write)           {step['keep']:7.2f} s")
        print(f"  build the {count} figures       {step['figures']:7.1f} s")
        print(f"  draw the charts            {step['charts']:7.1f} s   (figures + Kaleido)")
        print(f"  charts / one Kaleido call  {step['charts'] / med['kaleido']:7.2f} x")


if __name__ == "__main__":
    main()
