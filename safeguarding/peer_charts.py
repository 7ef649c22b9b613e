"""Peer comparison figures: the ranked ("ski-slope") chart and the funnel plot of all forces.

No Streamlit here (the CLI and packs can draw them too). Each figure comes with its alt text and
a table alternative. The force and its most similar group are told apart from other forces by
bar pattern and marker shape as well as colour, and named in the legend and hover text.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from safeguarding import charts, charts_stats, funnel, kinds
from safeguarding.formatting import format_value
from safeguarding.peers import Comparison, rank_words

# (colour, bar pattern, funnel marker) of the force, its group and the other forces
FORCE_STYLE = ("#0072B2", "", "star")
GROUP_STYLE = ("#E69F00", "/", "diamond")
OTHER_STYLE = ("#b1b4b6", "", "circle")


def _names(c: Comparison) -> dict[str, str]:
    return {
        "this force": c.force,
        "group": f"{c.force}'s most similar group",
        "": "Other forces",
    }


def ranked_figure(c: Comparison, *, period_label: str) -> go.Figure:
    """Every force's figure as a bar, best at the top, with the force and its group marked and
    the group's and all forces' simple means drawn as lines."""
    m = c.metric
    data = c.table[c.table["value"].notna()].iloc[::-1]  # plotly draws the first bar at the bottom
    names = _names(c)
    fig = go.Figure()
    for member, (colour, pattern, _) in (
        ("", OTHER_STYLE),
        ("group", GROUP_STYLE),
        ("this force", FORCE_STYLE),
    ):
        rows = data[data["member"] == member]
        if rows.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=rows["value"],
                y=rows["force"],
                orientation="h",
                name=names[member],
                marker=dict(color=colour, pattern=dict(shape=pattern), line=dict(width=1)),
                hovertext=[
                    f"{r.force}: {format_value(r.value, m)}, "
                    f"{rank_words(int(r.rank), c.ranked, m.direction)}"
                    for r in rows.itertuples()
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                meta={"member": member or "other"},
            )
        )
    for figure, name, dash in (
        (c.group.mean, "Group mean", "dash"),
        (c.national.mean, "All forces mean", "dot"),
    ):
        if figure is None:
            continue
        fig.add_trace(
            go.Scatter(
                x=[figure, figure],
                y=[data["force"].iloc[0], data["force"].iloc[-1]],
                mode="lines",
                name=f"{name} ({format_value(figure, m)})",
                line=dict(color=charts.TARGET_COLOUR, width=2, dash=dash),
                hoverinfo="skip",
                meta={"line": name},
            )
        )
    best = "highest" if m.direction != "lower_is_better" else "lowest"
    title = f"{m.title}: all forces ranked, {period_label} ({best} at the top)"
    charts._base_layout(fig, title, height=max(320, 90 + 22 * len(data)))
    fig.update_layout(
        barmode="overlay", bargap=0.25, margin=dict(l=charts.label_margin(data["force"].tolist()))
    )
    fig.update_xaxes(title_text=charts.axis_title(m), gridcolor="#e5e5e5", rangemode="tozero")
    fig.update_yaxes(title_text=None, automargin=True, categoryorder="array",
                     categoryarray=data["force"].tolist())  # fmt: skip
    return fig


def ranked_alt(c: Comparison, *, period_label: str) -> str:
    m = c.metric
    data = c.table[c.table["value"].notna()]
    if data.empty:
        return f"{m.title}: no force has a figure for {period_label}."
    top, bottom = data.iloc[0], data.iloc[-1]
    own = (
        f"{c.force} is {rank_words(c.rank, c.ranked, m.direction)} at {format_value(c.value, m)}"
        if c.value is not None
        else f"{c.force} has no figure"
    )
    group = (
        f"; its most similar group ({len(c.peers)} force{'' if len(c.peers) == 1 else 's'}) "
        f"averages "
        f"{format_value(c.group.mean, m)}"
        if c.group.mean is not None
        else "; it has no most similar group with figures"
    )
    return (
        f"Ranked bar chart of {len(data)} forces on {m.title.lower()} in {period_label}, best "
        f"first: {own}{group}; all forces average {format_value(c.national.mean, m)}. "
        f"Best {top['force']} ({format_value(top['value'], m)}), last {bottom['force']} "
        f"({format_value(bottom['value'], m)}). The figures are in the table below."
    )


def ranked_table(c: Comparison) -> pd.DataFrame:
    """The table alternative to the ranked chart: every force, best first."""
    m = c.metric
    names = {"this force": "This force", "group": "Most similar group", "": ""}
    return pd.DataFrame(
        {
            "Rank": [
                rank_words(int(r), c.ranked, m.direction) if pd.notna(r) else "no figure"
                for r in c.table["rank"]
            ],
            "Force": c.table["force"],
            "Peer": [names[x] for x in c.table["member"]],
            "Figure": [format_value(v, m) for v in c.table["value"]],
        }
    )


def funnel_table(c: Comparison) -> pd.DataFrame:
    """The table alternative to the funnel plot: each force's numerator, denominator, figure
    and where it sits against the limits."""
    m = c.metric
    rows = c.table[c.table["value"].notna() & (c.table["denominator"] > 0)]
    whole = m.kind == "proportion"
    return pd.DataFrame(
        {
            "Force": rows["force"],
            "Numerator": [f"{v:,.0f}" if whole else f"{v:,.1f}" for v in rows["numerator"]],
            "Denominator": [f"{v:,.0f}" if whole else f"{v:,.1f}" for v in rows["denominator"]],
            "Figure": [format_value(v, m) for v in rows["value"]],
            "Against the limits": [
                funnel.flag_words(f) if isinstance(f, str) else "" for f in rows["flag"]
            ],
        }
    )


def funnel_figure(c: Comparison, *, period_label: str) -> go.Figure | None:
    """A funnel plot of every force around the forces' pooled average (charts_stats draws the
    limits and says whether they were adjusted for overdispersion), with the force and its group
    marked on top. None for a metric without a funnel."""
    m = c.metric
    if m.funnel == "none" or c.position.verdict == "no funnel":
        return None
    rows = c.table[c.table["value"].notna() & (c.table["denominator"] > 0)]
    frame = rows.rename(columns={"force": "district"})[
        ["district", "numerator", "denominator", "value"]
    ]
    x_title = kinds.funnel_axis_title(m)
    fig = charts_stats.funnel_figure(
        frame,
        title=f"{m.title}: all forces compared, {period_label}",
        x_title=x_title,
        y_title=charts.axis_title(m),
        target=None,
        kind=m.funnel,
        unit_noun="forces",
        height=560,
    )
    names = _names(c)
    for member, (colour, _, symbol) in (("group", GROUP_STYLE), ("this force", FORCE_STYLE)):
        marked = rows[rows["member"] == member]
        if marked.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=marked["denominator"],
                y=marked["value"],
                mode="markers+text" if member == "this force" else "markers",
                text=marked["force"].tolist() if member == "this force" else None,
                textposition="bottom center",
                name=names[member],
                marker=dict(
                    symbol=f"{symbol}-open",
                    size=20 if member == "this force" else 16,
                    color=colour,
                    line=dict(color=colour, width=3),
                ),  # fmt: skip
                hovertext=[
                    f"{r.force} ({names[member].lower() if member == 'group' else 'this force'}): "
                    f"{format_value(r.value, m)}"
                    for r in marked.itertuples()
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                meta={"member": member},
            )
        )
    return fig


def _outside_words(names: list[str]) -> str:
    if not names:
        return "none is outside the limits"
    return ", ".join(names) + (" is" if len(names) == 1 else " are") + " outside the limits"


def funnel_alt(c: Comparison, *, period_label: str) -> str:
    m = c.metric
    rows = c.table[c.table["value"].notna() & (c.table["denominator"] > 0)]
    flags = rows["flag"].dropna() if "flag" in rows else pd.Series(dtype=object)
    outside = int((flags != funnel.FLAG_WITHIN).sum())
    peers_outside = rows[(rows["member"] == "group") & rows["flag"].ne(funnel.FLAG_WITHIN)]
    return (
        f"Funnel plot of {len(rows)} forces on {m.title.lower()} in {period_label}: each force's "
        "figure against its size, with 95% and 99.8% limits around the forces' pooled average "
        f"({format_value(c.position.centre, m)}). {c.position.overdispersion.capitalize()}. "
        f"{outside} of {len(rows)} forces are outside the limits. {c.force}: "
        f"{c.position.words.lower()}. Of its group, "
        + (
            ", ".join(peers_outside["force"]) + " are outside the limits"
            if len(peers_outside)
            else "none is outside the limits"
        )  # fmt: skip
        + ". The figures are in the table below."
    )


def position_summary(c: Comparison) -> pd.DataFrame:
    """The force's figure against its group and all forces, each figure labelled with how it is
    worked out (the table beside the charts)."""
    m = c.metric

    def pooled(g) -> str:
        return format_value(g.pooled, m) if g.pooled is not None else "not pooled"

    rows = [
        (c.force, "the force's own figure", format_value(c.value, m)),
        ("Most similar group", c.group.mean_label, format_value(c.group.mean, m)),
        ("Most similar group", c.group.pooled_label, pooled(c.group)),
        ("All forces", c.national.mean_label, format_value(c.national.mean, m)),
        ("All forces", c.national.pooled_label, pooled(c.national)),
        (
            "Rank in its group",
            "1 is the best",
            rank_words(c.group_rank, c.group_ranked, m.direction),
        ),
        ("Rank of all forces", "1 is the best", rank_words(c.rank, c.ranked, m.direction)),
        ("Position among all forces", c.position.overdispersion or "funnel plot", c.position.words),
    ]
    return pd.DataFrame(rows, columns=["Compared with", "How it is worked out", "Figure"])
