"""The force-wide scorecard: every metric x district (+ force) for a month, against target."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from safeguarding import kinds, registry, targets
from safeguarding.formatting import figure_and_target, format_value


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
    pairs = [
        figure_and_target(v, t, s, known[m])
        for v, t, s, m in zip(
            frame["value"], frame["target"], frame["status"], frame["metric_id"], strict=True
        )
    ]
    frame["text"] = [v for v, _ in pairs]
    frame["target_text"] = [t for _, t in pairs]
    order = {m: i for i, m in enumerate(known)}
    unit_order = {u: i for i, u in enumerate(districts + forces)}
    frame["_m"] = frame["metric_id"].map(order)
    frame["_u"] = frame["district"].map(unit_order)
    return frame.sort_values(["_m", "_u"]).drop(columns=["_m", "_u"]).reset_index(drop=True)


# How many of the latest months are looked at for points outside the process limits.
RECENT_MONTHS = 3


def signal_context(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame:
    """metric_id, district, lpl, upl (the month's process limits) and recent_outside: how many of
    the RECENT_MONTHS to ``month`` fall outside their limits. Empty without SPC signals."""
    first = dt.date(month.year, month.month, 1)
    index = first.year * 12 + first.month - 1 - (RECENT_MONTHS - 1)
    start = dt.date(index // 12, index % 12 + 1, 1)
    try:
        return con.execute(
            """
            with recent as (
                select
                    metric_id,
                    district,
                    count(*) filter (where value > upl or value < lpl) as recent_outside
                from metric_signals
                where month between $start and $month
                group by metric_id, district
            ),

            final as (
                select s.metric_id, s.district, s.lpl, s.upl,
                       coalesce(r.recent_outside, 0) as recent_outside
                from metric_signals as s
                left join recent as r using (metric_id, district)
                where s.month = $month
            )

            select * from final order by metric_id, district
            """,
            {"start": start, "month": first},
        ).df()
    except duckdb.CatalogException:
        return pd.DataFrame(columns=["metric_id", "district", "lpl", "upl", "recent_outside"])


def assurance_note(
    status: str,
    assurance: object,
    lpl: object,
    upl: object,
    recent_outside: object,
    measure: kinds.Measure,
    target_text: str,
) -> str | None:
    """Words for a status and an SPC assurance that would otherwise seem to contradict.

    Both can be right: the status is this period's figure against its target; assurance says
    where the target sits against the process's limits (what the process usually does). Met
    with assurance "fail", or missed with "pass", gets a sentence saying which is which; when
    recent months are outside the limits, the sentence says the limits no longer describe them.
    """
    if not (
        (status == "met" and assurance == "fail") or (status == "not_met" and assurance == "pass")
    ):
        return None
    has_range = not (pd.isna(lpl) or pd.isna(upl))
    shown = kinds.of(measure)
    low = format_value(max(float(lpl), shown.low) if shown.low is not None else lpl, measure)
    high = format_value(min(float(upl), shown.high) if shown.high is not None else upl, measure)
    if not has_range:
        span = ""
    elif low == high:
        span = f" (its limits are both {low}: it has barely varied)"
    else:
        span = f" (its usual range is {low} to {high})"
    outside = 0 if pd.isna(recent_outside) else int(recent_outside)
    if outside:
        months = "month is" if outside == 1 else "months are"
        return (
            f"{outside} of the last {RECENT_MONTHS} {months} outside the process limits{span}, "
            "so the assurance rests on limits that no longer describe them; see the rebase "
            "register on the metric's page."
        )
    if status == "met":
        return f"Met this period, but the process usually misses the target of {target_text}{span}."
    return (
        f"Missed this period, though the process usually meets the target of {target_text}{span}."
    )


@dataclass(frozen=True)
class Cell:
    """One figure of the scorecard as it is shown."""

    metric_id: str
    district: str
    value_text: str
    # The target this cell's status was decided against, at the same places as the value.
    target_text: str
    # Whether the cell prints its target (the row heading gives it otherwise).
    show_target: bool
    status: str
    withheld: bool = False
    change_arrow: str = "none"
    change_text: str = ""
    variation: str | None = None
    assurance: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Row:
    metric: registry.Metric
    # "target 50.0", "no target", or "targets differ by area" (each cell then gives its own).
    target_heading: str
    cells: dict[str, Cell]


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def rows(frame: pd.DataFrame, columns: list[str]) -> list[Row]:
    """The scorecard's rows as shown: one per metric, a cell per area in ``columns``.

    ``frame``: metric_id, district, value, target, status and optionally change_arrow,
    change_text, variation, assurance, lpl, upl, recent_outside, withheld. Each cell's target is
    its own (areas can have different targets); the heading gives a target only when every
    area's is the same, and says so otherwise.
    """
    known = registry.metrics()
    out = []
    for metric_id, group in frame.groupby("metric_id", sort=False):
        metric = known[metric_id]
        group = group[group["district"].isin(columns)]
        targets_in_row = {round(float(t), 9) for t in group["target"] if pd.notna(t)}
        if not targets_in_row:
            heading = "no target"
        elif len(targets_in_row) == 1:
            heading = f"target {format_value(next(iter(targets_in_row)), metric)}"
        else:
            heading = "targets differ by area"
        cells = {}
        for r in group.to_dict("records"):
            withheld = bool(r.get("withheld", False))
            value_text, target_text = figure_and_target(
                r["value"], r["target"], r["status"], metric
            )
            base_target = "none" if pd.isna(r["target"]) else format_value(r["target"], metric)
            show_target = not pd.isna(r["target"]) and (
                len(targets_in_row) > 1 or target_text != base_target
            )
            if withheld:
                # A withheld figure carries no status, change or SPC symbol: each would give
                # it away (a count of 2 "not met" against a target of 0).
                cells[r["district"]] = Cell(
                    metric_id, r["district"], r.get("value_text") or "withheld", target_text,
                    show_target, "withheld", withheld=True,
                )  # fmt: skip
                continue
            note = assurance_note(
                r["status"],
                r.get("assurance"),
                r.get("lpl"),
                r.get("upl"),
                r.get("recent_outside"),
                metric,
                target_text,
            )
            cells[r["district"]] = Cell(
                metric_id=metric_id,
                district=r["district"],
                value_text=value_text if pd.notna(r["value"]) else "no data",
                target_text=target_text,
                show_target=show_target,
                status=r["status"],
                change_arrow=_text_or_none(r.get("change_arrow")) or "none",
                change_text=_text_or_none(r.get("change_text")) or "",
                variation=_text_or_none(r.get("variation")),
                assurance=_text_or_none(r.get("assurance")),
                note=note,
            )
        out.append(Row(metric, heading, cells))
    return out
