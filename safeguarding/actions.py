"""The action log: questions and actions raised at the accountability meeting.

Each action is recorded against a quarter (the figures being reviewed) and, usually, a metric and
a district or force row, with an owner, a due date, a status (open, in progress, closed) and the
owner's response. The log lives in the app-state store (``safeguarding.appstore``): the
functions that change it take a write transaction (``write`` runs one in its own short
transaction, which costs what it changes); the others read, given a records connection or a
transaction.

Carried forward: an action appears in the review of its own quarter and of every later quarter
until it is closed. In a later quarter's review it still shows if it was closed during or after
that quarter (closed on or after the quarter's first day), marked closed, so the meeting hears
what was done; after that it drops out.

Overdue: not closed and its due date is before today (due today is not overdue).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from safeguarding import appstore, characters, frames, registry
from safeguarding.appstore import Session
from safeguarding.formatting import EARLIEST_DATE, LATEST_DATE, parse_quarter
from safeguarding.quarters import Period

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

STATUSES = ("open", "in_progress", "closed")
STATUS_WORDS = {"open": "Open", "in_progress": "In progress", "closed": "Closed"}
OVERDUE_MARK = "⚠ Overdue"
COLUMNS = [
    "action_id",
    "metric_id",
    "district",
    "quarter",
    "raised_on",
    "text",
    "owner",
    "due_date",
    "status",
    "response",
    "closed_on",
]
DATE_COLUMNS = ("raised_on", "due_date", "closed_on")
MAX_TEXT = 4000

T = TypeVar("T")
_UNSET: Any = object()


class ActionError(ValueError):
    """An action that cannot be recorded or changed; the message says why."""


def write(path: str | os.PathLike[str] | None, func: Callable[..., T], /, *args, **kwargs) -> T:
    """Run ``func(tx, ...)`` in its own short app-state transaction: readers see the log before
    or after, never half; nothing else is copied or recomputed."""
    with appstore.open(path).write() as tx:
        return func(tx, *args, **kwargs)


def _records(con) -> duckdb.DuckDBPyConnection:
    """A records connection for the checks that need the districts (DuckDB is loaded only
    then: an action about no district is recorded without it)."""
    if isinstance(con, Session):
        from safeguarding import store

        return store.reader(con.app.database)
    return con


def _row(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name in DATE_COLUMNS:
        if out.get(name) is not None:
            out[name] = dt.date.fromisoformat(out[name])
    return out


# --- checks ----------------------------------------------------------------------------------


def quarter_code(text: str) -> str:
    """'2024q3' -> '2024Q3'; ActionError otherwise."""
    try:
        first, _ = parse_quarter(text)
    except ValueError as exc:
        raise ActionError(str(exc)) from None
    if not EARLIEST_DATE <= first <= LATEST_DATE:
        raise ActionError(
            f"'{text.strip()}' is outside the quarters an action can be for "
            f"({EARLIEST_DATE.year}Q1 to {LATEST_DATE.year}Q4)."
        )
    return Period.quarter_of(first).code


def _words(text: str | None, what: str, *, required: bool) -> str | None:
    cleaned = (text or "").strip()
    if not cleaned:
        if required:
            raise ActionError(f"Give the {what}.")
        return None
    problem = characters.words_problem(cleaned, what, MAX_TEXT)
    if problem:
        raise ActionError(problem)
    return cleaned


def _metric(metric_id: str | None) -> str | None:
    if not metric_id:
        return None
    try:
        return registry.get(metric_id).id
    except registry.UnknownMetricError as exc:
        raise ActionError(str(exc)) from None


def areas(con) -> list[str]:
    """Districts, then force rows: the areas an action may be about."""
    rows = (
        _records(con)
        .execute("select district, force from districts order by force, district")
        .fetchall()
    )
    return [r[0] for r in rows] + list(dict.fromkeys(r[1] for r in rows))


def _district(con, district: str | None) -> str | None:
    if not district:
        return None
    known = areas(con)
    if district not in known:
        raise ActionError(
            f"'{district}' is not a district or force. Choose one of {', '.join(known)}."
        )
    return district


def _status(status: str) -> str:
    if status not in STATUSES:
        raise ActionError(f"Status must be one of {', '.join(STATUSES)}, not '{status}'.")
    return status


def _not_future(day: dt.date, what: str) -> None:
    today = dt.date.today()
    if day > today:
        raise ActionError(f"The action cannot be {what} in the future ({day}; today is {today}).")


def _quarter_begun(quarter: str, raised_on: dt.date) -> None:
    first, _ = parse_quarter(quarter)
    if first > raised_on:
        raise ActionError(
            f"{quarter} had not begun when the action was raised ({raised_on}): the quarter is "
            "the one whose figures were being reviewed."
        )


def _dates(raised_on: dt.date, due_date: dt.date | None, closed_on: dt.date | None) -> None:
    for day, what in ((raised_on, "raised"), (due_date, "due"), (closed_on, "closing")):
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ActionError(
                f"The {what} date ({day}) is outside the dates an action can have "
                f"({EARLIEST_DATE} to {LATEST_DATE})."
            )
    if due_date is not None and due_date < raised_on:
        raise ActionError(
            f"The due date ({due_date}) is before the action was raised ({raised_on})."
        )
    if closed_on is not None and closed_on < raised_on:
        raise ActionError(
            f"The closing date ({closed_on}) is before the action was raised ({raised_on})."
        )


# --- changes ---------------------------------------------------------------------------------


def add(
    con: Session,
    *,
    quarter: str,
    text: str,
    owner: str,
    metric_id: str | None = None,
    district: str | None = None,
    due_date: dt.date | None = None,
    raised_on: dt.date | None = None,
) -> int:
    """Record a new (open) action; returns its id."""
    raised_on = raised_on or dt.date.today()
    code = quarter_code(quarter)
    row = {
        "metric_id": _metric(metric_id),
        "district": _district(con, district),
        "quarter": code,
        "raised_on": raised_on,
        "text": _words(text, "action or question", required=True),
        "owner": _words(owner, "owner", required=True),
        "due_date": due_date,
    }
    _not_future(raised_on, "raised")
    _quarter_begun(code, raised_on)
    _dates(raised_on, due_date, None)
    # The write transaction holds the store's write lock, so the id the store picks is ours.
    cursor = con.execute(
        """
        insert into actions
            (metric_id, district, quarter, raised_on, text, owner, due_date, status)
        values (:metric_id, :district, :quarter, :raised_on, :text, :owner, :due_date, 'open')
        """,
        row,
    )
    return int(cursor.lastrowid)


def get(con, action_id: int) -> dict[str, Any]:
    """One action as a dict; ActionError if there is none with that id."""
    with appstore.session(con) as tx:
        rows = tx.rows(
            f"select {', '.join(COLUMNS)} from actions where action_id = :id",
            {"id": int(action_id)},
        )
    if not rows:
        raise ActionError(f"There is no action {action_id}.")
    return _row(rows[0])


def update(
    con: Session,
    action_id: int,
    *,
    text: str = _UNSET,
    owner: str = _UNSET,
    due_date: dt.date | None = _UNSET,
    status: str = _UNSET,
    response: str | None = _UNSET,
    metric_id: str | None = _UNSET,
    district: str | None = _UNSET,
    quarter: str = _UNSET,
    closed_on: dt.date | None = _UNSET,
) -> dict[str, Any]:
    """Change any of an action's fields; returns the action as saved.

    Closing (status 'closed') needs a response saying what was done and sets the closing date
    (today unless given); moving a closed action back to open or in progress clears it.
    """
    current = get(con, action_id)
    new = dict(current)
    if text is not _UNSET:
        new["text"] = _words(text, "action or question", required=True)
    if owner is not _UNSET:
        new["owner"] = _words(owner, "owner", required=True)
    if due_date is not _UNSET:
        new["due_date"] = due_date
    if response is not _UNSET:
        new["response"] = _words(response, "response", required=False)
    if metric_id is not _UNSET:
        new["metric_id"] = _metric(metric_id)
    if district is not _UNSET:
        new["district"] = _district(con, district)
    if quarter is not _UNSET:
        new["quarter"] = quarter_code(quarter)
        if new["quarter"] != current["quarter"]:
            _quarter_begun(new["quarter"], new["raised_on"])
    if status is not _UNSET:
        new["status"] = _status(status)
    if new["status"] == "closed":
        if not new["response"]:
            raise ActionError("Say what was done (the response) before closing the action.")
        if closed_on is not _UNSET and closed_on is not None:
            new["closed_on"] = closed_on
        elif current["status"] != "closed" or new["closed_on"] is None:
            new["closed_on"] = dt.date.today()
    else:
        new["closed_on"] = None
    if new["closed_on"] is not None and new["closed_on"] != current["closed_on"]:
        _not_future(new["closed_on"], "closed")
    _dates(new["raised_on"], new["due_date"], new["closed_on"])
    con.execute(
        """
        update actions
        set metric_id = :metric_id, district = :district, quarter = :quarter, text = :text,
            owner = :owner, due_date = :due_date, status = :status, response = :response,
            closed_on = :closed_on
        where action_id = :action_id
        """,
        {k: new[k] for k in COLUMNS if k != "raised_on"},
    )
    return new


def close(
    con: Session,
    action_id: int,
    *,
    response: str,
    closed_on: dt.date | None = None,
) -> dict[str, Any]:
    """Close an action with the response saying what was done."""
    return update(con, action_id, status="closed", response=response, closed_on=closed_on)


# --- reading ---------------------------------------------------------------------------------


def _frame(con, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    with appstore.session(con) as tx:
        frame = tx.frame(sql, params, dates=DATE_COLUMNS)
    frame["action_id"] = frame["action_id"].astype("int64")
    return frame


def listing(
    con,
    *,
    quarter: str | None = None,
    status: str | None = None,
    metric_id: str | None = None,
    district: str | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Actions (all, or those of one quarter, status, metric or area), with an ``overdue`` flag,
    newest quarter first, overdue before others."""
    frame = _frame(
        con,
        f"""
        select {", ".join(COLUMNS)} from actions
        where (:quarter is null or quarter = :quarter)
          and (:status is null or status = :status)
          and (:metric_id is null or metric_id = :metric_id)
          and (:district is null or district = :district)
        order by quarter desc, action_id
        """,
        {
            "quarter": quarter_code(quarter) if quarter else None,
            "status": _status(status) if status else None,
            "metric_id": metric_id,
            "district": district,
        },
    )
    return _flagged(frame, today or dt.date.today())


