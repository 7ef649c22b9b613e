"""The inspection recommendations tracker.

Each recommendation (report, date, text, owner, due date, status, evidence, completion date) is
linked to the metrics that show whether it worked. The 2014 child protection inspection's
recommendations are seeded from data/recommendations.csv.

Overdue: not completed and the due date is before today (due today is not yet overdue). A
recommendation completed after its due date is not overdue but "completed late", which the
``recommendations_on_time_pct`` metric counts; so a change here recomputes that metric and the
SPC signals.

The recommendations themselves are records (loaded with the records); their progress (status,
evidence, completion date, owner, due date) is app state, one row per change in
``recommendation_progress``. Readers see the two laid together in the figures file's mirror, which
the refresh pipeline rewrites with the figures that depend on it.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import duckdb
import pandas as pd

from safeguarding import appstore, characters, frames, registry, store, targets
from safeguarding.appstore import Session
from safeguarding.formatting import format_value, month_label
from safeguarding.review import day_label

STATUSES = ("open", "in_progress", "completed")
STATUS_WORDS = {"open": "Open", "in_progress": "In progress", "completed": "Completed"}
OVERDUE_MARK = "⚠ Overdue"
COLUMNS = [
    "recommendation_ref",
    "force",
    "report",
    "report_date",
    "text",
    "owner",
    "due_date",
    "status",
    "evidence",
    "completed_on",
    "linked_metrics",
]
DATE_COLUMNS = ("report_date", "due_date", "completed_on")
MAX_TEXT = 4000

_UNSET: Any = object()


class RecommendationError(ValueError):
    """A change that cannot be saved; the message says why."""


def linked(linked_metrics: str | None) -> list[str]:
    """The metric ids a recommendation is linked to (known metrics only, in the given order)."""
    if frames.missing(linked_metrics):
        return []
    known = registry.metrics()
    ids = [part.strip() for part in str(linked_metrics).split(";")]
    return [i for i in dict.fromkeys(ids) if i in known]


def is_overdue(status: str, due_date: dt.date | None, today: dt.date) -> bool:
    return status != "completed" and due_date is not None and due_date < today


def progress_text(row: dict | pd.Series, today: dt.date) -> str:
    """Status in words with the overdue mark: '⚠ Overdue (in progress, due 1 December 2014)'."""
    status, due = row["status"], row["due_date"]
    word = STATUS_WORDS.get(status, status)
    if is_overdue(status, due, today):
        return f"{OVERDUE_MARK} ({word.lower()}, due {day_label(due)})"
    completed = row.get("completed_on")
    if status == "completed" and completed is not None and due is not None and completed > due:
        return f"Completed late ({day_label(completed)}, due {day_label(due)})"
    if status == "completed" and completed is not None:
        return f"Completed on time ({day_label(completed)})"
    return f"{word}, due {day_label(due)}" if due is not None else word


def listing(
    con: duckdb.DuckDBPyConnection,
    *,
    force: str | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Every recommendation (of one force, or all), overdue ones first, then by reference.

    Adds ``overdue``, ``days_overdue``, ``completed_late``, ``progress`` (in words) and
    ``metric_ids`` (the linked metrics as a list).
    """
    today = today or dt.date.today()
    frame = con.execute(
        f"""
        select {", ".join(COLUMNS)} from recommendations
        where $force is null or force = $force
        order by recommendation_ref
        """,
        {"force": force},
    ).df()
    out = frames.with_dates(frame, DATE_COLUMNS)
    out["overdue"] = [
        is_overdue(s, d, today) for s, d in zip(out["status"], out["due_date"], strict=True)
    ]
    out["days_overdue"] = [
        (today - d).days if late else 0
        for d, late in zip(out["due_date"], out["overdue"], strict=True)
    ]
    out["completed_late"] = [
        c is not None and d is not None and c > d
        for c, d in zip(out["completed_on"], out["due_date"], strict=True)
    ]
    out["progress"] = [progress_text(r, today) for _, r in out.iterrows()]
    out["metric_ids"] = [linked(v) for v in out["linked_metrics"]]
    if out.empty:
        return out
    out["_rank"] = [0 if late else 1 for late in out["overdue"]]
    out = out.sort_values(["_rank", "recommendation_ref"], kind="stable").drop(columns="_rank")
    return out.reset_index(drop=True)


def get(con: duckdb.DuckDBPyConnection, ref: str) -> dict[str, Any]:
    frame = con.execute(
        f"select {', '.join(COLUMNS)} from recommendations where recommendation_ref = $ref",
        {"ref": ref},
    ).df()
    if frame.empty:
        rows = con.execute("select recommendation_ref from recommendations").fetchall()
        known = [r[0] for r in rows]
        raise RecommendationError(
            f"There is no recommendation '{ref}'. References: {', '.join(sorted(known))}."
        )
    row = frames.with_dates(frame, DATE_COLUMNS).iloc[0].to_dict()
    return {k: (None if frames.missing(v) else v) for k, v in row.items()}


def _words(text: str | None, what: str) -> str | None:
    cleaned = (text or "").strip()
    problem = characters.words_problem(cleaned, what, MAX_TEXT)
    if problem:
        raise RecommendationError(problem)
    return cleaned or None


def _current(tx: Session, ref: str) -> dict[str, Any]:
    """The recommendation with its latest recorded progress (from this transaction)."""
    row = get(store.reader(tx.app.database), ref)
    latest = tx.rows(
        """
        select status, evidence, completed_on, owner, due_date from recommendation_progress
        where recommendation_ref = :ref order by change_id desc limit 1
        """,
        {"ref": ref},
    )
    if latest:
        for key, value in latest[0].items():
            if key in DATE_COLUMNS and value is not None:
                value = dt.date.fromisoformat(value)
            row[key] = value
    return row


