"""The whole-history validation: every dbt data test on every day (the daily build tests the days it
rebuilt and leaves out the tests tagged `whole_history`) and every quality suite on its whole mart.

Weekly by schedule, and on demand (launch `validate_whole_history`, or `python -m
orchestration.cli.validate`). It changes nothing: a failure is stored with the quality results and
raises the data-quality alert, and the published release stays as it is.
"""

import dataclasses
import json
from contextlib import redirect_stdout

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.automation_names import VALIDATION_JOB
from orchestration.defs.quality.gx_checks import SuiteRunner
from orchestration.lib.dbt import (
    dbt_project,
    environment_for_dbt,
    keep_parse_state,
    published_models,
    seed_parse_state,
)
from orchestration.lib.dbt_progress import DbtOutput, summary_lines
from orchestration.lib.heartbeat import heartbeat
from quality.gx import store_outcome
from quality.whole_history import WHOLE_HISTORY, dbt_tests_outcome
from warehouse.paths import Paths


@dg.op(
    name="whole_history_checks",
    pool="duckdb",
    description="dbt test on every day (no refresh window), then every quality suite on its whole mart.",
)
def whole_history_checks(context: dg.OpExecutionContext, dbt: DbtCliResource) -> None:
    paths = Paths.from_env()
    if not paths.warehouse.exists():
        raise dg.Failure(
            description=f"no warehouse at {paths.warehouse}: run the transform first (make run or make live)"
        )
    output = DbtOutput("dbt test")
    seed_parse_state(paths.dbt_target)
    with environment_for_dbt(paths.dbt_environment()):
        # data tests only: dbt's unit tests check the models' SQL, not the data (pytest runs them)
        invocation = dbt.cli(
            ["test", "--no-use-colors", "--exclude-resource-type", "unit_test"],
            raise_on_error=False,
        )
        with redirect_stdout(output), heartbeat(context.log.info, output.progress_line):
            invocation.wait()
    context.log.debug(f"dbt's output:\n{output.text}")
    keep_parse_state(invocation.target_path, paths.dbt_target)
    try:
        results = invocation.get_artifact("run_results.json")
    except (OSError, ValueError):
        raise dg.Failure(
            description=f"dbt test wrote no run_results.json: {invocation.get_error()}"
        ) from None
    manifest = json.loads(dbt_project.manifest_path.read_text())
    for line in summary_lines(results, manifest):
        context.log.info(line)
    outcomes = [dbt_tests_outcome(results, manifest)]
    with SuiteRunner(paths) as runner:
        for name in published_models():
            outcome = runner.validate_mart(name)
            outcomes.append(dataclasses.replace(outcome, suite=f"{name}{WHOLE_HISTORY}"))
    failed = []
    for outcome in outcomes:
        store_outcome(outcome, paths.quality, context.run_id)
        for failure in outcome.failures:
            log = context.log.error if failure.blocks else context.log.warning
            log(f"{outcome.suite}: {failure.describe()}")
        if not outcome.success:
            failed.append(outcome.suite)
        context.log.info(
            f"{outcome.suite}: {outcome.successful}/{outcome.evaluated} passed on {outcome.rows} rows"
        )
    if failed:
        raise dg.Failure(
            description=f"whole-history validation failed: {', '.join(failed)} (the published "
            "release is unchanged; the data-quality alert names each failure)"
        )


@dg.job(
    name=VALIDATION_JOB,
    description="Every dbt data test on every day and every quality suite on its whole mart; changes nothing.",
    tags={"aiuw/validation": "whole_history"},
)
def validation_job():
    whole_history_checks()


@dg.definitions
def whole_history_validation() -> dg.Definitions:
    schedule = dg.ScheduleDefinition(
        job=validation_job,
        cron_schedule="0 5 * * 0",  # Sundays 05:00 UTC, after the daily run
        execution_timezone="UTC",
    )
    return dg.Definitions(jobs=[validation_job], schedules=[schedule])
