"""Small-number suppression for anything that leaves the dashboard (downloads, board packs).

The rule (DESIGN.md): counts of 1-4 (configurable) about small areas are shown as "<5", with
secondary suppression so that a published total cannot be used to work a suppressed count back
out. Zero is not suppressed: "none" discloses nothing about an individual.

* Primary suppression: a count cell in the small range is replaced by the primary label ("<5").
* Derived cells: a cell computed from a suppressed count (a percentage, a median, a rate) would
  let a reader recover it (numerator = percentage x denominator), so it is suppressed too.
* Secondary suppression: within a group of cells that add up to a published total (the districts
  of one month and their force row), a single suppressed cell could be recovered by subtraction.
  So whenever exactly one part is suppressed while the total is shown, the smallest other part is
  suppressed as well (shown as the secondary label, "[c]", because it is not itself small).

Pure functions on pandas frames: no Streamlit, so exports and the board pack reuse them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from safeguarding import kinds


@dataclass(frozen=True)
class Rule:
    """Counts from ``low`` to ``high`` inclusive are suppressed."""

    low: int = 1
    high: int = 4
    secondary_label: str = "[c]"

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high:
            raise ValueError("suppression range must satisfy 0 <= low <= high")

    @property
    def primary_label(self) -> str:
        return f"<{self.high + 1}"

    def is_small(self, value: object) -> bool:
        if value is None or pd.isna(value):
            return False
        return self.low <= float(value) <= self.high

    def note(self) -> str:
        return (
            f'Counts of {self.low} to {self.high} are shown as "{self.primary_label}"; '
            f'"{self.secondary_label}" marks a figure withheld so that totals cannot reveal '
            "a small count, and figures worked out from a withheld count are withheld too."
        )


DEFAULT_RULE = Rule()


def count_columns(measure: kinds.Measure) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """(count columns, {derived column: the counts it is computed from}), by the metric's kind
    (safeguarding.kinds): a level (FTE in post) counts staff posts, not people at risk, so is
    not withheld; a median of a handful of cases would disclose those cases' durations."""
    kind = kinds.of(measure)
    return kind.counts, kind.derived


def suppress(
    frame: pd.DataFrame,
    counts: Sequence[str],
    *,
    derived: dict[str, Sequence[str]] | None = None,
    group_by: Sequence[str] = (),
    total: pd.Series | None = None,
    rule: Rule = DEFAULT_RULE,
) -> pd.DataFrame:
    """A copy of ``frame`` with small counts, their secondary cells and derived cells replaced.

    ``group_by`` names the columns that identify one table of parts and their total (e.g.
    ``["month"]``); ``total`` is a boolean Series marking the total rows (e.g. the force row).
    Without a total row there is nothing to subtract from, so no secondary suppression is needed.
    Suppressed columns become object columns holding labels; other cells keep their values.
    """
    derived = dict(derived or {})
    out = frame.copy()
    if out.empty:
        return out
    is_total = (
        pd.Series(False, index=out.index)
        if total is None
        else total.reindex(out.index, fill_value=False)
    )
    primary = {c: out[c].map(rule.is_small).astype(bool) for c in counts}
    secondary = {c: pd.Series(False, index=out.index) for c in counts}

    if total is not None:
        # groupby().indices keyed by a list is stable across pandas versions (groups is not).
        groups: Iterable = (
            out.groupby(list(group_by), sort=False).indices.values() if group_by else [None]
        )
        for positions in groups:
            rows = out.index if positions is None else out.index[positions]
            parts = rows[~is_total.loc[rows].to_numpy()]
            totals = rows[is_total.loc[rows].to_numpy()]
            for c in counts:
                _secondary_for_group(out[c], primary[c], secondary[c], parts, totals)

    hidden = {c: primary[c] | secondary[c] for c in counts}
    for c in counts:
        out[c] = out[c].astype(object)
        out.loc[secondary[c], c] = rule.secondary_label
        out.loc[primary[c], c] = rule.primary_label
    for column, sources in derived.items():
        mask = pd.Series(False, index=out.index)
        for source in sources:
            if source in hidden:
                mask |= hidden[source]
        if mask.any():
            out[column] = out[column].astype(object)
            out.loc[mask, column] = rule.secondary_label
    return out


def _secondary_for_group(
    values: pd.Series,
    primary: pd.Series,
    secondary: pd.Series,
    parts: pd.Index,
    totals: pd.Index,
) -> None:
    """Make sure no single suppressed part can be recovered as total minus the others."""
    if len(totals) == 0:
        return
    total_hidden = bool(primary.loc[totals].any() or secondary.loc[totals].any())
    if total_hidden:
        return
    hidden = primary.loc[parts] | secondary.loc[parts]
    if int(hidden.sum()) != 1:
        return
    candidates = values.loc[parts][~hidden.to_numpy()].dropna()
    if candidates.empty:
        # Nothing else to hide among the parts: withhold the total instead.
        secondary.loc[totals] = True
        return
    # The smallest other part costs readers the least information.
    secondary.loc[candidates.astype(float).idxmin()] = True


def suppress_figures(
    frame: pd.DataFrame,
    measure: kinds.Measure,
    *,
    totals: Sequence[str] = (),
    rule: Rule = DEFAULT_RULE,
) -> pd.DataFrame:
    """Suppress a metric's standard frame (district, month, numerator, denominator, value, ...).

    ``totals`` are the force rows' names: each month's districts add up to them.
    """
    counts, derived = count_columns(measure)
    counts = tuple(c for c in counts if c in frame.columns)
    derived = {k: v for k, v in derived.items() if k in frame.columns}
    if not counts:
        return frame.copy()
    group_by = [c for c in ("metric_id", "month") if c in frame.columns]
    total = frame["district"].isin(list(totals)) if totals else None
    return suppress(frame, counts, derived=derived, group_by=group_by, total=total, rule=rule)
