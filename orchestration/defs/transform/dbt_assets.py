"""Every dbt model as one asset, not partitioned: each run rebuilds the transform window its tags name
(restated months included), and writes one materialization per model whatever the window's length."""

from contextlib import redirect_stdout
from datetime import UTC, date, datetime

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from connectors.config import SourcesConfig
from connectors.entra_id.copilot_plans import copilot_plan_dbt_vars
from orchestration.lib.built_days import (
    built_state,
    code_fingerprint,
    day_grained_sources,
    first_changed_day,
    landing_state,
    rebuilt_every_landed_table,
    record_built,
)
from orchestration.lib.dbt import (
    WHOLE_HISTORY_TAG,
    WarehouseDbtCli,
    dbt_executable,
    dbt_project,
    environment_for_dbt,
    keep_parse_state,
    read_manifest,
    run_var_environment,
    seed_parse_state,
    suite_twin_tests,
)
from orchestration.lib.dbt_progress import DbtOutput, problem_lines, summary_lines
from orchestration.lib.dbt_translator import WarehouseDbtTranslator
from orchestration.lib.heartbeat import heartbeat
from orchestration.lib.ingest import ensure_landing_schemas
from orchestration.lib.partitions import RefreshWindow, run_transform_window
from orchestration.lib.sources import sources_config
from orchestration.lib.table_metadata import with_table_metadata
from quality.gx import start_importing_gx
from warehouse.books import book_closed_months, ensure_books_schema
from warehouse.paths import Paths
from warehouse.publish import current_dir
from warehouse.run_status import record_dbt_build


