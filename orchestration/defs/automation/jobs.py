"""Two jobs per day: ingest every source, then transform, check and publish.

They are separate runs on purpose: a source that is down fails its own ingest steps, and the
transform run still builds and publishes everything from what has landed (the broken source keeps its
last good files). The schedule starts the ingest run for yesterday's partition (a backfill from the UI
starts one for a range); a sensor starts the transform run for the same days when the ingest run ends,
whether it succeeded or failed. The transform job is not partitioned: the days travel as run tags.
"""

import dagster as dg

from orchestration.asset_groups import REPORTS
from orchestration.automation_names import INGEST_JOB, TRANSFORM_JOB
from orchestration.lib.partitions import (
    INGEST_RUN_TAG,
    daily_partitions,
    partition_days,
    window_tags,
)
from orchestration.lib.run_evidence import record_run
from orchestration.lib.sources import sources_config
from warehouse.paths import Paths

# Governance and the price catalog are read from the repository and installed packages, not pulled:
# they land in the transform run.
# The transform starts within seconds of the ingest ending, not at the daemon's default 30 s tick.
TRANSFORM_SENSOR_INTERVAL_SECONDS = 5
SOURCE_ASSETS = dg.AssetSelection.key_prefixes(["raw"]) - dg.AssetSelection.key_prefixes(
    ["raw", "governance"], ["raw", "prices"]
)


def transform_request(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    run = context.dagster_run
    days = partition_days(run.tags)
    tags = window_tags(*days) if days else {}
    tags[INGEST_RUN_TAG] = run.run_id
    tags["aiuw/ingest_status"] = run.status.value
    return dg.RunRequest(run_key=f"transform-after-{run.run_id}", tags=tags)


@dg.definitions
def automation() -> dg.Definitions:
    partitions = daily_partitions(sources_config())
    ingest = dg.define_asset_job(
        INGEST_JOB,
        selection=SOURCE_ASSETS,
        partitions_def=partitions,
        description="Pull every declared source for the partitions (plus restated days) into the landing zone.",
    )
    transform = dg.define_asset_job(
        TRANSFORM_JOB,
        # reports are partitioned by month and have their own job and schedule
        selection=dg.AssetSelection.all(include_sources=False)
        - SOURCE_ASSETS
        - dg.AssetSelection.groups(REPORTS),
        description=(
            "Validate governance, build the dbt models, run the quality gates, publish. The run's tags "
            "aiuw/window_start and aiuw/window_end (YYYY-MM-DD, inclusive) name the days it covers; "
            "without them it covers yesterday. Restated days and months are added to them."
        ),
    )

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[ingest],
        request_job=transform,
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=TRANSFORM_SENSOR_INTERVAL_SECONDS,
        description="Starts the transform run when an ingest run succeeds.",
    )
    def transform_after_ingest(context: dg.RunStatusSensorContext):
        return transform_request(context)

    @dg.run_failure_sensor(
        monitored_jobs=[ingest],
        request_job=transform,
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=TRANSFORM_SENSOR_INTERVAL_SECONDS,
        description="Starts the transform run when an ingest run fails: the other sources still publish.",
    )
    def transform_after_failed_ingest(context: dg.RunFailureSensorContext):
        return transform_request(context)

    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[transform],
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Appends the evidence ledger entry of every successful transform run.",
    )
    def evidence_after_transform(context: dg.RunStatusSensorContext):
        record_run(context.instance, context.dagster_run.run_id, Paths.from_env().ledger)

    @dg.run_failure_sensor(
        monitored_jobs=[transform],
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Appends the evidence ledger entry of every failed transform run (a blocked publish included).",
    )
    def evidence_after_failed_transform(context: dg.RunFailureSensorContext):
        record_run(context.instance, context.dagster_run.run_id, Paths.from_env().ledger)

    schedule = dg.build_schedule_from_partitioned_job(ingest, hour_of_day=3, minute_of_hour=0)
    sensors = [
        transform_after_ingest,
        transform_after_failed_ingest,
        evidence_after_transform,
        evidence_after_failed_transform,
    ]
    return dg.Definitions(jobs=[ingest, transform], schedules=[schedule], sensors=sensors)
