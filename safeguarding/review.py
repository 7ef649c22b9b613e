"""The quarterly outcome review: every metric x area for a quarter, and its exceptions.

For each metric and each district (and the force row) the review sets a quarter beside the
previous quarter and the same quarter last year, with the change, the status against target and
the SPC signal. A quarter's figure is computed once, in ``safeguarding.quarters`` (percentages
and ratios pooled over its months, counts averaged; against the target in force in its last
month), so the overview, this review and the board pack agree. A quarter's SPC signal is that
of its last month.

The exceptions are the figures a meeting should talk about, most serious first:

====  ==========================================================================================
tier  what puts a figure in it
====  ==========================================================================================
1     target missed AND a special cause of concern (the process has changed for the worse)
2     target missed, no special cause of concern, and SPC assurance says the process will not
      meet the target without change (the miss is built in, not bad luck)
3     a special cause of concern while the target is met or there is no target
4     any other target missed (common cause or improving, may or may not meet the target)
====  ==========================================================================================

Within a tier, the bigger shortfall comes first: the gap between figure and target as a share of
the target (for a target of zero, percentage points out of 100 or the count itself). In tier 3,
which has no miss, the size is how much the figure worsened against the previous quarter, as a
share of that quarter's figure. Ties keep the catalogue's metric order, then districts before
the force row.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import duckdb
import pandas as pd

from safeguarding import kinds, registry, scorecard, signals, targets
from safeguarding.formatting import figure_and_target, format_value
from safeguarding.quarters import Period, change, period_figures, with_change

TIERS = {
    1: "Target missed, with a special cause of concern",
    2: "Target missed, and will not be met without change",
    3: "Special cause of concern",
    4: "Target missed",
}
CONCERNS = frozenset({"concern_high", "concern_low"})
IMPROVEMENTS = frozenset({"improvement_high", "improvement_low"})

EXCEPTION_COLUMNS = [
    "tier",
    "tier_label",
    "metric_id",
    "district",
    "title",
    "shortfall",
    "sentence",
]


def as_quarter(quarter: str | Period) -> Period:
    """A quarter from '2024Q3' or a Period; ValueError with a readable message otherwise."""
    if isinstance(quarter, Period):
        if quarter.kind != "quarter":
            raise ValueError(f"{quarter.label} is a month, not a quarter")
        return quarter
    return Period.quarter(quarter)


def day_label(day: dt.date | None) -> str:
    """'1 December 2014' (no leading zero), or '' for no date."""
    return f"{day.day} {day:%B %Y}" if day else ""


def _text(value: float | None, measure: kinds.Measure) -> str:
    return format_value(value, measure) if _present(value) else "no figure"


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def quarter_table(
    con: duckdb.DuckDBPyConnection,
    quarter: str | Period,
    *,
    force: str | None = None,
    units: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per metric x area for the quarter, in catalogue then area order.

    Columns: metric_id, title, unit, theme, direction, district, is_force; value, numerator,
    denominator, target, status (this quarter); previous_value, previous_numerator,
    previous_denominator, previous_status, change_arrow, change_text (against the previous
    quarter); last_year_value, last_year_numerator, last_year_denominator, last_year_status,
    year_change_arrow, year_change_text (against the same quarter last year); point_type,
    variation, assurance, provisional, lpl, upl, recent_outside, spc_note (SPC, the quarter's
    last month, and words where status and assurance seem to disagree); value_text,
    target_text, previous_text, last_year_text (figures as written for people; the value and
    target at the places that decide the status).
    """
    period = as_quarter(quarter)
    districts, forces = scorecard.units(con, force)
    wanted = list(units) if units is not None else districts + forces
    previous, last_year = period.previous_quarter(), period.year_earlier()
    known = registry.metrics()
    directions = {m.id: m.direction for m in known.values()}
    measures = dict(known)

    figures = targets.figures(
        con, from_month=last_year.first, to_month=period.last, districts=wanted
    )
    figures = figures[figures["metric_id"].isin(known)]
    current = period_figures(figures, period, directions, measures)
    if current.empty:
        return pd.DataFrame()
    before = period_figures(figures, previous, directions, measures)
    year = period_figures(figures, last_year, directions, measures)

    frame = with_change(current, before, directions, measures)
    frame = frame.merge(_prefixed(before, "previous"), on=["metric_id", "district"], how="left")
    year_change = with_change(current, year, directions, measures)[
        ["metric_id", "district", "previous_value", "change_arrow", "change_text"]
    ].rename(
        columns={
            "previous_value": "last_year_value",
            "change_arrow": "year_change_arrow",
            "change_text": "year_change_text",
        }
    )
    frame = frame.merge(year_change, on=["metric_id", "district"], how="left")
    frame = frame.merge(_prefixed(year, "last_year"), on=["metric_id", "district"], how="left")

    spc = signals.for_month(con, period.last)
    spc_columns = ["point_type", "variation", "assurance", "provisional"]
    if spc.empty:
        for column in spc_columns:
            frame[column] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    else:
        frame = frame.merge(
            spc[["metric_id", "district", *spc_columns]], on=["metric_id", "district"], how="left"
        )

    context = scorecard.signal_context(con, period.last)
    frame = frame.merge(context, on=["metric_id", "district"], how="left")

    frame["title"] = frame["metric_id"].map(lambda m: known[m].title)
    frame["unit"] = frame["metric_id"].map(lambda m: known[m].unit)
    frame["kind"] = frame["metric_id"].map(lambda m: known[m].kind)
    frame["theme"] = frame["metric_id"].map(lambda m: known[m].theme)
    frame["direction"] = frame["metric_id"].map(directions)
    frame["is_force"] = frame["district"].isin(forces)
    for column, source in (
        ("value_text", "value"),
        ("previous_text", "previous_value"),
        ("last_year_text", "last_year_value"),
    ):
        frame[column] = [
            _text(v, known[m]) for v, m in zip(frame[source], frame["metric_id"], strict=True)
        ]
    # The quarter's figure and its target side by side, at the places that decide the status
    # (formatting.deciding_places), so "30 days" never stands beside "Not met" against 30.
    pairs = [
        figure_and_target(v, t, s, known[m])
        for v, t, s, m in zip(
            frame["value"], frame["target"], frame["status"], frame["metric_id"], strict=True
        )
    ]
    frame["value_text"] = [
        text if _present(v) else "no figure"
        for (text, _), v in zip(pairs, frame["value"], strict=True)
    ]
    frame["target_text"] = [t for _, t in pairs]
    frame["spc_note"] = [
        scorecard.assurance_note(
            r["status"], r["assurance"], r["lpl"], r["upl"], r["recent_outside"],
            known[r["metric_id"]], r["target_text"],
        )
        for r in frame.to_dict("records")
    ]  # fmt: skip

    metric_order = {m: i for i, m in enumerate(known)}
    unit_order = {u: i for i, u in enumerate(wanted)}
    frame["_m"] = frame["metric_id"].map(metric_order)
    frame["_u"] = frame["district"].map(unit_order)
    frame = frame.sort_values(["_m", "_u"]).drop(columns=["_m", "_u"])
    return frame.reset_index(drop=True)


