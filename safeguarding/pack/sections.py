"""What every format of the pack shows, as headings and rows of text: the PDF and the
PowerPoint file lay out the same words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from safeguarding import review
from safeguarding.formatting import plural
from safeguarding.pack.snapshot import Snapshot
from safeguarding.review import day_label


def _metric_meta(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in content["metrics"]}


def scorecard_rows(content: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The scorecard as headings and rows of text: a metric per row, an area per column, each
    cell the quarter's figure with its status by symbol and word. Where the areas' targets
    differ, each cell gives its own and the row heading says so; a withheld figure has no
    status."""
    units = content["units"]
    cells: dict[tuple[str, str], dict[str, Any]] = {
        (r["metric_id"], r["district"]): r for r in content["rows"]
    }
    headings = ["Metric", *units]
    rows = []
    for metric in content["metrics"]:
        mine = [cells[(metric["id"], u)] for u in units if (metric["id"], u) in cells]
        if not mine:
            continue
        targets = {c["target_text"] for c in mine if not c.get("withheld")} - {"none"}
        own_targets = len(targets) > 1
        if not targets:
            target = "no target"
        elif own_targets:
            target = "targets differ by area"
        else:
            target = f"target {next(iter(targets))}"
        line = [f"{metric['title']} ({metric['unit']}; {target})"]
        for unit in units:
            cell = cells.get((metric["id"], unit))
            if cell is None:
                line.append("not measured")
            elif cell.get("withheld"):
                line.append(cell["value_text"])
            else:
                text = f"{cell['value_text']} {cell['status_text']}"
                if own_targets and cell["target_text"] != "none":
                    text += f" (target {cell['target_text']})"
                line.append(text)
        rows.append(line)
    return headings, rows


def metric_rows(content: dict[str, Any], metric_id: str) -> tuple[list[str], list[list[str]]]:
    """One metric's quarter table: an area per row."""
    labels = content["labels"]
    headings = [
        "Area",
        labels["quarter"],
        labels["previous"],
        labels["last_year"],
        f"Change on {labels['previous']}",
        "Target",
        "Status",
        f"SPC signal ({labels['last_month']})",
    ]
    rows = [
        [
            r["district"],
            r["value_text"],
            r["previous_text"],
            r["last_year_text"],
            r["change_text"],
            r["target_text"],
            r["status_text"],
            r["spc_text"],
        ]
        for r in content["rows"]
        if r["metric_id"] == metric_id
    ]
    return headings, rows


def action_rows(content: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    headings = [
        "No.",
        "About",
        "Raised",
        "Action or question",
        "Owner",
        "Due",
        "Status",
        "Response",
    ]
    rows = []
    for a in content["actions"]:
        about = ", ".join(p for p in (a["metric_title"], a["district"]) if p) or "General"
        raised = a["quarter"] + (" (carried forward)" if a["carried_forward"] else "")
        status = a["status_text"]
        if a["closed_on"]:
            status += f" on {day_label(dt.date.fromisoformat(a['closed_on']))}"
        rows.append(
            [
                str(a["action_id"]),
                about,
                raised,
                a["text"],
                a["owner"],
                day_label(dt.date.fromisoformat(a["due_date"])) if a["due_date"] else "none set",
                status,
                a["response"] or "",
            ]
        )
    return headings, rows


def recommendation_rows(content: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    headings = ["Ref", "Recommendation", "Owner", "Progress", "Evidence", "Linked metrics"]
    rows = []
    for r in content["recommendations"]:
        linked = "; ".join(f"{item['title']}: {item['figure']}" for item in r["linked"])
        rows.append(
            [
                r["recommendation_ref"],
                f"{r['text']} ({r['report']}, "
                f"{day_label(dt.date.fromisoformat(r['report_date']))})",
                r["owner"],
                r["progress"],
                r["evidence"] or "",
                linked or "none",
            ]
        )
    return headings, rows


def definition_rows(content: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    words = {
        "higher_is_better": "higher is better",
        "lower_is_better": "lower is better",
        "neutral": "neither",
    }
    headings = ["Metric", "Unit", "Better", "Target", "Definition"]
    rows = [
        [m["title"], m["unit"], words[m["direction"]], m["target_text"], m["definition"]]
        for m in content["metrics"]
    ]
    return headings, rows


def metrics_of_theme(content: dict[str, Any], theme_id: str) -> list[dict[str, Any]]:
    shown = {r["metric_id"] for r in content["rows"]}
    return [m for m in content["metrics"] if m["theme"] == theme_id and m["id"] in shown]


def exceptions_of(content: dict[str, Any], metric_ids: Iterable[str]) -> list[dict[str, Any]]:
    wanted = set(metric_ids)
    return [e for e in content["exceptions"] if e["metric_id"] in wanted]


def _count(n: int, noun: str) -> str:
    """'no actions', '1 action', '3 actions'."""
    return plural(n, noun)


# The exceptions a meeting leads with; the rest are listed briefly after them.
LEAD_EXCEPTIONS = review.LEAD


def lead_exceptions(content: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The most serious exceptions (at most LEAD_EXCEPTIONS), grouped by metric in the order
    their most serious one comes: [(metric title, [exception, ...]), ...]."""
    titles = {m["id"]: m["title"] for m in content["metrics"]}
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in content["exceptions"][:LEAD_EXCEPTIONS]:
        groups.setdefault(item["metric_id"], []).append(item)
    return [(titles.get(m, m), items) for m, items in groups.items()]


def other_exceptions(content: dict[str, Any]) -> list[str]:
    """The exceptions after the lead ones, one line per metric: 'Title: Leeds (tier 4), ...'."""
    titles = {m["id"]: m["title"] for m in content["metrics"]}
    groups: dict[str, list[str]] = {}
    for item in content["exceptions"][LEAD_EXCEPTIONS:]:
        groups.setdefault(item["metric_id"], []).append(f"{item['district']} (tier {item['tier']})")
    return [f"{titles.get(m, m)}: {', '.join(areas)}" for m, areas in groups.items()]


def cover_lines(snapshot: Snapshot) -> list[str]:
    content = snapshot.content
    source = "demo data: invented records" if content.get("source") == "demo" else "force records"
    return [
        f"{content['force']}: {content['labels']['quarter_long']}",
        f"Data as at {snapshot.as_at_text} · {source}",
        f"Snapshot {snapshot.short_id} (SHA-256 {snapshot.snapshot_id})",
        f"Presented on {snapshot.presented_on}",
        " · ".join(
            [
                _count(len(content["exceptions"]), "exception"),
                _count(len(content["actions"]), "action") + " in the log",
                _count(
                    sum(r["overdue"] for r in content["recommendations"]),
                    "overdue inspection recommendation",
                ),
            ]
        ),
    ]
