"""The force-wide scorecard: every metric x district (+ force) for a month, against target."""

from __future__ import annotations

import datetime as dt
import html

import duckdb
import pandas as pd

from safeguarding import registry, targets
from safeguarding.formatting import format_value


def units(con: duckdb.DuckDBPyConnection, force: str | None = None) -> tuple[list[str], list[str]]:
    """(districts, forces) in display order: districts alphabetically, then the force rows."""
    rows = con.execute(
        "select district, force from districts where $force is null or force = $force "
        "order by force, district",
        {"force": force},
    ).fetchall()
    return [r[0] for r in rows], list(dict.fromkeys(r[1] for r in rows))


def scorecard(
    con: duckdb.DuckDBPyConnection, month: dt.date, *, force: str | None = None
) -> pd.DataFrame:
    """Long frame: metric_id, title, unit, district, value, target, status, text, for one month."""
    districts, forces = units(con, force)
    frame = targets.figures(con, from_month=month, to_month=month, districts=districts + forces)
    known = registry.metrics()
    frame = frame[frame["metric_id"].isin(known.keys())].copy()
    frame["title"] = frame["metric_id"].map(lambda m: known[m].title)
    frame["unit"] = frame["metric_id"].map(lambda m: known[m].unit)
    frame["text"] = [format_value(v, u) for v, u in zip(frame["value"], frame["unit"], strict=True)]
    frame["target_text"] = [
        format_value(t, u) if pd.notna(t) else "none"
        for t, u in zip(frame["target"], frame["unit"], strict=True)
    ]
    order = {m: i for i, m in enumerate(known)}
    unit_order = {u: i for i, u in enumerate(districts + forces)}
    frame["_m"] = frame["metric_id"].map(order)
    frame["_u"] = frame["district"].map(unit_order)
    return frame.sort_values(["_m", "_u"]).drop(columns=["_m", "_u"]).reset_index(drop=True)


def scorecard_html(frame: pd.DataFrame, columns: list[str], *, link=None) -> str:
    """An accessible HTML table: metrics in rows, districts then force in columns.

    Status is shown by a symbol and a word in every cell, never by colour alone. ``link(metric_id,
    district)`` may return an href for each cell.
    """
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    rows = []
    for metric_id, group in frame.groupby("metric_id", sort=False):
        first = group.iloc[0]
        cells = []
        by_unit = {r.district: r for r in group.itertuples()}
        for unit in columns:
            r = by_unit.get(unit)
            if r is None:
                cells.append('<td class="sg-na">not measured</td>')
                continue
            status = r.status
            word = targets.STATUS_WORDS[status]
            body = (
                f'<span class="sg-value">{esc(r.text)}</span>'
                f'<span class="sg-status sg-{status}">'
                f'<span aria-hidden="true">{targets.STATUS_SYMBOLS[status]}</span> {esc(word)}'
                "</span>"
            )
            href = link(metric_id, unit) if link else None
            if href:
                label = f"{first.title}, {unit}: {r.text}, {word}"
                body = f'<a href="{esc(href)}" aria-label="{esc(label)}">{body}</a>'
            cells.append(f"<td>{body}</td>")
        target = group["target_text"].iloc[-1]
        rows.append(
            f'<tr><th scope="row"><span class="sg-metric">{esc(first.title)}</span>'
            f'<span class="sg-unit">{esc(first.unit)} · target {esc(target)}</span></th>'
            + "".join(cells)
            + "</tr>"
        )
    return (
        '<table class="sg-scorecard"><thead><tr><th scope="col">Metric</th>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
