"""Names shared by definitions and the command line."""

MAIN_JOB = "warehouse_daily"
