"""What the peer comparison page shares: cached comparisons for the chosen force and period."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from safeguarding import peer_charts, peers
from safeguarding.quarters import Period
from safeguarding.ui import app, safe, stats


def comparisons(force: str, period: Period) -> list[peers.Comparison]:
    """Every metric's comparison of ``force`` with its group and all forces (kept per data
    version, force and period and shared, not copied for each run: read them, never change)."""
    return stats.cached(
        "peers.comparisons", (force, period), lambda: peers.comparisons(app.con(), force, period)
    )


def signal_and_position(force: str, period: Period) -> pd.DataFrame:
    """The page's first table (kept and shared as ``comparisons`` are)."""

    def build() -> pd.DataFrame:
        done = comparisons(force, period)  # the page draws the same comparisons below
        return peers.signal_and_position(app.con(), force, period, done)

    return stats.cached("peers.signal_and_position", (force, period), build)


@st.cache_data(ttl=3600, show_spinner=False)
def _listing(version: int) -> pd.DataFrame:
    return peers.listing(app.con())


def group_sentence(force: str) -> str:
    """'Most similar group: A, B (2 forces). Counted as a peer by: C.' in plain words."""
    row = _listing(app.data_version()).set_index("force").loc[force]
    if row["peers"] == 0:
        return (
            f"{force} has no most similar group in the database, so it is compared with all "
            "forces only. Load a group with python -m safeguarding peers load FILE."
        )
    return (
        f"Most similar group of {force}: {row['group']} ({row['peers']} forces). "
        f"Forces that count {force} among their peers: {row['in the group of']}."
    )


@dataclass(frozen=True)
class Charts:
    """One metric's figures on the peer page, each with its alt text and table alternative."""

    summary: pd.DataFrame
    ranked: go.Figure
    ranked_alt: str
    ranked_table: pd.DataFrame
    funnel: go.Figure | None
    funnel_alt: str | None
    funnel_table: pd.DataFrame | None


def charts(c: peers.Comparison, period: Period) -> Charts:
    """The figures and tables of one comparison, built once per data version, force, period and
    metric (shared by every session: read them, never change them)."""

    def build() -> Charts:
        # Plotly draws a subset of HTML in labels, legends and hover text: the figures get the
        # forces' names made safe for a chart; the alt text and tables keep them as they are.
        drawn = replace(c, force=safe.chart(c.force), table=safe.chart_frame(c.table, "force"))
        funnel = peer_charts.funnel_figure(drawn, period_label=period.label)
        return Charts(
            summary=peer_charts.position_summary(c).set_index("Compared with"),
            ranked=stats.sent(peer_charts.ranked_figure(drawn, period_label=period.label)),
            ranked_alt=peer_charts.ranked_alt(c, period_label=period.label),
            ranked_table=peer_charts.ranked_table(c).set_index("Rank"),
            funnel=stats.sent(funnel),
            funnel_alt=None
            if funnel is None
            else peer_charts.funnel_alt(c, period_label=period.label),
            funnel_table=None if funnel is None else peer_charts.funnel_table(c).set_index("Force"),
        )

    return stats.cached("peers.charts", (c.force, period, c.metric.id), build)
