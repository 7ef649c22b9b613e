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

from safeguarding import downloads, registry, suppression, targets
from safeguarding.formatting import format_value, month_label
from safeguarding.ui import app, stats
from safeguarding.ui.periods import CHANGE_ARROWS, Period, add_months, period_figures, with_change
from safeguarding.ui.safe import md
from safeguarding.ui.safe import table as safe_table

METRIC_PAGE = "metric"
PLOTLY_CONFIG = {"displaylogo": False}

DIRECTION_WORDS = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
    "neutral": "neither higher nor lower is better",
}


def metric_link(metric_id: str, district: str, month: dt.date) -> str:
    """A relative link to the metric detail page (works at any base path under st.navigation)."""
    query = urlencode({"metric": metric_id, "district": district, "month": f"{month:%Y-%m}"})
    return f"{METRIC_PAGE}?{query}"


# --- the scorecard --------------------------------------------------------------------------


def scorecard_frame(period: Period, units: list[str]) -> pd.DataFrame:
    """Every metric x unit for the period: value, target, status, change, SPC icons."""
    known = registry.metrics()
    directions = {m.id: m.direction for m in known.values()}
    unit_of = {m.id: m.unit for m in known.values()}
    previous = period.previous_quarter()
    figures = app.figures(previous.first, period.last)
    figures = figures[figures["district"].isin(units) & figures["metric_id"].isin(known)]
    current = period_figures(figures, period, directions, unit_of)
    before = period_figures(figures, previous, directions, unit_of)
    frame = with_change(current, before, directions, unit_of)
    signals = stats.month_signals(period.last)
    if signals is not None and not frame.empty:
        frame = frame.merge(
            signals[["metric_id", "district", "variation", "assurance"]],
            on=["metric_id", "district"],
            how="left",
        )
    order = {m: i for i, m in enumerate(known)}
    unit_order = {u: i for i, u in enumerate(units)}
    frame["_m"] = frame["metric_id"].map(order)
    frame["_u"] = frame["district"].map(unit_order)
    return frame.sort_values(["_m", "_u"]).drop(columns=["_m", "_u"]).reset_index(drop=True)


def spc_html(row: pd.Series) -> str:
    variation = row.get("variation")
    if not isinstance(variation, str):
        return ""
    symbol, short = stats.VARIATION_SHORT.get(variation, ("", variation))
    parts = [
        f'<span class="sg-spc" title="{html.escape(stats.variation_words(variation))}">'
        f'<span aria-hidden="true">{symbol}</span> {html.escape(short)}</span>'
    ]
    assurance = row.get("assurance")
    if isinstance(assurance, str) and assurance in stats.ASSURANCE_SHORT:
        symbol, short = stats.ASSURANCE_SHORT[assurance]
        parts.append(
            f'<span class="sg-spc" title="{html.escape(stats.assurance_words(assurance))}">'
            f'<span aria-hidden="true">{symbol}</span> {html.escape(short)}</span>'
        )
    return "".join(parts)


def scorecard_html(
    frame: pd.DataFrame, columns: list[str], period: Period, *, caption: str | None = None
) -> str:
    """An accessible table: metrics in rows, districts then force in columns.

    Every cell gives the value, the status by symbol and word, the change against the previous
    quarter in words and by arrow, and the SPC icons in words; each links to the metric's detail.
    """
    esc = html.escape
    known = registry.metrics()
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    comparison = "same month last quarter" if period.kind == "month" else "previous quarter"
    rows = []
    for metric_id, group in frame.groupby("metric_id", sort=False):
        metric = known[metric_id]
        by_unit = {r["district"]: r for _, r in group.iterrows()}
        cells = []
        for unit in columns:
            r = by_unit.get(unit)
            if r is None:
                cells.append('<td class="sg-na">not measured</td>')
                continue
            status = r["status"]
            word = targets.STATUS_WORDS[status]
            text = format_value(r["value"], metric.unit)
            arrow = CHANGE_ARROWS.get(r.get("change_arrow", "none"), "")
            change_text = r.get("change_text") or ""
            body = (
                f'<span class="sg-value">{esc(text)}</span>'
                f'<span class="sg-status sg-{status}">'
                f'<span aria-hidden="true">{targets.STATUS_SYMBOLS[status]}</span> {esc(word)}'
                "</span>"
                f'<span class="sg-change"><span aria-hidden="true">{arrow}</span> '
                f"{esc(change_text)}</span>" + spc_html(r)
            )
            href = metric_link(metric_id, unit, period.last)
            label = (
                f"{metric.title}, {unit}: {text}, {word}; {change_text} ({comparison}). "
                "Open trend and records."
            )
            cells.append(f'<td><a href="{esc(href)}" aria-label="{esc(label)}">{body}</a></td>')
        target = group["target"].dropna()
        target_text = format_value(target.iloc[-1], metric.unit) if not target.empty else "none"
        rows.append(
            f'<tr><th scope="row"><span class="sg-metric">{esc(metric.title)}</span>'
            f'<span class="sg-unit">{esc(metric.unit)} · target {esc(target_text)} · '
            f"{esc(DIRECTION_WORDS[metric.direction])}</span></th>" + "".join(cells) + "</tr>"
        )
    if caption is None:
        caption = f"Scorecard for {period.label}: every metric against target, by district"
    return (
        '<div class="sg-scorecard-wrap"><table class="sg-scorecard">'
        f"<caption>{esc(caption)}</caption>"
        f'<thead><tr><th scope="col">Metric</th>{head}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
    )


