"""The record tables: the ones imports load and the demo generator fills (see data/schema.sql)."""

RECORD_TABLES = (
    "offenders",
    "offender_visits",
    "offender_managers",
    "missing_reports",
    "forensic_cases",
    "investigations",
    "investigation_reviews",
    "conferences",
    "custody_detentions",
    "workforce",
)
