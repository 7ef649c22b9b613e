"""The data contract: what a file for each importable table must hold, read from data/schema.sql.

Columns, types, required values, keys, district references and the schema's CHECK rules are
introspected from DuckDB (``duckdb_columns()``, ``duckdb_constraints()``) on an in-memory database
built from the schema, so the contract, the import's validation and docs/data-contract.md cannot
drift from what the database will accept. What the schema cannot say (what a column means, how to
word a broken rule for an analyst) is written by hand below; building the contract fails if any
column or rule lacks its words, so a schema change cannot slip through undocumented.

Regenerate the published contract with ``python -m safeguarding contract --out
docs/data-contract.md``; tests/test_contract.py fails when the file differs from this output.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import duckdb

from safeguarding import characters, quality_rules
from safeguarding.paths import SCHEMA_FILE
from safeguarding.tables import RECORD_TABLES

# Reference tables come first: records name their district, so districts must be loaded first.
IMPORT_TABLES: tuple[str, ...] = ("districts", "population", *RECORD_TABLES)

DATE_FORMATS = ("YYYY-MM-DD", "DD/MM/YYYY")
TIMESTAMP_FORMATS = ("YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS", "DD/MM/YYYY HH:MM")
TRUE_WORDS = ("true", "yes", "y", "1")
FALSE_WORDS = ("false", "no", "n", "0")

TABLE_DESCRIPTIONS = {
    "districts": "The districts and the force each belongs to. Load this first.",
    "population": "Population by district and year, all ages and under 18.",
    "offenders": "Registered sex offenders managed in the community, one row per registration.",
    "offender_visits": "Home visits to registered sex offenders by offender managers.",
    "offender_managers": "Offender managers (officers), one row per posting.",
    "missing_reports": "Missing-child reports, with the times of each step of the response.",
    "forensic_cases": "Digital forensic examinations, including indecent images of children.",
    "investigations": "Child abuse investigations.",
    "investigation_reviews": "Supervisory reviews of child abuse investigations.",
    "conferences": "Initial child protection conferences (ICPC) and MARAC meetings.",
    "custody_detentions": "Children detained in police custody after charge.",
    "workforce": "Funded and in-post full-time equivalent (FTE) staff by district, month, role.",
}

MEANINGS: dict[str, dict[str, str]] = {
    "districts": {
        "district": "District name, exactly as every other file spells it",
        "force": "The police force the district belongs to; the force-wide row is named after it",
    },
    "population": {
        "district": "District",
        "year": "Calendar year of the estimate",
        "all_ages": "Resident population, all ages",
        "under_18": "Resident population aged under 18",
    },
    "offenders": {
        "offender_ref": "Pseudonymised reference of the registration (never a name)",
        "district": "District managing the offender",
        "risk_level": "Risk level from the risk assessment; sets how often visits are due",
        "managed_from": "Date the district started managing the offender in the community",
        "managed_to": "Date management ended (empty while still managed)",
    },
    "offender_visits": {
        "visit_ref": "Pseudonymised reference of the visit",
        "offender_ref": "The offender visited (offender_ref in the offenders file)",
        "visit_date": "Date of the home visit",
    },
    "offender_managers": {
        "officer_ref": "Pseudonymised reference of the officer's posting",
        "district": "District of the posting",
        "fte": "Full-time equivalent worked in the post (more than 0, at most 1)",
        "start_date": "Date the posting started",
        "end_date": "Date the posting ended (empty while in post)",
    },
    "missing_reports": {
        "report_ref": "Pseudonymised reference of the missing report",
        "child_ref": "Pseudonymised reference of the child (the same child keeps the same one)",
        "district": "District that took the report",
        "age": "Child's age in years when reported missing",
        "risk_grade": "Risk grade (College of Policing missing-persons guidance)",
        "reported_at": "Date and time the child was reported missing",
        "attended_at": "Date and time an officer attended (empty if not yet)",
        "supervisor_review_at": "Date and time a supervisor reviewed the report (empty if not)",
        "found_at": "Date and time the child was found or returned (empty while missing)",
        "return_interview_at": "Date and time of the return home interview (empty if none)",
    },
    "forensic_cases": {
        "case_ref": "Pseudonymised reference of the examination",
        "district": "District that submitted the case",
        "iioc": "true if the case concerns indecent images of children",
        "submitted_on": "Date the device was submitted for examination",
        "completed_on": "Date the examination was completed (empty while open)",
        "outsourced": "true if the examination was sent outside the force (empty means false)",
        "outsource_reason": "Why it was outsourced; only for outsourced cases",
    },
    "investigations": {
        "investigation_ref": "Pseudonymised reference of the investigation",
        "district": "District investigating",
        "child_age": "Age in years of the child concerned (empty if not recorded)",
        "opened_on": "Date the investigation opened",
        "closed_on": "Date it closed (empty while open)",
    },
    "investigation_reviews": {
        "review_ref": "Pseudonymised reference of the review",
        "investigation_ref": "The investigation reviewed (investigation_ref in investigations)",
        "reviewed_on": "Date of the supervisory review",
    },
    "conferences": {
        "conference_ref": "Pseudonymised reference of the conference",
        "district": "District whose officers were invited",
        "kind": "ICPC (initial child protection conference) or MARAC",
        "held_on": "Date the conference was held",
        "police_attended": "true if the police attended",
        "info_shared": "ICPC: police report reached the conference beforehand; MARAC: police "
        "information shared before the meeting",
    },
    "custody_detentions": {
        "detention_ref": "Pseudonymised reference of the detention",
        "child_ref": "Pseudonymised reference of the child",
        "district": "District of the custody suite",
        "age": "Child's age in years when charged",
        "charged_at": "Date and time the child was charged",
        "held_overnight": "true if the child was held overnight after charge",
        "transferred_to_la": "true if moved to local-authority accommodation (PACE transfer)",
        "released_at": "Date and time the child left custody (empty if not recorded)",
    },
    "workforce": {
        "district": "District",
        "month": "The month, written as its first day (e.g. 2024-07-01)",
        "role": "Role counted",
        "fte_in_post": "Full-time equivalent staff in post in the month",
        "fte_funded": "Full-time equivalent posts funded in the month",
    },
}


@dataclass(frozen=True)
class RuleText:
    """Plain words for one of the schema's CHECK rules (other than a list of allowed values).

    ``column`` is where the problem is reported; ``messages`` are (condition, template) pairs: the
    first whose SQL condition holds on the offending row words the problem (None always holds).
    ``{name}`` in a template is replaced by that column's value as written in the file.
    """

    column: str
    kind: str
    describe: str
    messages: tuple[tuple[str | None, str], ...]


def _order(later: str, earlier: str, what: str) -> RuleText:
    return RuleText(
        later,
        "end_before_start",
        f"{later} is not before {earlier}",
        ((None, f"'{{{later}}}' is before {earlier} '{{{earlier}}}' ({what})"),),
    )


def _range(column: str, words: str) -> RuleText:
    return RuleText(
        column,
        "out_of_range",
        f"{column} is {words}",
        ((None, f"'{{{column}}}' is outside the allowed range ({words})"),),
    )


# Keyed by table and the CHECK expression exactly as DuckDB reports it.
RULE_TEXTS: dict[tuple[str, str], RuleText] = {
    ("districts", '(length("trim"(district)) > 0)'): RuleText(
        "district", "missing_value", "district is not blank", ((None, "is blank"),)
    ),
    ("districts", '(length("trim"("force")) > 0)'): RuleText(
        "force", "missing_value", "force is not blank", ((None, "is blank"),)
    ),
    ("population", '("year" BETWEEN 2000 AND 2100)'): _range("year", "2000 to 2100"),
    ("population", "(all_ages >= 0)"): _range("all_ages", "0 or more"),
    ("population", "(under_18 >= 0)"): _range("under_18", "0 or more"),
    ("population", "(under_18 <= all_ages)"): RuleText(
        "under_18",
        "inconsistent",
        "under_18 is at most all_ages",
        ((None, "'{under_18}' is more than all_ages '{all_ages}' (more children than people)"),),
    ),
    ("offenders", "((managed_to IS NULL) OR (managed_to >= managed_from))"): _order(
        "managed_to", "managed_from", "management ended before it started"
    ),
    ("offender_managers", "((fte > 0) AND (fte <= 1))"): _range("fte", "more than 0 and at most 1"),
    ("offender_managers", "((end_date IS NULL) OR (end_date >= start_date))"): _order(
        "end_date", "start_date", "posting ended before it started"
    ),
    ("missing_reports", "(age BETWEEN 0 AND 17)"): _range("age", "0 to 17"),
    ("missing_reports", "((attended_at IS NULL) OR (attended_at >= reported_at))"): _order(
        "attended_at", "reported_at", "attended before reported"
    ),
    (
        "missing_reports",
        "((supervisor_review_at IS NULL) OR (supervisor_review_at >= reported_at))",
    ): _order("supervisor_review_at", "reported_at", "supervisor review before reported"),
    ("missing_reports", "((found_at IS NULL) OR (found_at >= reported_at))"): _order(
        "found_at", "reported_at", "found before reported"
    ),
    (
        "missing_reports",
        "((return_interview_at IS NULL) OR ((found_at IS NOT NULL) AND "
        "(return_interview_at >= found_at)))",
    ): RuleText(
        "return_interview_at",
        "end_before_start",
        "return_interview_at is not before found_at, and needs found_at",
        (
            (
                "found_at is null",
                "'{return_interview_at}' is a return interview, but found_at is empty (a child "
                "is interviewed after being found)",
            ),
            (
                None,
                "'{return_interview_at}' is before found_at '{found_at}' (return interview "
                "before found)",
            ),
        ),
    ),
    ("forensic_cases", "((completed_on IS NULL) OR (completed_on >= submitted_on))"): _order(
        "completed_on", "submitted_on", "completed before submitted"
    ),
    ("forensic_cases", "(outsourced OR (outsource_reason IS NULL))"): RuleText(
        "outsource_reason",
        "inconsistent",
        "outsource_reason is empty unless outsourced is true",
        (
            (
                None,
                "'{outsource_reason}' is a reason for outsourcing, but outsourced is "
                "'{outsourced}' (give a reason only for outsourced cases)",
            ),
        ),
    ),
    ("forensic_cases", "((NOT outsourced) OR (outsource_reason IS NOT NULL))"): RuleText(
        "outsource_reason",
        "inconsistent",
        "outsource_reason is given when outsourced is true",
        (
            (
                None,
                "is empty, but outsourced is '{outsourced}' (an outsourced case needs a reason: "
                "specialist, capacity or other)",
            ),
        ),
    ),
    ("investigations", "(child_age BETWEEN 0 AND 17)"): _range("child_age", "0 to 17"),
    ("investigations", "((closed_on IS NULL) OR (closed_on >= opened_on))"): _order(
        "closed_on", "opened_on", "closed before opened"
    ),
    ("custody_detentions", "(age BETWEEN 10 AND 17)"): _range("age", "10 to 17"),
    ("custody_detentions", "((released_at IS NULL) OR (released_at >= charged_at))"): _order(
        "released_at", "charged_at", "released before charged"
    ),
    ("custody_detentions", "(held_overnight OR (NOT transferred_to_la))"): RuleText(
        "transferred_to_la",
        "inconsistent",
        "transferred_to_la is true only if held_overnight is true",
        (
            (
                None,
                "'{transferred_to_la}' but held_overnight is '{held_overnight}' (only a child "
                "held overnight is transferred to local-authority accommodation)",
            ),
        ),
    ),
    ("workforce", '("day"("month") = 1)'): RuleText(
        "month",
        "out_of_range",
        "month is the first day of a month",
        ((None, "'{month}' is not the first day of a month (write the month as e.g. 2024-07-01)"),),
    ),
    ("workforce", "(fte_in_post >= 0)"): _range("fte_in_post", "0 or more"),
    ("workforce", "(fte_funded >= 0)"): _range("fte_funded", "0 or more"),
}

# The earliest plausible date in each dated column: anything before it is a typing slip (a
# missing report dated 1066 or 0001-01-01), refused at import with its line and column. An
# activity date (a report, a visit, a case) cannot predate the force's records, which start in
# 2000; stock records (registrations and postings still current) can have started long before.
# A force whose records go further back changes EARLIEST_DATE or adds its column here.
EARLIEST_DATE = dt.date(2000, 1, 1)
EARLIEST_DATES: dict[tuple[str, str], dt.date] = {
    ("offenders", "managed_from"): dt.date(1950, 1, 1),
    ("offenders", "managed_to"): dt.date(1950, 1, 1),
    ("offender_managers", "start_date"): dt.date(1970, 1, 1),
    ("offender_managers", "end_date"): dt.date(1970, 1, 1),
}

# The most characters a value may hold, by the column's type, and for references and names: a
# value longer than this is a slip (a whole document pasted into a cell) and is refused before
# anything else is checked in it.
MAX_LENGTH_BY_KIND = {
    "text": 200,
    "integer": 20,
    "decimal": 40,
    "date": 40,
    "timestamp": 40,
    "boolean": 10,
}
MAX_REFERENCE_LENGTH = 64  # every *_ref column, and a district's name

# Characters refused in any value (the rule and its words are in safeguarding.characters, which
# the small writes import without this module's DuckDB).
REFUSED_CHARACTERS = characters.REFUSED_CHARACTERS


# References between record tables that the schema does not enforce (records may arrive in
# either order): a record whose parent is not stored is loaded and flagged as a query.
PARENTS: dict[str, tuple[str, str]] = {
    "offender_visits": ("offender_ref", "offenders"),
    "investigation_reviews": ("investigation_ref", "investigations"),
}


class ContractError(RuntimeError):
    """The schema has something the contract has no words for: a developer must add them."""


class UnknownTableError(ValueError):
    """A table name that cannot be imported; the message lists those that can."""


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # as DuckDB names it: VARCHAR, INTEGER, DECIMAL(4,2), DATE, TIMESTAMP, BOOLEAN
    required: bool  # NOT NULL without a default: an empty value is an error
    default: str | None  # SQL default applied to an empty value
    meaning: str
    allowed: tuple[str, ...] | None = None
    district_ref: bool = False  # must name a row of districts
    month_start: bool = False  # a month written as its first day (stands for the whole month)
    earliest: dt.date | None = None  # dates before this are refused (dated columns only)
    max_length: int = 200  # characters a value may hold

    @property
    def kind(self) -> str:
        """The family of type: text, integer, decimal, date, timestamp or boolean."""
        base = self.sql_type.split("(")[0]
        return {
            "VARCHAR": "text",
            "INTEGER": "integer",
            "BIGINT": "integer",
            "DECIMAL": "decimal",
            "DATE": "date",
            "TIMESTAMP": "timestamp",
            "BOOLEAN": "boolean",
        }[base]

    @property
    def scale(self) -> int:
        """Decimal places a decimal column holds (0 for other types)."""
        found = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", self.sql_type.replace(" ", ""))
        return int(found.group(2)) if found else 0

    @property
    def type_words(self) -> str:
        return {
            "text": "text",
            "integer": "whole number",
            "decimal": f"number, up to {self.scale} decimal places",
            "date": "date",
            "timestamp": "date and time",
            "boolean": "true or false",
        }[self.kind]


@dataclass(frozen=True)
class Rule:
    """One CHECK constraint other than allowed values: evaluated as the schema states it."""

    expression: str
    columns: tuple[str, ...]
    text: RuleText


@dataclass(frozen=True)
class TableContract:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[Rule, ...]
    parent: tuple[str, str] | None  # (column, parent table) checked as a query

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def key_label(self) -> str:
        return ", ".join(self.key)


_IN_LIST = re.compile(r"""^\("?(\w+)"? IN \((.*)\)\)$""")
_FIRST_OF_MONTH = re.compile(r"""^\("?day"?\("?(\w+)"?\) = 1\)$""")


def _allowed_values(expression: str) -> tuple[str, tuple[str, ...]] | None:
    found = _IN_LIST.match(expression)
    if not found:
        return None
    values = tuple(v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", found.group(2)))
    return found.group(1), values


@cache
def contracts() -> dict[str, TableContract]:
    """Every importable table's contract, in load order."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))
        return {t: _table_contract(con, t) for t in IMPORT_TABLES}
    finally:
        con.close()


