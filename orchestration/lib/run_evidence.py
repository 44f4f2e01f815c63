"""What a run did, read from Dagster's event log, as an entry of the evidence ledger (evidence.ledger).

An entry holds the partitions, every configured source with its part in the ingest run it followed
(landed with window, record counts and content hashes of the landed files; failed with why; skipped
with why), every check result (dbt tests and Great Expectations suites), the governance snapshot
hash, the published release with its table hashes, and the remediation register's changes since
the entry before (evidence.remediation: each status change with its ticket, who and when).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import dagster as dg

from connectors.config import SourcesConfig
from evidence.ledger import Ledger, open_ledger
from evidence.remediation import register_changes
from orchestration.automation_names import INGEST_JOB
from orchestration.lib.evidence_sources import source_statuses
from orchestration.lib.partitions import (
    PARTITION_TAG,
    RANGE_END_TAG,
    RANGE_START_TAG,
    WINDOW_END_TAG,
    WINDOW_START_TAG,
)
from orchestration.lib.sources import sources_config
from warehouse.paths import Paths

# The days a run covered: an ingest run's partition tags, a transform run's window tags.
PARTITION_TAGS = {
    PARTITION_TAG: "partition",
    RANGE_START_TAG: "range_start",
    RANGE_END_TAG: "range_end",
    WINDOW_START_TAG: "window_start",
    WINDOW_END_TAG: "window_end",
}


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


def _with_remediation(ledger: Ledger, entry: dict[str, Any]) -> dict[str, Any]:
    """The entry with the register's changes since the ledger last recorded it, as the run landed
    the register (the governance asset's Parquet under the landing zone)."""
    governance = Paths.from_env().landing / "governance"
    return {**entry, "remediation": register_changes(ledger.entries(), governance)}


def record_run(
    instance: dg.DagsterInstance, run_id: str, ledger_path: Path, anchor_dir: Path | None = None
) -> dict[str, Any]:
    """Append (and anchor) the entry of a run that ended; anchors go to AIUW_EVIDENCE_ANCHOR_DIR
    unless `anchor_dir` is given."""
    ledger = open_ledger(ledger_path, anchor_dir)
    return ledger.append(_with_remediation(ledger, build_entry(instance, run_id)))


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
    ledger = open_ledger(ledger_path, anchor_dir)
    return ledger.append(_with_remediation(ledger, entry) if run else entry)
