"""Blocks the pages are built from: the scorecard table, a metric's charts and tables, downloads.

Pages stay thin (read filters, call these, draw); these blocks decide the layout once, so every
page looks and reads the same.
"""

from __future__ import annotations

import datetime as dt
import html
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from safeguarding import downloads, kinds, registry, scorecard, suppression, targets
from safeguarding.formatting import (
    code_words,
    count_text,
    day_text,
    figure_and_target,
    format_value,
    month_label,
)
from safeguarding.ui import app, icons, stats
from safeguarding.ui.periods import CHANGE_ARROWS, Period, add_months, period_figures, with_change
from safeguarding.ui.safe import md, table_html

METRIC_PAGE = "metric"
PLOTLY_CONFIG = {"displaylogo": False}

DIRECTION_WORDS = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
    "neutral": "neither higher nor lower is better",
}


def metric_link(metric_id: str, district: str, period: Period | dt.date) -> str:
    """A relative link to the metric detail page for one area and period (a month, or a
    quarter: the page shows the quarter's last month and keeps the quarter in its filters)."""
    if isinstance(period, Period):
        query = {"metric": metric_id, "district": district, **period.query()}
    else:
        query = {"metric": metric_id, "district": district, "month": f"{period:%Y-%m}"}
    return f"{METRIC_PAGE}?{urlencode(query)}"


# --- the scorecard --------------------------------------------------------------------------

LAYOUTS = ("standard", "present")

# The scorecard's cells: status by colour (a tinted cell with a bar down its side) AND by
# symbol and word; contrast of every text colour on its tint is above 4.5:1.
SCORECARD_CSS = """
<style>
.sg-cell {padding: 0 !important;}
.sg-cell a {padding: 0.3rem 0.45rem; min-height: 100%;}
.sg-line {display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.1rem 0.5rem;}
.sg-line2 {align-items: center; justify-content: space-between;}
.sg-icons {display: inline-flex; gap: 0.2rem; align-items: center;}
.sg-icon {vertical-align: middle; flex: none; display: inline-block;}
.sg-c-met {background: #e8f1fa; border-left: 4px solid #005eb8;}
.sg-c-not_met {background: #fcefe6; border-left: 4px solid #b35900;}
.sg-c-no_target, .sg-c-no_data {border-left: 4px solid #d8dde0;}
.sg-chip {display: inline-block; padding: 0 0.35rem;}
.sg-target {display: block; font-size: 0.78rem; color: #0b0c0c;}
.sg-note-mark {font-size: 0.72rem; border: 1px solid #505a5f; border-radius: 3px;
  padding: 0 0.2rem; color: #0b0c0c; white-space: nowrap;}
.sg-notes {font-size: 0.85rem; margin-top: 0.4rem;}
.sg-notes-head {font-weight: 600; margin: 0;}
.sg-key {margin: 0.15rem 0; line-height: 2;}
.sg-key-head {font-weight: 600; margin-right: 0.6rem;}
.sg-key-item {margin-right: 1.1rem; white-space: nowrap; display: inline-flex;
  align-items: center; gap: 0.3rem;}
.sg-spc {display: flex; align-items: center; gap: 0.3rem;}
.sg-layout-present .sg-scorecard {font-size: 1rem; table-layout: fixed;}
.sg-layout-present .sg-scorecard th[scope="row"] {width: 21%;}
.sg-layout-present .sg-scorecard th, .sg-layout-present .sg-scorecard td {padding-top: 0.15rem;
  padding-bottom: 0.15rem;}
.sg-layout-present .sg-metric {font-size: 1.02rem; line-height: 1.2;}
.sg-layout-present .sg-unit {font-size: 0.82rem;}
.sg-layout-present .sg-value {font-size: 1.45rem; line-height: 1.2;}
.sg-layout-present .sg-status {font-size: 1.05rem; font-weight: 700;}
.sg-layout-present .sg-change {font-size: 0.85rem;}
.sg-layout-present caption {font-size: 1.1rem;}
.sg-layout-present .sg-scorecard .sg-icon {width: 34px; height: 34px;}
</style>
"""