def _table_contract(con: duckdb.DuckDBPyConnection, table: str) -> TableContract:
    params = {"table": table}
    columns = con.execute(
        """
        select column_name, data_type, is_nullable, column_default
        from duckdb_columns() where table_name = $table order by column_index
        """,
        params,
    ).fetchall()
    constraints = con.execute(
        """
        select constraint_type, constraint_column_names, expression, referenced_table
        from duckdb_constraints() where table_name = $table order by constraint_index
        """,
        params,
    ).fetchall()
    key: tuple[str, ...] = ()
    allowed: dict[str, tuple[str, ...]] = {}
    district_refs: set[str] = set()
    month_starts: set[str] = set()
    rules: list[Rule] = []
    for kind, names, expression, referenced in constraints:
        if kind == "PRIMARY KEY":
            key = tuple(names)
        elif kind == "FOREIGN KEY":
            if referenced != "districts":
                raise ContractError(f"{table}: no words for a reference to {referenced}")
            district_refs.update(names)
        elif kind == "CHECK":
            listed = _allowed_values(expression)
            if listed:
                allowed[listed[0]] = listed[1]
                continue
            text = RULE_TEXTS.get((table, expression))
            if text is None:
                raise ContractError(
                    f"{table}: the CHECK {expression} has no plain-English message; add one to "
                    "RULE_TEXTS in safeguarding/contract.py"
                )
            rules.append(Rule(expression, tuple(dict.fromkeys(names)), text))
            first_of_month = _FIRST_OF_MONTH.match(expression)
            if first_of_month:
                month_starts.add(first_of_month.group(1))
    if not key:
        raise ContractError(f"{table} has no primary key, so a record cannot be matched on import")
    meanings = MEANINGS.get(table, {})
    out = []
    for name, sql_type, nullable, default in columns:
        if name not in meanings:
            raise ContractError(f"{table}.{name} has no meaning; add it to MEANINGS")
        out.append(
            Column(
                name=name,
                sql_type=sql_type,
                required=not nullable and default is None,
                default=default,
                meaning=meanings[name],
                allowed=allowed.get(name),
                district_ref=name in district_refs,
                month_start=name in month_starts,
                earliest=_earliest(table, name, sql_type),
                max_length=_max_length(name, sql_type, name in district_refs),
            )
        )
    return TableContract(
        name=table,
        description=TABLE_DESCRIPTIONS[table],
        columns=tuple(out),
        key=key,
        rules=tuple(rules),
        parent=PARENTS.get(table),
    )


