"""The pack as an A4 landscape PDF (fpdf2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from safeguarding.pack.charts import Progress, render_charts
from safeguarding.pack.sections import (
    LEAD_EXCEPTIONS,
    _count,
    action_rows,
    cover_lines,
    definition_rows,
    lead_exceptions,
    metric_rows,
    metrics_of_theme,
    other_exceptions,
    recommendation_rows,
    scorecard_rows,
)
from safeguarding.pack.snapshot import Snapshot

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
# Core PDF fonts know only Latin-1: with no DejaVu font the symbols become plain characters.
_LATIN1 = str.maketrans(
    {
        "✓": "Y",
        "✗": "X",
        "–": "-",
        "…": "...",
        "▲": "^",
        "▼": "v",
        "●": "o",
        "⚠": "!",
        "→": "->",
        "↑": "^",
        "↓": "v",
        "·": "-",
        "±": "+/-",
    }
)


def _font_files() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def _picture_key(png: bytes) -> str:
    """The name fpdf2 gives a picture handed over as bytes (the MD5 of its bytes)."""
    return hashlib.md5(png.strip(), usedforsecurity=False).hexdigest()


def prepare_picture(png: bytes) -> Any:
    """A chart's PNG as the PDF embeds it (decoded, its colour and transparency compressed),
    what fpdf2 would otherwise do while laying the page out; made ahead, while the next chart
    is drawn (``charts.draw``), and kept with the chart."""
    from fpdf.image_parsing import get_img_info

    return get_img_info(_picture_key(png), io.BytesIO(png))


def _drawable(fonts) -> frozenset[int]:
    """The characters both faces of the pack's font have glyphs for."""
    from fontTools.ttLib import TTFont  # fpdf2's own dependency

    faces = [set(TTFont(str(path)).getBestCmap()) for path in fonts]
    return frozenset(set.intersection(*faces))