def scorecard_frame(period: Period, units: list[str]) -> pd.DataFrame:
    """Every metric x unit for the period: value, target, status, change, SPC icons, and the
    last month's process limits with how many recent months fall outside them (built once per
    data version, period and units: read it, never change it)."""
    return stats.cached(
        "views.scorecard_frame", (period, tuple(units)), lambda: _scorecard_frame(period, units)
    )


def scorecard_block(
    period: Period,
    units: list[str],
    *,
    metric_ids: tuple[str, ...] | None = None,
    caption: str | None = None,
    layout: str = "standard",
) -> tuple[str, str] | None:
    """The scorecard's key and table as HTML for the period and units (only ``metric_ids``, and
    only the units with figures, when given), or None when there are no figures; built once per
    data version and inputs."""

    def build() -> tuple[str, str] | None:
        frame = scorecard_frame(period, units)
        columns = units
        if metric_ids is not None:
            frame = frame[frame["metric_id"].isin(metric_ids)]
            columns = [u for u in units if u in set(frame["district"])]
        if frame.empty:
            return None
        return (
            key_html(stats.has_signals(), frame),
            scorecard_html(frame, columns, period, caption=caption, layout=layout),
        )

    return stats.cached(
        "views.scorecard_block", (period, tuple(units), metric_ids, caption, layout), build
    )


def _scorecard_frame(period: Period, units: list[str]) -> pd.DataFrame:
    known = registry.metrics()
    directions = {m.id: m.direction for m in known.values()}
    previous = period.previous_quarter()
    figures = app.figures(previous.first, period.last)
    figures = figures[figures["district"].isin(units) & figures["metric_id"].isin(known)]
    current = period_figures(figures, period, directions, dict(known))
    before = period_figures(figures, previous, directions, dict(known))
    frame = with_change(current, before, directions, dict(known))
    signals = stats.month_signals(period.last)
    if signals is not None and not frame.empty:
        frame = frame.merge(
            signals[["metric_id", "district", "variation", "assurance"]],
            on=["metric_id", "district"],
            how="left",
        )
        frame = frame.merge(
            stats.month_limits(period.last), on=["metric_id", "district"], how="left"
        )
    order = {m: i for i, m in enumerate(known)}
    unit_order = {u: i for i, u in enumerate(units)}
    frame["_m"] = frame["metric_id"].map(order)
    frame["_u"] = frame["district"].map(unit_order)
    return frame.sort_values(["_m", "_u"]).drop(columns=["_m", "_u"]).reset_index(drop=True)


# Presentation: no sidebar or toolbar, the page's full width, less space above the table.
PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"]
  {display: none !important;}
[data-testid="stMainBlockContainer"] {max-width: none !important; padding: 0.6rem 1.2rem 1rem;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.6rem; padding: 0;}
[data-testid="stMainBlockContainer"] h2 {font-size: 1.3rem; padding: 0.2rem 0;}
</style>
"""


def print_css(heading: str, as_at: str) -> str:
    """Printing (@media print): A4 landscape, no sidebar or toolbar, every page headed with the
    period and the as-at date (CSS page margin boxes), the table's heading row repeated and no
    row split over two pages."""

    def css_string(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'

    head = css_string(f"{heading} · {as_at}")
    return f"""
