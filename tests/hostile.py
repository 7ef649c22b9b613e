"""Hostile values for the hostile-input tests: a database whose stored text attacks the page, and
checks that a page drew such text only as text."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from safeguarding import actions, demo, rebases, recommendations, store

# Every construct Streamlit's Markdown would turn into a link, an image, HTML, colour, LaTeX,
# bold or an icon, plus a bare URL and a bare www. address (GitHub autolinks). The host is
# reserved (RFC 2606 .test), so nothing can answer.
HOSTILE = (
    'Cal [sign in](http://evil.test/a) ![b](http://evil.test/b.png) <img src="http://evil.test/'
    'c.png"> <a href="http://evil.test/p">p</a> :red[x] $x$ **b** :material/home: www.evil.test'
)
HOSTILE_DISTRICT = HOSTILE  # replaces Calderdale everywhere in the copy
HOSTILE_FORCE = HOSTILE.replace("Cal ", "Force ")  # the first force's name in build_forces
REPLACED = "Calderdale"
REBASED_METRIC = "misper_high_risk_attended_60m"
# References a spreadsheet would run as formulas (OWASP CSV injection), one per trigger.
FORMULAS = [
    '=HYPERLINK("http://evil.test/f","Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]
FORMULA_DISTRICT = "Kirklees"
FORMULA_MONTH = "2014-08"
FORMULA_METRIC = "misper_high_risk_attended_60m"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Markdown source in which a construct is live: the character that starts it is not escaped.
UNSAFE_MARKDOWN = [
    re.compile(r"(?<!\\)\]\("),  # a link or an image
    re.compile(r"(?<!\\)<(img|a)\b", re.IGNORECASE),  # HTML
    re.compile(r":red\["),  # a colour directive (escaped, the colon is followed by U+2060)
    re.compile(r"(?<!\\)\$x"),  # LaTeX
    re.compile(r"(?<!\\)\*\*b"),  # bold
    re.compile(r"http://evil"),  # a bare URL
    re.compile(r":material/"),  # an icon
    re.compile(r"www\.evil", re.IGNORECASE),  # a bare www. address
]


def live_markdown(source: str) -> list[str]:
    """The live constructs in Markdown ``source`` (empty when it is safe)."""
    return [p.pattern for p in UNSAFE_MARKDOWN if p.search(source)]


def build(demo_db_path: str, target: Path) -> str:
    """A copy of the demo database with hostile stored text: a district renamed to HOSTILE
    (in every table), an action, recommendation evidence and record references that are
    spreadsheet formulas. Returns its path."""
    shutil.copyfile(demo_db_path, target)
    path = str(target)
    with store.writer(path) as con:
        _rename_district(con, REPLACED, HOSTILE_DISTRICT)
    with store.writer(path) as con:
        # DuckDB refuses to delete a key that the same transaction stopped referencing.
        con.execute("delete from districts where district = $d", {"d": REPLACED})
    with store.writer(path) as con:
        refs = [
            r[0]
            for r in con.execute(
                """
                select report_ref from missing_reports
                where district = $district and risk_grade = 'high'
                  and date_trunc('month', reported_at) = cast($month as date)
                order by report_ref limit $n
                """,
                {
                    "district": FORMULA_DISTRICT,
                    "month": f"{FORMULA_MONTH}-01",
                    "n": len(FORMULAS),
                },
            ).fetchall()
        ]
        assert len(refs) == len(FORMULAS), "the demo data has too few reports to mark"
        for ref, formula in zip(refs, FORMULAS, strict=True):
            con.execute(
                "update missing_reports set report_ref = $new, child_ref = $new "
                "where report_ref = $old",
                {"new": formula, "old": ref},
            )
    actions.write(
        path,
        actions.add,
        quarter="2025Q3",
        text=HOSTILE,
        owner=HOSTILE,
        district=HOSTILE_DISTRICT,
    )
    ref = (
        store.reader(path)
        .execute("select recommendation_ref from recommendations order by 1 limit 1")
        .fetchone()[0]
    )
    recommendations.save(path, ref, status="in_progress", evidence=HOSTILE)
    # A rebase typed the same way, shown in the metric page's register (an st.table).
    rebases.record(
        path,
        metric_id=REBASED_METRIC,
        district=HOSTILE_DISTRICT,
        month=dt.date(2019, 1, 1),
        reason=HOSTILE,
        agreed_by=HOSTILE,
        agreed_on=dt.date(2019, 2, 1),
    )
    return path


def build_forces(target: Path) -> str:
    """Three forces of demo data (January 2014 to June 2015) whose first force, the default one,
    is named HOSTILE_FORCE: a force's name is data (the districts table says which force each
    district is in), so it reaches titles, captions and tables. Returns its path."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo, "WEST_YORKSHIRE", HOSTILE_FORCE)
        with store.writer(target, fresh=True) as con:
            demo.build(con, seed=2014, forces=3, last_month=dt.date(2015, 6, 1))
    return str(target)


def _rename_district(con: duckdb.DuckDBPyConnection, old: str, new: str) -> None:
    # Children first to the new parent row, then the old parent row goes.
    force = con.execute("select force from districts where district = $d", {"d": old}).fetchone()
    con.execute(
        "insert into districts (district, force) values ($d, $f)", {"d": new, "f": force[0]}
    )
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.columns "
            "where column_name = 'district' and table_name <> 'districts'"
        ).fetchall()
    ]
    for table in tables:
        # Table names come from the database's own catalogue, not from a user.
        con.execute(
            f'update "{table}" set district = $new where district = $old', {"new": new, "old": old}
        )