def update(
    con: Session,
    ref: str,
    *,
    status: str = _UNSET,
    evidence: str | None = _UNSET,
    completed_on: dt.date | None = _UNSET,
    owner: str = _UNSET,
    due_date: dt.date = _UNSET,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Record a change of a recommendation's progress (in an app-state transaction); returns it
    as saved.

    Completing one needs evidence of what was done and a completion date (today unless given),
    no later than today; reopening clears the completion date. ``save`` then recomputes the
    on-time metric and its SPC signals.
    """
    today = today or dt.date.today()
    current = _current(con, ref)
    new = dict(current)
    if status is not _UNSET:
        if status not in STATUSES:
            raise RecommendationError(
                f"Status must be one of {', '.join(STATUSES)}, not '{status}'."
            )
        new["status"] = status
    if evidence is not _UNSET:
        new["evidence"] = _words(evidence, "evidence")
    if owner is not _UNSET:
        new["owner"] = _words(owner, "owner")
        if not new["owner"]:
            raise RecommendationError("Every recommendation needs an owner.")
    if due_date is not _UNSET:
        if due_date is None:
            raise RecommendationError("Every recommendation needs a due date.")
        new["due_date"] = due_date
    if new["status"] == "completed":
        if completed_on is not _UNSET and completed_on is not None:
            new["completed_on"] = completed_on
        elif new["completed_on"] is None:
            new["completed_on"] = today
        if not new["evidence"]:
            raise RecommendationError("Give the evidence that it was done before completing it.")
        if new["completed_on"] > today:
            raise RecommendationError(
                f"The completion date ({new['completed_on']}) is in the future."
            )
        if new["completed_on"] < new["report_date"]:
            raise RecommendationError(
                f"The completion date ({new['completed_on']}) is before the report "
                f"({new['report_date']})."
            )
    else:
        if completed_on not in (_UNSET, None):
            raise RecommendationError("Only a completed recommendation has a completion date.")
        new["completed_on"] = None
    if new["due_date"] < new["report_date"]:
        raise RecommendationError(
            f"The due date ({new['due_date']}) is before the report ({new['report_date']})."
        )
    con.execute(
        """
        insert into recommendation_progress
            (recommendation_ref, status, evidence, completed_on, owner, due_date, changed_at)
        values (:recommendation_ref, :status, :evidence, :completed_on, :owner, :due_date, :at)
        """,
        {
            **{
                k: new[k]
                for k in ("recommendation_ref", "status", "evidence", "completed_on", "owner")
                + ("due_date",)
            },
            "at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        },
    )
    return new


def save(path: str | os.PathLike[str] | None, ref: str, **changes: Any) -> dict[str, Any]:
    """``update`` in its own short app-state write, then the figures that depend on it."""
    with appstore.open(path).write() as tx:
        saved = update(tx, ref, **changes)
    store.refresh_figures(path)
    return saved


def linked_figures(
    con: duckdb.DuckDBPyConnection,
    row: dict | pd.Series,
    *,
    month: dt.date | None = None,
) -> pd.DataFrame:
    """For each linked metric, the force figure when the report came out and at ``month`` (the
    latest month by default), with the status and SPC signal then: did it work?

    Columns: metric_id, title, unit, before_month, before_text, now_month, now_text, now_status,
    variation.
    """
    force = row["force"]
    ids = row["metric_ids"] if "metric_ids" in row else linked(row.get("linked_metrics"))
    report_month = row["report_date"].replace(day=1)
    out = []
    for metric_id in ids:
        metric = registry.get(metric_id)
        figures = targets.figures(con, metric_id=metric_id, districts=[force], to_month=month)
        figures = figures[figures["value"].notna()]
        if figures.empty:
            continue
        months = pd.to_datetime(figures["month"]).dt.date
        before = figures[months <= report_month]
        before_row = before.iloc[-1] if not before.empty else figures.iloc[0]
        now_row = figures.iloc[-1]
        now_month = pd.Timestamp(now_row["month"]).date()
        variation = con.execute(
            "select variation from metric_signals where metric_id = $m and district = $d "
            "and month = $month",
            {"m": metric_id, "d": force, "month": now_month},
        ).fetchone()
        out.append(
            {
                "metric_id": metric_id,
                "title": metric.title,
                "unit": metric.unit,
                "before_month": pd.Timestamp(before_row["month"]).date(),
                "before_text": format_value(before_row["value"], metric),
                "now_month": now_month,
                "now_text": format_value(now_row["value"], metric),
                "now_status": now_row["status"],
                "variation": variation[0] if variation else None,
            }
        )
    columns = [
        "metric_id",
        "title",
        "unit",
        "before_month",
        "before_text",
        "now_month",
        "now_text",
        "now_status",
        "variation",
    ]
    return pd.DataFrame(out, columns=columns)


def linked_summary(frame: pd.DataFrame) -> str:
    """The linked figures in one line of words, for tables and the board pack."""
    if frame.empty:
        return "no linked figures"
    parts = []
    for r in frame.itertuples():
        status = f"{targets.STATUS_SYMBOLS[r.now_status]} {targets.STATUS_WORDS[r.now_status]}"
        parts.append(
            f"{r.title}: {r.before_text} ({month_label(r.before_month)}) → {r.now_text} "
            f"({month_label(r.now_month)}, {status.lower()})"
        )
    return "; ".join(parts)