<style>
@media print {{
  @page {{
    size: A4 landscape;
    margin: 14mm 9mm 11mm 9mm;
    @top-left {{ content: {head}; font: 9pt Arial, sans-serif; color: #0b0c0c; }}
    @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
      font: 8pt Arial, sans-serif; }}
  }}
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stPageLink"], .sg-screen-only
    {{ display: none !important; }}
  html, body, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"],
  [data-testid="stMain"], [data-testid="stMainBlockContainer"], .sg-scorecard-wrap
    {{ overflow: visible !important; height: auto !important; position: static !important; }}
  [data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: none !important; }}
  [data-testid="stMainBlockContainer"] h1 {{ font-size: 14pt; padding: 0; }}
  [data-testid="stMainBlockContainer"] h2 {{ font-size: 11pt; padding: 0; }}
  * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  .sg-key {{ font-size: 7pt; line-height: 1.5; margin: 0; }}
  .sg-key .sg-icon {{ width: 13px; height: 13px; }}
  .sg-scorecard {{ font-size: 7pt; table-layout: fixed; }}
  .sg-scorecard thead {{ display: table-header-group; }}
  .sg-scorecard thead th {{ position: static; }}
  .sg-scorecard tr {{ break-inside: avoid; }}
  .sg-scorecard th, .sg-scorecard td {{ padding: 1px 3px; }}
  .sg-scorecard th[scope="row"] {{ width: 19%; }}
  .sg-cell a {{ padding: 1px 3px; }}
  .sg-value {{ font-size: 8.5pt !important; }}
  .sg-status {{ font-size: 7.5pt !important; }}
  .sg-change, .sg-unit, .sg-target {{ font-size: 6.5pt !important; }}
  .sg-scorecard .sg-icon {{ width: 15px; height: 15px; }}
  .sg-notes {{ font-size: 7pt; }}
  .sg-note-mark {{ font-size: 6pt; }}
}}
</style>
"""


def layout_choice() -> str:
    """The scorecard's layout from the link (?layout=present); a bad value gets a message."""
    raw = st.query_params.get("layout")
    if raw is None or raw == "standard":
        return "standard"
    if raw in LAYOUTS:
        return raw
    st.warning(
        f"The link asks for a layout this page does not have; showing the standard layout. "
        f"Layouts: {', '.join(LAYOUTS)}."
    )
    st.query_params.pop("layout", None)
    return "standard"


def layout_link(layout: str, period: Period) -> None:
    """A link to the other layout, keeping the period and districts."""
    params = {
        k: st.query_params[k] for k in ("month", "quarter", "districts") if k in st.query_params
    }
    if layout == "present":
        st.page_link(
            "pages/overview.py", label="Leave the presentation layout", query_params=params
        )
    else:
        st.page_link(
            "pages/overview.py",
            label="Presentation layout (for a projector: every row on two screens)",
            query_params={**params, "layout": "present"},
        )


def spc_html(row: pd.Series) -> str:
    """The SPC variation and assurance of one figure: icons with their words beside them."""
    variation = row.get("variation")
    if not isinstance(variation, str):
        return ""
    parts = [
        f'<span class="sg-spc">{icons.variation_icon(variation, size=22)} '
        f"{html.escape(icons.VARIATION_WORDS.get(variation, variation))}</span>"
    ]
    assurance = row.get("assurance")
    if isinstance(assurance, str) and assurance in icons.ASSURANCE:
        parts.append(
            f'<span class="sg-spc">{icons.assurance_icon(assurance, size=22)} '
            f"{html.escape(icons.ASSURANCE_WORDS[assurance])}</span>"
        )
    return "".join(parts)


