"""Report assets, one partition per month, downstream of the published warehouse; a monthly schedule
writes the previous (closed) month's chargeback and executive summary on the first of each month."""

from datetime import date

import dagster as dg

from orchestration.asset_groups import REPORTS
from orchestration.automation_names import REPORTS_JOB
from orchestration.lib.sources import sources_config
from reports.chargeback import build_chargeback_report
from reports.executive import build_executive_summary
from reports.output import reports_root
from warehouse.paths import Paths
from warehouse.publish import current_dir

PUBLISHED = dg.AssetKey(["published", "warehouse"])


def monthly_partitions() -> dg.MonthlyPartitionsDefinition:
    start = sources_config().warehouse.history_start.replace(day=1)
    return dg.MonthlyPartitionsDefinition(start_date=start.isoformat(), timezone="UTC")


def published_database():
    return current_dir(Paths.from_env().published) / "warehouse.duckdb"


def partition_month(context: dg.AssetExecutionContext) -> date:
    return date.fromisoformat(context.partition_key)


def build_report_assets(partitions: dg.MonthlyPartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=["reports", "chargeback"],
        description=(
            "Monthly AI chargeback for finance from the published rpt_chargeback_monthly: an XLSX "
            "workbook (Summary plus one sheet per cost centre, totals that tie out to the cent), the "
            "lines as CSV, and an HTML page with spend trend, top movers, budget burn and spend by "
            "provider and model. Written to data/reports/<month>/."
        ),
        group_name=REPORTS,
        deps=[PUBLISHED],
        partitions_def=partitions,
        kinds={"xlsx", "csv", "html"},
        owners=["team:finance-ops", "team:data-platform"],
    )
    def chargeback_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        files = build_chargeback_report(
            published_database(), partition_month(context), reports_root()
        )
        return dg.MaterializeResult(
            metadata={
                "total": dg.MetadataValue.text(f"{files.total:,.2f} {files.currency}"),
                "cost_centres": files.cost_centres,
                "dagster/row_count": files.lines,
                "preview": dg.MetadataValue.md(
                    f"| cost centre | {files.currency} |\n|---|---:|\n"
                    + "\n".join(
                        f"| {cc} | {amount:,.2f} |" for cc, amount in files.by_cost_centre.items()
                    )
                ),
                "xlsx": dg.MetadataValue.path(str(files.xlsx)),
                "csv": dg.MetadataValue.path(str(files.csv)),
                "html": dg.MetadataValue.path(str(files.html)),
            }
        )

    @dg.asset(
        key=["reports", "executive_summary"],
        description=(
            "Executive summary HTML: the stakeholder questions (finance, engineering, "
            "risk and compliance, executives) answered from the published warehouse as of the month's "
            "end, with the reports/questions queries. Written to data/reports/<month>/."
        ),
        group_name=REPORTS,
        deps=[PUBLISHED],
        partitions_def=partitions,
        kinds={"html"},
        owners=["team:data-platform"],
    )
    def executive_summary(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        files = build_executive_summary(
            published_database(), partition_month(context), reports_root()
        )
        return dg.MaterializeResult(metadata={"html": dg.MetadataValue.path(str(files.html))})

    return [chargeback_report, executive_summary]


@dg.definitions
def reports_defs() -> dg.Definitions:
    partitions = monthly_partitions()
    job = dg.define_asset_job(
        REPORTS_JOB,
        selection=dg.AssetSelection.groups(REPORTS),
        partitions_def=partitions,
        description="Write the chargeback report and the executive summary of a month from the published warehouse.",
    )
    # the last partition of a monthly definition is the last complete month: on the 1st this is
    # the month that just closed
    schedule = dg.build_schedule_from_partitioned_job(
        job, day_of_month=1, hour_of_day=6, minute_of_hour=0
    )
    return dg.Definitions(assets=build_report_assets(partitions), jobs=[job], schedules=[schedule])