def key_html(with_spc: bool) -> str:
    """The key to the scorecard's symbols, in words."""
    items = [
        f'<span><span aria-hidden="true">{targets.STATUS_SYMBOLS[s]}</span> {w}</span>'
        for s, w in targets.STATUS_WORDS.items()
    ]
    items.append('<span><span aria-hidden="true">↑ ↓</span> change: improved or worsened</span>')
    if with_spc:
        items.append(
            '<span><span aria-hidden="true">▲ ▼ ●</span> SPC: special cause (improving, '
            "concern, unusual) or common cause</span>"
        )
    return f'<p class="sg-key">Key: {"".join(items)}</p>'


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
        return format_value(values[0], metric.unit)
    return "by district (" + ", ".join(format_value(v, metric.unit) for v in values) + ")"


def month_table(frame: pd.DataFrame, metric: registry.Metric, units: list[str]) -> pd.DataFrame:
    """The month's figures by area, ready to show: no raw column names, status in words."""
    order = {u: i for i, u in enumerate(units)}
    data = frame[frame["district"].isin(units)].copy()
    data["_o"] = data["district"].map(order)
    data = data.sort_values("_o")
    return pd.DataFrame(
        {
            "Area": data["district"],
            "Figure": [format_value(v, metric.unit) for v in data["value"]],
            "Target": [
                format_value(t, metric.unit) if pd.notna(t) else "none" for t in data["target"]
            ],
            "Status": [
                f"{targets.STATUS_SYMBOLS[s]} {targets.STATUS_WORDS[s]}" for s in data["status"]
            ],
            "Counted (numerator)": data["numerator"],
            "Out of (denominator)": data["denominator"],
        }
    ).reset_index(drop=True)


def trend_table(frame: pd.DataFrame, metric: registry.Metric, units: list[str]) -> pd.DataFrame:
    """The chart's figures as a table: one row per month, one column per area."""
    if frame.empty:
        return pd.DataFrame()
    wide = frame.pivot_table(index="month", columns="district", values="value", aggfunc="first")
    wide = wide[[u for u in units if u in wide.columns]].sort_index(ascending=False)
    out = wide.apply(lambda col: col.map(lambda v: format_value(v, metric.unit)))
    out.index = [month_label(pd.Timestamp(m).date()) for m in out.index]
    out.index.name = "Month"
    return out.reset_index()


def figures_download(
    metric: registry.Metric, frame: pd.DataFrame, forces: list[str], *, key: str, label: str
) -> None:
    """A CSV of figures for circulation, with small numbers suppressed."""
    st.download_button(
        label,
        data=figures_csv(metric, frame, forces),
        file_name=f"{metric.id}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
        help=suppression.DEFAULT_RULE.note(),
    )


def figures_csv(metric: registry.Metric, frame: pd.DataFrame, forces: list[str]) -> bytes:
    """The figures download: small numbers suppressed, no live spreadsheet formula."""
    data = frame[["district", "month", "numerator", "denominator", "value", "target", "status"]]
    safe = suppression.suppress_figures(data, metric.unit, totals=forces)
    safe = safe.assign(status=safe["status"].map(targets.STATUS_WORDS)).rename(
        columns={
            "district": "Area",
            "month": "Month",
            "numerator": "Counted (numerator)",
            "denominator": "Out of (denominator)",
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
    """A metric's trend (small multiples), district comparison, definition and figures."""
    all_units = selected + [f for f in forces if f not in selected]
    history = stats.series(metric.id, districts=all_units, from_month=from_month, to_month=month)
    figures = app.metric_figures(metric.id)
    month_frame = figures[in_month(figures, month) & figures["district"].isin(all_units)]
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
        fig, alt = stats.trend_figure(metric, history, shown_units, forces, title=title)
        st.plotly_chart(fig, alt=alt, config=PLOTLY_CONFIG, key=f"{key}_trend")
        if stats.has_signals():
            st.caption(
                "Dotted lines are the SPC process limits and the grey line the mean: points "
                "outside the limits, or runs of points, are special causes worth asking about; "
                "the rest is common-cause variation. The dashed line is the target."
            )
        # Static tables (st.table), not the interactive grid: they are read by screen readers
        # as plain tables and do not make the browser load the grid's code, so pages draw faster.
        with st.expander("Table of the figures in this chart"):
            st.table(safe_table(trend_table(history, metric, shown_units).set_index("Month")))

    st.subheader(f"Districts compared, {month_label(month)}")
    measured = month_frame[month_frame["value"].notna()]
    if month_frame.empty:
        st.info(f"No figures for {metric.title.lower()} in {month_label(month)}.")
    elif measured.empty:
        st.info(empty_message(metric, "any area", month))
    else:
        fig, alt, note = stats.comparison_figure(metric, month_frame, month, all_units, forces)
        st.plotly_chart(fig, alt=alt, config=PLOTLY_CONFIG, key=f"{key}_compare")
        st.caption(note)
    if not month_frame.empty:
        st.table(safe_table(month_table(month_frame, metric, all_units).set_index("Area")))
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
