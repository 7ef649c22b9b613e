"""Targets: which target is in force for each figure, and whether the figure meets it.

Targets are dated (effective_from .. effective_to, inclusive) and either force-wide (district
empty) or for one district or force row by name; a district's own target beats the force-wide one.
The target for a month is the one in force on the month's last day, so a target changed mid-month
applies to that month.

Targets are the force's to set (leadership, from the page, the CLI or a CSV import): they live in
the app-state store, every change dated and kept with who made it and why (``target_changes``).
A change is one app-state transaction, then the figures file's mirror of the targets and the
changed metric's targets and assurance are refreshed (``store.refresh_figures``, called by
``safeguarding.target_setting``, which sets them); the records
are never copied. Statuses are worked out when read, from the mirror, so they follow at once.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from safeguarding import appstore, characters, csv_lines, formatting, registry
from safeguarding.appstore import Session

STATUS_WORDS = {
    "met": "Met",
    "not_met": "Not met",
    "no_target": "No target",
    "no_data": "No data",
}
# Shapes, not colours, carry the status; the words go beside them everywhere.
STATUS_SYMBOLS = {"met": "✓", "not_met": "✗", "no_target": "–", "no_data": "…"}


FIGURES_WITH_TARGETS_SQL = """
with registry_frame as (
    select
        unnest($registry_ids) as metric_id,
        unnest($registry_directions) as direction,
        unnest($registry_target_sources) as target_source
),

figures as (
    select v.*
    from metric_values as v
    where ($metric_id is null or v.metric_id = $metric_id)
      and ($from_month is null or v.month >= $from_month)
      and ($to_month is null or v.month <= $to_month)
      and ($districts is null or list_contains($districts, v.district))
),

in_force as (
    select
        f.metric_id,
        f.district,
        f.month,
        t.target,
        row_number() over (
            partition by f.metric_id, f.district, f.month
            order by (t.district is not null) desc, t.effective_from desc
        ) as preference
    from figures as f
    inner join targets as t
        on t.metric_id = f.metric_id
        and (t.district is null or t.district = f.district)
        and last_day(f.month)
            between t.effective_from and coalesce(t.effective_to, date '9999-12-31')
),

with_target as (
    select
        f.*,
        r.direction,
        case when r.target_source = 'denominator' then f.denominator else i.target end as target
    from figures as f
    inner join registry_frame as r on r.metric_id = f.metric_id
    left join in_force as i
        on i.metric_id = f.metric_id
        and i.district = f.district
        and i.month = f.month
        and i.preference = 1
),

final as (
    select
        metric_id,
        district,
        month,
        numerator,
        denominator,
        value,
        target,
        case
            when value is null then 'no_data'
            when direction = 'neutral' or target is null then 'no_target'
            when direction = 'higher_is_better' and round(value, 9) >= round(target, 9) then 'met'
            when direction = 'lower_is_better' and round(value, 9) <= round(target, 9) then 'met'
            else 'not_met'
        end as status
    from with_target
)

select * from final order by metric_id, district, month
"""


def figures(
    con: duckdb.DuckDBPyConnection,
    *,
    metric_id: str | None = None,
    from_month: dt.date | None = None,
    to_month: dt.date | None = None,
    districts: list[str] | None = None,
) -> pd.DataFrame:
    """Materialised figures with the target in force and the status (met, not_met, ...)."""
    if metric_id is not None:
        registry.get(metric_id)
    known = list(registry.metrics().values())
    return con.execute(
        FIGURES_WITH_TARGETS_SQL,
        {
            "metric_id": metric_id,
            "from_month": from_month,
            "to_month": to_month,
            "districts": districts,
            "registry_ids": [m.id for m in known],
            "registry_directions": [m.direction for m in known],
            "registry_target_sources": [m.target_source for m in known],
        },
    ).df()


class TargetError(ValueError):
    """A target that cannot be set; the message says why (and where, for a file). ``column``
    names the field at fault, so a file's message can say where in the row."""

    def __init__(self, message: str, column: str | None = None):
        super().__init__(message)
        self.column = column


