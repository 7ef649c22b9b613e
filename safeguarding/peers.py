"""Most similar groups (MSG) and how a force compares with its peers and with all forces.

Peer groups are data (table ``peer_groups``): each force's up to seven most similar forces, as
published per force by the Home Office / HMICFRS. Groups are not symmetric: Y can be in X's group
without X in Y's. ``read_file`` validates a file of them like any import (every problem with its
line and column, nothing stored unless the whole file is right); ``load`` replaces the table.

The comparisons (``compare``, ``signal_and_position``) take every force's force-wide figure
(``metric_values`` rows whose district is the force's name) for a month or a quarter and say, for
one force:

* the MSG figure two ways, each labelled, because public sources differ: the simple mean of the
  forces' rates (every force counts once) and the pooled rate (total numerator / total
  denominator: every case counts once). Only a proportion or a ratio can be pooled: a median
  cannot be pooled from medians, and a count or a level has no denominator to pool over, so for
  those kinds only the mean of the forces' figures is shown, labelled as such;
* the same two figures for all forces;
* its rank among all forces and within its group;
* where it sits on a funnel plot of all forces (safeguarding.funnel) around the forces' pooled
  average: with 43 forces the overdispersion adjustment applies, so a force outside the limits
  differs by more than chance and by more than forces ordinarily differ. That is "position as a
  signal"; inside the limits its place in the ranking is noise;
* beside that, its own SPC verdict for the month (variation and assurance, from metric_signals).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from safeguarding import funnel, registry, signals, targets
from safeguarding.formatting import format_value

# The peer-group file's rules live in safeguarding.peer_groups; they are named here too, where
# the demo, the command line and the tests have always found them.
from safeguarding.peer_groups import COLUMNS as COLUMNS
from safeguarding.peer_groups import MAX_PEERS as MAX_PEERS
from safeguarding.peer_groups import PeerGroupError as PeerGroupError
from safeguarding.peer_groups import Problem as Problem
from safeguarding.peer_groups import forces as forces
from safeguarding.peer_groups import parse as parse
from safeguarding.peer_groups import read_file as read_file
from safeguarding.peer_groups import replace as replace
from safeguarding.quarters import Period, period_figures

# --- loading peer groups: an import (safeguarding.imports.peer_load) -----------------------------


def load(
    path: str | os.PathLike[str],
    db: str | os.PathLike[str] | None = None,
    *,
    by: str | None = None,
) -> int:
    """Validate a peer-group file against the database's forces and, if it is right, make it the
    whole of ``peer_groups`` (a file is the complete list, so a force left out has no group);
    returns the number of pairs. An import like any other (safeguarding.imports.peer_load): all
    or nothing, and audited (``by`` is who loaded it). On any problem PeerGroupError is raised,
    listing every problem with its line and column, and nothing is changed."""
    from safeguarding.imports import peer_load

    target = Path(path)
    if not target.is_file():
        raise PeerGroupError([Problem(str(target), None, "", "", "no such file", "missing_file")])
    result = peer_load.import_file(db, target, target.name, by=by)
    if result.outcome == "rejected":
        raise PeerGroupError(
            [
                Problem(
                    str(r.file),
                    None if pd.isna(r.line) else int(r.line),
                    str(r.column),
                    str(r.value),
                    str(r.message),
                    str(r.rule),
                )
                for r in result.report.problems.itertuples()
            ]
        )
    return result.inserted + result.unchanged


def groups(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each force's peers, alphabetically; forces without a group are absent."""
    out: dict[str, list[str]] = {}
    for force, peer in con.execute("select force, peer from peer_groups order by 1, 2").fetchall():
        out.setdefault(force, []).append(peer)
    return out


def group_of(con: duckdb.DuckDBPyConnection, force: str) -> list[str]:
    return groups(con).get(force, [])


