"""The data-quality query rules themselves: what is checked, per table, in plain words.

Kept apart from safeguarding.quality (which runs them) so that the data contract can list them
without importing the code that runs them, which itself reads the contract.
"""

from __future__ import annotations

from dataclasses import dataclass


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