# The dates a target can take.
EARLIEST = formatting.EARLIEST_DATE
LATEST = formatting.LATEST_DATE
MAX_NAME = characters.MAX_NAME  # who made a change
# Far above any figure a metric here can take (days, counts, caseloads per officer), low enough
# that every status and chart can work with it: 1e308 would overflow their arithmetic.
MAX_TARGET = 1_000_000


def check_by(by: str | None) -> str:
    """Who is making a change, tidied; TargetError when it is missing or cannot be stored."""
    name = (by or "").strip()
    if not name:
        raise TargetError("Say who is changing the target.")
    problem = characters.words_problem(name, "name of who is changing it", MAX_NAME)
    if problem:
        raise TargetError(problem)
    return name


MAX_TEXT = 1000
HISTORY_COLUMNS = [
    "changed_at",
    "changed_by",
    "reason",
    "metric_id",
    "applies_to",
    "effective_from",
    "effective_to",
    "target",
    "previous",
]
CURRENT_COLUMNS = [
    "metric_id",
    "applies_to",
    "effective_from",
    "effective_to",
    "target",
    "note",
    "set_by",
    "set_at",
]
FORCE_WIDE = "All districts and the force"


@dataclass(frozen=True)
class Change:
    """One target to set (``target=None`` withdraws the target from ``effective_from`` on)."""

    metric_id: str
    district: str | None
    effective_from: dt.date
    effective_to: dt.date | None
    target: float | None
    reason: str
    note: str | None = None
    # Where the change came from ("targets.csv, line 4"), for a message about it.
    where: str | None = field(default=None, compare=False)
    # False once applied if the target was already exactly so (nothing stored, nothing logged).
    changed: bool = field(default=True, compare=False)


def check(change: Change, areas: list[str]) -> Change:
    """The change with its text tidied; TargetError saying what is wrong otherwise."""
    try:
        metric = registry.get(change.metric_id)
    except registry.UnknownMetricError as exc:
        raise TargetError(str(exc), "metric_id") from None
    if metric.direction == "neutral":
        raise TargetError(
            f"{metric.id} has no target: it is monitored for its trend (neither higher nor lower "
            "is better).",
            "metric_id",
        )
    if metric.target_source == "denominator":
        raise TargetError(
            f"{metric.id}'s target is the number of funded posts in each area, which comes from "
            "the workforce records; change the funded posts there.",
            "metric_id",
        )
    district = (change.district or "").strip() or None
    if district is not None and district not in areas:
        raise TargetError(
            f"'{district}' is not a district or force. Choose one of {', '.join(areas)}, or leave "
            "it empty for every district and the force.",
            "district",
        )
    for day, column in (
        (change.effective_from, "effective_from"),
        (change.effective_to, "effective_to"),
    ):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise TargetError(
                f"{day} is outside the dates a target can take ({EARLIEST} to {LATEST}; leave the "
                "end empty for a target in force until further notice).",
                column,
            )
    if change.effective_to is not None and change.effective_to < change.effective_from:
        raise TargetError(
            f"The target ends ({change.effective_to}) before it starts ({change.effective_from}).",
            "effective_to",
        )
    target = change.target
    if target is not None:
        if not math.isfinite(target):
            raise TargetError(f"The target must be a number, not {target}.", "target")
        if metric.kind == "proportion" and not 0 <= target <= 100:
            raise TargetError(
                f"{metric.id} is a percentage: its target must be 0 to 100.", "target"
            )
        if target < 0:
            raise TargetError(f"The target cannot be negative ({target:g}).", "target")
        if target > MAX_TARGET:
            raise TargetError(
                f"The target ({target:g}) is larger than any figure of {metric.id} could be (at "
                f"most {MAX_TARGET:,}).",
                "target",
            )
        target += 0.0  # -0 is 0
    reason = (change.reason or "").strip()
    if not reason:
        raise TargetError("Say why the target is being set or changed (the reason).", "reason")
    for text, what in ((reason, "reason"), (change.note or "", "note")):
        problem = characters.words_problem(text, what, MAX_TEXT)
        if problem:
            raise TargetError(problem, what)
    return Change(
        metric.id,
        district,
        change.effective_from,
        change.effective_to,
        None if target is None else float(target),
        reason,
        (change.note or "").strip() or None,
        change.where,
    )


