"""Data-quality queries: records that may be stored but deserve a second look, per district.

A *query* is not an error. The record is possible (the schema allows it) but often means a step
was not recorded or a date was mistyped: a high-risk missing report with no attendance time, a
review dated before its investigation opened. Queries are computed from the stored data, so they
apply to demo data and to every import alike; an import also runs them over the incoming rows so
the analyst sees them before loading (severity "query").

Errors, by contrast, are enforced by the schema and never stored (see safeguarding.contract):
a supervisor review before the report, for example, is refused at import as "end before start",
so it can never appear here.

Every rule is one SQL condition on a row ``r`` of its table (values go in as named parameters,
identifiers come only from this file), so the same rule runs over a stored table or over an
import's staged rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from safeguarding import contract, store

UNKNOWN_DISTRICT = "(district not known)"


@dataclass(frozen=True)
class QueryRule:
    id: str
    table: str
    title: str  # the rule in plain words, as the page lists it
    column: str  # where the problem shows
    where: str  # SQL condition on r (the row); may look up other stored tables
    message: str  # words for one record; {column} is replaced by that column's value
    district: str = "r.district"  # SQL for the record's district


def _district_of(table: str, ref: str) -> str:
    return f"(select p.district from {table} p where p.{ref} = r.{ref})"


RULES: tuple[QueryRule, ...] = (
    QueryRule(
        "high_risk_not_attended",
        "missing_reports",
        "High-risk missing report with no attendance time",
        "attended_at",
        "r.risk_grade = 'high' and r.attended_at is null",
        "is empty, but the report (reported {reported_at}) is graded high risk: was the "
        "attendance recorded?",
    ),
    QueryRule(
        "low_risk_not_reviewed",
        "missing_reports",
        "Low or no-apparent-risk missing report with no supervisor review time",
        "supervisor_review_at",
        "r.risk_grade in ('low', 'no_apparent_risk') and r.supervisor_review_at is null",
        "is empty, but the report (reported {reported_at}) is graded {risk_grade}: a supervisor "
        "should review it",
    ),
    QueryRule(
        "found_over_a_year_later",
        "missing_reports",
        "Child found more than a year after being reported missing (check the year)",
        "found_at",
        "r.found_at > r.reported_at + interval 365 days",
        "'{found_at}' is more than a year after reported_at '{reported_at}': check the year",
    ),
    QueryRule(
        "visit_offender_unknown",
        "offender_visits",
        "Visit to an offender who is not in the offenders table",
        "offender_ref",
        "not exists (select 1 from offenders p where p.offender_ref = r.offender_ref)",
        "'{offender_ref}' is not in the offenders table (load the offenders file too)",
        _district_of("offenders", "offender_ref"),
    ),
    QueryRule(
        "visit_outside_management",
        "offender_visits",
        "Visit dated outside the offender's management in the community",
        "visit_date",
        "exists (select 1 from offenders p where p.offender_ref = r.offender_ref "
        "and (r.visit_date < p.managed_from or r.visit_date > p.managed_to))",
        "'{visit_date}' is outside the dates the offender '{offender_ref}' was managed",
        _district_of("offenders", "offender_ref"),
    ),
    QueryRule(
        "review_investigation_unknown",
        "investigation_reviews",
        "Review of an investigation that is not in the investigations table",
        "investigation_ref",
        "not exists (select 1 from investigations p "
        "where p.investigation_ref = r.investigation_ref)",
        "'{investigation_ref}' is not in the investigations table (load that file too)",
        _district_of("investigations", "investigation_ref"),
    ),
    QueryRule(
        "review_before_opened",
        "investigation_reviews",
        "Review dated before the investigation opened",
        "reviewed_on",
        "exists (select 1 from investigations p where p.investigation_ref = r.investigation_ref "
        "and r.reviewed_on < p.opened_on)",
        "'{reviewed_on}' is before investigation '{investigation_ref}' opened",
        _district_of("investigations", "investigation_ref"),
    ),
    QueryRule(
        "child_age_missing",
        "investigations",
        "Investigation with no child's age recorded",
        "child_age",
        "r.child_age is null",
        "is empty: the child's age is not recorded",
    ),
    QueryRule(
        "released_over_3_days_later",
        "custody_detentions",
        "Child released more than 3 days after charge (check the date)",
        "released_at",
        "r.released_at > r.charged_at + interval 3 days",
        "'{released_at}' is more than 3 days after charged_at '{charged_at}': check the date",
    ),
    QueryRule(
        "in_post_without_funding",
        "workforce",
        "Staff in post where no posts are funded",
        "fte_in_post",
        "r.fte_funded = 0 and r.fte_in_post > 0",
        "'{fte_in_post}' in post, but fte_funded is 0",
    ),
)


def rules_for(table: str) -> list[QueryRule]:
    return [r for r in RULES if r.table == table]


def rule(rule_id: str) -> QueryRule:
    return next(r for r in RULES if r.id == rule_id)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def template_sql(template: str, value_sql) -> str:
    """SQL that builds a message from a template, with ``{column}`` replaced by
    ``value_sql(column)`` for each row. Literal text is quoted; column names come from the
    contract, never from a file."""
    parts: list[str] = []
    position = 0
    for found in _PLACEHOLDER.finditer(template):
        literal = template[position : found.start()]
        if literal:
            parts.append("'" + literal.replace("'", "''") + "'")
        parts.append(f"coalesce({value_sql(found.group(1))}, '')")
        position = found.end()
    if position < len(template):
        parts.append("'" + template[position:].replace("'", "''") + "'")
    return "concat(" + ", ".join(parts or ["''"]) + ")"


def _text(column: str) -> str:
    return f"cast(r.{column} as varchar)"


def _reference_sql(table: str) -> str:
    key = contract.get(table).key
    if len(key) == 1:
        return _text(key[0])
    return "concat_ws(', ', " + ", ".join(_text(k) for k in key) + ")"


def rule_sql(query: QueryRule, source: str, *, with_line: bool = False) -> str:
    """One rule as a select over ``source`` (a stored table or an import's staged rows)."""
    line = "r._line as line, " if with_line else ""
    return f"""
        select {line}'{query.id}' as rule, {_reference_sql(query.table)} as reference,
               coalesce({query.district}, '{UNKNOWN_DISTRICT}') as district,
               '{query.column}' as "column", coalesce({_text(query.column)}, '') as value,
               {template_sql(query.message, _text)} as message
        from {source} as r
        where {query.where}
    """


PROBLEM_COLUMNS = ["rule", "reference", "district", "column", "value", "message"]


def problems(
    con: duckdb.DuckDBPyConnection,
    *,
    rule_id: str | None = None,
    district: str | None = None,
) -> pd.DataFrame:
    """Every stored record behind a query, optionally for one rule and one district."""
    chosen = [rule(rule_id)] if rule_id else list(RULES)
    frames = [
        con.execute(
            f"select * from ({rule_sql(q, q.table)}) where $district is null "
            "or district = $district order by district, reference",
            {"district": district},
        ).df()
        for q in chosen
    ]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    return pd.concat(frames, ignore_index=True)[PROBLEM_COLUMNS]


def summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Counts of records behind each query, per district: rule, table, title, district, records.

    Every rule appears for every district, with 0 where there is nothing to check, so a clean
    district reads as clean rather than missing.
    """
    districts = [r[0] for r in con.execute("select district from districts order by 1").fetchall()]
    rows = []
    for q in RULES:
        counts = dict(
            con.execute(
                f"select district, count(*) from ({rule_sql(q, q.table)}) group by district"
            ).fetchall()
        )
        names = districts + sorted(set(counts) - set(districts))
        rows += [
            {
                "rule": q.id,
                "table": q.table,
                "title": q.title,
                "district": d,
                "records": int(counts.get(d, 0)),
            }
            for d in names
        ]
    return pd.DataFrame(rows, columns=["rule", "table", "title", "district", "records"])


def last_loaded(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """When each importable table was last loaded, from the imports audit.

    A demo database records no imports (the demo builder does not write the audit); its tables
    are reported as demo data with the data's as-at date from ``meta``.
    """
    from safeguarding.imports.load import register_history

    register_history(con)  # the audit is app state; grouped here as a table
    latest = {
        row[0]: row[1:]
        for row in con.execute(
            """
            select table_name, max(imported_at), arg_max(file_name, imported_at),
                   arg_max(imported_by, imported_at), arg_max(outcome, imported_at)
            from imports
            where outcome in ('loaded', 'unchanged', 'demo')
            group by table_name
            """
        ).fetchall()
    }
    info = store.meta(con)
    demo_as_at = info.get("as_at") if info.get("source") == "demo" else None
    rows = []
    for table in contract.IMPORT_TABLES:
        count = con.execute(f'select count(*) from "{table}"').fetchone()[0]
        if table in latest:
            when, file_name, by, outcome = latest[table]
            rows.append(
                {
                    "table": table,
                    "rows": count,
                    "last_loaded": when,
                    "source": f"{file_name} ({outcome})",
                    "by": by or "",
                }
            )
        else:
            rows.append(
                {
                    "table": table,
                    "rows": count,
                    "last_loaded": pd.NaT,
                    "source": (
                        f"Demo data, as at {dt.date.fromisoformat(demo_as_at):%d %B %Y}"
                        if demo_as_at
                        else "Never loaded"
                    ),
                    "by": "",
                }
            )
    return pd.DataFrame(rows, columns=["table", "rows", "last_loaded", "source", "by"])