def build_dbt_assets(config: SourcesConfig) -> dg.AssetsDefinition:
    """The dbt models for `config`, read when the definitions load (not at import), so a process that
    loads them again with another sources file builds with that file's warehouse settings."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=WarehouseDbtTranslator(),
        pool="duckdb",
    )
    def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from build_models(context, dbt, config)

    return warehouse_dbt_models


def build_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: SourcesConfig):
    try:
        refresh, window = run_transform_window(
            context.instance, context.run.tags, config, datetime.now(UTC).date()
        )
    except ValueError as error:
        raise dg.Failure(description=str(error)) from None
    paths = Paths.from_env()
    dbt_env = paths.dbt_environment()
    written = ensure_landing_schemas(paths.landing)
    if written:
        shown = ", ".join(written[:3]) + (
            f" and {len(written) - 3} more" if len(written) > 3 else ""
        )
        context.log.info(f"landing schema files (re)written for {len(written)} entities: {shown}")
    ensure_books_schema(paths.books, dbt_project.manifest_path)
    booked = book_closed_months(paths.books, current_dir(paths.published) / "warehouse.duckdb")
    if booked:
        context.log.info(
            f"closed books: {', '.join(f'{m:%Y-%m}' for m in booked)} booked from the current "
            f"release into {paths.books}; a later change to them is charged in the open month"
        )
    context.log.info(f"dbt build for {window.start}..{window.end} (end exclusive)")
    landed, landing, recorded = landed_days(
        context.log, paths, RefreshWindow(refresh.start, window.end)
    )
    from_history_start = window.start <= config.warehouse.history_start
    # history_start lets people history reach back before the first directory snapshot; day-grained
    # sources (gateways) re-land only the refresh window, not restated billing months, and rebuild
    # only its days whose files changed. Their rated rows (int_usage_rated) are rated again from
    # that day too, or over the whole window when nothing is recorded or the code changed.
    dbt_vars = {
        **window.dbt_vars(),
        "history_start": config.warehouse.history_start.isoformat(),
        "landed_min_date": (refresh.start if from_history_start else landed).isoformat(),
        "rated_min_date": (
            window.start if from_history_start or not recorded else landed
        ).isoformat(),
        **copilot_plan_dbt_vars(config.sources),
    }
    # Whole-history tests run in the weekly validation job (defs/quality/whole_history.py), and in a
    # run whose own days start at history_start (the first backfill, a full rebuild): it reads every
    # day anyway. A daily run leaves them out even while the restated month it rebuilds still
    # reaches back to history_start: a young deployment's daily runs test what a mature one's do.
    # dbt's unit tests (`unit_tests:` in the models' YAML) check the models' SQL on fixed rows, not
    # the data: a change of code is tested by tests/dbt/test_dbt_unit_tests.py, so no daily run
    # spends time on them (`dbt build` would run every model's unit tests before the model).
    # A test on a published mart whose quality suite checks the same rule runs only in the weekly
    # validation: the suite, which gates publishing, checks the rebuilt rows (quality/suite_twins.py).
    args = ["build", "--no-use-colors", "--exclude-resource-type", "unit_test"]
    twins = suite_twin_tests()
    if refresh.start > config.warehouse.history_start:
        args += ["--exclude", " ".join([f"tag:{WHOLE_HISTORY_TAG}", *twins])]
        context.log.info(
            f"whole-history dbt tests and {len(twins)} tests that the marts' quality suites "
            "also check are left to the weekly validation"
        )
    else:
        args += ["--exclude", " ".join(twins)] if twins else []
        context.log.info(
            "a rebuild from history_start: the whole-history dbt tests run too; "
            f"{len(twins)} tests that the marts' quality suites also check are left to them"
        )
    seed_parse_state(paths.dbt_target)
    with environment_for_dbt({**dbt_env, **run_var_environment(dbt_vars)}):
        invocation = dbt.cli(args, context=context, raise_on_error=False)
    start_importing_gx()  # the quality checks run next; this process only waits for dbt meanwhile
    output = DbtOutput()
    # Held until dbt exits: the row counts and totals are read from the warehouse dbt was writing.
    # dbt's test results are not kept as one observation event per test (about 470 a run, 5 s of
    # event writes): they are in the log lines below, run_results.json and the dbt_build_failed alert.
    with redirect_stdout(output), heartbeat(context.log.info, output.progress_line):
        events = [e for e in invocation.stream() if not isinstance(e, dg.AssetObservation)]
    context.log.debug(f"dbt's output:\n{output.text}")  # kept whole in the run's event log
    keep_parse_state(invocation.target_path, paths.dbt_target)
    report_build(context.log, invocation)
    yield from with_table_metadata(events, invocation.manifest, paths.warehouse, context.log)
    record_dbt_build(paths.data, context.run_id, invocation)  # for the dbt_build_failed alert
    if not invocation.is_successful():
        raise invocation.get_error()
    if rebuilt_every_landed_table(invocation.manifest, invocation.get_artifact("run_results.json")):
        first_built = date.fromisoformat(dbt_vars["landed_min_date"])
        record_built(paths.warehouse, landing, first_built, window.end)


def landed_days(log, paths: Paths, landed: RefreshWindow):
    """The first re-landed day of the day-grained sources to rebuild, their files' state, and
    whether the warehouse recorded the days it built with the same code."""
    manifest = read_manifest(dbt_project.manifest_path)
    sources = day_grained_sources(manifest)
    state = landing_state(paths.landing, sources, landed, code_fingerprint(manifest))
    built = built_state(paths.warehouse, landed)
    first = first_changed_day(state, built, landed)
    names = ", ".join(f"{s}/{e}" for s, e in sources)
    if first >= landed.end:
        log.info(f"day-grained sources ({names}): no re-landed day changed, none rebuilt")
    elif first > landed.start:
        log.info(f"day-grained sources ({names}): unchanged until {first}, rebuilt from it")
    return first, state, built is not None and built.code == state.code


def report_build(log, invocation) -> None:
    """A line per model layer and the tests, then each failure or warning in full."""
    try:
        results = invocation.get_artifact("run_results.json")
    except (OSError, ValueError):
        log.warning("dbt wrote no run_results.json: its output is in this run's debug log")
        return
    for line in summary_lines(results, invocation.manifest):
        log.info(line)
    for line in problem_lines(results, invocation.manifest):
        (log.warning if line.startswith("dbt WARN") else log.error)(line)


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        assets=[build_dbt_assets(sources_config())],
        resources={
            "dbt": WarehouseDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable())
        },
    )
