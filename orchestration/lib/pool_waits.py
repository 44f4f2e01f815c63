"""While a run's steps wait for a pool slot, say every so often who holds it and for how long.

Dagster records a blocked step only as a debug event every five minutes; a run stuck behind another
one (or behind a crashed one) would otherwise wait in silence. A holder whose process is gone is
recovered on the spot (orchestration.lib.crashed_runs), so the wait ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

import dagster as dg

from orchestration.lib.crashed_runs import (
    RecoveredRun,
    recorded_process_alive,
    recover_crashed_runs,
)


def _seconds_since(moment: datetime | None) -> str:
    return f"{time.time() - moment.timestamp():.0f}s" if moment else "an unknown time"


class PoolWaitReporter:
    """Reports, every `interval` seconds in a background thread, the pools run `run_id` waits for."""

    def __init__(
        self,
        instance: dg.DagsterInstance,
        run_id: str,
        log: Callable[[str], None],
        interval: float = 15.0,
        on_recovered: Callable[[RecoveredRun], None] | None = None,
    ):
        self.instance, self.run_id, self.log, self.interval = instance, run_id, log, interval
        self.on_recovered = on_recovered
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pool-wait-reporter", daemon=True)

    def __enter__(self) -> PoolWaitReporter:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.report()
            except Exception as error:  # a report must never break the run it reports on
                self.log(f"could not read the pool slots: {type(error).__name__}: {error}")

    def _holder(self, run_id: str, step_key: str, since: datetime | None) -> tuple[str, bool]:
        run = self.instance.get_run_by_id(run_id)
        if run is None:
            return f"run {run_id} (deleted), step {step_key}", True
        gone = run.is_finished or recorded_process_alive(run.tags) is False
        state = "its process is gone" if gone and not run.is_finished else run.status.value
        line = (
            f"run {run_id} ({run.job_name}, {state}), step {step_key}, for {_seconds_since(since)}"
        )
        return line, gone

    def _pool_line(self, pool: str, info) -> tuple[str | None, bool]:
        """The line saying who holds `pool` while this run waits for it (None: it does not wait),
        and whether a holder is a run that ended or whose process is gone."""
        claimed = {(slot.run_id, slot.step_key) for slot in info.claimed_slots}
        # a step assigned a slot claims it at its next check: it waits no more
        waiting = [
            step
            for step in info.pending_steps
            if step.run_id == self.run_id
            and step.assigned_timestamp is None
            and (step.run_id, step.step_key) not in claimed
        ]
        if not waiting:
            return None, False
        assigned = {(s.run_id, s.step_key): s.assigned_timestamp for s in info.pending_steps}
        holders = [
            self._holder(slot.run_id, slot.step_key, assigned.get((slot.run_id, slot.step_key)))
            for slot in info.claimed_slots
        ]
        if not holders and info.limit:
            return None, False  # a freed slot is being handed to the next step
        first = min(waiting, key=lambda step: step.enqueued_timestamp)
        line = (
            f"run {self.run_id} waiting {_seconds_since(first.enqueued_timestamp)} for pool {pool}"
            f" (limit {info.limit}, {len(waiting)} step(s)): held by "
            + ("; ".join(text for text, _ in holders) or "no run: the pool's limit is 0")
        )
        return line, any(gone for _, gone in holders)

    def report(self) -> list[str]:
        """One line per pool this run waits for, naming the holders; logs and returns them. A
        holder that ended or whose process is gone is recovered, which ends the wait."""
        storage = self.instance.event_log_storage
        if not storage.supports_global_concurrency_limits:
            return []
        pools = storage.get_concurrency_infos(list(storage.get_concurrency_keys()))
        reported = [self._pool_line(pool, info) for pool, info in pools.items()]
        lines = [line for line, _ in reported if line]
        for line in lines:
            self.log(line)
        if any(gone for _, gone in reported):
            recover_crashed_runs(self.instance, self.log, self.on_recovered)
        return lines