def _describe(rows: list[dict[str, Any]]) -> str | None:
    if not rows:
        return None
    return "; ".join(
        f"{r['target']:g} from {r['effective_from']} to {r['effective_to'] or 'open-ended'}"
        for r in rows
    )


def apply(tx: Session, change: Change, *, by: str, now: dt.datetime | None = None) -> bool:
    """Set (or withdraw) one target in an app-state transaction; the rows it overlaps are cut
    back around it (never deleted) and the change is logged with who and why. False, with
    nothing stored or logged, when the target is already exactly so (a file imported twice)."""
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    start, end = change.effective_from, change.effective_to
    overlapping = tx.rows(
        """
        select target_id, metric_id, district, effective_from, effective_to, target, note,
               set_by, set_at
        from targets
        where superseded_at is null and metric_id = :m and district is :d
          and effective_from <= coalesce(:end, '9999-12-31')
          and coalesce(effective_to, '9999-12-31') >= :start
        order by effective_from
        """,
        {"m": change.metric_id, "d": change.district, "start": start, "end": end},
    )
    if change.target is None and not overlapping:
        raise TargetError(_nothing_to_withdraw(tx, change))
    if change.target is not None and len(overlapping) == 1:
        row = overlapping[0]
        if (
            row["effective_from"] == start.isoformat()
            and row["effective_to"] == (end.isoformat() if end else None)
            and float(row["target"]) == change.target
            and row["note"] == change.note
        ):
            return False
    for row in overlapping:
        tx.execute(
            "update targets set superseded_at = :now where target_id = :id",
            {"now": now, "id": row["target_id"]},
        )
        old_from = dt.date.fromisoformat(row["effective_from"])
        old_to = dt.date.fromisoformat(row["effective_to"]) if row["effective_to"] else None
        pieces: list[tuple[dt.date, dt.date | None]] = []
        if old_from < start:
            pieces.append((old_from, start - dt.timedelta(days=1)))
        if end is not None and (old_to is None or old_to > end):
            pieces.append((end + dt.timedelta(days=1), old_to))
        for piece_from, piece_to in pieces:
            _insert(tx, {**row, "effective_from": piece_from, "effective_to": piece_to})
    if change.target is not None:
        _insert(
            tx,
            {
                "metric_id": change.metric_id,
                "district": change.district,
                "effective_from": start,
                "effective_to": end,
                "target": change.target,
                "note": change.note,
                "set_by": by,
                "set_at": now,
            },
        )
    tx.execute(
        """
        insert into target_changes (changed_at, changed_by, reason, metric_id, district,
                                    effective_from, effective_to, target, previous)
        values (:at, :by, :reason, :m, :d, :start, :end, :target, :previous)
        """,
        {
            "at": now,
            "by": by,
            "reason": change.reason,
            "m": change.metric_id,
            "d": change.district,
            "start": start,
            "end": end,
            "target": change.target,
            "previous": _describe(overlapping),
        },
    )
    return True


def _nothing_to_withdraw(tx: Session, change: Change) -> str:
    """Why withdrawing ``change``'s target would change nothing (no such target is set)."""
    start, end = change.effective_from, change.effective_to
    when = f"from {start}" + (f" to {end}" if end else "")
    where = f"{change.where}: " if change.where else ""
    area = change.district or FORCE_WIDE
    if change.district is not None:
        force_wide = tx.rows(
            """
            select 1 from targets
            where superseded_at is null and metric_id = :m and district is null
              and effective_from <= coalesce(:end, '9999-12-31')
              and coalesce(effective_to, '9999-12-31') >= :start
            limit 1
            """,
            {"m": change.metric_id, "start": start, "end": end},
        )
        if force_wide:
            return (
                f"{where}{area} has no target of its own for {change.metric_id} {when} to "
                f"withdraw: it follows the force-wide target then. Withdraw that for every area, "
                f"or set {area} a target of its own."
            )
    return f"{where}There is no target for {change.metric_id} ({area}) {when} to withdraw."


def _insert(tx: Session, row: dict[str, Any]) -> None:
    tx.execute(
        """
        insert into targets (metric_id, district, effective_from, effective_to, target, note,
                             set_by, set_at)
        values (:metric_id, :district, :effective_from, :effective_to, :target, :note, :set_by,
                :set_at)
        """,
        {k: row.get(k) for k in CURRENT_COLUMNS[:1] + ["district"] + CURRENT_COLUMNS[2:]},
    )


