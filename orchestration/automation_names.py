"""Names shared by definitions and the command line."""

INGEST_JOB = "ingest_daily"
TRANSFORM_JOB = "transform_daily"
REPORTS_JOB = "reports_monthly"
VALIDATION_JOB = "validate_whole_history"
