"""The scheduled daily run at sandbox volume, launched as the daemon launches it.

    python -m benchmarks.sandbox_daily                      # the day before today (UTC)
    python -m benchmarks.sandbox_daily --day 2026-12-05 --out data/benchmark/sandbox_daily.json

The sandbox serves from its own process. The history up to the day before is loaded with the CLI
(not timed); then the day runs as the schedule and its sensor run it: the ingest run for the day's
partition, then the transform run with the tags the sensor gives it, each in a new process that loads
the definitions and executes the job with its own executor (`dagster job execute`, which is what a
launched run's worker does). Printed: each run's wall time and where the time goes, with the share
that is fixed cost (loading the definitions, dbt's start before its first node, the quality suites
and publishing), which does not depend on how much data the day brought.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg

from benchmarks.pipeline import step_seconds
from orchestration.lib.partitions import INGEST_RUN_TAG, PARTITION_TAG, window_tags

DEFAULT_WORK = Path("data/benchmark/sandbox_daily")
LOAD_DEFINITIONS = (
    "from orchestration.definitions import defs; "
    "defs().resolve_job_def('transform_daily'); defs().resolve_job_def('ingest_daily')"
)


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def environment(data: Path, sandbox) -> dict[str, str]:
    env = {**os.environ, **sandbox.environment(), **sandbox.exports}
    env.update(
        AIUW_DATA_DIR=str(data),
        AIUW_DAGSTER_STORAGE=str(data / "dagster"),
        DAGSTER_HOME=str(Path.cwd()),
        DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS="true",
    )
    return env


def timed(command: list[str], env: dict[str, str], log: Path, check: bool = True) -> float:
    began = time.perf_counter()
    with log.open("w") as out:
        subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=check)
    return time.perf_counter() - began


def launched(job: str, tags: dict[str, str], env: dict[str, str], log: Path) -> float:
    """The job executed in a new process with its executor, as a launched run's worker runs it."""
    dagster = str(Path(sys.executable).parent / "dagster")
    command = [dagster, "job", "execute", "-m", "orchestration.definitions", "-j", job]
    return timed([*command, "--tags", json.dumps(tags)], env, log, check=False)


def run_seconds(instance: dg.DagsterInstance, run_id: str) -> float:
    record = instance.get_run_record_by_id(run_id)
    return record.end_time - record.start_time


def dbt_start_seconds(data: Path, dbt_step_start: float) -> float:
    """From the dbt step's start to dbt's first node: process start, parse state, connection."""
    target = max(
        (p for p in (data / "dbt_target").glob("warehouse_dbt_models-*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    first = min(
        datetime.fromisoformat(t["started_at"].replace("Z", "+00:00"))
        for r in results
        for t in r["timing"]
        if t["name"] == "compile" and t.get("started_at")
    )
    return first.timestamp() - dbt_step_start


def step_start(instance: dg.DagsterInstance, run_id: str, step_key: str) -> float:
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START):
        if entry.dagster_event.step_key == step_key:
            return entry.timestamp
    raise LookupError(f"no step {step_key} in run {run_id}")


def measure(work: Path, day: date) -> dict:
    from orchestration.lib.sources import sources_config
    from sandbox.process import SandboxProcess
    from sandbox.server import export_default_secrets

    data = work / "data"
    if data.exists():
        raise SystemExit(f"{data} exists: remove it, the benchmark loads the history afresh")
    (data / "dagster").mkdir(parents=True)
    export_default_secrets()
    first = sources_config().warehouse.history_start
    sandbox = SandboxProcess().start(data / "sandbox_exports", first, day + timedelta(days=1))
    try:
        sandbox.wait_until_serving()
        env = environment(data, sandbox)
        say(f"history {first} .. {day - timedelta(days=1)} loaded with the CLI (not timed)")
        cli = [sys.executable, "-m", "orchestration.cli.run", "--no-summary"]
        timed([*cli, "--end", (day - timedelta(days=1)).isoformat()], env, work / "history.log")
        load = timed([sys.executable, "-c", LOAD_DEFINITIONS], env, work / "load.log")
        say(f"{day} launched as the daemon launches it")
        ingest_wall = launched(
            "ingest_daily", {PARTITION_TAG: day.isoformat()}, env, work / "ingest.log"
        )
        os.environ.update({k: env[k] for k in ("AIUW_DAGSTER_STORAGE", "DAGSTER_HOME")})
        instance = dg.DagsterInstance.get()
        (ingest,) = instance.get_runs(dg.RunsFilter(job_name="ingest_daily"), limit=1)
        tags = {**window_tags(day, day), INGEST_RUN_TAG: ingest.run_id}
        tags["aiuw/ingest_status"] = ingest.status.value
        transform_wall = launched("transform_daily", tags, env, work / "transform.log")
        (transform,) = instance.get_runs(dg.RunsFilter(job_name="transform_daily"), limit=1)
        steps = step_seconds(instance, transform.run_id)
        dbt_start = dbt_start_seconds(
            data, step_start(instance, transform.run_id, "warehouse_dbt_models")
        )
        ingest_steps = step_seconds(instance, ingest.run_id)
        return {
            "day": day.isoformat(),
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "success": ingest.status.value == "SUCCESS" and transform.status.value == "SUCCESS",
            "ingest_wall_seconds": ingest_wall,
            "ingest_run_seconds": run_seconds(instance, ingest.run_id),
            "ingest_steps": len(ingest_steps),
            "ingest_steps_seconds": sum(ingest_steps.values()),
            "transform_wall_seconds": transform_wall,
            "transform_run_seconds": run_seconds(instance, transform.run_id),
            "definitions_load_seconds": load,
            "dbt_step_seconds": steps.get("warehouse_dbt_models", 0.0),
            "dbt_start_seconds": dbt_start,
            "quality_suites_seconds": steps.get("gx_quality_suites", 0.0),
            "publish_seconds": steps.get("published__warehouse", 0.0),
        }
    finally:
        sandbox.stop()


def report(figures: dict) -> str:
    total = figures["ingest_wall_seconds"] + figures["transform_wall_seconds"]
    loads = 2 * figures["definitions_load_seconds"]
    fixed = {
        "loading the definitions (each run's process)": loads,
        "dbt's start before its first node": figures["dbt_start_seconds"],
        "quality suites": figures["quality_suites_seconds"],
        "publish": figures["publish_seconds"],
    }
    lines = [
        f"day {figures['day']}: {'succeeded' if figures['success'] else 'FAILED'}",
        f"landing to published, wall: {total:.1f} s",
        f"  ingest run: {figures['ingest_wall_seconds']:.1f} s "
        f"({figures['ingest_steps']} steps, {figures['ingest_steps_seconds']:.1f} s in steps)",
        f"  transform run: {figures['transform_wall_seconds']:.1f} s "
        f"(dbt step {figures['dbt_step_seconds']:.1f} s)",
        f"fixed cost: {sum(fixed.values()):.1f} s ({sum(fixed.values()) / total:.0%} of the wall)",
        *(f"  {name}: {seconds:.1f} s" for name, seconds in fixed.items()),
        "  (the daemon's sensor adds up to 5 s between the two runs)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sandbox_daily", description=__doc__)
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    parser.add_argument("--day", type=date.fromisoformat, default=yesterday)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, help="write the figures as JSON")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    figures = measure(args.work.resolve(), args.day)
    say(report(figures))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    return 0 if figures["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
