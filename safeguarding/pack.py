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
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import json
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from safeguarding import (
    actions,
    charts,
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
from safeguarding.formatting import month_label
from safeguarding.quarters import Period, add_months, complete_quarters
from safeguarding.review import day_label

PACK_VERSION = 1
SHORT_ID_LENGTH = 12
CHART_MONTHS = 36
CHART_WIDTH = 1100
CHART_SCALE = 1.5
FORMATS = ("pdf", "pptx")
WITHHELD_CHANGE = "not shown (small numbers)"

# The fields of each record that the snapshot identifier covers: every stored column (raw data,
# not wording) and whether it was overdue on the day. A recommendation's force is covered once,
# by the pack's own force.
ACTION_FIELDS = (*actions.COLUMNS, "overdue")
RECOMMENDATION_FIELDS = (*(c for c in recommendations.COLUMNS if c != "force"), "overdue")


class PackError(ValueError):
    """A pack that cannot be built or found; the message says why and what to do."""


# --- the document ----------------------------------------------------------------------------


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
            safe = suppression.suppress_figures(
                frame, group["unit"].iloc[0], totals=list(forces), rule=rule
            )
            # A quarter's value of a plain count is an average, not the count itself, so a figure
            # is withheld when its value or any count it is made of is withheld.
            counts, _ = suppression.count_columns(group["unit"].iloc[0])
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
        suppression.suppress_figures(frame[columns], metric.unit, totals=forces, rule=rule)
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
    ranked = review.exceptions(safe, period)
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
                "status": row["status"],
                "status_text": review.status_text(row["status"]),
                "change_text": _str(row["change_text"]) or "",
                "year_change_text": _str(row["year_change_text"]) or "",
                "spc_text": review.spc_text(row["variation"], row["assurance"]),
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
            "A quarter's percentage or ratio is pooled over its three months (total numerator "
            "over total denominator); a count, a number of days or an FTE is the average of "
            f"its three monthly figures. Each is set against the target in force in the "
            f"quarter's last month ({month_label(period.last)}). Each quarter is "
            "compared with the previous quarter and with the same quarter a year earlier; "
            "'improved' and 'worsened' follow the metric's direction (higher or lower is "
            "better).",
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
            "time) count recommendations, not people, and are shown in full. Exceptions whose "
            "figure is withheld come last in their tier, so their place does not hint at their "
            "size.",
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


# --- the snapshot identifier -----------------------------------------------------------------


def hashed_part(content: dict[str, Any]) -> dict[str, Any]:
    """What the snapshot identifier covers: the raw figures shown and the as-at date."""
    return {
        "as_at": content["as_at"],
        "quarter": content["quarter"],
        "force": content["force"],
        "rule": [content["rule"]["low"], content["rule"]["high"]],
        "figures": content["figures"],
        "series": content["series"],
        "actions": [{k: a[k] for k in ACTION_FIELDS} for a in content["actions"]],
        "recommendations": [
            {k: r[k] for k in RECOMMENDATION_FIELDS} for r in content["recommendations"]
        ],
    }


def canonical(payload: Any) -> bytes:
    """Sorted-key, compact JSON in UTF-8: one byte string for one set of figures."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def snapshot_id(content: dict[str, Any]) -> str:
    """The SHA-256 (hex) of the canonical serialisation of the figures a pack shows."""
    return hashlib.sha256(canonical(hashed_part(content))).hexdigest()


# --- keeping and finding packs ---------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """A pack's document, its identifier and when it was first built ("as presented on")."""

    snapshot_id: str
    quarter: str
    force: str | None
    as_at: str | None
    created_at: dt.datetime
    created_by: str | None
    content: dict[str, Any]

    @property
    def short_id(self) -> str:
        return self.snapshot_id[:SHORT_ID_LENGTH]

    @property
    def presented_on(self) -> str:
        return day_label(self.created_at.date())

    @property
    def as_at_text(self) -> str:
        return day_label(dt.date.fromisoformat(self.as_at)) if self.as_at else "unknown"

    @property
    def footer(self) -> str:
        return (
            f"Data as at {self.as_at_text} · Snapshot {self.short_id} · "
            f"{self.content['labels']['quarter']} board pack, presented on {self.presented_on}"
        )

    def file_name(self, fmt: str) -> str:
        return f"board-pack-{self.quarter}-{self.short_id}.{fmt}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def new_snapshot(content: dict[str, Any], *, created_by: str | None = None) -> Snapshot:
    """A snapshot of a document just built (not yet kept)."""
    return Snapshot(
        snapshot_id=snapshot_id(content),
        quarter=content["quarter"],
        force=content["force"],
        as_at=content["as_at"],
        created_at=_now(),
        created_by=created_by,
        content=content,
    )


def keep(con: duckdb.DuckDBPyConnection, snapshot: Snapshot) -> Snapshot:
    """Store a snapshot (inside a store.writer block) unless one with its id is kept already;
    returns the kept one, so a pack built again from the same figures keeps its first date."""
    con.execute(
        """
        insert or ignore into packs
            (snapshot_id, quarter, force, as_at, created_at, created_by, content)
        values ($id, $quarter, $force, $as_at, $created_at, $created_by, $content)
        """,
        {
            "id": snapshot.snapshot_id,
            "quarter": snapshot.quarter,
            "force": snapshot.force,
            "as_at": snapshot.as_at,
            "created_at": snapshot.created_at,
            "created_by": snapshot.created_by,
            "content": canonical(snapshot.content).decode("utf-8"),
        },
    )
    return load(con, snapshot.snapshot_id)


def find(con: duckdb.DuckDBPyConnection, snapshot_ref: str) -> Snapshot | None:
    """The kept snapshot whose id is or starts with ``snapshot_ref``; None if there is none."""
    ref = snapshot_ref.strip().lower()
    if len(ref) < 6 or any(c not in "0123456789abcdef" for c in ref):
        raise PackError(
            f"'{snapshot_ref}' is not a snapshot identifier: give at least the first 6 of its "
            "hexadecimal digits, as printed on the pack."
        )
    try:
        rows = con.execute(
            """
            select snapshot_id, quarter, force, as_at, created_at, created_by, content
            from packs where starts_with(snapshot_id, $ref)
            """,
            {"ref": ref},
        ).fetchall()
    except duckdb.CatalogException:
        return None  # a database from before packs were kept
    if len(rows) > 1:
        raise PackError(f"'{snapshot_ref}' matches {len(rows)} packs; give more digits.")
    if not rows:
        return None
    sid, quarter, force, as_at, created_at, created_by, content = rows[0]
    return Snapshot(
        snapshot_id=sid,
        quarter=quarter,
        force=force,
        as_at=as_at.isoformat() if as_at else None,
        created_at=created_at,
        created_by=created_by,
        content=json.loads(content),
    )


def load(con: duckdb.DuckDBPyConnection, snapshot_ref: str) -> Snapshot:
    """The kept snapshot ``snapshot_ref`` (full id or a prefix); PackError if none."""
    found = find(con, snapshot_ref)
    if found is None:
        raise PackError(
            f"No pack with snapshot '{snapshot_ref}' is kept in this database. List the kept "
            "packs with: python -m safeguarding packs"
        )
    return found


def listing(con: duckdb.DuckDBPyConnection, quarter: str | None = None) -> pd.DataFrame:
    """Kept packs, newest first: snapshot_id, short_id, quarter, force, as_at, created_at,
    created_by."""
    columns = ["snapshot_id", "quarter", "force", "as_at", "created_at", "created_by"]
    try:
        frame = con.execute(
            f"""
            select {", ".join(columns)} from packs
            where $quarter is null or quarter = $quarter
            order by created_at desc, snapshot_id
            """,
            {"quarter": quarter},
        ).df()
    except duckdb.CatalogException:
        frame = pd.DataFrame(columns=columns)
    frame.insert(1, "short_id", frame["snapshot_id"].str[:SHORT_ID_LENGTH])
    return frame


def issue(
    path: str | os.PathLike[str] | None,
    quarter: str | Period,
    *,
    force: str | None = None,
    created_by: str | None = None,
    today: dt.date | None = None,
) -> tuple[Snapshot, bool]:
    """Build a quarter's pack document from the current data and keep it.

    Returns (snapshot, new): ``new`` is False when a pack with the same figures was kept before,
    in which case that pack (with its first "presented on" date) is returned.
    """
    con = store.reader(path)
    content = build_content(con, quarter, force=force, today=today)
    snapshot = new_snapshot(content, created_by=created_by)
    existing = find(con, snapshot.snapshot_id)
    if existing is not None:
        return existing, False
    with store.writer(path) as writer:
        kept = keep(writer, snapshot)
    return kept, kept.created_at == snapshot.created_at and kept.created_by == created_by


# --- charts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    metric_id: str
    png: bytes
    alt: str
    width: int
    height: int


def chart_frame(content: dict[str, Any], metric_id: str) -> pd.DataFrame:
    """A metric's chart points as a frame for ``charts.trend_small_multiples``; withheld points
    have no value (and so no marker), so the chart shows no small number."""
    points = pd.DataFrame(content["series"].get(metric_id, []))
    if points.empty:
        return points
    points["month"] = pd.to_datetime(points["month"])
    points.loc[points["withheld"], ["value", "point_type"]] = None
    for column in ("value", "mean", "lpl", "upl", "target"):
        points[column] = pd.to_numeric(points[column], errors="coerce")
    return points


def chart_figures(content: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(metric_id, plotly figure, alt text) for every metric with points."""
    out = []
    labels = content["labels"]
    units, forces = content["units"], content["forces"]
    for metric in content["metrics"]:
        frame = chart_frame(content, metric["id"])
        if frame.empty or frame["value"].isna().all():
            continue
        spc = frame["upl"].notna().any()
        title = (
            f"{metric['title']} ({metric['unit']}), {labels['chart_from']} to "
            f"{labels['last_month']}"
        )
        fig = charts.trend_small_multiples(
            frame.drop(columns=["withheld"]),
            title=title,
            unit=metric["unit"],
            units=units,
            forces=forces,
        )
        # The unit is in the title; a y-axis title per row of panels would overprint on paper.
        fig.update_yaxes(title_text=None)
        fig.update_layout(margin=dict(l=40, r=20, t=100, b=90))
        alt = charts.trend_alt(metric["title"], metric["unit"], frame, units, spc=bool(spc))
        if frame["withheld"].any():
            alt += " Points withheld for small numbers are left out."
        out.append((metric["id"], fig, alt))
    return out


async def _render(figures: list[Any]) -> list[bytes]:
    import kaleido  # imported here: only packs with charts need Chromium

    async with kaleido.Kaleido(n=1, timeout=120, mathjax=False) as renderer:
        out = []
        for fig in figures:
            opts = {
                "format": "png",
                "width": CHART_WIDTH,
                "height": int(fig.layout.height or 500),
                "scale": CHART_SCALE,
            }
            out.append(await renderer.calc_fig(fig, opts=opts))
        return out


_CHART_CACHE: OrderedDict[str, dict[str, Chart]] = OrderedDict()
_CHART_LOCK = threading.Lock()
_CHART_CACHE_SIZE = 4


def render_charts(snapshot: Snapshot) -> dict[str, Chart]:
    """Every metric's SPC chart as a PNG (drawn by Kaleido in the system Chromium).

    The last few packs' charts are kept in memory, so a PDF and a PowerPoint file of one pack
    draw them once.
    """
    with _CHART_LOCK:
        if snapshot.snapshot_id in _CHART_CACHE:
            _CHART_CACHE.move_to_end(snapshot.snapshot_id)
            return _CHART_CACHE[snapshot.snapshot_id]
    drawn = chart_figures(snapshot.content)
    # Kaleido runs its own event loop; a worker thread keeps it clear of any caller's loop.
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pngs = pool.submit(asyncio.run, _render([fig for _, fig, _ in drawn])).result()
    except Exception as exc:  # noqa: BLE001 - any failure to start or drive Chromium
        raise PackError(
            f"Could not draw the charts with Kaleido and Chromium ({type(exc).__name__}: {exc}). "
            "Install Chromium, or build the pack without charts (--no-charts)."
        ) from exc
    result = {
        metric_id: Chart(metric_id, png, alt, CHART_WIDTH, int(fig.layout.height or 500))
        for (metric_id, fig, alt), png in zip(drawn, pngs, strict=True)
    }
    with _CHART_LOCK:
        _CHART_CACHE[snapshot.snapshot_id] = result
        while len(_CHART_CACHE) > _CHART_CACHE_SIZE:
            _CHART_CACHE.popitem(last=False)
    return result


# --- what every format shows -----------------------------------------------------------------


def _metric_meta(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in content["metrics"]}


def scorecard_rows(content: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The scorecard as headings and rows of text: a metric per row, an area per column, each
    cell the quarter's figure with its status by symbol and word."""
    units = content["units"]
    meta = _metric_meta(content)
    cells: dict[tuple[str, str], dict[str, Any]] = {
        (r["metric_id"], r["district"]): r for r in content["rows"]
    }
    headings = ["Metric", *units]
    rows = []
    for metric in content["metrics"]:
        if not any((metric["id"], u) in cells for u in units):
            continue
        line = [f"{metric['title']} ({metric['unit']}; target {meta[metric['id']]['target_text']})"]
        for unit in units:
            cell = cells.get((metric["id"], unit))
            line.append(f"{cell['value_text']} {cell['status_text']}" if cell else "not measured")
        rows.append(line)
    return headings, rows


def metric_rows(content: dict[str, Any], metric_id: str) -> tuple[list[str], list[list[str]]]:
    """One metric's quarter table: an area per row."""
    labels = content["labels"]
    headings = [
        "Area",
        labels["quarter"],
        labels["previous"],
        labels["last_year"],
        f"Change on {labels['previous']}",
        "Target",
        "Status",
        f"SPC signal ({labels['last_month']})",
    ]
    rows = [
        [
            r["district"],
            r["value_text"],
            r["previous_text"],
            r["last_year_text"],
            r["change_text"],
            r["target_text"],
            r["status_text"],
            r["spc_text"],
        ]
        for r in content["rows"]
        if r["metric_id"] == metric_id
    ]
    return headings, rows


def action_rows(content: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    headings = [
        "No.",
        "About",
        "Raised",
        "Action or question",
        "Owner",
        "Due",
        "Status",
        "Response",
    ]
    rows = []
    for a in content["actions"]:
        about = ", ".join(p for p in (a["metric_title"], a["district"]) if p) or "General"
        raised = a["quarter"] + (" (carried forward)" if a["carried_forward"] else "")
        status = a["status_text"]
        if a["closed_on"]:
            status += f" on {day_label(dt.date.fromisoformat(a['closed_on']))}"
        rows.append(
            [
                str(a["action_id"]),
                about,
                raised,
                a["text"],
                a["owner"],
                day_label(dt.date.fromisoformat(a["due_date"])) if a["due_date"] else "none set",
                status,
                a["response"] or "",
            ]
        )
    return headings, rows


def recommendation_rows(content: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    headings = ["Ref", "Recommendation", "Owner", "Progress", "Evidence", "Linked metrics"]
    rows = []
    for r in content["recommendations"]:
        linked = "; ".join(f"{item['title']}: {item['figure']}" for item in r["linked"])
        rows.append(
            [
                r["recommendation_ref"],
                f"{r['text']} ({r['report']}, "
                f"{day_label(dt.date.fromisoformat(r['report_date']))})",
                r["owner"],
                r["progress"],
                r["evidence"] or "",
                linked or "none",
            ]
        )
    return headings, rows


def definition_rows(content: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    words = {
        "higher_is_better": "higher is better",
        "lower_is_better": "lower is better",
        "neutral": "neither",
    }
    headings = ["Metric", "Unit", "Better", "Target", "Definition"]
    rows = [
        [m["title"], m["unit"], words[m["direction"]], m["target_text"], m["definition"]]
        for m in content["metrics"]
    ]
    return headings, rows


def _theme_metrics(content: dict[str, Any], theme_id: str) -> list[dict[str, Any]]:
    shown = {r["metric_id"] for r in content["rows"]}
    return [m for m in content["metrics"] if m["theme"] == theme_id and m["id"] in shown]


def _exceptions_of(content: dict[str, Any], metric_ids: Iterable[str]) -> list[dict[str, Any]]:
    wanted = set(metric_ids)
    return [e for e in content["exceptions"] if e["metric_id"] in wanted]


def _count(n: int, noun: str) -> str:
    """'no actions', '1 action', '3 actions'."""
    return f"{n or 'no'} {noun}{'' if n == 1 else 's'}"


def cover_lines(snapshot: Snapshot) -> list[str]:
    content = snapshot.content
    source = "demo data (invented records)" if content.get("source") == "demo" else "force records"
    return [
        f"{content['force']}: {content['labels']['quarter_long']}",
        f"Data as at {snapshot.as_at_text} ({source})",
        f"Snapshot {snapshot.short_id} (SHA-256 {snapshot.snapshot_id})",
        f"Presented on {snapshot.presented_on}",
        " · ".join(
            [
                _count(len(content["exceptions"]), "exception"),
                _count(len(content["actions"]), "action") + " in the log",
                _count(
                    sum(r["overdue"] for r in content["recommendations"]),
                    "overdue inspection recommendation",
                ),
            ]
        ),
    ]


# --- PDF -------------------------------------------------------------------------------------

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


def to_pdf(snapshot: Snapshot, *, with_charts: bool = True) -> bytes:
    """The pack as an A4 landscape PDF (fpdf2). Every page's footer carries the as-at date and
    the snapshot identifier."""
    from fpdf import FPDF, FontFace  # imported here: the dashboard runs without packs too

    content = snapshot.content
    drawn = render_charts(snapshot) if with_charts else {}
    fonts = _font_files()
    family = "DejaVu" if fonts else "Helvetica"

    def clean(text: str) -> str:
        if fonts:
            return text
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

    def exception_list(items: list[dict[str, Any]]) -> None:
        if not items:
            para("No exceptions.")
            return
        number = 0
        for tier_number in sorted({item["tier"] for item in items}):
            in_tier = [item for item in items if item["tier"] == tier_number]
            pdf.set_font(family, "B", 10)
            title = f"Tier {tier_number}: {in_tier[0]['tier_label']} ({len(in_tier)})"
            pdf.multi_cell(0, 5.5, clean(title), new_x="LMARGIN", new_y="NEXT")
            for item in in_tier:
                number += 1
                para(f"{number}. {item['sentence']}", 9)

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
    exception_list(content["exceptions"])

    # Themes
    widths = [34, 24, 24, 24, 40, 22, 24, 81]
    for theme_id, theme_title in content["themes"]:
        theme_metrics = _theme_metrics(content, theme_id)
        if not theme_metrics:
            continue
        heading(theme_title)
        pdf.set_font(family, "B", 11)
        pdf.cell(0, 6, clean("Exceptions in this theme"), new_x="LMARGIN", new_y="NEXT")
        exception_list(_exceptions_of(content, [m["id"] for m in theme_metrics]))
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


# --- PowerPoint ------------------------------------------------------------------------------


def to_pptx(snapshot: Snapshot, *, with_charts: bool = True) -> bytes:
    """The pack as a 16:9 PowerPoint file (python-pptx): text in real tables, charts as
    pictures with alt text, and the as-at date and snapshot identifier on every slide."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    content = snapshot.content
    drawn = render_charts(snapshot) if with_charts else {}
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

    def text_box(slide, lines: list[str], *, top: float = 1.25, size: int = 14) -> None:
        box = slide.shapes.add_textbox(
            Inches(0.5), Inches(top), width - Inches(1.0), Inches(7.0 - top - 0.1)
        )
        frame = box.text_frame
        frame.word_wrap = True
        for number, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.space_after = Pt(6)
            for run in paragraph.runs:
                run.font.size = Pt(size)

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

    # Exceptions
    items = [
        f"{n}. [Tier {e['tier']}] {e['sentence']}"
        for n, e in enumerate(content["exceptions"], start=1)
    ] or ["No exceptions."]
    pieces = chunks(items, 8)
    for number, piece in enumerate(pieces, start=1):
        suffix = f" ({number} of {len(pieces)})" if len(pieces) > 1 else ""
        text_box(titled(f"Exceptions, most serious first{suffix}"), piece, size=11)

    # Themes
    for theme_id, theme_title in content["themes"]:
        theme_metrics = _theme_metrics(content, theme_id)
        if not theme_metrics:
            continue
        theme_items = [
            f"[Tier {e['tier']}] {e['sentence']}"
            for e in _exceptions_of(content, [m["id"] for m in theme_metrics])
        ] or ["No exceptions in this theme."]
        pieces = chunks(theme_items, 8)
        for number, piece in enumerate(pieces, start=1):
            suffix = f" ({number} of {len(pieces)})" if len(pieces) > 1 else ""
            text_box(titled(f"{theme_title}: exceptions{suffix}"), piece, size=11)
        for metric in theme_metrics:
            slide = titled(metric["title"])
            chart = drawn.get(metric["id"])
            table_left = 0.4
            if chart is not None:
                picture = slide.shapes.add_picture(
                    io.BytesIO(chart.png), Inches(0.3), Inches(1.25), width=Inches(7.4)
                )
                if picture.height > Inches(5.7):
                    ratio = Inches(5.7) / picture.height
                    picture.height = Inches(5.7)
                    picture.width = int(picture.width * ratio)
                picture._element.nvPicPr.cNvPr.set("descr", chart.alt)
                table_left = 7.85
            headings, rows = metric_rows(content, metric["id"])
            # Beside a chart the table keeps the columns a meeting reads first.
            keep_columns = [0, 1, 2, 3, 6, 7] if chart is not None else list(range(8))
            widths = (
                [1.1, 0.75, 0.75, 0.75, 0.9, 0.95]
                if chart is not None
                else [1.6, 1.1, 1.1, 1.1, 2.0, 1.0, 1.3, 3.3]
            )
            grid(
                slide,
                [headings[i] for i in keep_columns],
                [[line[i] for i in keep_columns] for line in rows],
                widths,
                left=table_left,
                size=8 if chart is not None else 10,
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


def render(snapshot: Snapshot, fmt: str, *, with_charts: bool = True) -> bytes:
    """The pack in ``fmt`` ('pdf' or 'pptx')."""
    if fmt == "pdf":
        return to_pdf(snapshot, with_charts=with_charts)
    if fmt == "pptx":
        return to_pptx(snapshot, with_charts=with_charts)
    raise PackError(f"Format must be one of {', '.join(FORMATS)}, not '{fmt}'.")
