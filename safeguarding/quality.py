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

import re

import duckdb
import pandas as pd

from safeguarding import contract

# The rules are defined apart (the contract lists them) and are read from here as before.
from safeguarding.quality_rules import RULES as RULES
from safeguarding.quality_rules import QueryRule as QueryRule
from safeguarding.quality_rules import rule as rule
from safeguarding.quality_rules import rules_for as rules_for

UNKNOWN_DISTRICT = "(district not known)"


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
