"""What the peer comparison page shares: cached comparisons for the chosen force and period."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from safeguarding import peers
from safeguarding.quarters import Period
from safeguarding.ui import app


@st.cache_data(ttl=3600, show_spinner=False)
def _comparisons(version: int, force: str, period: Period) -> list[peers.Comparison]:
    return peers.comparisons(app.con(), force, period)


def comparisons(force: str, period: Period) -> list[peers.Comparison]:
    """Every metric's comparison of ``force`` with its group and all forces."""
    return _comparisons(app.data_version(), force, period)


@st.cache_data(ttl=3600, show_spinner=False)
def _signal_and_position(version: int, force: str, period: Period) -> pd.DataFrame:
    done = comparisons(force, period)  # cached: the page draws the same comparisons below
    return peers.signal_and_position(app.con(), force, period, done)


def signal_and_position(force: str, period: Period) -> pd.DataFrame:
    return _signal_and_position(app.data_version(), force, period)


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
