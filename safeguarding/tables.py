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

# Record tables without a district column: each row belongs to a record of another table, which
# has the district (table -> (the key they share, that table)).
BELONGS_TO = {
    "offender_visits": ("offender_ref", "offenders"),
    "investigation_reviews": ("investigation_ref", "investigations"),
}