def _cell_html(
    cell: scorecard.Cell,
    metric: registry.Metric,
    period: Period,
    note_number: int | None,
    comparison: str,
) -> str:
    esc = html.escape
    status = cell.status
    word = targets.STATUS_WORDS[status]
    symbol = targets.STATUS_SYMBOLS[status]
    arrow = CHANGE_ARROWS.get(cell.change_arrow, "")
    target = f'<span class="sg-target">target {esc(cell.target_text)}</span>' * cell.show_target
    spc_icons = icons.variation_mark(cell.variation) + icons.assurance_mark(cell.assurance)
    marker = (
        f'<span class="sg-note-mark">note {note_number}</span>' if note_number is not None else ""
    )
    # "no data … No data" would say it twice: a cell without a figure gives only its status.
    value = "" if status == "no_data" else f'<span class="sg-value">{esc(cell.value_text)}</span>'
    body = (
        f'<span class="sg-line">{value}'
        f'<span class="sg-status sg-{status}"><span aria-hidden="true">{symbol}</span> '
        f"{esc(word)}</span></span>{target}"
        f'<span class="sg-line sg-line2"><span class="sg-change"><span aria-hidden="true">'
        f"{arrow}</span> {esc(cell.change_text)}</span>"
        f'<span class="sg-icons">{spc_icons}{marker}</span></span>'
    )
    spoken = [f"{metric.title}, {cell.district}: {cell.value_text}, {word}"]
    if cell.show_target:
        spoken.append(f"target {cell.target_text}")
    if cell.change_text:
        spoken.append(f"{cell.change_text} ({comparison})")
    if cell.variation:
        spoken.append(f"SPC: {icons.VARIATION_WORDS.get(cell.variation, cell.variation)}")
    if cell.assurance in icons.ASSURANCE_WORDS:
        spoken.append(icons.ASSURANCE_WORDS[cell.assurance])
    label = "; ".join(spoken) + "."
    if cell.note:
        label += f" Note {note_number}: {cell.note}"
    href = metric_link(metric.id, cell.district, period)
    return (
        f'<td class="sg-cell sg-c-{status}"><a href="{esc(href)}" aria-label="'
        f'{esc(label + " Open trend and records.")}">{body}</a></td>'
    )


def scorecard_html(
    frame: pd.DataFrame,
    columns: list[str],
    period: Period,
    *,
    caption: str | None = None,
    layout: str = "standard",
) -> str:
    """An accessible table: metrics in rows, districts then force in columns.

    Every cell gives the value, the status by colour, symbol and word, its own target when the
    areas' targets differ, the change against the previous period by arrow and words, and the
    SPC variation and assurance as icons; each links to the metric's detail for that area and
    period. A status and an assurance that would seem to contradict get a numbered note,
    listed under the table. ``layout`` "present" sizes it for a projector (every row of a
    1920x1080 screen pair); the markup is the same.
    """
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    comparison = "same month last quarter" if period.kind == "month" else "previous quarter"
    body, notes = [], []
    for row in scorecard.rows(frame, columns):
        metric = row.metric
        cells = []
        for unit in columns:
            cell = row.cells.get(unit)
            if cell is None:
                cells.append('<td class="sg-na">not measured</td>')
                continue
            number = None
            if cell.note:
                notes.append(f"{metric.title}, {cell.district}: {cell.note}")
                number = len(notes)
            cells.append(_cell_html(cell, metric, period, number, comparison))
        body.append(
            f'<tr><th scope="row"><span class="sg-metric">{esc(metric.title)}</span>'
            f'<span class="sg-unit">{esc(metric.unit)} · {esc(row.target_heading)} · '
            f"{esc(DIRECTION_WORDS[metric.direction])}</span></th>" + "".join(cells) + "</tr>"
        )
    if caption is None:
        caption = f"Scorecard for {period.label}: every metric against target, by district"
    notes_html = ""
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        notes_html = (
            '<div class="sg-notes"><p class="sg-notes-head">Notes: where this period\'s status '
            "and the SPC assurance seem to disagree</p>"
            f"<ol>{items}</ol></div>"
        )
    return (
        SCORECARD_CSS
        + icons.MARKS_CSS
        + f'<div class="sg-scorecard-wrap sg-layout-{layout}"><table class="sg-scorecard">'
        f"<caption>{esc(caption)}</caption>"
        f'<thead><tr><th scope="col">Metric</th>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div>"
        + notes_html
    )


