"""The pack as a 16:9 PowerPoint file (python-pptx)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from safeguarding.pack.charts import add_trend_chart, trend_chart_data
from safeguarding.pack.sections import (
    LEAD_EXCEPTIONS,
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


def to_pptx(snapshot: Snapshot, *, with_charts: bool = True) -> bytes:
    """The pack as a 16:9 PowerPoint file (python-pptx): text in real tables, trend charts as
    native PowerPoint charts (their figures in the file, so analysts can edit them) with alt
    text in the slide notes, and the as-at date and snapshot identifier on every slide."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    content = snapshot.content
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    title_only, title_slide = prs.slide_layouts[5], prs.slide_layouts[0]
    width = prs.slide_width

    def footer(slide) -> None:
        box = slide.shapes.add_textbox(Inches(0.4), Inches(7.05), width - Inches(0.8), Inches(0.35))
        frame = box.text_frame
        frame.word_wrap = True
        frame.text = snapshot.footer
        for paragraph in frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(9)

    def titled(text: str):
        slide = prs.slides.add_slide(title_only)
        slide.shapes.title.text = text
        title_frame = slide.shapes.title.text_frame
        for paragraph in title_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(26)
        slide.shapes.title.top, slide.shapes.title.height = Inches(0.25), Inches(0.9)
        slide.shapes.title.left, slide.shapes.title.width = Inches(0.4), width - Inches(0.8)
        footer(slide)
        return slide

    def text_box(
        slide,
        lines: list[str],
        *,
        top: float = 1.25,
        size: int = 14,
        headings: frozenset[str] = frozenset(),
    ) -> None:
        box = slide.shapes.add_textbox(
            Inches(0.5), Inches(top), width - Inches(1.0), Inches(7.0 - top - 0.1)
        )
        frame = box.text_frame
        frame.word_wrap = True
        for number, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.space_after = Pt(2 if line in headings else 6)
            for run in paragraph.runs:
                run.font.size = Pt(size)
                run.font.bold = line in headings

    def grid(
        slide,
        headings: list[str],
        rows: list[list[str]],
        widths: Sequence[float],
        *,
        left: float = 0.4,
        top: float = 1.25,
        size: int = 10,
    ) -> None:
        shape = slide.shapes.add_table(
            len(rows) + 1,
            len(headings),
            Inches(left),
            Inches(top),
            Inches(sum(widths)),
            Inches(0.3 * (len(rows) + 1)),
        )
        cells = shape.table
        for column, inches in enumerate(widths):
            cells.columns[column].width = Inches(inches)
        for r, line in enumerate([headings, *rows]):
            for c, text in enumerate(line):
                cell = cells.cell(r, c)
                cell.text = text
                for paragraph in cell.text_frame.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(size)
                        run.font.bold = r == 0

    def chunks(items: list, size: int) -> list[list]:
        return [items[i : i + size] for i in range(0, len(items), size)] or [[]]

    # Cover
    slide = prs.slides.add_slide(title_slide)
    slide.shapes.title.text = "Quarterly outcome review: board pack"
    slide.placeholders[1].text = "\n".join(cover_lines(snapshot))
    for paragraph in slide.placeholders[1].text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(16)
    footer(slide)

    # Scorecard
    headings, rows = scorecard_rows(content)
    pieces = chunks(rows, 10)
    for number, piece in enumerate(pieces, start=1):
        suffix = f" ({number} of {len(pieces)})" if len(pieces) > 1 else ""
        slide = titled(f"Scorecard, {content['labels']['quarter']}{suffix}")
        first = 3.6
        other = (12.5 - first) / max(1, len(headings) - 1)
        grid(slide, headings, piece, [first] + [other] * (len(headings) - 1), size=9)

    # Exceptions: at most two slides, the lead ones grouped by metric, then the rest briefly.
    groups = lead_exceptions(content)
    lines: list[str] = []
    number = 0
    for title, items in groups:
        lines.append(title)
        for item in items:
            number += 1
            lines.append(f"    {number}. [Tier {item['tier']}] {item['sentence']}")
    text_box(
        titled("Exceptions, most serious first"),
        lines or ["No exceptions."],
        size=10,
        headings=frozenset(title for title, _ in groups),
    )
    rest = other_exceptions(content)
    if rest:
        others = len(content["exceptions"]) - LEAD_EXCEPTIONS
        text_box(titled(f"The other {others} exceptions, by metric"), rest, size=10)

    # Themes: each metric's trend as a native chart (editable, its figures in the file), with
    # the quarter table beside it and the chart's alt text in the slide notes.
    for theme_id, theme_title in content["themes"]:
        theme_metrics = metrics_of_theme(content, theme_id)
        if not theme_metrics:
            continue
        text_box(titled(theme_title), [f"In this theme: {m['title']}" for m in theme_metrics])
        for metric in theme_metrics:
            slide = titled(metric["title"])
            trend = trend_chart_data(content, metric) if with_charts else None
            table_left = 0.4
            if trend is not None:
                add_trend_chart(slide, trend, Inches(0.3), Inches(1.2), Inches(6.3), Inches(5.75))
                table_left = 6.75
            headings, rows = metric_rows(content, metric["id"])
            # Beside a chart the table keeps the columns a meeting reads first.
            keep_columns = [0, 1, 2, 3, 6, 7] if trend is not None else list(range(8))
            widths = (
                [1.05, 0.7, 0.7, 0.7, 0.85, 2.35]
                if trend is not None
                else [1.6, 1.1, 1.1, 1.1, 2.0, 1.0, 1.3, 3.3]
            )
            grid(
                slide,
                [headings[i] for i in keep_columns],
                [[line[i] for i in keep_columns] for line in rows],
                widths,
                left=table_left,
                size=8 if trend is not None else 10,
            )

    # Action log
    headings, rows = action_rows(content)
    if rows:
        pieces = chunks(rows, 6)
        for number, piece in enumerate(pieces, start=1):
            suffix = f" ({number} of {len(pieces)})" if len(pieces) > 1 else ""
            slide = titled(f"Action log{suffix}")
            grid(slide, headings, piece, [0.5, 1.6, 1.1, 3.0, 1.3, 1.1, 1.4, 2.5], size=9)
    else:
        text_box(
            titled("Action log"),
            [f"No actions recorded for {content['labels']['quarter']} or carried forward."],
        )

    # Recommendations
    headings, rows = recommendation_rows(content)
    if rows:
        # Long texts and several linked figures per row: three rows fill a slide.
        pieces = chunks(rows, 3)
        for number, piece in enumerate(pieces, start=1):
            suffix = f" ({number} of {len(pieces)})" if len(pieces) > 1 else ""
            slide = titled(f"Inspection recommendations{suffix}")
            grid(slide, headings, piece, [1.1, 3.4, 1.4, 2.0, 2.3, 2.3], size=9)
    else:
        text_box(titled("Inspection recommendations"), ["No inspection recommendations."])

    # Notes
    text_box(
        titled("Notes on data and definitions"),
        [f"{title}. {text}" for title, text in content["notes"]],
        size=11,
    )
    headings, rows = definition_rows(content)
    pieces = chunks(rows, 7)
    for number, piece in enumerate(pieces, start=1):
        slide = titled(f"Definitions ({number} of {len(pieces)})")
        grid(slide, headings, piece, [2.6, 1.3, 1.3, 0.9, 6.4], size=9)

    properties = prs.core_properties
    properties.title = f"Board pack: {content['force']}, {content['labels']['quarter_long']}"
    properties.subject = f"Data as at {snapshot.as_at_text}"
    properties.author = "Safeguarding performance dashboard"
    properties.identifier = snapshot.snapshot_id
    properties.keywords = f"snapshot {snapshot.snapshot_id}"
    properties.created = snapshot.created_at
    properties.modified = snapshot.created_at
    properties.last_modified_by = "Safeguarding performance dashboard"
    properties.revision = 1
    properties.language = "en-GB"
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