def to_pdf(
    snapshot: Snapshot, *, with_charts: bool = True, progress: Progress | None = None
) -> bytes:
    """The pack as an A4 landscape PDF (fpdf2). Every page's footer carries the as-at date and
    the snapshot identifier. ``progress(done, total, what)`` as each chart is drawn."""
    from fpdf import FPDF, FontFace  # imported here: the dashboard runs without packs too

    content = snapshot.content
    drawn = render_charts(snapshot, progress, prepare=prepare_picture) if with_charts else {}
    fonts = _font_files()
    family = "DejaVu" if fonts else "Helvetica"

    drawable = _drawable(fonts) if fonts else frozenset()

    def clean(text: str) -> str:
        if fonts:
            # A character the font has no glyph for would be left out without a trace (a name
            # in Japanese printed as nothing): it is written as its code instead.
            return "".join(
                c if ord(c) in drawable or c in "\n\t" else f"<U+{ord(c):04X}>" for c in text
            )
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    footer_text = clean(snapshot.footer)

    class PackPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-10)
            self.set_font(family, size=7.5)
            self.set_text_color(60, 60, 60)
            self.cell(0, 5, f"{footer_text} · Page {self.page_no()} of {{nb}}", align="L")
            self.set_text_color(0, 0, 0)

    pdf = PackPDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=14)
    if fonts:
        pdf.add_font("DejaVu", "", str(fonts[0]))
        pdf.add_font("DejaVu", "B", str(fonts[1]))
    pdf.set_lang("en-GB")
    pdf.set_title(clean(f"Board pack: {content['force']}, {content['labels']['quarter_long']}"))
    pdf.set_author("Safeguarding performance dashboard")
    pdf.set_subject(clean(f"Snapshot {snapshot.snapshot_id}; data as at {snapshot.as_at_text}"))
    pdf.set_creator("Safeguarding performance dashboard")
    pdf.set_creation_date(snapshot.created_at.replace(tzinfo=dt.UTC))

    def heading(text: str, level: int = 0) -> None:
        size = {0: 17, 1: 13.5, 2: 11.5}[level]
        if level == 0 or pdf.get_y() > pdf.h - 50:
            pdf.add_page()
        pdf.start_section(clean(text), level=level)
        pdf.set_font(family, "B", size)
        pdf.multi_cell(0, size * 0.5, clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)

    def para(text: str, size: float = 9.5) -> None:
        pdf.set_font(family, "", size)
        pdf.multi_cell(0, size * 0.48, clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def table(
        headings: list[str], rows: list[list[str]], widths: Sequence[float], size: float = 8
    ) -> None:
        if not rows:
            return
        pdf.set_font(family, "", size)
        with pdf.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=size * 0.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            padding=1,
            width=pdf.epw,
        ) as grid:
            first = grid.row()
            for h in headings:
                first.cell(clean(h))
            for line in rows:
                row = grid.row()
                for cell in line:
                    row.cell(clean(cell))
        pdf.ln(3)

    def exceptions_pages() -> None:
        """At most two pages: the lead exceptions grouped by metric, then the rest briefly."""
        groups = lead_exceptions(content)
        if not groups:
            para("No exceptions.")
            return
        total = len(content["exceptions"])
        para(
            f"The {min(total, LEAD_EXCEPTIONS)} most serious of {_count(total, 'exception')}, "
            "grouped by metric (tiers are explained in the notes).",
            8.5,
        )
        number = 0
        for title, items in groups:
            pdf.set_font(family, "B", 10)
            pdf.multi_cell(0, 5.5, clean(title), new_x="LMARGIN", new_y="NEXT")
            for item in items:
                number += 1
                para(f"{number}. [Tier {item['tier']}] {item['sentence']}", 9)
        rest = other_exceptions(content)
        if rest:
            pdf.add_page()
            pdf.set_font(family, "B", 11.5)
            pdf.multi_cell(
                0,
                6,
                clean(f"The other {total - LEAD_EXCEPTIONS} exceptions, by metric"),
                new_x="LMARGIN",
                new_y="NEXT",
            )
            for line in rest:
                para(line, 8.5)

    # Cover
    pdf.add_page()
    pdf.start_section("Cover")
    pdf.set_font(family, "B", 24)
    pdf.ln(25)
    pdf.multi_cell(
        0, 11, clean("Quarterly outcome review: board pack"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(4)
    for number, line in enumerate(cover_lines(snapshot)):
        pdf.set_font(family, "B" if number == 0 else "", 14 if number == 0 else 11)
        pdf.multi_cell(0, 7, clean(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(6)
    para(
        "Contents: scorecard; exceptions; one section per theme with SPC charts by area; action "
        "log; inspection recommendations; notes on data and definitions."
    )

    # Scorecard
    headings, rows = scorecard_rows(content)
    heading(f"Scorecard, {content['labels']['quarter_long']}")
    para(
        "Key: ✓ Met · ✗ Not met · – No target · … No data. "
        f"{content['rule']['primary']} and {content['rule']['secondary']}: withheld (small "
        "numbers; see the notes).",
        8.5,
    )
    first_width = 64
    other = (pdf.epw - first_width) / max(1, len(headings) - 1)
    table(headings, rows, [first_width] + [other] * (len(headings) - 1), size=7.5)

    # Exceptions
    heading("Exceptions, most serious first")
    exceptions_pages()

    # Themes
    widths = [34, 24, 24, 24, 40, 22, 24, 81]
    for theme_id, theme_title in content["themes"]:
        theme_metrics = metrics_of_theme(content, theme_id)
        if not theme_metrics:
            continue
        heading(theme_title)
        para("In this theme: " + "; ".join(m["title"] for m in theme_metrics) + ".")
        for metric in theme_metrics:
            pdf.add_page()
            heading(metric["title"], level=1)
            para(
                f"{metric['definition']} Unit: {metric['unit']}. Target: {metric['target_text']}.",
                8.5,
            )
            chart = drawn.get(metric["id"])
            headings, rows = metric_rows(content, metric["id"])
            if chart is not None:
                key = _picture_key(chart.png)
                if chart.picture is not None and key not in pdf.image_cache.images:
                    # Prepared while the charts were drawn: fpdf2 finds it and reuses it.
                    picture = type(chart.picture)(chart.picture)
                    picture["i"] = len(pdf.image_cache.images) + 1
                    picture["usages"] = 0
                    pdf.image_cache.images[key] = picture
                # Leave room below the chart for the table (about 9 mm a row), on the same page.
                room = pdf.h - 16 - pdf.get_y() - 9 * (len(rows) + 1) - 4
                width = min(220.0, room * chart.width / chart.height)
                height = width * chart.height / chart.width
                pdf.image(
                    io.BytesIO(chart.png),
                    x=(pdf.w - width) / 2,
                    w=width,
                    h=height,
                    alt_text=clean(chart.alt),
                    title=clean(metric["title"]),
                )
                pdf.ln(2)
            elif with_charts:
                para("No chart: no figures in the charted months.", 8.5)
            table(headings, rows, widths, size=7.5)

    # Action log
    heading("Action log")
    headings, rows = action_rows(content)
    if rows:
        para(
            "Actions raised at this review and carried forward from earlier ones until closed. "
            "'⚠ Overdue' marks an action not closed by its due date.",
            8.5,
        )
        table(headings, rows, [10, 40, 24, 66, 28, 22, 30, 53], size=7.5)
    else:
        para(f"No actions recorded for {content['labels']['quarter']} or carried forward.")

    # Recommendations
    heading("Inspection recommendations")
    headings, rows = recommendation_rows(content)
    if rows:
        table(headings, rows, [20, 70, 28, 40, 50, 65], size=7.5)
    else:
        para("No inspection recommendations are recorded.")

    # Notes
    heading("Notes on data and definitions")
    for title, text in content["notes"]:
        pdf.set_font(family, "B", 10)
        pdf.cell(0, 6, clean(title), new_x="LMARGIN", new_y="NEXT")
        para(text, 9)
    headings, rows = definition_rows(content)
    table(headings, rows, [55, 25, 25, 20, 148], size=7.5)

    return bytes(pdf.output())