def key_html(with_spc: bool, frame: pd.DataFrame | None = None) -> str:
    """The key to every symbol the scorecard uses, in words (icons drawn as in the table)."""
    items = [
        f'<span class="sg-key-item"><span class="sg-status sg-{s} sg-c-{s} sg-chip">'
        f'<span aria-hidden="true">{targets.STATUS_SYMBOLS[s]}</span> {w}</span></span>'
        for s, w in targets.STATUS_WORDS.items()
    ]
    items.append(
        '<span class="sg-key-item"><span aria-hidden="true">↑ ↓ →</span> change since the '
        "previous period: rose, fell, no change (the words say improved or worsened)</span>"
    )
    items.append(
        '<span class="sg-key-item"><span class="sg-target">target …</span> the area\'s own '
        "target, where the areas' targets differ</span>"
    )
    key = f'<p class="sg-key"><span class="sg-key-head">Key:</span> {"".join(items)}</p>'
    if not with_spc:
        return key
    shown_variation = list(icons.VARIATION)
    shown_assurance = list(icons.ASSURANCE)
    if frame is not None and "variation" in frame:
        present = set(frame["variation"].dropna())
        shown_variation = [v for v in shown_variation if v in present] or shown_variation
        present_a = set(frame["assurance"].dropna()) if "assurance" in frame else set()
        shown_assurance = [a for a in shown_assurance if a in present_a] or shown_assurance
    variation = "".join(
        f'<span class="sg-key-item">{icons.variation_icon(v, size=24, labelled=True)} '
        f"{esc_words(icons.VARIATION_WORDS[v])}</span>"
        for v in shown_variation
    )
    assurance = "".join(
        f'<span class="sg-key-item">{icons.assurance_icon(a, size=24, labelled=True)} '
        f"{esc_words(icons.ASSURANCE_WORDS[a])}</span>"
        for a in shown_assurance
    )
    return (
        key + f'<p class="sg-key"><span class="sg-key-head">SPC variation (last month):</span> '
        f"{variation}</p>"
        + f'<p class="sg-key"><span class="sg-key-head">SPC assurance:</span> {assurance} '
        '<span class="sg-key-item"><span class="sg-note-mark">note n</span> status and '
        "assurance explained under the table</span></p>"
    )


def esc_words(text: str) -> str:
    return html.escape(text)


# --- one metric -----------------------------------------------------------------------------


def definition(metric: registry.Metric, target_text: str) -> None:
    st.markdown(f"**What it measures.** {metric.definition}")
    st.caption(
        f"Unit: {metric.unit} · {DIRECTION_WORDS[metric.direction].capitalize()} · "
        f"Target: {target_text} · Why it matters: {metric.finding}"
    )


def empty_message(metric: registry.Metric, where: str, month: dt.date) -> str:
    """What to say instead of drawing an empty chart."""
    return (
        f"No figure for {metric.title.lower()} in {md(where)}, {month_label(month)}: nothing "
        "happened "
        "in the month that this measure counts (for example, no reports of that kind), so there "
        "is nothing to chart."
    )


def target_text(frame: pd.DataFrame, metric: registry.Metric) -> str:
    target = frame["target"].dropna() if "target" in frame else pd.Series(dtype=float)
    if target.empty:
        return "none set"
    values = sorted(set(target.round(6)))
    if len(values) == 1:
        return format_value(values[0], metric)
    return "by district (" + ", ".join(format_value(v, metric) for v in values) + ")"


def figure_columns(metric: registry.Metric) -> dict[str, str]:
    """The numerator and denominator columns a metric's tables show, named by its kind: a
    median shows its number of cases only (their total days would not reproduce the median);
    a count shows no denominator of 1."""
    kind = kinds.of(metric)
    out = {}
    if kind.numerator_words:
        out["numerator"] = kind.numerator_words
    if kind.denominator_words:
        out["denominator"] = kind.denominator_words
    return out


def month_table(frame: pd.DataFrame, metric: registry.Metric, units: list[str]) -> pd.DataFrame:
    """The month's figures by area, ready to show: no raw column names, status in words, each
    figure beside the target it was judged against at the places that decide its status."""
    order = {u: i for i, u in enumerate(units)}
    data = frame[frame["district"].isin(units)].copy()
    data["_o"] = data["district"].map(order)
    data = data.sort_values("_o")
    pairs = [
        figure_and_target(v, t, s, metric)
        for v, t, s in zip(data["value"], data["target"], data["status"], strict=True)
    ]
    out = pd.DataFrame(
        {
            "Area": data["district"].to_numpy(),
            "Figure": [v for v, _ in pairs],
            "Target": [t for _, t in pairs],
            "Status": [
                f"{targets.STATUS_SYMBOLS[s]} {targets.STATUS_WORDS[s]}" for s in data["status"]
            ],
        }
    )
    for column, words in figure_columns(metric).items():
        out[words] = [count_text(v) for v in data[column]]
    return out