def _prefixed(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    columns = ["numerator", "denominator", "status"]
    if frame.empty:
        return pd.DataFrame(columns=["metric_id", "district", *[f"{prefix}_{c}" for c in columns]])
    return frame[["metric_id", "district", *columns]].rename(
        columns={c: f"{prefix}_{c}" for c in columns}
    )


# --- exceptions ------------------------------------------------------------------------------


def tier(status: str, variation: object, assurance: object) -> int | None:
    """The exception tier of one figure (see the module docstring), or None if it is not one."""
    missed = status == "not_met"
    concern = variation in CONCERNS
    if missed and concern:
        return 1
    if missed and assurance == "fail":
        return 2
    if concern:
        return 3
    if missed:
        return 4
    return None


def _relative_gap(value: float, reference: float, kind: str) -> float:
    gap = abs(float(value) - float(reference))
    if reference != 0:
        return gap / abs(float(reference))
    return gap / 100 if kind == "proportion" else gap


def size(row: pd.Series | dict, tier_number: int) -> float:
    """How far a figure is from where it should be, comparable across units (see docstring)."""
    value = row["value"]
    if not _present(value):
        return 0.0
    if tier_number == 3:
        previous = row.get("previous_value")
        if not _present(previous):
            return 0.0
        arrow, words = change(value, previous, row["direction"], registry.get(row["metric_id"]))
        if not words.startswith("worsened"):
            return 0.0
        return _relative_gap(value, previous, registry.get(row["metric_id"]).kind)
    target = row.get("target")
    if not _present(target):
        return 0.0
    return _relative_gap(value, target, registry.get(row["metric_id"]).kind)


def _lower_first(title: str) -> str:
    # 'Police attendance ...' -> 'police attendance ...', but 'MARAC ...' stays as it is.
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


def _signal_words(variation: object) -> str | None:
    if variation in CONCERNS:
        return "a special cause of concern"
    if variation in IMPROVEMENTS:
        return "a special cause of improvement"
    if variation in ("neutral_high", "neutral_low"):
        return "an unusual change (special cause)"
    if variation == "common_cause":
        return "common-cause variation"
    return None


_COMPARISON = {
    "worsened": "worse than",
    "improved": "better than",
    "higher": "higher than",
    "lower": "lower than",
    "no change": "unchanged from",
}


def _comparison(row: pd.Series, previous: Period) -> str:
    if not _present(row.get("previous_value")):
        return f"no figure for {previous.short_label}"
    if row.get("value_withheld") or row.get("previous_withheld"):
        # Comparing against a withheld figure would narrow it down: give the figure as shown.
        return f"{previous.short_label}: {row['previous_text']}"
    metric = registry.get(row["metric_id"])
    _, words = change(row["value"], row["previous_value"], row["direction"], metric)
    lead = next((v for k, v in _COMPARISON.items() if words.startswith(k)), "compared with")
    return f"{lead} {previous.short_label} ({row['previous_text']})"


def sentence(row: pd.Series, tier_number: int, period: Period) -> str:
    """One exception in plain English with its figures, e.g.

    "Kirklees: sex offenders per offender manager 96.2 in Q3 2024 against a target of 50.0 (not
    met); a special cause of concern, worse than Q2 2024 (91.0); Q3 2023: 88.0."
    """
    status = row["status"]
    text = f"{row['district']}: {_lower_first(row['title'])} {row['value_text']} in "
    text += period.short_label
    if status in ("met", "not_met"):
        word = "not met" if status == "not_met" else "met"
        text += f" against a target of {row['target_text']} ({word})"
    else:
        text += " (no target)"
    signal = _signal_words(row.get("variation"))
    comparison = _comparison(row, period.previous_quarter())
    if tier_number == 3:
        text += f", but {signal}, {comparison}"
    elif status == "not_met" and row.get("assurance") == "fail":
        # Common cause: the miss is built into the process. A special cause as well: both.
        if not signal:
            lead = "so"
        else:
            lead = f"{signal}, so" if row.get("variation") == "common_cause" else f"{signal}, and"
        text += f"; {lead} at this level the target will not be met without change; {comparison}"
    elif signal:
        text += f"; {signal}, {comparison}"
    else:
        text += f"; {comparison}"
    if _present(row.get("last_year_value")):
        text += f"; {period.year_earlier().short_label}: {row['last_year_text']}"
    return text + "."


def exceptions(frame: pd.DataFrame, quarter: str | Period) -> pd.DataFrame:
    """The exceptions of a quarter table, most serious first, each with its sentence.

    ``frame`` is ``quarter_table``'s output; a caller that withholds small numbers (the board
    pack) replaces the ``*_text`` columns and sets ``value_withheld`` / ``previous_withheld`` so
    that the sentences never give a withheld figure away.
    """
    period = as_quarter(quarter)
    if frame.empty:
        return pd.DataFrame(columns=EXCEPTION_COLUMNS)
    metric_order = {m: i for i, m in enumerate(registry.metrics())}
    rows = []
    for position, (_, row) in enumerate(frame.iterrows()):
        number = tier(row["status"], row.get("variation"), row.get("assurance"))
        if number is None:
            continue
        rows.append(
            {
                "tier": number,
                "tier_label": TIERS[number],
                "metric_id": row["metric_id"],
                "district": row["district"],
                "title": row["title"],
                "shortfall": size(row, number),
                "sentence": sentence(row, number, period),
                # A withheld figure's place in the order would hint at its size: put it last.
                "_withheld": bool(row.get("value_withheld", False)),
                "_metric": metric_order.get(row["metric_id"], len(metric_order)),
                "_position": position,
            }
        )
    if not rows:
        return pd.DataFrame(columns=EXCEPTION_COLUMNS)
    out = pd.DataFrame(rows)
    out["_neg"] = -out["shortfall"]
    out = out.sort_values(["tier", "_withheld", "_neg", "_metric", "_position"], kind="stable")
    return out[EXCEPTION_COLUMNS].reset_index(drop=True)


# The exceptions a meeting leads with; the rest wait behind an expander or on a second page.
LEAD = 10


def lead_exceptions(ranked: pd.DataFrame, limit: int = LEAD) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the ``limit`` most serious exceptions, ordered by metric in the order each metric's most
    serious one comes, and most serious first within a metric; the rest, in rank order)."""
    lead = ranked.head(limit).copy()
    first = {m: i for i, m in reversed(list(enumerate(lead["metric_id"])))}
    lead["_group"] = lead["metric_id"].map(first)
    lead["_rank"] = range(len(lead))
    lead = lead.sort_values(["_group", "_rank"]).drop(columns=["_group", "_rank"])
    return lead.reset_index(drop=True), ranked.iloc[limit:].reset_index(drop=True)


def spc_text(variation: object, assurance: object, note: object = None) -> str:
    """The SPC signal in words (for tables): variation, then assurance when there is a target,
    then the note that reconciles assurance with a status that seems to contradict it."""
    if not isinstance(variation, str):
        return "no SPC signal"
    words = signals.ICON_WORDS.get(variation, variation)
    if isinstance(assurance, str):
        words += f"; {signals.ASSURANCE_WORDS.get(assurance, assurance).lower()}"
    if isinstance(note, str) and note:
        words += f". {note}"
    return words


def status_text(status: str) -> str:
    """Status by symbol and word, never colour alone: '✗ Not met'."""
    return f"{targets.STATUS_SYMBOLS[status]} {targets.STATUS_WORDS[status]}"
