"""Run the main job over a partition range in one Dagster run, then print a summary.

    python -m orchestration.cli.run                 # the whole history, from history_start to yesterday
    python -m orchestration.cli.run --start 2026-11-01 --end 2026-11-20

Configuration (sources, governance, secrets) is validated before the run starts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date

import dagster as dg

from alerting.delivery import deliver_after_run
from connectors.errors import ConfigError
from evidence.signing import signing_key
from governance.load import load_governance
from orchestration.automation_names import INGEST_JOB, TRANSFORM_JOB
from orchestration.cli.console import (
    CONSOLE_RUN_CONFIG,
    print_step_failures,
    with_progress_console,
    wrapped,
)
from orchestration.cli.report import materialize_reports
from orchestration.cli.run_outcome import (
    current_release,
    ingest_lines,
    release_lines,
    source_problems,
    transform_outcome,
)
from orchestration.cli.summary import published_summary, yesterday_utc
from orchestration.lib.crashed_runs import evidence_recorder, process_tags, recover_crashed_runs
from orchestration.lib.entity_selection import check_entity_selection
from orchestration.lib.partitions import (
    INGEST_RUN_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    window_tags,
)
from orchestration.lib.pool_waits import PoolWaitReporter
from orchestration.lib.run_evidence import record_run
from orchestration.lib.sources import sources_config
from warehouse.paths import Paths


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli.run", description=__doc__)
    parser.add_argument(
        "--start", type=date.fromisoformat, help="first partition (default: history_start)"
    )
    parser.add_argument(
        "--end", type=date.fromisoformat, help="last partition, inclusive (default: yesterday UTC)"
    )
    parser.add_argument("--no-summary", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = validated_config()
    return 2 if config is None else run(args, config)


def validated_config():
    """The sources config, its secrets, entity selection and governance checked before anything runs;
    None (the problems printed) when one is wrong."""
    try:
        config = sources_config()
        config.check_secrets()
        check_entity_selection(config)
        load_governance()
    except ConfigError as error:
        print(f"configuration error, nothing was run:\n{error}", file=sys.stderr)
        return None
    return config


# Checks run after the summary (the sandbox demo compares with its ground truth): given the
# summary's figures and the last day, the lines to print and whether everything matched.
Checks = Callable[[dict, date], tuple[list[str], bool]]


def run(args: argparse.Namespace, config, checks: Checks | None = None) -> int:
    start = args.start or config.warehouse.history_start
    end = args.end or yesterday_utc()
    if end < start:
        print(f"nothing to run: end {end} is before start {start}", file=sys.stderr)
        return 2

    from orchestration.definitions import defs

    # the ingest's planned events: one per asset for the whole range, not one per asset and day
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    definitions = defs()
    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    # a run killed earlier must not keep its pool slot: every run below would wait for it forever
    recover_crashed_runs(instance, say, evidence_recorder(instance, Paths.from_env().ledger))
    tags = {RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()}
    # ingest, then transform whatever landed: a broken source does not stop the others publishing
    ingest = run_job(definitions, instance, INGEST_JOB, tags, start, end)
    status = "SUCCESS" if ingest.success else "FAILURE"
    transform_tags = {
        **window_tags(start, end),
        INGEST_RUN_TAG: ingest.run_id,
        "aiuw/ingest_status": status,
    }
    transform = run_job(definitions, instance, TRANSFORM_JOB, transform_tags, start, end)
    results = [ingest, transform]
    paths = Paths.from_env()
    entry = record_run(instance, transform.run_id, paths.ledger)
    anchor = "signed anchor" if signing_key() else "unsigned anchor"
    print(
        wrapped(
            f"evidence: entry {entry['sequence']} appended to {paths.ledger}, "
            f"{anchor} in {paths.anchor_dir}"
        ),
        flush=True,
    )
    problems = source_problems(instance, ingest.run_id, config)
    if current_release(paths.published):
        reports_ok = materialize_reports(definitions, instance, paths.published)
    else:
        print("reports not written: nothing is published yet", file=sys.stderr, flush=True)
        reports_ok = False
    print()
    outcome = transform_outcome(instance, transform.run_id)
    print("\n".join([*ingest_lines(problems), *release_lines(outcome, paths)]), flush=True)
    checked = True
    if not args.no_summary and current_release(paths.published):
        text, figures = published_summary(paths.published)
        print()
        print(text)
        if figures and checks:
            lines, checked = checks(figures, end)
            print()
            print("\n".join(lines))
    print()
    print(wrapped(deliver_after_run(Paths.from_env(), load_governance())), flush=True)
    if not checked:
        print(
            "the published figures differ from the expected ones (MISMATCH or DIFF above): "
            "exit code 1",
            file=sys.stderr,
            flush=True,
        )
    # an endpoint the account does not serve fails its source without failing the ingest run
    succeeded = reports_ok and not problems.failed and all(r.success for r in results)
    return 0 if succeeded and checked else 1


def say(line: str) -> None:
    print(line, flush=True)


def run_job(definitions, instance, name: str, tags: dict[str, str], start: date, end: date):
    """One run of a job over the whole range of days; step failures are printed, not raised."""
    job = with_progress_console(definitions.resolve_job_def(name))
    print(f"running {name} for {start} .. {end} in one run", flush=True)
    began = time.monotonic()
    run_id = str(uuid.uuid4())
    recorder = evidence_recorder(instance, Paths.from_env().ledger)
    with PoolWaitReporter(instance, run_id, say, on_recovered=recorder):
        result = job.execute_in_process(
            instance=instance,
            run_config=CONSOLE_RUN_CONFIG,
            tags={**tags, **process_tags()},
            raise_on_error=False,
            run_id=run_id,
        )
    elapsed = time.monotonic() - began
    print(
        f"{name}: run {result.run_id} {'succeeded' if result.success else 'FAILED'} in {elapsed:.0f}s",
        flush=True,
    )
    print_step_failures(result, "  step failed: ")
    return result


if __name__ == "__main__":
    sys.exit(main())
