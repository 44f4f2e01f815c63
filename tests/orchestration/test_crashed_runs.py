"""A run whose process died is marked failed and gives its pool slot back; a run waiting for a slot
says who holds it; a SIGKILLed run's dbt dies with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import dagster as dg
import pytest

from orchestration.lib.child_processes import dies_with_parent_supported
from orchestration.lib.crashed_runs import (
    RUN_HOST_TAG,
    RUN_PROCESS_START_TAG,
    evidence_recorder,
    process_tags,
    recorded_process_alive,
    recover_crashed_runs,
)
from orchestration.lib.pool_waits import PoolWaitReporter
from tests.conftest import ROOT
from tests.crashing_run import (
    PID_FILE_ENV,
    POOL,
    pooled_instance,
    pooled_step,
    process_gone,
    write_fake_dbt,
)
from tests.orchestration.test_child_processes import wait_for_pid

JOB = dg.Definitions(assets=[pooled_step], jobs=[dg.define_asset_job("pooled")]).resolve_job_def(
    "pooled"
)


@pytest.fixture
def instance(tmp_path):
    with pooled_instance(tmp_path / "dagster") as instance:
        yield instance


def dead_process_tags() -> dict[str, str]:
    """The tags a run started by a process that has since been killed carries."""
    process = subprocess.Popen(["sleep", "30"])
    tags = process_tags(process.pid)
    process.kill()
    process.wait()
    return tags


def started_run(instance, tags: dict[str, str], claim: bool = True) -> str:
    """A run record STARTED with `tags`, holding the pool slot for its step when `claim`."""
    run = instance.create_run_for_job(JOB, run_id=str(uuid.uuid4()), tags=tags)
    start = dg.DagsterEvent(event_type_value=dg.DagsterEventType.RUN_START.value, job_name=JOB.name)
    instance.report_dagster_event(start, run_id=run.run_id)
    if claim:
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(POOL)
        assert storage.claim_concurrency_slot(POOL, run.run_id, "pooled_step").is_claimed
    return run.run_id


def slots(instance) -> tuple[list[str], list[str]]:
    info = instance.event_log_storage.get_concurrency_info(POOL)
    return [s.run_id for s in info.claimed_slots], [s.run_id for s in info.pending_steps]


def test_a_crashed_run_is_failed_its_slot_freed_and_the_next_run_completes(instance):
    tags = dead_process_tags()
    crashed_id = started_run(instance, tags)
    started_at = instance.get_run_record_by_id(crashed_id).start_time
    lines, recorded = [], []

    recovered = recover_crashed_runs(instance, lines.append, recorded.append)

    assert [r.run_id for r in recovered] == [crashed_id]
    crashed = recovered[0]
    assert (crashed.pid, crashed.status, crashed.freed_slots) == (
        int(tags["aiuw/run_pid"]),
        "STARTED",
        [f"{POOL}/pooled_step (held)"],
    )
    assert crashed.since == datetime.fromtimestamp(started_at, UTC)
    assert recorded == recovered
    assert lines == [crashed.describe()]
    assert crashed_id in lines[0] and f"process {crashed.pid} " in lines[0]
    assert f"since {crashed.since:%Y-%m-%d %H:%M:%S} UTC" in lines[0]
    assert instance.get_run_by_id(crashed_id).status == dg.DagsterRunStatus.FAILURE
    failure = instance.all_logs(crashed_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert len(failure) == 1 and str(crashed.pid) in failure[0].dagster_event.message
    assert slots(instance) == ([], [])

    assert JOB.execute_in_process(instance=instance).success
    assert recover_crashed_runs(instance, lines.append) == []
    assert len(lines) == 1


def test_runs_whose_process_lives_or_is_elsewhere_are_left_alone(instance):
    live = started_run(instance, process_tags())
    elsewhere = started_run(instance, {**dead_process_tags(), RUN_HOST_TAG: "another-host"}, False)
    untagged = started_run(instance, {}, claim=False)
    lines = []

    assert recover_crashed_runs(instance, lines.append) == []

    assert lines == []
    for run_id in (live, elsewhere, untagged):
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
    assert slots(instance) == ([live], [live])


def test_a_reused_pid_is_not_the_recorded_process():
    assert recorded_process_alive(process_tags()) is True
    assert recorded_process_alive({**process_tags(), RUN_PROCESS_START_TAG: "1"}) is False
    assert recorded_process_alive(dead_process_tags()) is False
    assert recorded_process_alive({}) is None


def test_slots_still_held_by_an_ended_run_are_freed(instance):
    ended = started_run(instance, process_tags())
    instance.report_run_failed(instance.get_run_by_id(ended), "ended without freeing its slot")
    lines = []

    assert recover_crashed_runs(instance, lines.append) == []

    assert lines == [f"freed {POOL}/pooled_step (held) still held by run {ended}, which is FAILURE"]
    assert slots(instance) == ([], [])


def test_a_waiting_run_says_every_interval_who_holds_the_slot(instance):
    holder = started_run(instance, process_tags())
    run_id, lines = str(uuid.uuid4()), []

    def log(line: str) -> None:
        lines.append(line)
        if len(lines) == 4:  # the holder ends once the waiting run has said so four times
            instance.event_log_storage.free_concurrency_slots_for_run(holder)

    with PoolWaitReporter(instance, run_id, log, interval=0.4):
        result = JOB.execute_in_process(instance=instance, run_id=run_id)

    assert result.success
    assert len(lines) == 4, lines
    for line in lines:
        assert line.startswith(f"run {run_id} waiting ")
        assert (
            f"for pool {POOL} (limit 1, 1 step(s)): held by run {holder} (pooled, STARTED)" in line
        )
    waited = [int(line.split(" waiting ")[1].split("s ")[0]) for line in lines]
    assert waited == sorted(waited) and waited[-1] >= 1


def test_a_waiting_run_recovers_a_holder_whose_process_is_gone(instance):
    holder = started_run(instance, dead_process_tags())
    run_id, lines = str(uuid.uuid4()), []

    with PoolWaitReporter(instance, run_id, lines.append, interval=0.3):
        result = JOB.execute_in_process(instance=instance, run_id=run_id)

    assert result.success
    assert f"held by run {holder} (pooled, its process is gone)" in lines[0]
    assert lines[1].startswith(f"recovered crashed run {holder} (pooled): STARTED since ")
    assert instance.get_run_by_id(holder).status == dg.DagsterRunStatus.FAILURE


@pytest.mark.skipif(not dies_with_parent_supported(), reason="Linux only (prctl)")
def test_a_run_killed_during_dbt_leaves_no_dbt_and_is_recovered(tmp_path, instance):
    pid_file = tmp_path / "dbt.pid"
    fake_dbt = write_fake_dbt(tmp_path / "dbt")
    arguments = [str(tmp_path / "dagster"), str(fake_dbt), str(tmp_path / "target")]
    runner = subprocess.Popen(
        [sys.executable, "-m", "tests.crashing_run", *arguments],
        cwd=ROOT,
        env={**os.environ, PID_FILE_ENV: str(pid_file)},
    )
    try:
        dbt = wait_for_pid(pid_file, within=30)
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.STARTED
        assert slots(instance)[0] == [run.run_id]
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait()

    gone = process_gone(dbt, within=5)
    if not gone:
        os.kill(dbt, signal.SIGKILL)
    assert gone, "dbt outlived its killed run"
    lines = []
    (crashed,) = recover_crashed_runs(instance, lines.append)
    assert (crashed.run_id, crashed.pid) == (run.run_id, runner.pid)
    assert crashed.freed_slots == [f"{POOL}/dbt_build (held)"]
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    assert slots(instance) == ([], [])
    assert JOB.execute_in_process(instance=instance).success


def test_the_cli_records_its_process_on_each_run(instance, capsys):
    from datetime import date

    from orchestration.cli.run import run_job

    definitions = dg.Definitions(assets=[pooled_step], jobs=[dg.define_asset_job("pooled")])
    day = date(2026, 11, 1)
    result = run_job(definitions, instance, "pooled", {"aiuw/test": "1"}, day, day)

    assert result.success
    tags = instance.get_run_by_id(result.run_id).tags
    assert tags["aiuw/test"] == "1"
    assert {k: tags[k] for k in process_tags()} == process_tags()
    assert f"pooled: run {result.run_id} succeeded" in capsys.readouterr().out


def test_recovered_runs_reach_the_evidence_ledger_once_evidence_records_them(
    instance, tmp_path, monkeypatch
):
    from orchestration.lib import run_evidence as evidence

    recorded = []

    def record_interrupted_run(instance_, run_id, ledger, reason):
        recorded.append((instance_, run_id, ledger, reason))

    monkeypatch.setattr(evidence, "record_interrupted_run", record_interrupted_run, raising=False)
    crashed_id = started_run(instance, dead_process_tags())
    ledger = tmp_path / "ledger.jsonl"

    (crashed,) = recover_crashed_runs(instance, print, evidence_recorder(instance, ledger))

    assert recorded == [(instance, crashed_id, ledger, crashed.reason)]