def listing(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per force: its peers, and the forces that count it as a peer (not symmetric)."""
    by_force = groups(con)
    named_by: dict[str, list[str]] = {}
    for force, peers in by_force.items():
        for peer in peers:
            named_by.setdefault(peer, []).append(force)
    return pd.DataFrame(
        [
            {
                "force": f,
                "peers": len(by_force.get(f, [])),
                "group": ", ".join(by_force.get(f, [])) or "(no group)",
                "in the group of": ", ".join(sorted(named_by.get(f, []))) or "(none)",
            }
            for f in forces(con)
        ]
    )


def demo_groups(sizes: Mapping[str, float], *, size: int = MAX_PEERS) -> pd.DataFrame:
    """Invented most similar groups for demo forces: the ``size`` forces nearest in (log) size.

    Real groups weigh many demographic and crime variables; the demo has only size, which is
    enough to make groups that overlap and are not symmetric (a mid-sized force's nearest
    neighbours include small ones whose own nearest are smaller still). Deterministic: ties go to
    the alphabetically first force.
    """
    names = sorted(sizes)
    rows: list[tuple[str, str]] = []
    for force in names:
        here = math.log(sizes[force])
        others = sorted(
            (n for n in names if n != force), key=lambda n: (abs(math.log(sizes[n]) - here), n)
        )
        rows.extend((force, peer) for peer in sorted(others[:size]))
    return pd.DataFrame(rows, columns=list(COLUMNS))


# --- comparisons ---------------------------------------------------------------------------------

POOLABLE_KINDS = ("proportion", "ratio")
SCALE = {"proportion": 100.0, "ratio": 1.0}

MEAN_LABELS = {
    "proportion": "Simple mean of the forces' rates (each force counts once)",
    "ratio": "Simple mean of the forces' ratios (each force counts once)",
    "median": "Mean of the forces' medians (a median cannot be pooled from medians)",
    "count": "Mean count per force (counts grow with a force's size)",
    "level": "Mean per force",
}
POOLED_LABEL = "Pooled: total numerator / total denominator (each case counts once)"
NOT_POOLED = {
    "median": "Not pooled: a median cannot be pooled from medians",
    "count": "Not pooled: a count has no denominator, so pooled equals the mean",
    "level": "Not pooled: a level is held against its own denominator, not pooled over forces",
}

SIGNAL = "signal"
WEAK_SIGNAL = "weak signal"
NOISE = "noise"
NO_FUNNEL = "no funnel"


def mean_label(kind: str) -> str:
    return MEAN_LABELS[kind]


def pooled_label(kind: str) -> str:
    return POOLED_LABEL if kind in POOLABLE_KINDS else NOT_POOLED[kind]


def force_figures(
    con: duckdb.DuckDBPyConnection, period: Period, *, metric_id: str | None = None
) -> pd.DataFrame:
    """Every force's force-wide figure for the period: metric_id, force, numerator,
    denominator, value, target, status (a quarter pooled as the scorecard pools it)."""
    names = forces(con)
    figures = targets.figures(
        con, metric_id=metric_id, from_month=period.first, to_month=period.last, districts=names
    )
    known = registry.metrics()
    figures = figures[figures["metric_id"].isin(known)]
    directions = {m.id: m.direction for m in known.values()}
    out = period_figures(figures, period, directions, known)
    return out.rename(columns={"district": "force"}).reset_index(drop=True)


@dataclass(frozen=True)
class GroupFigure:
    """A group's figure two ways; ``pooled`` is None where the kind cannot be pooled."""

    forces: int
    mean: float | None
    pooled: float | None
    mean_label: str
    pooled_label: str


def group_figure(frame: pd.DataFrame, members: Iterable[str], kind: str) -> GroupFigure:
    """The simple mean and (for a proportion or ratio) the pooled figure of ``members``.

    ``frame``: one metric, one row per force (force, numerator, denominator, value), value in the
    metric's unit (percent for a proportion). Forces without a figure are left out of both.
    """
    rows = frame[frame["force"].isin(list(members)) & frame["value"].notna()]
    mean = float(rows["value"].mean()) if len(rows) else None
    pooled = None
    if kind in POOLABLE_KINDS and len(rows):
        den = float(rows["denominator"].sum())
        if den > 0:
            pooled = SCALE[kind] * float(rows["numerator"].sum()) / den
    return GroupFigure(len(rows), mean, pooled, mean_label(kind), pooled_label(kind))


def ranks(frame: pd.DataFrame, direction: str) -> pd.Series:
    """Rank 1 is the best (highest when higher is better or neutral; lowest when lower is
    better); equal figures share the better rank. Forces without a figure get no rank."""
    ascending = direction == "lower_is_better"
    return frame["value"].rank(ascending=ascending, method="min").astype("Int64")


@dataclass(frozen=True)
class Position:
    """Where a force sits on the funnel of all forces."""

    flag: str | None  # funnel.flag value, None when there is no funnel
    verdict: str  # SIGNAL, WEAK_SIGNAL, NOISE or NO_FUNNEL
    words: str
    overdispersion: str  # what the funnel did about overdispersion, for the chart and table
    centre: float | None  # in the metric's unit


def _funnel_inputs(frame: pd.DataFrame, metric: registry.Metric):
    rows = frame[
        frame["value"].notna() & (frame["denominator"] > 0) & frame["numerator"].notna()
    ].reset_index(drop=True)
    n = rows["denominator"].to_numpy(dtype=float)
    y = rows["numerator"].to_numpy(dtype=float) / n if len(rows) else np.array([])
    return rows, n, y


def funnel_flags(frame: pd.DataFrame, metric: registry.Metric) -> tuple[pd.DataFrame, Position]:
    """Every force's funnel flag around the forces' pooled average (adjusted for overdispersion
    when there are enough forces), and a Position with the reason, for one metric's frame.

    Returns (rows with a ``flag`` column, a template Position with no force's flag)."""
    if metric.funnel == "none":
        reason = {
            "median": "a median has no funnel: its spread depends on the cases, not their number",
            "count": "a count has no funnel: it grows with a force's size",
            "level": "a level has no funnel: it is compared with its own denominator",
        }.get(metric.kind, "this metric has no funnel")
        return frame.assign(flag=None), Position(None, NO_FUNNEL, reason.capitalize(), "", None)
    rows, n, y = _funnel_inputs(frame, metric)
    if len(rows) < 2:
        return frame.assign(flag=None), Position(
            None, NO_FUNNEL, "Too few forces with figures to draw a funnel", "", None
        )
    kind = metric.funnel
    centre = funnel.pooled_average(rows["numerator"], n)
    od = funnel.overdispersion(
        y, n, centre, kind=kind, method=funnel.DEFAULT_METHOD, unit_noun="forces"
    )
    flags = funnel.flag(y, n, centre, kind=kind, adjust=od if od.adjusted else None)
    flagged = frame.merge(
        pd.DataFrame({"force": rows["force"], "flag": flags}), on="force", how="left"
    )
    scale = 100.0 if kind == "proportion" else 1.0
    return flagged, Position(None, NOISE, "", od.reason, centre * scale)


def position_words(flag: str | None, direction: str) -> tuple[str, str]:
    """(verdict, words) for a funnel flag: outside the 99.8% limits is a signal, outside only
    the 95% limits a weak one, within them noise."""
    if flag is None:
        return NO_FUNNEL, "No figure to place on the funnel"
    if flag == funnel.FLAG_WITHIN:
        return NOISE, "Within the limits: its place in the ranking is within chance (noise)"
    side, level = flag.split("_", 1)
    if direction == "neutral":
        quality = "higher" if side == "above" else "lower"
    else:
        better = (side == "above") == (direction == "higher_is_better")
        quality = "better" if better else "worse"
    widest = funnel.level_label(max(funnel.LEVELS))
    verdict = SIGNAL if level == widest else WEAK_SIGNAL
    strength = "a signal" if verdict == SIGNAL else "a weak signal"
    return verdict, (
        f"{side.capitalize()} the {level}% limit: {quality} than the forces' average by more "
        f"than chance explains ({strength})"
    )


@dataclass(frozen=True)
class Comparison:
    """One metric, one force, one period: the force against its group and all forces."""

    metric: registry.Metric
    force: str
    peers: tuple[str, ...]
    value: float | None
    group: GroupFigure
    national: GroupFigure
    rank: int | None
    ranked: int
    group_rank: int | None
    group_ranked: int
    position: Position
    table: pd.DataFrame  # every force: force, numerator, denominator, value, rank, flag, member


def compare(frame: pd.DataFrame, metric: registry.Metric, force: str, peers: Sequence[str]):
    """The force against its group and all forces, from one metric's figures (one row per force:
    force, numerator, denominator, value). Pure: the tests work it by hand."""
    frame = frame.loc[:, ["force", "numerator", "denominator", "value"]].copy()
    for column in ("numerator", "denominator", "value"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["rank"] = ranks(frame, metric.direction)
    frame, template = funnel_flags(frame, metric)
    frame["member"] = np.where(
        frame["force"] == force, "this force", np.where(frame["force"].isin(peers), "group", "")
    )
    own = frame[frame["force"] == force]
    value = float(own["value"].iloc[0]) if len(own) and pd.notna(own["value"].iloc[0]) else None
    rank = int(own["rank"].iloc[0]) if value is not None else None
    in_group = frame[frame["force"].isin([force, *peers])].copy()
    in_group["group_rank"] = ranks(in_group, metric.direction)
    group_rank = (
        int(in_group.loc[in_group["force"] == force, "group_rank"].iloc[0])
        if value is not None
        else None
    )
    own_flag = own["flag"].iloc[0] if len(own) and "flag" in own else None
    own_flag = own_flag if isinstance(own_flag, str) else None
    if template.verdict == NO_FUNNEL:
        position = template
    else:
        verdict, words = position_words(own_flag, metric.direction)
        position = Position(own_flag, verdict, words, template.overdispersion, template.centre)
    order = frame.sort_values(["rank", "force"], na_position="last").reset_index(drop=True)
    return Comparison(
        metric=metric,
        force=force,
        peers=tuple(peers),
        value=value,
        group=group_figure(frame, peers, metric.kind),
        national=group_figure(frame, frame["force"], metric.kind),
        rank=rank,
        ranked=int(frame["value"].notna().sum()),
        group_rank=group_rank,
        group_ranked=int(in_group["value"].notna().sum()),
        position=position,
        table=order,
    )


def spc_for(con: duckdb.DuckDBPyConnection, force: str, month: dt.date) -> pd.DataFrame:
    """The force row's SPC verdict for every metric that month (metric_signals)."""
    return con.execute(
        """
        select metric_id, variation, assurance, provisional
        from metric_signals
        where district = $force and month = $month
        """,
        {"force": force, "month": month},
    ).df()


def comparisons(con: duckdb.DuckDBPyConnection, force: str, period: Period) -> list[Comparison]:
    """``compare`` for every metric that has figures for the period."""
    figures = force_figures(con, period)
    peers = group_of(con, force)
    out = []
    for metric in registry.metrics().values():
        frame = figures[figures["metric_id"] == metric.id]
        if frame.empty:
            continue
        out.append(compare(frame, metric, force, peers))
    return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_words(rank: int | None, of: int, direction: str) -> str:
    if rank is None:
        return "no figure"
    best = "highest" if direction == "neutral" else "best"
    return f"{_ordinal(rank)} of {of}" + (f" ({best})" if rank == 1 else "")


def signal_and_position(
    con: duckdb.DuckDBPyConnection,
    force: str,
    period: Period,
    done: Sequence[Comparison] | None = None,
) -> pd.DataFrame:
    """One row per metric: the force's figure, its SPC verdict (for the period's last month)
    beside its place among its peers and all forces, and whether that place is a signal.
    ``done``: the ``comparisons`` for this force and period, if the caller has them already."""
    spc = spc_for(con, force, period.last).set_index("metric_id")
    rows = []
    for c in done if done is not None else comparisons(con, force, period):
        m = c.metric
        variation = spc["variation"].get(m.id) if m.id in spc.index else None
        assurance = spc["assurance"].get(m.id) if m.id in spc.index else None
        rows.append(
            {
                "metric_id": m.id,
                "Metric": m.title,
                "Figure": format_value(c.value, m),
                "SPC: variation": signals.ICON_WORDS.get(
                    variation if isinstance(variation, str) else "", "No SPC signal"
                ),
                "SPC: assurance": signals.ASSURANCE_WORDS.get(
                    assurance if isinstance(assurance, str) else None
                ),
                "Group (mean)": format_value(c.group.mean, m),
                "Group (pooled)": format_value(c.group.pooled, m)
                if c.group.pooled is not None
                else "not pooled",
                "All forces (mean)": format_value(c.national.mean, m),
                "All forces (pooled)": format_value(c.national.pooled, m)
                if c.national.pooled is not None
                else "not pooled",
                "Rank in group": rank_words(c.group_rank, c.group_ranked, m.direction),
                "Rank of all forces": rank_words(c.rank, c.ranked, m.direction),
                "Position": c.position.verdict,
                "Position, in words": c.position.words,
            }
        )
    return pd.DataFrame(rows)
