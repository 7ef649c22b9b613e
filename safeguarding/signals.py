"""One table of SPC signals for every metric x district x month (``metric_signals``).

Computed after each change of data from ``metric_values`` (the figures), the targets in force and
the ``rebases`` register, so the scorecard, the charts and the exports all read the same icons.
Each series is one XmR chart over its whole history, with limits recalculated only at recorded
rebases; a month's icon is that chart's verdict on that month.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from safeguarding import registry, spc, targets

ICON_WORDS = {
    "improvement_high": "Special cause: improvement (higher is better)",
    "improvement_low": "Special cause: improvement (lower is better)",
    "concern_high": "Special cause: concern (rising)",
    "concern_low": "Special cause: concern (falling)",
    "neutral_high": "Special cause: unusually high",
    "neutral_low": "Special cause: unusually low",
    "common_cause": "Common cause: no significant change",
}
ASSURANCE_WORDS = {
    "pass": "Will consistently meet the target",
    "fail": "Will not meet the target without change",
    "inconsistent": "May or may not meet the target",
    None: "No target to assure against",
}

SIGNAL_COLUMNS = [
    "metric_id",
    "district",
    "month",
    "value",
    "mean",
    "lpl",
    "upl",
    "period",
    "provisional",
    "cause",
    "point_type",
    "variation",
    "target",
    "assurance",
]


def compute(
    con: duckdb.DuckDBPyConnection, keys: set[tuple[str, str]] | None = None
) -> pd.DataFrame:
    """Signals for every series in metric_values, or only the (metric_id, district) series in
    ``keys`` (not stored)."""
    if keys is None:
        figures = targets.figures(con)
    else:
        by_metric: dict[str, list[str]] = {}
        for metric_id, district in sorted(keys):
            by_metric.setdefault(metric_id, []).append(district)
        parts = [
            targets.figures(con, metric_id=m, districts=ds)
            for m, ds in by_metric.items()
            if m in registry.metrics()
        ]
        parts = [p for p in parts if not p.empty]
        if not parts:
            return pd.DataFrame(columns=SIGNAL_COLUMNS)
        figures = pd.concat(parts, ignore_index=True)
    rebases = con.execute("select metric_id, district, month from rebases").df()
    # One pass over the register (a groupby per series is slow with thousands of series).
    rebase_months: dict[tuple[str, str], set[pd.Timestamp]] = {}
    for metric_id, district, month in zip(
        rebases["metric_id"], rebases["district"], pd.to_datetime(rebases["month"]), strict=True
    ):
        if keys is None or (metric_id, district) in keys:
            rebase_months.setdefault((metric_id, district), set()).add(month)
    known = registry.metrics()
    parts = []
    for (metric_id, district), series in figures.groupby(["metric_id", "district"], sort=False):
        metric = known.get(metric_id)
        if metric is None:
            continue
        series = series.sort_values("month").reset_index(drop=True)
        months = pd.to_datetime(series["month"])
        marks = rebase_months.get((metric_id, district), set())
        positions = [i for i, m in enumerate(months) if m in marks and i > 0]
        result = spc.xmr(
            series["value"].to_numpy(dtype=float),
            improvement=metric.improvement,
            rebase=positions or None,
        )
        target = series["target"].to_numpy(dtype=float)
        parts.append(
            pd.DataFrame(
                {
                    "metric_id": metric_id,
                    "district": district,
                    "month": series["month"].to_numpy(),
                    "value": result["value"].to_numpy(dtype=float),
                    "mean": result["mean"].to_numpy(dtype=float),
                    "lpl": result["lpl"].to_numpy(dtype=float),
                    "upl": result["upl"].to_numpy(dtype=float),
                    "period": result["period"].to_numpy(dtype=int),
                    "provisional": result["provisional"].to_numpy(dtype=bool),
                    "cause": result["cause"].to_numpy(dtype=object),
                    "point_type": result["point_type"].to_numpy(dtype=object),
                    "variation": result["variation"].to_numpy(dtype=object),
                    "target": target,
                    "assurance": spc.assurances(
                        result["lpl"].to_numpy(),
                        result["upl"].to_numpy(),
                        target,
                        metric.improvement,
                    ),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=SIGNAL_COLUMNS)
    return pd.concat(parts, ignore_index=True)[SIGNAL_COLUMNS]


def refresh(con: duckdb.DuckDBPyConnection) -> int:
    """Recompute metric_signals; call inside the write that changed the figures or rebases."""
    frame = compute(con)
    con.execute("delete from metric_signals")
    insert(con, frame)
    return len(frame)


def insert(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """Append computed signals (from :func:`compute`) to metric_signals."""
    if frame.empty:
        return
    con.register("computed_signals", frame)
    try:
        con.execute(
            f"insert into metric_signals ({', '.join(SIGNAL_COLUMNS)}) "
            f"select {', '.join(SIGNAL_COLUMNS)} from computed_signals"
        )
    finally:
        con.unregister("computed_signals")


def refresh_series(con: duckdb.DuckDBPyConnection, keys: set[tuple[str, str]]) -> int:
    """Recompute the signals of the given (metric_id, district) series only; a series with no
    figures left loses its signals. Returns the number of series recomputed."""
    if not keys:
        return 0
    frame = compute(con, keys)
    doomed = pd.DataFrame(sorted(keys), columns=["metric_id", "district"])
    con.register("doomed_series", doomed)
    try:
        con.execute(
            "delete from metric_signals as s using doomed_series as d "
            "where s.metric_id = d.metric_id and s.district = d.district"
        )
    finally:
        con.unregister("doomed_series")
    insert(con, frame)
    return len(keys)


def for_month(con: duckdb.DuckDBPyConnection, month: dt.date) -> pd.DataFrame:
    """The signal of every metric x district for one month."""
    return con.execute(
        """
        select metric_id, district, point_type, variation, assurance, provisional
        from metric_signals
        where month = $month
        order by metric_id, district
        """,
        {"month": month},
    ).df()


def series(
    con: duckdb.DuckDBPyConnection,
    metric_id: str,
    *,
    districts: list[str] | None = None,
    from_month: dt.date | None = None,
    to_month: dt.date | None = None,
) -> pd.DataFrame:
    """The SPC series of one metric for charts: value, limits, point types, target by month."""
    registry.get(metric_id)
    return con.execute(
        """
        select district, month, value, mean, lpl, upl, cause, point_type, variation, period,
               provisional, target, assurance
        from metric_signals
        where metric_id = $metric_id
          and ($districts is null or list_contains($districts, district))
          and ($from_month is null or month >= $from_month)
          and ($to_month is null or month <= $to_month)
        order by district, month
        """,
        {
            "metric_id": metric_id,
            "districts": districts,
            "from_month": from_month,
            "to_month": to_month,
        },
    ).df()
