"""Runs whose process died without ending them: marked failed, their pool slots given back.

A run killed with SIGKILL (or by a power cut) stays STARTED in the Dagster instance and keeps its
`duckdb` pool slot, so every later run would wait for it forever. Each run started by this project
records its process (host, pid, kernel start time) in its tags; a run still in flight whose process
is gone is a crashed run. Runs without those tags (started elsewhere) are left to whoever started them.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster import DagsterRunStatus

RUN_HOST_TAG = "aiuw/run_host"
RUN_PID_TAG = "aiuw/run_pid"
RUN_PROCESS_START_TAG = "aiuw/run_process_start"

IN_FLIGHT = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]

_log = logging.getLogger(__name__)


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) from /proc, or None without /proc or process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    return fields[0], fields[19]


def process_tags(pid: int | None = None) -> dict[str, str]:
    """Tags naming the process that runs a run, so a later run can tell whether it still exists."""
    pid = pid or os.getpid()
    tags = {RUN_HOST_TAG: socket.gethostname(), RUN_PID_TAG: str(pid)}
    stat = _proc_stat(pid)
    if stat:
        # a pid can be reused after a crash; the start time tells the processes apart
        tags[RUN_PROCESS_START_TAG] = stat[1]
    return tags


def recorded_process_alive(tags: Mapping[str, str]) -> bool | None:
    """Whether the process recorded in a run's tags still runs; None when this host cannot tell."""
    pid, host = tags.get(RUN_PID_TAG), tags.get(RUN_HOST_TAG)
    if not pid or host != socket.gethostname():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    stat = _proc_stat(int(pid))
    if stat is None:
        return (
            RUN_PROCESS_START_TAG not in tags
        )  # no /proc here: the pid's existence is all we know
    state, started = stat
    return state != "Z" and tags.get(RUN_PROCESS_START_TAG, started) == started


@dataclass(frozen=True)
class RecoveredRun:
    run_id: str
    job_name: str
    status: str
    host: str
    pid: int
    since: datetime | None
    freed_slots: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        since = f" since {self.since:%Y-%m-%d %H:%M:%S} UTC" if self.since else ""
        return (
            f"{self.status}{since}, but its process {self.pid} on {self.host} no longer exists "
            "(killed or crashed)"
        )

    def describe(self) -> str:
        slots = (
            f"freed {', '.join(self.freed_slots)}" if self.freed_slots else "it held no pool slot"
        )
        return f"recovered crashed run {self.run_id} ({self.job_name}): {self.reason}; marked FAILED, {slots}"


def _slots_by_run(instance: dg.DagsterInstance) -> dict[str, list[str]]:
    """Every run holding or queued for a pool slot: `pool/step (held|queued)` per run."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return {}
    held: dict[str, list[str]] = {}
    for pool, info in storage.get_concurrency_infos(list(storage.get_concurrency_keys())).items():
        for slot in info.claimed_slots:
            held.setdefault(slot.run_id, []).append(f"{pool}/{slot.step_key} (held)")
        claimed = {(slot.run_id, slot.step_key) for slot in info.claimed_slots}
        for step in info.pending_steps:
            if (step.run_id, step.step_key) not in claimed:
                held.setdefault(step.run_id, []).append(f"{pool}/{step.step_key} (queued)")
    return held


def _since(record) -> datetime | None:
    timestamp = record.start_time or record.create_timestamp.timestamp()
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def recover_crashed_runs(
    instance: dg.DagsterInstance,
    log: Callable[[str], None] = _log.warning,
    on_recovered: Callable[[RecoveredRun], None] | None = None,
) -> list[RecoveredRun]:
    """Mark failed every in-flight run whose recorded process is gone and free its pool slots; then
    free slots still held by runs that ended. Logs one line per action; returns the crashed runs."""
    slots = _slots_by_run(instance)
    recovered = []
    for record in instance.get_run_records(dg.RunsFilter(statuses=IN_FLIGHT)):
        run = record.dagster_run
        if recorded_process_alive(run.tags) is not False:
            continue
        crashed = RecoveredRun(
            run_id=run.run_id,
            job_name=run.job_name,
            status=run.status.value,
            host=run.tags[RUN_HOST_TAG],
            pid=int(run.tags[RUN_PID_TAG]),
            since=_since(record),
            freed_slots=slots.pop(run.run_id, []),
        )
        instance.report_run_failed(run, f"Marked failed by a later run: {crashed.reason}.")
        if crashed.freed_slots:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        log(crashed.describe())
        if on_recovered:
            on_recovered(crashed)
        recovered.append(crashed)
    for run_id, held in slots.items():
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            state = run.status.value if run else "deleted"
            log(f"freed {', '.join(held)} still held by run {run_id}, which is {state}")
    return recovered


def evidence_recorder(instance: dg.DagsterInstance, ledger: Path) -> Callable[[RecoveredRun], None]:
    """Appends each recovered run to the evidence ledger as interrupted."""
    from orchestration.lib.run_evidence import record_interrupted_run

    def record(crashed: RecoveredRun) -> None:
        record_interrupted_run(instance, crashed.run_id, ledger, crashed.reason)

    return record