def trend_table(frame: pd.DataFrame, metric: registry.Metric, units: list[str]) -> pd.DataFrame:
    """The chart's figures as a table: one row per month, one column per area."""
    if frame.empty:
        return pd.DataFrame()
    wide = frame.pivot_table(index="month", columns="district", values="value", aggfunc="first")
    wide = wide[[u for u in units if u in wide.columns]].sort_index(ascending=False)
    out = wide.apply(lambda col: col.map(lambda v: format_value(v, metric)))
    out.index = [month_label(pd.Timestamp(m).date()) for m in out.index]
    out.index.name = "Month"
    return out.reset_index()


def figures_download(
    metric: registry.Metric, frame: pd.DataFrame, forces: list[str], *, key: str, label: str
) -> None:
    """A CSV of figures for circulation, with small numbers suppressed: built when the button is
    pressed (suppression over a whole history is slow), not on every run of the page."""
    st.download_button(
        label,
        data=lambda: figures_csv(metric, frame, forces),
        file_name=f"{metric.id}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
        help=suppression.DEFAULT_RULE.note(),
    )


def figures_csv(metric: registry.Metric, frame: pd.DataFrame, forces: list[str]) -> bytes:
    """The figures download: small numbers suppressed, no live spreadsheet formula."""
    data = frame[["district", "month", "numerator", "denominator", "value", "target", "status"]]
    safe = suppression.suppress_figures(data, metric, totals=forces)
    # A withheld figure carries no status: the status would give it away.
    withheld = safe["value"].map(lambda v: isinstance(v, str))
    status = safe["status"].map(targets.STATUS_WORDS).where(~withheld, "")
    shown = figure_columns(metric)
    safe = safe.assign(
        status=status, month=pd.to_datetime(safe["month"]).dt.strftime("%Y-%m")
    ).drop(columns=[c for c in ("numerator", "denominator") if c not in shown])
    safe = safe.rename(
        columns={
            "district": "Area",
            "month": "Month",
            **shown,
            "value": f"Figure ({metric.unit})",
            "target": "Target",
            "status": "Status",
        }
    )
    return downloads.csv_bytes(safe)