def overdue(frame: pd.DataFrame, today: dt.date) -> pd.Series:
    """True where an action is not closed and its due date is before ``today``."""
    import pandas as pd

    if frame.empty:
        return pd.Series(dtype=bool)
    due = pd.to_datetime(frame["due_date"])
    late = due.notna() & (due < pd.Timestamp(today))
    return (late & (frame["status"] != "closed")).astype(bool)


def _flagged(frame: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    import pandas as pd

    out = frames.with_dates(frame, DATE_COLUMNS)
    out["overdue"] = overdue(out, today) if not out.empty else pd.Series(dtype=bool)
    out["days_overdue"] = [
        (today - d).days if late else 0
        for d, late in zip(out["due_date"], out["overdue"], strict=True)
    ]
    return out.reset_index(drop=True)


def for_review(con, quarter: str, *, today: dt.date | None = None) -> pd.DataFrame:
    """The actions a quarter's review goes through: its own, and earlier ones carried forward.

    Adds ``carried_forward`` (raised for an earlier quarter), ``overdue`` and ``days_overdue``.
    Ordered overdue first, then open and in progress, then closed; each by due date.
    """
    import pandas as pd

    code = quarter_code(quarter)
    first, _ = parse_quarter(code)
    frame = _frame(
        con,
        f"""
        select {", ".join(COLUMNS)} from actions
        where quarter = :quarter
           or (quarter < :quarter and (status <> 'closed' or closed_on >= :first))
        """,
        {"quarter": code, "first": first},
    )
    out = _flagged(frame, today or dt.date.today())
    out["carried_forward"] = (out["quarter"] != code).astype(bool)
    if out.empty:
        return out
    out["_rank"] = [
        0 if late else (2 if status == "closed" else 1)
        for late, status in zip(out["overdue"], out["status"], strict=True)
    ]
    out["_due"] = pd.to_datetime(out["due_date"])
    out = out.sort_values(["_rank", "_due", "action_id"], na_position="last", kind="stable")
    return out.drop(columns=["_rank", "_due"]).reset_index(drop=True)


def status_text(status: str, is_overdue: bool) -> str:
    """Status in words, with the overdue mark (a symbol and a word, not a colour)."""
    word = STATUS_WORDS.get(status, status)
    return f"{OVERDUE_MARK} ({word.lower()})" if is_overdue else word


def counts(frame: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Open (not closed) actions per (metric_id, district), for showing beside the figures."""
    if frame.empty:
        return {}
    open_ = frame[(frame["status"] != "closed") & frame["metric_id"].notna()]
    grouped = open_.groupby(["metric_id", open_["district"].fillna("")], sort=False).size()
    return {(m, d): int(n) for (m, d), n in grouped.items()}
