"""The evidence ledger: one append-only JSON line per transform run, chained by hash.

Each entry records what a run did, from Dagster's own event log: the partitions, every configured
source with its part in the ingest run it followed (landed with window, record counts and content
hashes of the landed files; failed with why; skipped with why), every check result (dbt tests and
Great Expectations suites), the governance snapshot hash, and the published release with its table
hashes. Each entry carries the hash of the previous one, so an edited, removed or reordered entry
breaks the chain from that point; `verify` names the first broken entry. After each append the new
head is anchored elsewhere (orchestration.lib.evidence_anchor), so a cut-off or rewritten tail fails
`verify` too.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import dagster as dg

from connectors.config import SourcesConfig
from orchestration.automation_names import INGEST_JOB
from orchestration.lib.evidence_anchor import Anchors
from orchestration.lib.evidence_signing import KEY_ENV, signing_key
from orchestration.lib.evidence_sources import source_statuses
from orchestration.lib.partitions import (
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    WINDOW_END_TAG,
    WINDOW_START_TAG,
)
from orchestration.lib.settings import Paths
from orchestration.lib.sources import sources_config

GENESIS = "0" * 64
# The days a run covered: an ingest run's partition tags, a transform run's window tags.
PARTITION_TAGS = {
    PARTITION_TAG: "partition",
    RANGE_START_TAG: "range_start",
    RANGE_END_TAG: "range_end",
    WINDOW_START_TAG: "window_start",
    WINDOW_END_TAG: "window_end",
}


def entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "entry_hash"}
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def _metadata(event: dg.EventLogEntry) -> dict[str, Any]:
    data = event.dagster_event.event_specific_data
    metadata = getattr(data, "materialization", data).metadata if data else {}
    return {k: getattr(v, "value", v) for k, v in (metadata or {}).items()}


def _materializations(
    instance: dg.DagsterInstance, run_id: str
) -> list[tuple[str, dict[str, Any]]]:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    return [
        (r.event_log_entry.dagster_event.asset_key.to_user_string(), _metadata(r.event_log_entry))
        for r in records
    ]


def _check_results(instance: dg.DagsterInstance, run_id: str) -> list[dict[str, Any]]:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    results = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        results.append(
            {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "passed": evaluation.passed,
                # ERROR: a failure refuses publishing; WARN: a failed warning, the release published
                "severity": evaluation.severity.value,
            }
        )
    return sorted(results, key=lambda r: (r["asset"], r["check"]))


def build_entry(
    instance: dg.DagsterInstance, run_id: str, config: SourcesConfig | None = None
) -> dict[str, Any]:
    """What a transform run (and the ingest run it followed, when tagged) did, from the event log.

    An ingest run given on its own stands for its own sources.
    """
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise ValueError(f"no run {run_id} in this Dagster instance")
    materialized = _materializations(instance, run_id)
    ingest_run_id = run.tags.get("aiuw/ingest_run_id") or (
        run_id if run.job_name == INGEST_JOB else None
    )
    governance = sorted(
        {m["governance_sha256"] for a, m in materialized if "governance_sha256" in m}
    )
    published = next((m for a, m in materialized if a == "published/warehouse"), None)
    return {
        "recorded_at": datetime.now(UTC).isoformat(),
        "run_id": run_id,
        "job": run.job_name,
        "status": run.status.value,
        "partitions": {
            name: run.tags[tag] for tag, name in PARTITION_TAGS.items() if tag in run.tags
        },
        "ingest_run_id": ingest_run_id,
        "ingest_status": run.tags.get("aiuw/ingest_status"),
        "sources": source_statuses(instance, ingest_run_id, config or sources_config()),
        "checks": _check_results(instance, run_id),
        "governance_sha256": governance[0] if governance else None,
        "published": (
            {"release_id": published.get("release_id"), "tables": published.get("tables")}
            if published
            else None
        ),
        "alerts": [],
    }


def _chain_problem(lines: list[str]) -> tuple[str | None, list[dict[str, Any]]]:
    """The first broken link (or None) and the entries read."""
    previous, entries = GENESIS, []
    for line_number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            return f"line {line_number}: not valid JSON", entries
        expected = len(entries) + 1
        label = (
            f"entry {entry.get('sequence', '?')} (line {line_number}, run {entry.get('run_id')})"
        )
        if entry.get("sequence") != expected:
            return (
                f"{label}: sequence {entry.get('sequence')} where {expected} was expected (removed or reordered)",
                entries,
            )
        if entry.get("previous_hash") != previous:
            return f"{label}: previous_hash does not match the entry before it", entries
        if entry_hash(entry) != entry.get("entry_hash"):
            return f"{label}: content does not match its entry_hash (edited)", entries
        entries.append(entry)
        previous = entry["entry_hash"]
    return None, entries


@dataclass(frozen=True)
class Ledger:
    """The ledger file; with `anchor_dir`, every append is anchored there and `verify` checks it."""

    path: Path
    anchor_dir: Path | None = None

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def _lines(self) -> list[str]:
        return self.path.read_text().splitlines() if self.path.exists() else []

    def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Append under an exclusive lock; the entry gets its sequence, previous hash and own hash.

        The anchor is written under the same lock, so anchors follow the ledger's order.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            lines = [line for line in handle.read().splitlines() if line.strip()]
            last = json.loads(lines[-1]) if lines else None
            entry = {
                **entry,
                "sequence": (last["sequence"] + 1) if last else 1,
                "previous_hash": last["entry_hash"] if last else GENESIS,
            }
            entry["entry_hash"] = entry_hash(entry)
            handle.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
            handle.flush()
            if self.anchor_dir:
                Anchors(self.anchor_dir).write(entry, signing_key())
            fcntl.flock(handle, fcntl.LOCK_UN)
        return entry

    def verify(self) -> tuple[bool, str]:
        """Check the chain, then the anchors; name the first broken entry or contradicted anchor."""
        problem, entries = _chain_problem(self._lines())
        if problem:
            return False, problem
        chain = f"{len(entries)} entries, chain intact"
        if self.anchor_dir is None:
            return True, f"{chain}; no anchor directory given, a cut-off tail is not checked"
        problem, note = Anchors(self.anchor_dir).check(entries, signing_key())
        return (False, problem) if problem else (True, f"{chain}; {note}")

    def anchor_head(self) -> dict[str, Any]:
        """Anchor the current head by hand (a ledger from before anchoring, or an append whose anchor
        was lost); refuses when the chain is broken or an existing anchor contradicts the ledger."""
        if self.anchor_dir is None:
            raise ValueError("no anchor directory given")
        with self.path.open("r") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            problem, entries = _chain_problem(handle.read().splitlines())
            anchors = Anchors(self.anchor_dir)
            if not problem:
                problem, _ = anchors.check(entries, signing_key(), head_may_be_unanchored=True)
            if problem:
                raise ValueError(f"{self.path}: not anchored: {problem}")
            if not entries:
                raise ValueError(f"{self.path}: no entries to anchor")
            anchor = anchors.write(entries[-1], signing_key())
            fcntl.flock(handle, fcntl.LOCK_UN)
        return anchor


@functools.cache
def _warn_unsigned() -> None:
    logging.getLogger(__name__).warning(
        f"evidence: {KEY_ENV} is not set; ledger anchors and evidence packs are written unsigned"
    )


def _ledger(ledger_path: Path, anchor_dir: Path | None) -> Ledger:
    if signing_key() is None:
        _warn_unsigned()
    return Ledger(ledger_path, anchor_dir or Paths.from_env().anchor_dir)


def record_run(
    instance: dg.DagsterInstance, run_id: str, ledger_path: Path, anchor_dir: Path | None = None
) -> dict[str, Any]:
    """Append (and anchor) the entry of a run that ended; anchors go to AIUW_EVIDENCE_ANCHOR_DIR
    unless `anchor_dir` is given."""
    return _ledger(ledger_path, anchor_dir).append(build_entry(instance, run_id))


def record_interrupted_run(
    instance: dg.DagsterInstance,
    run_id: str,
    ledger_path: Path,
    reason: str,
    status: Literal["recovered", "failed"] = "failed",
    anchor_dir: Path | None = None,
) -> dict[str, Any]:
    """Append (and anchor) the entry of a run that ended abnormally (killed, host lost, timed out).

    Call it once per such run, when crash recovery finds it. `reason` says what happened, in words
    safe to keep for good (no secrets). `status` is "recovered" when the work was redone or resumed,
    "failed" when it was abandoned; the entry's status becomes RECOVERED or FAILURE, and
    `interruption` keeps the reason and the status Dagster had for the run. Whatever the event log
    holds for the run (sources landed or failed, checks) is recorded as for a finished run; a run the
    instance no longer knows gets an entry with its id and the reason only.
    """
    if status not in ("recovered", "failed"):
        raise ValueError(f"status {status!r}: expected 'recovered' or 'failed'")
    run = instance.get_run_by_id(run_id)
    entry = (
        build_entry(instance, run_id)
        if run
        else {"recorded_at": datetime.now(UTC).isoformat(), "run_id": run_id, "job": None}
    )
    entry["status"] = "RECOVERED" if status == "recovered" else "FAILURE"
    entry["interruption"] = {
        "reason": reason,
        "dagster_status": run.status.value if run else None,
    }
    return _ledger(ledger_path, anchor_dir).append(entry)