def _earliest(table: str, name: str, sql_type: str) -> dt.date | None:
    if sql_type not in ("DATE", "TIMESTAMP"):
        return None
    return EARLIEST_DATES.get((table, name), EARLIEST_DATE)


def _max_length(name: str, sql_type: str, district_ref: bool) -> int:
    if name.endswith("_ref") or name == "district" or district_ref:
        return MAX_REFERENCE_LENGTH
    kind = Column(name, sql_type, False, None, "").kind
    return MAX_LENGTH_BY_KIND[kind]


def get(table: str) -> TableContract:
    """The contract of one table; UnknownTableError (with the choices) for any other name."""
    known = contracts()
    if table not in known:
        raise UnknownTableError(
            f"There is no table called '{table}' to import. The tables are: {', '.join(known)}."
        )
    return known[table]


def template_csv(table: str) -> str:
    """An empty file for a table: the header line only."""
    return ",".join(get(table).column_names) + "\n"


# --- the published contract ---------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """docs/data-contract.md, generated: the same text every time for the same schema."""
    lines = [
        "# Data contract",
        "",
        "<!-- Generated from data/schema.sql by safeguarding/contract.py. Do not edit by hand:",
        "     run  python -m safeguarding contract --out docs/data-contract.md  -->",
        "",
        "What a file must hold to be imported, table by table. It is generated from the database",
        "schema, so it is exactly what the import checks. How to import, and what happens to a",
        "file, is in [importing.md](importing.md).",
        "",
        "## Every file",
        "",
        "- CSV (UTF-8; Excel's *CSV UTF-8* is fine) or Excel `.xlsx` (the sheet named after the "
        "table, in any case, else the first sheet that is not hidden).",
        "- Line 1 is the header: every column of the table, once each, in any order. Names are "
        "not case-sensitive; no other columns.",
        "- One record per line. Blank lines are ignored. Spaces around a value are ignored.",
        "- An empty value means *not known*; it is an error in a required column.",
        f"- Dates: {' or '.join(DATE_FORMATS)}. Dates and times: {', '.join(TIMESTAMP_FORMATS)} "
        "(local time). Nothing may be dated after the day of the import, nor before the "
        f"column's earliest plausible date ({EARLIEST_DATE.isoformat()} unless the table says "
        "otherwise).",
        f"- A value holds at most the column's number of characters (references "
        f"{MAX_REFERENCE_LENGTH}, other text {MAX_LENGTH_BY_KIND['text']}); control characters "
        "(other than tab and line breaks) and invisible formatting characters (right-to-left "
        "overrides, zero-width spaces, soft hyphens, fillers and the like) are refused wherever "
        "they are.",
        f"- true or false: {'/'.join(TRUE_WORDS)} or {'/'.join(FALSE_WORDS)} (any case).",
        "- Each record is identified by its reference (the key columns below). A reference "
        "already stored is updated; a new one is added; nothing is ever deleted by an import. "
        "A reference may appear only once in a file.",
        "- A district must already be in the districts table.",
        "",
        "**Errors** stop the whole file from loading: nothing is changed until every error is "
        "fixed. **Queries** do not stop it: the records load and are listed on the Data quality "
        "page for checking.",
        "",
    ]
    for contract in contracts().values():
        lines += [
            f"## {contract.name}",
            "",
            contract.description,
            "",
            f"Reference (key): **{contract.key_label}**.",
            "",
            "| column | type | required | allowed values | at most | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for c in contract.columns:
            required = "yes" if c.required else (f"no (empty = {c.default})" if c.default else "no")
            allowed = ", ".join(c.allowed) if c.allowed else ""
            if c.district_ref:
                allowed = "a district in the districts table"
            if c.earliest:
                allowed = f"from {c.earliest.isoformat()} to the day of the import"
            lines.append(
                f"| `{c.name}` | {c.type_words} | {required} | {_cell(allowed)} | "
                f"{c.max_length} characters | {_cell(c.meaning)} |"
            )
        lines.append("")
        if contract.rules:
            lines += ["Rules (errors):", ""]
            lines += [f"- {r.text.describe}" for r in contract.rules]
            lines.append("")
        queries = quality_rules.rules_for(contract.name)
        if queries:
            lines += ["Queries (loaded, then flagged):", ""]
            lines += [f"- {q.title}" for q in queries]
            lines.append("")
    return "\n".join(lines)
