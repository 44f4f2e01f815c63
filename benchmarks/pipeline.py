"""One run of the `transform_daily` job for a range of days, as the sensor starts it after the ingest.

Runs in its own process (the benchmark measures this process tree's memory) against the data
directory in AIUW_DATA_DIR, with an ephemeral Dagster instance, and writes every step's duration as
JSON:

    python -m benchmarks.pipeline --start 2026-11-20 --end 2026-11-20 --timings out.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.automation_names import TRANSFORM_JOB
from orchestration.lib.partitions import window_tags


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds from each step's start to its end (success or failure), from the run's event log."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = defaultdict(float)
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.is_step_start:
            started[event.step_key] = entry.timestamp
        elif (event.is_step_success or event.is_step_failure) and event.step_key in started:
            seconds[event.step_key] += entry.timestamp - started.pop(event.step_key)
    return dict(seconds)


def run_transform(start: date, end: date) -> dict:
    from orchestration.definitions import defs

    began = time.perf_counter()
    job = defs().resolve_job_def(TRANSFORM_JOB)
    loaded = time.perf_counter() - began
    instance = dg.DagsterInstance.ephemeral()
    result = job.execute_in_process(
        instance=instance,
        tags=window_tags(start, end),
        raise_on_error=False,
    )
    failures = [
        f"{e.step_key}: {e.event_specific_data.error.message.strip()[:1500]}"
        for e in result.all_events
        if e.is_step_failure
    ]
    return {
        "success": result.success,
        "load_seconds": loaded,
        "run_seconds": time.perf_counter() - began - loaded,
        "steps": step_seconds(instance, result.run_id),
        "failures": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--timings", type=Path, required=True)
    args = parser.parse_args(argv)
    outcome = run_transform(args.start, args.end)
    args.timings.write_text(json.dumps(outcome, indent=2))
    return 0 if outcome["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