def metric_section(
    metric: registry.Metric,
    month: dt.date,
    selected: list[str],
    forces: list[str],
    *,
    from_month: dt.date | None,
    key: str,
    heading: bool = True,
    describe: bool = True,
) -> None:
    """A metric's trend (small multiples), district comparison, definition and figures.

    The figures and tables are built once per data version and inputs (``stats.cached``) and
    shared by every session: a page run only sends them.
    """
    all_units = selected + [f for f in forces if f not in selected]
    history = stats.series(metric.id, districts=all_units, from_month=from_month, to_month=month)
    figures = app.metric_figures(metric.id)
    month_frame = figures[in_month(figures, month) & figures["district"].isin(all_units)]
    inputs = (metric.id, tuple(all_units), tuple(forces), from_month, month)
    if heading:
        st.header(metric.title)
    if describe:
        definition(metric, target_text(month_frame, metric))

    shown_units = [u for u in all_units if u in set(history["district"])]
    start = from_month or (history["month"].min() if not history.empty else month)
    st.subheader(f"Trend, {month_label(pd.Timestamp(start).date())} to {month_label(month)}")
    if history.empty or history["value"].isna().all():
        st.info(f"No figures for {metric.title.lower()} in this period.")
    else:
        title = f"{metric.title} by month, per area ({metric.unit})"
        fig, alt = stats.cached(
            "views.trend",
            inputs,
            lambda: stats.trend_figure(metric, history, shown_units, forces, title=title),
        )
        st.plotly_chart(fig, alt=alt, config=PLOTLY_CONFIG, key=f"{key}_trend")
        if stats.has_signals():
            has_target = "target" in history and history["target"].notna().any()
            st.caption(
                "Dotted lines are the SPC process limits and the grey line the mean: points "
                "outside the limits, or runs of points, are special causes worth asking about; "
                "the rest is common-cause variation. Limits are drawn no further than the figure "
                "can go (a count not below zero, a percentage not above 100)."
                + (" The dashed line is the target." if has_target else " There is no target.")
            )
        # Static HTML tables, not the interactive grid nor st.table: screen readers read them as
        # plain tables, and the browser neither loads the grid's code nor renders every cell as
        # Markdown (st.table does), so the page draws faster (bench/bench_pages.py).
        with st.expander("Table of the figures in this chart"):
            st.html(
                stats.cached(
                    "views.trend_table",
                    inputs,
                    lambda: table_html(
                        trend_table(history, metric, shown_units).set_index("Month"),
                        label=f"{metric.title} by month, per area",
                    ),
                )
            )

    st.subheader(f"Districts compared, {month_label(month)}")
    measured = month_frame[month_frame["value"].notna()]
    if month_frame.empty:
        st.info(f"No figures for {metric.title.lower()} in {month_label(month)}.")
    elif measured.empty:
        st.info(empty_message(metric, "any area", month))
    else:
        fig, alt, note = stats.cached(
            "views.compare",
            inputs,
            lambda: stats.comparison_figure(metric, month_frame, month, all_units, forces),
        )
        st.plotly_chart(fig, alt=alt, config=PLOTLY_CONFIG, key=f"{key}_compare")
        st.caption(note)
    if not month_frame.empty:
        st.html(
            stats.cached(
                "views.month_table",
                inputs,
                lambda: table_html(
                    month_table(month_frame, metric, all_units).set_index("Area"),
                    label=f"{metric.title}, {month_label(month)}, by area",
                ),
            )
        )
        figures_download(
            metric,
            figures[figures["district"].isin(all_units)],
            forces,
            key=f"{key}_download",
            label="Download these figures (CSV, small numbers suppressed)",
        )


def in_month(frame: pd.DataFrame, month: dt.date) -> pd.Series:
    """Rows of ``frame`` for one month (the month column may hold dates or timestamps)."""
    return pd.to_datetime(frame["month"]) == pd.Timestamp(month)


def last_months(month: dt.date, n: int) -> dt.date:
    """The first month of a window of ``n`` months ending at ``month``."""
    return add_months(month, -(n - 1))


# The access log's columns as its readers call them.
ACCESS_LOG_LABELS = {
    "entry_id": "Entry",
    "logged_at_utc": "When (UTC)",
    "user_id": "User",
    "role": "Role",
    "action": "Action",
    "metric_id": "Metric",
    "district": "Area",
    "month": "Month",
    "rows": "Records",
    "detail": "Detail",
}


def access_log_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Access-log entries for reading: named columns, dates and times as words, metric titles,
    codes as words, blanks for empty cells."""
    known = registry.metrics()
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if column == "logged_at_utc":
            shown = pd.to_datetime(values).map(
                lambda t: "" if pd.isna(t) else f"{day_text(t)} {t:%H:%M:%S}"
            )
        elif column == "month":
            shown = values.map(
                lambda m: "" if m is None or pd.isna(m) else month_label(pd.Timestamp(m).date())
            )
        elif column == "metric_id":
            shown = values.map(
                lambda m: known[m].title if isinstance(m, str) and m in known else (m or "")
            )
        elif column in ("action", "role"):
            shown = values.map(code_words)
        else:
            shown = values.map(lambda v: "" if v is None or pd.isna(v) else v)
        out[ACCESS_LOG_LABELS.get(column, column.replace("_", " ").capitalize())] = shown
    return out.reset_index(drop=True)
