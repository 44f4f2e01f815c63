"""The evidence ledger: one append-only JSON line per transform run, chained by hash.

Each entry records what a run did, from Dagster's own event log: the partitions, every source pulled
by the ingest run it followed (window, record counts, content hashes of the landed files), every
check result (dbt tests and Great Expectations suites), the governance snapshot hash, and the
published release with its table hashes. Each entry carries the hash of the previous one, so an edited,
removed or reordered entry breaks the chain from that point; `verify` names the first broken entry.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

GENESIS = "0" * 64
PARTITION_TAGS = {
    "dagster/partition": "partition",
    "dagster/asset_partition_range_start": "range_start",
    "dagster/asset_partition_range_end": "range_end",
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
            }
        )
    return sorted(results, key=lambda r: (r["asset"], r["check"]))


def build_entry(instance: dg.DagsterInstance, run_id: str) -> dict[str, Any]:
    """What a transform run (and the ingest run it followed, when tagged) did, from the event log."""
    run = instance.get_run_by_id(run_id)
    if run is None:
        raise ValueError(f"no run {run_id} in this Dagster instance")
    materialized = _materializations(instance, run_id)
    ingest_run_id = run.tags.get("aiuw/ingest_run_id")
    sources = []
    for asset, metadata in _materializations(instance, ingest_run_id) if ingest_run_id else []:
        sources.append(
            {
                "asset": asset,
                "window_start": metadata.get("window_start"),
                "window_end_exclusive": metadata.get("window_end_exclusive"),
                "records": metadata.get("dagster/row_count"),
                "files_sha256": metadata.get("files_sha256"),
            }
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
        "sources": sorted(sources, key=lambda s: s["asset"]),
        "checks": _check_results(instance, run_id),
        "governance_sha256": governance[0] if governance else None,
        "published": (
            {"release_id": published.get("release_id"), "tables": published.get("tables")}
            if published
            else None
        ),
        "alerts": [],
    }


@dataclass(frozen=True)
class Ledger:
    path: Path

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Append under an exclusive lock; the entry gets its sequence, previous hash and own hash."""
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
            fcntl.flock(handle, fcntl.LOCK_UN)
        return entry

    def verify(self) -> tuple[bool, str]:
        """Check every entry's own hash and its link to the previous one; name the first broken entry."""
        previous, count = GENESIS, 0
        for line_number, line in enumerate(
            self.path.read_text().splitlines() if self.path.exists() else [], 1
        ):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                return False, f"line {line_number}: not valid JSON"
            count += 1
            label = f"entry {entry.get('sequence', '?')} (line {line_number}, run {entry.get('run_id')})"
            if entry.get("sequence") != count:
                return (
                    False,
                    f"{label}: sequence {entry.get('sequence')} where {count} was expected (removed or reordered)",
                )
            if entry.get("previous_hash") != previous:
                return False, f"{label}: previous_hash does not match the entry before it"
            if entry_hash(entry) != entry.get("entry_hash"):
                return False, f"{label}: content does not match its entry_hash (edited)"
            previous = entry["entry_hash"]
        return True, f"{count} entries, chain intact"


def record_run(instance: dg.DagsterInstance, run_id: str, ledger_path: Path) -> dict[str, Any]:
    return Ledger(ledger_path).append(build_entry(instance, run_id))