CSV_COLUMNS = ("metric_id", "district", "effective_from", "effective_to", "target", "reason")
OPTIONAL_CSV_COLUMNS = ("note",)


def _header_problems(file_name: str, names: list[str]) -> list[str]:
    where = f"{file_name}, line 1"
    listed = f"the columns are {', '.join(CSV_COLUMNS)} (and optionally note)"
    problems, seen = [], set()
    for position, name in enumerate(names, start=1):
        if not name:
            problems.append(f"{where}: column {position} of the header has no name; {listed}.")
        elif name in seen:
            problems.append(f"{where}: '{name}' appears more than once in the header.")
        elif name not in CSV_COLUMNS + OPTIONAL_CSV_COLUMNS:
            problems.append(f"{where}: '{name}' is not a column of a targets file; {listed}.")
        seen.add(name)
    missing = [c for c in CSV_COLUMNS if c not in seen]
    if missing:
        problems.append(f"{where}: missing column(s) {', '.join(missing)}; {listed}.")
    return problems


def read_csv(data: bytes, file_name: str, areas: list[str]) -> list[Change]:
    """The changes in a targets CSV (columns: metric_id, district, effective_from, effective_to,
    target, reason, and optionally note), every row checked; TargetError listing every problem
    by file, line and column, before anything is written.

    Read as strictly as a records file: a header with an unknown, unnamed or repeated column, a
    row with more or fewer values than the header (an unquoted comma would otherwise move the
    rest of the row), broken quoting, a control or invisible character, and two rows that set
    the same metric and area with overlapping dates (what counts would depend on their order) are
    all refused.
    Blank lines (or lines of commas only) are skipped, as in a spreadsheet."""
    file_name = characters.plain_file_name(file_name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TargetError(f"{file_name}: not UTF-8 text (byte {exc.start}).") from None
    rows = csv_lines.records(text)
    try:
        _, header = next(rows, (1, []))
    except csv_lines.BrokenCsv as exc:
        raise TargetError(
            f"{file_name}, line 1: the header could not be read as CSV ({exc.reason})."
        ) from None
    if not any(h.strip() for h in header):
        raise TargetError(
            f"{file_name}: no header: line 1 must name the columns {', '.join(CSV_COLUMNS)}."
        )
    names = [h.strip() for h in header]
    problems = _header_problems(file_name, names)
    if problems:
        raise TargetError("\n".join(problems))
    out: list[Change] = []
    first_line: dict[tuple[str, str | None, dt.date], int] = {}
    try:
        for line, values in rows:
            where = f"{file_name}, line {line}"
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(names):
                problems.append(
                    f"{where}: has {len(values)} values, but the header has {len(names)} columns "
                    "(a value with a comma in it must be in double quotes)."
                )
                continue
            row = dict(zip(names, values, strict=True))
            refused = [(name, characters.refused_character(value)) for name, value in row.items()]
            refused = [(name, code) for name, code in refused if code]
            for name, code in refused:
                problems.append(
                    f"{where}, column {name}: contains an invisible or control character ({code}); "
                    "remove it."
                )
            if refused:
                continue
            try:
                change = _change_of(row, where, areas)
            except TargetError as exc:
                message = str(exc)
                if not message.startswith(where):
                    column = f", column {exc.column}" if exc.column else ""
                    message = f"{where}{column}: {message}"
                problems.append(message)
                continue
            key = (change.metric_id, change.district, change.effective_from)
            if key in first_line:
                problems.append(
                    f"{where}: sets the target for {change.metric_id}, "
                    f"{change.district or FORCE_WIDE}, from {change.effective_from} again "
                    f"(first on line {first_line[key]}): a file may change each one once."
                )
                continue
            first_line[key] = line
            out.append(change)
    except csv_lines.BrokenCsv as exc:
        # Nothing the reader gives past broken quoting can be trusted: the rest is not read.
        problems.append(
            f"{file_name}, line {exc.line}: could not be read as CSV ({exc.reason}); check the "
            "quote marks on this line and the lines below it."
        )
    problems += _overlaps(out, first_line)
    if problems:
        raise TargetError("\n".join(problems))
    if not out:
        raise TargetError(f"{file_name}: no targets in the file.")
    return out


def _overlaps(
    changes: list[Change], lines: dict[tuple[str, str | None, dt.date], int]
) -> list[str]:
    """Rows of one file whose dates overlap for the same metric and area: applied in turn, the
    later would cut back the earlier, so what is stored would depend on the order of the lines."""

    def span(c: Change) -> str:
        return f"{c.effective_from} to {c.effective_to or 'open-ended'}"

    def line(c: Change) -> int:
        return lines[(c.metric_id, c.district, c.effective_from)]

    problems = []
    by_area: dict[tuple[str, str | None], list[Change]] = {}
    for change in changes:
        by_area.setdefault((change.metric_id, change.district), []).append(change)
    for (metric_id, district), rows in by_area.items():
        rows.sort(key=lambda c: c.effective_from)
        for earlier, later in zip(rows, rows[1:], strict=False):
            if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                problems.append(
                    f"{later.where}: its dates for {metric_id}, {district or FORCE_WIDE} "
                    f"({span(later)}) overlap those on line {line(earlier)} ({span(earlier)}); "
                    "give each row dates of its own (end the earlier the day before the later "
                    "starts)."
                )
    return problems


def _change_of(row: dict[str, str], where: str, areas: list[str]) -> Change:
    """One record of a targets file as a checked change; TargetError saying what is wrong."""
    start = _required_date(row["effective_from"], where, "effective_from")
    end = _date(row["effective_to"], where, "effective_to", required=False)
    raw = row["target"].strip()
    try:
        target = formatting.parse_number(raw) if raw else None
    except ValueError as exc:
        raise TargetError(
            f"{where}, column target: {exc} (leave it empty to withdraw the target)."
        ) from None
    change = Change(
        row["metric_id"].strip(),
        row["district"],
        start,
        end,
        target,
        row["reason"],
        row.get("note"),
        where,
    )
    return check(change, areas)


def _required_date(text: str | None, where: str, column: str) -> dt.date:
    value = _date(text, where, column, required=True)
    assert value is not None  # _date raises for a missing required date
    return value


def _date(text: str | None, where: str, column: str, *, required: bool) -> dt.date | None:
    value = (text or "").strip()
    if not value:
        if required:
            raise TargetError(f"{where}, column {column}: give a date (YYYY-MM-DD).")
        return None
    try:
        return formatting.parse_date(value)
    except ValueError as exc:
        raise TargetError(f"{where}, column {column}: {exc}.") from None


def current(con, metric_id: str | None = None) -> pd.DataFrame:
    """The targets as they stand (every dated row not superseded), by metric and area."""
    with appstore.session(con) as tx:
        frame = tx.frame(
            f"""
            select metric_id, coalesce(district, '{FORCE_WIDE}') as applies_to,
                   effective_from, effective_to, target, note, set_by, set_at
            from targets
            where superseded_at is null and (:m is null or metric_id = :m)
            order by metric_id, applies_to, effective_from desc
            """,
            {"m": metric_id},
            dates=("effective_from", "effective_to"),
        )
    frame["target"] = frame["target"].astype(float)
    return frame


def changes(con, metric_id: str | None = None) -> pd.DataFrame:
    """Every change made to the targets, newest first: who, when, why, and what it replaced."""
    with appstore.session(con) as tx:
        frame = tx.frame(
            f"""
            select changed_at, changed_by, reason, metric_id,
                   coalesce(district, '{FORCE_WIDE}') as applies_to,
                   effective_from, effective_to, target, previous
            from target_changes
            where :m is null or metric_id = :m
            order by change_id desc
            """,
            {"m": metric_id},
            dates=("effective_from", "effective_to"),
            timestamps=("changed_at",),
        )
    frame["target"] = frame["target"].astype(float)
    return frame


def history(con, metric_id: str | None = None) -> pd.DataFrame:
    """Every target in the current history, newest first per metric and area: for the 'About the
    data' page (who set each, and the change log, are in ``current`` and ``changes``)."""
    return current(con, metric_id)
