"""The quarterly board pack: a PDF and a PowerPoint file that anyone can later rebuild exactly.

A pack is made in two steps:

1. ``build_content`` gathers everything the pack shows for a quarter into one plain document
   (JSON-ready): the quarter figures of every metric x area (this quarter, the previous quarter,
   the same quarter last year) with target, status and SPC signal; the SPC series behind each
   chart; the exceptions in words; the action log; the inspection recommendations; the notes.
   Small numbers are withheld here (``safeguarding.suppression``), so every figure the document
   gives as text is already safe to circulate, and the chart series mark withheld points.
2. ``to_pdf`` and ``to_pptx`` lay the document out. They read nothing but the document (and the
   charts drawn from its series), so the same document always gives the same pages.

The snapshot identifier is the SHA-256 of a canonical serialisation (sorted-key JSON, floats
rounded to 9 decimal places) of the raw figures the pack shows: each figure's metric, area,
period, value, numerator, denominator, target, status and SPC signal, each chart point, the
action log and recommendation entries shown, the suppression rule and the data's as-at date.
The same data gives the same identifier; any change to a figure shown gives another. The short
form (first 12 hex digits) is printed on every page.

``issue`` stores the document in the ``packs`` table under its identifier the first time it is
built ("as presented on" that date); ``load`` finds it again, so ``python -m safeguarding pack
--snapshot ID`` rebuilds the pack from the kept figures, whatever the data says now.

The package follows those seams: ``content`` builds the document, ``snapshot`` gives it its
identifier and keeps and finds it, ``charts`` draws its SPC charts, ``sections`` turns it into the
headings and rows every format shows, and ``pdf`` and ``pptx`` lay those out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os

from safeguarding import registry, store
from safeguarding.pack.charts import (
    _CHART_CACHE,
    CHART_SCALE,
    CHART_WIDTH,
    Chart,
    ChartSession,
    Progress,
    chart_figures,
    chart_frame,
    render_charts,
    trend_figure,
)
from safeguarding.pack.content import (
    CHART_MONTHS,
    PACK_VERSION,
    PERIOD_COLUMNS,
    WITHHELD_CHANGE,
    build_content,
)
from safeguarding.pack.errors import PackError
from safeguarding.pack.pdf import prepare_picture, to_pdf
from safeguarding.pack.pptx import to_pptx
from safeguarding.pack.sections import (
    action_rows,
    cover_lines,
    definition_rows,
    metric_rows,
    recommendation_rows,
    scorecard_rows,
)
from safeguarding.pack.snapshot import (
    ACTION_FIELDS,
    RECOMMENDATION_FIELDS,
    SHORT_ID_LENGTH,
    Snapshot,
    canonical,
    find,
    hashed_part,
    issue,
    keep,
    keep_issued,
    listing,
    load,
    new_snapshot,
    snapshot_id,
)

FORMATS = ("pdf", "pptx")

__all__ = [
    "ACTION_FIELDS",
    "CHART_MONTHS",
    "CHART_SCALE",
    "CHART_WIDTH",
    "FORMATS",
    "PACK_VERSION",
    "PERIOD_COLUMNS",
    "RECOMMENDATION_FIELDS",
    "SHORT_ID_LENGTH",
    "WITHHELD_CHANGE",
    "Chart",
    "ChartSession",
    "PackError",
    "Progress",
    "Snapshot",
    "_CHART_CACHE",
    "action_rows",
    "build_content",
    "canonical",
    "chart_figures",
    "chart_frame",
    "cover_lines",
    "definition_rows",
    "find",
    "hashed_part",
    "issue",
    "keep",
    "keep_issued",
    "listing",
    "load",
    "make",
    "metric_rows",
    "new_snapshot",
    "recommendation_rows",
    "render",
    "render_charts",
    "scorecard_rows",
    "snapshot_id",
    "to_pdf",
    "to_pptx",
    "trend_figure",
]


def render(
    snapshot: Snapshot, fmt: str, *, with_charts: bool = True, progress: Progress | None = None
) -> bytes:
    """The pack in ``fmt`` ('pdf' or 'pptx'); ``progress(done, total, what)`` as each chart of
    a PDF is drawn (the PowerPoint file's charts are native, nothing is drawn)."""
    if fmt == "pdf":
        return to_pdf(snapshot, with_charts=with_charts, progress=progress)
    if fmt == "pptx":
        return to_pptx(snapshot, with_charts=with_charts)
    raise PackError(f"Format must be one of {', '.join(FORMATS)}, not '{fmt}'.")


def make(
    path: str | os.PathLike[str] | None,
    quarter: str,
    fmt: str,
    *,
    force: str | None = None,
    created_by: str | None = None,
    with_charts: bool = True,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> tuple[Snapshot, bool, bytes]:
    """Issue a quarter's pack from the current data (``issue``) and lay it out in ``fmt``:
    (snapshot, new, file bytes). ``progress(done, total, what)`` follows every step on one bar:
    gathering the figures, keeping the snapshot, each chart drawn (a PDF), the layout."""
    if fmt not in FORMATS:
        raise PackError(f"Format must be one of {', '.join(FORMATS)}, not '{fmt}'.")
    drawing = with_charts and fmt == "pdf"
    # Until the document is built the charts are counted as one per metric (their most).
    total = 3 + (len(registry.metrics()) if drawing else 0)
    done = 0

    def step(what: str) -> None:
        nonlocal done
        if progress is not None:
            progress(done, total, what)
        done += 1

    with contextlib.ExitStack() as stack:
        # Chromium starts now, while the figures are gathered; the charts are drawn while the
        # snapshot is kept, and each picture is made ready for the PDF while the next is drawn.
        session = stack.enter_context(ChartSession()) if drawing else None
        step("Gathering the figures")
        content = build_content(store.reader(path), quarter, force=force, today=today)
        snapshot = new_snapshot(content, created_by=created_by)
        figures = chart_figures(content) if drawing else []
        if session is not None:
            total = 3 + len(figures)
            session.submit([fig for _, fig, _ in figures])
        step("Keeping the snapshot")
        snapshot, new = keep_issued(path, snapshot)
        if session is not None:
            base = done
            step(f"Drawing {len(figures)} charts")
            done = base

            def drawn(count: int, of: int, what: str) -> None:
                if progress is not None:
                    progress(base + count, total, f"Chart {count} of {of} drawn")

            render_charts(snapshot, progress=drawn, prepare=prepare_picture, session=session)
            done = base + len(figures)
    layout = "Laying out the PDF" if fmt == "pdf" else "Laying out the PowerPoint file"
    step(layout)
    data = render(snapshot, fmt, with_charts=with_charts)
    if progress is not None:
        progress(total, total, "Done")
    return snapshot, new, data
