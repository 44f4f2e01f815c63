"""The main job and its daily schedule."""

import dagster as dg

from orchestration.automation_names import MAIN_JOB
from orchestration.lib.partitions import daily_partitions
from orchestration.lib.sources import sources_config


@dg.definitions
def automation() -> dg.Definitions:
    job = dg.define_asset_job(
        MAIN_JOB,
        selection=dg.AssetSelection.all(include_sources=False),
        partitions_def=daily_partitions(sources_config()),
        description="Ingest every source, build the dbt models, run the quality gates, publish.",
    )
    schedule = dg.build_schedule_from_partitioned_job(job, hour_of_day=3, minute_of_hour=0)
    return dg.Definitions(jobs=[job], schedules=[schedule])
