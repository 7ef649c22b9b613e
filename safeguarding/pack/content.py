"""The pack's document: everything a quarter's board pack shows, gathered into one plain
(JSON-ready) document by ``build_content``, with small numbers already withheld."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd

from safeguarding import (
    actions,
    kinds,
    metrics,
    recommendations,
    registry,
    review,
    scorecard,
    signals,
    store,
    suppression,
    targets,
)
from safeguarding.formatting import ROUNDING_RULE, format_value, month_label
from safeguarding.pack.errors import PackError
from safeguarding.quarters import Period, add_months, complete_quarters

PACK_VERSION = 1
CHART_MONTHS = 36
WITHHELD_CHANGE = "not shown (small numbers)"
WITHHELD_STATUS = "not shown (small numbers)"


def _num(value: object) -> float | int | None:
    """A number as the snapshot keeps it: None for missing, floats rounded to 9 places."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    rounded = round(number, 9)
    return 0.0 if rounded == 0 else rounded


def _day(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def _str(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


def _force_for(con: duckdb.DuckDBPyConnection, force: str | None) -> str:
    forces = [
        r[0] for r in con.execute("select distinct force from districts order by 1").fetchall()
    ]
    if not forces:
        raise PackError("The database has no districts: load data or rebuild the demo first.")
    if force is None:
        if len(forces) > 1:
            raise PackError(
                f"This database holds {len(forces)} forces; say which one the pack is for "
                f"(e.g. {forces[0]})."
            )
        return forces[0]
    if force not in forces:
        raise PackError(f"No force called '{force}'. Forces: {', '.join(forces)}.")
    return force


def _check_quarter(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    months = [
        r[0] for r in con.execute("select distinct month from metric_values order by 1").fetchall()
    ]
    complete = complete_quarters(months)
    if period not in complete:
        if not complete:
            raise PackError("The database holds no complete quarter of figures.")
        raise PackError(
            f"No complete figures for {period.label}. Quarters with figures: "
            f"{complete[0].short_label} to {complete[-1].short_label}."
        )


PERIOD_COLUMNS = {
    "current": ("value", "numerator", "denominator"),
    "previous": ("previous_value", "previous_numerator", "previous_denominator"),
    "last_year": ("last_year_value", "last_year_numerator", "last_year_denominator"),
}


def _suppressible(metric_id: str) -> bool:
    """Small numbers are withheld for small areas. A figure that exists only for the force as a
    whole (inspection recommendations completed on time) counts recommendations, not people, in
    the largest area there is, so it is not withheld."""
    return registry.get(metric_id).scope != "force"


def _withheld(
    table: pd.DataFrame, forces: Sequence[str], rule: suppression.Rule
) -> dict[tuple[str, str, str], str]:
    """(metric_id, area, period key) -> the label shown instead of a withheld figure."""
    labels: dict[tuple[str, str, str], str] = {}
    for key, (value, numerator, denominator) in PERIOD_COLUMNS.items():
        for metric_id, group in table.groupby("metric_id", sort=False):
            if not _suppressible(metric_id):
                continue
            frame = pd.DataFrame(
                {
                    "metric_id": metric_id,
                    "district": group["district"].to_numpy(),
                    "numerator": group[numerator].to_numpy(dtype=float),
                    "denominator": group[denominator].to_numpy(dtype=float),
                    "value": group[value].to_numpy(dtype=float),
                }
            )
            metric = registry.get(metric_id)
            safe = suppression.suppress_figures(frame, metric, totals=list(forces), rule=rule)
            # A quarter's value of a plain count is an average, not the count itself, so a figure
            # is withheld when its value or any count it is made of is withheld.
            counts, _ = suppression.count_columns(metric)
            columns = ["value", *[c for c in counts if c != "value"]]
            for position, district in enumerate(safe["district"]):
                cells = [safe[c].iloc[position] for c in columns]
                label = next((c for c in cells if isinstance(c, str)), None)
                if label is not None:
                    labels[(metric_id, district, key)] = label
    return labels


def _safe_table(table: pd.DataFrame, labels: dict[tuple[str, str, str], str]) -> pd.DataFrame:
    """The quarter table with withheld figures replaced by their labels in every text column."""
    out = table.copy()
    texts = {"current": "value_text", "previous": "previous_text", "last_year": "last_year_text"}
    for key, column in texts.items():
        flags = [
            (m, d, key) in labels for m, d in zip(out["metric_id"], out["district"], strict=True)
        ]
        out[column] = [
            labels.get((m, d, key), text)
            for m, d, text in zip(out["metric_id"], out["district"], out[column], strict=True)
        ]
        if key == "current":
            out["value_withheld"] = flags
        elif key == "previous":
            out["previous_withheld"] = flags
        else:
            out["last_year_withheld"] = flags
    # A withheld figure's target is shown at its usual places: more places would say how close
    # the withheld figure is to it.
    for position in [i for i, w in enumerate(out["value_withheld"]) if w]:
        metric = registry.get(out["metric_id"].iloc[position])
        target = out["target"].iloc[position]
        out.iloc[position, out.columns.get_loc("target_text")] = (
            "none" if pd.isna(target) else format_value(target, metric)
        )
    out["change_text"] = [
        WITHHELD_CHANGE if (a or b) else text
        for a, b, text in zip(
            out["value_withheld"], out["previous_withheld"], out["change_text"], strict=True
        )
    ]
    out["year_change_text"] = [
        WITHHELD_CHANGE if (a or b) else text
        for a, b, text in zip(
            out["value_withheld"], out["last_year_withheld"], out["year_change_text"], strict=True
        )
    ]
    return out


def _series(
    con: duckdb.DuckDBPyConnection,
    metric: registry.Metric,
    units: list[str],
    forces: list[str],
    first: dt.date,
    last: dt.date,
    rule: suppression.Rule,
) -> list[dict[str, Any]]:
    """The chart points of one metric: value, limits, point type; withheld points flagged."""
    figures = metrics.frame(con, metric.id, from_month=first, to_month=last, districts=units)
    spc = signals.series(con, metric.id, districts=units, from_month=first, to_month=last)
    if spc.empty:
        with_targets = targets.figures(
            con, metric_id=metric.id, from_month=first, to_month=last, districts=units
        )
        spc = with_targets[["district", "month", "target"]].assign(
            mean=None, lpl=None, upl=None, point_type=None
        )
    spc = spc[["district", "month", "mean", "lpl", "upl", "point_type", "target"]]
    frame = figures.merge(spc, on=["district", "month"], how="left")
    columns = ["district", "month", "numerator", "denominator", "value"]
    safe = (
        suppression.suppress_figures(frame[columns], metric, totals=forces, rule=rule)
        if _suppressible(metric.id)
        else frame[columns]
    )
    points = []
    for (_, row), shown in zip(frame.iterrows(), safe["value"], strict=True):
        points.append(
            {
                "district": row["district"],
                "month": _day(row["month"]),
                "value": _num(row["value"]),
                "mean": _num(row["mean"]),
                "lpl": _num(row["lpl"]),
                "upl": _num(row["upl"]),
                "target": _num(row["target"]),
                "point_type": _str(row["point_type"]),
                "withheld": isinstance(shown, str),
            }
        )
    return points


def build_content(
    con: duckdb.DuckDBPyConnection,
    quarter: str | Period,
    *,
    force: str | None = None,
    today: dt.date | None = None,
    rule: suppression.Rule = suppression.DEFAULT_RULE,
) -> dict[str, Any]:
    """Everything a quarter's board pack shows, as one JSON-ready document (see module doc)."""
    today = today or dt.date.today()
    try:
        period = review.as_quarter(quarter)
    except ValueError as exc:
        raise PackError(str(exc)) from None
    force = _force_for(con, force)
    _check_quarter(con, period)
    districts, forces = scorecard.units(con, force)
    units = districts + forces
    info = store.meta(con)
    known = registry.metrics()

    table = review.quarter_table(con, period, force=force)
    labels = _withheld(table, forces, rule)
    safe = _safe_table(table, labels)
    # A withheld figure is not listed as an exception: being one says how it stands against
    # its target, which is what withholding it hides.
    ranked = review.exceptions(safe[~safe["value_withheld"]], period)
    previous, last_year = period.previous_quarter(), period.year_earlier()

    figures, rows = [], []
    for row in safe.to_dict("records"):
        spc_signal = {"variation": _str(row["variation"]), "assurance": _str(row["assurance"])}
        for key, (value, numerator, denominator) in PERIOD_COLUMNS.items():
            code = {"current": period, "previous": previous, "last_year": last_year}[key].code
            prefix = {"current": "", "previous": "previous_", "last_year": "last_year_"}[key]
            figures.append(
                {
                    "metric_id": row["metric_id"],
                    "district": row["district"],
                    "period": code,
                    "value": _num(row[value]),
                    "numerator": _num(row[numerator]),
                    "denominator": _num(row[denominator]),
                    "target": _num(row["target"]) if key == "current" else None,
                    "status": _str(row[f"{prefix}status"]),
                    **(spc_signal if key == "current" else {"variation": None, "assurance": None}),
                }
            )
        rows.append(
            {
                "metric_id": row["metric_id"],
                "district": row["district"],
                "is_force": bool(row["is_force"]),
                "value_text": row["value_text"],
                "previous_text": row["previous_text"],
                "last_year_text": row["last_year_text"],
                "target_text": row["target_text"],
                "status": "withheld" if row["value_withheld"] else row["status"],
                "withheld": bool(row["value_withheld"]),
                # A withheld figure carries no status, change or SPC symbol anywhere.
                "status_text": (
                    WITHHELD_STATUS if row["value_withheld"] else review.status_text(row["status"])
                ),
                "change_text": _str(row["change_text"]) or "",
                "year_change_text": _str(row["year_change_text"]) or "",
                "spc_text": (
                    WITHHELD_STATUS
                    if row["value_withheld"]
                    else review.spc_text(row["variation"], row["assurance"], row["spc_note"])
                ),
            }
        )

    chart_first = add_months(period.last, -(CHART_MONTHS - 1))
    series = {
        metric.id: _series(con, metric, units, forces, chart_first, period.last, rule)
        for metric in known.values()
    }

    action_rows = _actions(con, period, units, today)
    recommendation_rows = _recommendations(con, force, rows, period, today)

    return {
        "version": PACK_VERSION,
        "quarter": period.code,
        "labels": {
            "quarter": period.short_label,
            "quarter_long": period.label,
            "previous": previous.short_label,
            "last_year": last_year.short_label,
            "last_month": month_label(period.last),
            "chart_from": month_label(chart_first),
        },
        "force": force,
        "as_at": info.get("as_at"),
        "source": info.get("source"),
        "units": units,
        "forces": forces,
        "rule": {
            "low": rule.low,
            "high": rule.high,
            "primary": rule.primary_label,
            "secondary": rule.secondary_label,
            "note": rule.note(),
        },
        "themes": [[theme_id, title] for theme_id, title in registry.themes().items()],
        "metrics": [
            {
                "id": m.id,
                "title": m.title,
                "kind": m.kind,
                "unit": m.unit,
                "direction": m.direction,
                "definition": m.definition,
                "theme": m.theme,
                "finding": m.finding,
                "target_text": _target_text(safe, m.id, forces),
            }
            for m in known.values()
        ],
        "figures": figures,
        "rows": rows,
        "exceptions": [
            {
                "tier": int(e["tier"]),
                "tier_label": e["tier_label"],
                "metric_id": e["metric_id"],
                "district": e["district"],
                "sentence": e["sentence"],
            }
            for e in ranked.to_dict("records")
        ],
        "series": series,
        "actions": action_rows,
        "recommendations": recommendation_rows,
        "notes": _notes(period, rule),
    }


def _target_text(table: pd.DataFrame, metric_id: str, forces: Sequence[str]) -> str:
    rows = table[(table["metric_id"] == metric_id) & table["district"].isin(forces)]
    if rows.empty:
        rows = table[table["metric_id"] == metric_id]
    return rows["target_text"].iloc[0] if not rows.empty else "none"


def _actions(
    con: duckdb.DuckDBPyConnection, period: Period, units: Sequence[str], today: dt.date
) -> list[dict[str, Any]]:
    frame = actions.for_review(con, period.code, today=today)
    if frame.empty:
        return []
    frame = frame[frame["district"].isna() | frame["district"].isin(list(units))]
    known = registry.metrics()
    out = []
    for row in frame.to_dict("records"):
        metric = known.get(row["metric_id"]) if isinstance(row["metric_id"], str) else None
        out.append(
            {
                "action_id": int(row["action_id"]),
                "metric_id": _str(row["metric_id"]),
                "metric_title": metric.title if metric else "",
                "district": _str(row["district"]),
                "quarter": row["quarter"],
                "raised_on": _day(row["raised_on"]),
                "text": row["text"],
                "owner": row["owner"],
                "due_date": _day(row["due_date"]),
                "status": row["status"],
                "response": _str(row["response"]),
                "closed_on": _day(row["closed_on"]),
                "overdue": bool(row["overdue"]),
                "carried_forward": bool(row["carried_forward"]),
                "status_text": actions.status_text(row["status"], bool(row["overdue"])),
            }
        )
    return out


def _recommendations(
    con: duckdb.DuckDBPyConnection,
    force: str,
    rows: list[dict[str, Any]],
    period: Period,
    today: dt.date,
) -> list[dict[str, Any]]:
    frame = recommendations.listing(con, force=force, today=today)
    known = registry.metrics()
    force_rows = {r["metric_id"]: r for r in rows if r["district"] == force}
    out = []
    for row in frame.to_dict("records"):
        linked = []
        for metric_id in row["metric_ids"]:
            shown = force_rows.get(metric_id)
            figure = (
                f"{shown['value_text']} in {period.short_label}, {shown['status_text']}"
                if shown
                else f"no figure in {period.short_label}"
            )
            linked.append(
                {"metric_id": metric_id, "title": known[metric_id].title, "figure": figure}
            )
        out.append(
            {
                "recommendation_ref": row["recommendation_ref"],
                "report": row["report"],
                "report_date": _day(row["report_date"]),
                "text": row["text"],
                "owner": row["owner"],
                "due_date": _day(row["due_date"]),
                "status": row["status"],
                "evidence": _str(row["evidence"]),
                "completed_on": _day(row["completed_on"]),
                "linked_metrics": _str(row["linked_metrics"]),
                "overdue": bool(row["overdue"]),
                "progress": row["progress"],
                "linked": linked,
            }
        )
    return out


def _notes(period: Period, rule: suppression.Rule) -> list[list[str]]:
    """The 'notes on data and definitions' section, as (heading, paragraph) pairs."""
    return [
        [
            "Quarter figures",
            f"{kinds.quarter_rule()}. Each is set against the target in force in the "
            f"quarter's last month ({month_label(period.last)}). Each quarter is "
            "compared with the previous quarter and with the same quarter a year earlier; "
            "'improved' and 'worsened' follow the metric's direction (higher or lower is "
            "better). " + ROUNDING_RULE,
        ],
        [
            "SPC signals",
            "Statistical process control (XmR charts, NHS 'Making Data Count' rules): process "
            "limits are the mean plus or minus 2.66 times the mean moving range. A special cause "
            "(a point beyond a limit, a run of 7 rising or falling, 2 of 3 near a limit, or 7 on "
            "one side of the mean) is a change worth asking about; the rest is common-cause "
            "variation. Assurance says whether the target lies inside the limits (may or may not "
            "be met) or outside them (will be met, or will not be met without change). A "
            "quarter's signal is that of its last month. Charts show the last "
            f"{CHART_MONTHS} months.",
        ],
        [
            "Exceptions",
            "Listed most serious first. Tier 1: target missed with a special cause of concern. "
            "Tier 2: target missed, no special cause of concern, and SPC says it will not be met "
            "without change. Tier 3: a special cause of concern while the target is met or "
            "there is no target. Tier 4: any other target missed. Within a tier, the larger "
            "shortfall against the target (as a share of the target) comes first; in tier 3, "
            "the larger worsening since the previous quarter.",
        ],
        [
            "Small numbers",
            rule.note() + " Chart points withheld for the same reason are left out. Figures "
            "that exist only for the force as a whole (inspection recommendations completed on "
            "time) count recommendations, not people, and are shown in full. A withheld figure "
            "carries no status, change or SPC signal, and is not listed as an exception, since "
            "each would say how it stands. A chart panel whose figures are all withheld is not "
            "drawn; the chart says which.",
        ],
        [
            "Action log and recommendations",
            "Actions raised at earlier reviews are carried into each review until closed. An "
            "action or recommendation not closed or completed by its due date is marked "
            "'⚠ Overdue'.",
        ],
        [
            "Snapshot and reproduction",
            "The snapshot identifier on every page is the SHA-256 of the figures in this pack "
            "(every figure, chart point, action and recommendation shown, with the data's "
            "as-at date); the same figures always give the same identifier. The figures are "
            "kept with the dashboard, so this pack can be rebuilt exactly with: python -m "
            "safeguarding pack --snapshot <identifier> --format pdf --out FILE.",
        ],
    ]
