"""The SPC rebase register: the only way an XmR chart's limits are recalculated.

Making Data Count recalculates limits only after a sustained, explained change (a new process, a
new service) and never to make a chart look better. So a rebase is a row in ``rebases`` with the
month the new period starts, the reason, who agreed it and when. The register lives in the
app-state store; recording a rebase commits it there, then recomputes the one series it is about
in the figures file (``store.refresh_figures``), so every page, pack and export changes
together and nothing copies the records.
"""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import pandas as pd

from safeguarding import appstore, characters, registry, store
from safeguarding.appstore import Session
from safeguarding.formatting import month_label


class RebaseError(ValueError):
    """A rebase that cannot be recorded or removed; the message says why."""


COLUMNS = ["metric_id", "district", "month", "reason", "agreed_by", "agreed_on"]
# As for a target's reason: room for a paragraph, not a document.
MAX_TEXT = 1000


def _check(con: duckdb.DuckDBPyConnection, metric_id: str, district: str, month: dt.date) -> None:
    try:
        registry.get(metric_id)
    except registry.UnknownMetricError as exc:
        raise RebaseError(str(exc)) from None
    if month.day != 1:
        raise RebaseError(f"A rebase starts at the beginning of a month, not on {month}.")
    months = con.execute(
        """
        select month from metric_values
        where metric_id = $metric_id and district = $district and value is not null
        order by month
        """,
        {"metric_id": metric_id, "district": district},
    ).fetchall()
    if not months:
        known = [
            r[0]
            for r in con.execute(
                "select distinct district from metric_values where metric_id = $m order by 1",
                {"m": metric_id},
            ).fetchall()
        ]
        raise RebaseError(
            f"No figures for {metric_id} in '{district}'. Areas with figures: {', '.join(known)}"
        )
    first, last = months[0][0], months[-1][0]
    if not first < month <= last:
        raise RebaseError(
            f"{month_label(month)} is outside the figures for {metric_id} in {district} "
            f"({month_label(first)} to {month_label(last)}); a new period must start after the "
            "first month and no later than the last."
        )


def add(
    con: Session,
    *,
    metric_id: str,
    district: str,
    month: dt.date,
    reason: str,
    agreed_by: str,
    agreed_on: dt.date,
) -> None:
    """Record a rebase in an app-state transaction (``record`` also refreshes the signals)."""
    if not reason.strip():
        raise RebaseError("Give the reason for recalculating the limits.")
    if not agreed_by.strip():
        raise RebaseError("Say who agreed the recalculation.")
    for text, what in ((reason, "reason"), (agreed_by, "name of who agreed it")):
        problem = characters.words_problem(text.strip(), what, MAX_TEXT)
        if problem:
            raise RebaseError(problem)
    if agreed_on > dt.date.today():
        raise RebaseError(f"The date it was agreed ({agreed_on}) is in the future.")
    _check(store.reader(con.app.database), metric_id, district, month)
    exists = con.one(
        "select count(*) from rebases where metric_id = :m and district = :d and month = :month",
        {"m": metric_id, "d": district, "month": month},
    )
    if exists:
        raise RebaseError(f"{metric_id} in {district} is already rebased at {month_label(month)}.")
    con.execute(
        "insert into rebases (metric_id, district, month, reason, agreed_by, agreed_on) "
        "values (:m, :d, :month, :reason, :by, :on)",
        {
            "m": metric_id,
            "d": district,
            "month": month,
            "reason": reason.strip(),
            "by": agreed_by.strip(),
            "on": agreed_on,
        },
    )


def remove(con: Session, *, metric_id: str, district: str, month: dt.date) -> None:
    """Withdraw a recorded rebase (e.g. entered in error)."""
    removed = con.execute(
        "delete from rebases where metric_id = :m and district = :d and month = :month",
        {"m": metric_id, "d": district, "month": month},
    ).rowcount
    if not removed:
        raise RebaseError(
            f"There is no rebase of {metric_id} in {district} at {month_label(month)}."
        )


def listing(con, metric_id: str | None = None) -> pd.DataFrame:
    """The register, oldest first (dates as datetime64, as the pages format them)."""
    with appstore.session(con) as tx:
        frame = tx.frame(
            f"""
            select {", ".join(COLUMNS)} from rebases
            where :metric_id is null or metric_id = :metric_id
            order by metric_id, district, month
            """,
            {"metric_id": metric_id},
            timestamps=("month", "agreed_on"),
        )
    return frame


def record(path: str | os.PathLike[str] | None, **fields) -> None:
    """Add a rebase, then recompute its one series: readers see the old signals or the new."""
    with appstore.open(path).write() as tx:
        add(tx, **fields)
    store.refresh_figures(path)


def withdraw(path: str | os.PathLike[str] | None, **fields) -> None:
    with appstore.open(path).write() as tx:
        remove(tx, **fields)
    store.refresh_figures(path)
