"""Tables and words for the "About the data" page."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from safeguarding import registry
from safeguarding.formatting import format_value
from safeguarding.ui import app
from safeguarding.ui.views import DIRECTION_WORDS

METHODS = """
**Figures.** Every metric is computed the same way for every district from the pseudonymised
records, one figure per district per month, plus one for the force as a whole.

**Statistical process control (SPC).** Each district's monthly figures are plotted on an XmR
chart in the NHS "Making Data Count" style: the mean, and process limits at the mean plus or minus
2.66 times the average moving range. A point outside the limits, a run of 7 points rising or
falling or on one side of the mean, or 2 of 3 points near a limit is a *special cause*: a change
worth asking about. Anything else is *common-cause* variation: the normal ups and downs of the
process, not a reason to act on one month. Limits are recalculated only at recorded dates with a
reason. *Assurance* says whether the process, as it runs now, will reliably meet its target.

**Comparing districts.** Districts differ in size, so a small district's percentage varies more
from month to month. Funnel plots draw wider limits for smaller districts, so a district is only
flagged when it differs by more than chance would explain.
"""


def currency_text(info: dict[str, str]) -> str:
    as_at = info.get("as_at")
    first, last = info.get("first_month"), info.get("last_month")
    parts = []
    if as_at:
        parts.append(f"The figures are complete to **{dt.date.fromisoformat(as_at):%d %B %Y}**.")
    if first and last:
        parts.append(
            f"They cover **{dt.date.fromisoformat(first):%B %Y}** to "
            f"**{dt.date.fromisoformat(last):%B %Y}**."
        )
    if info.get("source") == "demo":
        parts.append(
            "This is **demo data**: invented records generated to resemble the force's published "
            "figures. No real person is described."
        )
    return " ".join(parts) or "The date of the data is not recorded."


def definitions(theme_id: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Metric": m.title,
                "Definition": m.definition,
                "Unit": m.unit,
                "Better when": DIRECTION_WORDS[m.direction],
                "Computed from": ", ".join(m.sources),
                "Answers": m.finding,
            }
            for m in registry.by_theme(theme_id)
        ]
    ).set_index("Metric")


def _history() -> pd.DataFrame:
    history = app.target_history()
    known = registry.metrics()
    return history[history["metric_id"].isin(known)]


def targets_in_force() -> pd.DataFrame:
    """The target of every metric in the latest month, force-wide and per district."""
    known = registry.metrics()
    months = app.months()
    latest = months[-1] if months else dt.date.today()
    figures = app.figures(latest, latest)
    rows = []
    for metric in known.values():
        data = figures[figures["metric_id"] == metric.id]
        target = data["target"].dropna()
        if metric.target_source == "denominator":
            text = "The number of funded posts in each area"
        elif target.empty:
            text = "No target (monitored for its trend)"
        else:
            values = sorted(set(target.round(6)))
            text = ", ".join(format_value(v, metric) for v in values)
        rows.append(
            {
                "Metric": metric.title,
                "Target": text,
                "Better when": DIRECTION_WORDS[metric.direction],
            }
        )
    return pd.DataFrame(rows).set_index("Metric")


def target_history() -> pd.DataFrame:
    known = registry.metrics()
    history = _history()
    return pd.DataFrame(
        {
            "Metric": history["metric_id"].map(lambda m: known[m].title),
            "Applies to": history["applies_to"],
            "From": history["effective_from"],
            "To": history["effective_to"],
            "Target": [
                format_value(t, known[m])
                for t, m in zip(history["target"], history["metric_id"], strict=True)
            ],
            "Note": history["note"].fillna(""),
        }
    )


def sources() -> pd.DataFrame:
    return app.table_sources().set_index("Table")
