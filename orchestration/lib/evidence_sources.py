"""Every configured source's part in an ingest run, from Dagster's event log: landed, failed, skipped.

Ingest assets are keyed `raw/<source type>/<entity>` and pull every enabled source of that type that
pulls the entity; their metadata (on success and on failure) says what each source landed, why any
failed, and which sources do not pull the entity.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from connectors.config import SourceConfig, SourcesConfig

ERROR_CHARS = 300


@dataclass(frozen=True)
class AssetOutcome:
    status: str  # landed | failed | interrupted (planned, never finished)
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _values(metadata: dict[str, Any] | None) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in (metadata or {}).items()}


def _records(instance: dg.DagsterInstance, run_id: str, of_type: dg.DagsterEventType) -> list:
    return [
        r.event_log_entry.dagster_event
        for r in instance.get_records_for_run(run_id, of_type=of_type).records
    ]


def ingest_outcomes(instance: dg.DagsterInstance, run_id: str) -> dict[str, AssetOutcome]:
    """Each asset the run planned, by its `a/b/c` key: materialized, failed, or never finished."""
    T = dg.DagsterEventType
    planned = {
        e.step_key: e.asset_key.to_user_string()
        for e in _records(instance, run_id, T.ASSET_MATERIALIZATION_PLANNED)
    }
    outcomes = {asset: AssetOutcome("interrupted") for asset in planned.values()}
    for event in _records(instance, run_id, T.STEP_FAILURE):
        if event.step_key not in planned:
            continue
        data = event.event_specific_data
        user = data.user_failure_data
        error = (user.description if user else None) or (data.error.message if data.error else "")
        outcomes[planned[event.step_key]] = AssetOutcome(
            "failed", _values(user.metadata if user else None), error
        )
    for event in _records(instance, run_id, T.ASSET_MATERIALIZATION):
        materialization = event.event_specific_data.materialization
        outcomes[event.asset_key.to_user_string()] = AssetOutcome(
            "landed", _values(materialization.metadata)
        )
    return outcomes


def _summary(error: str, source: SourceConfig) -> str:
    """First line of an error, shortened; the source's own secret masked in case a provider echoed it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else "failed without a message"
    secret = os.environ.get(source.secret_env_name) if source.secret_env_name else None
    if secret:
        text = text.replace(secret, "***")
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"


def _entity(source: SourceConfig, asset: str, outcome: AssetOutcome) -> dict[str, Any]:
    metadata = outcome.metadata
    prefix = f"{asset.removeprefix('raw/')}/{source.id}/"
    status, error = outcome.status, None
    failed = metadata.get("failed_sources")
    skipped = metadata.get("skipped_sources") or {}
    if outcome.status == "failed" and failed is None:
        error = _summary(outcome.error or "", source)  # failed outside the per-source loop: all did
    elif source.id in (failed or {}):
        # an endpoint the account does not serve fails its source without failing the step
        status, error = "failed", _summary(failed[source.id], source)
    elif source.id in skipped:
        status = "skipped"
    elif outcome.status == "failed":
        status = "landed"
    reason = {"reason": skipped[source.id]} if status == "skipped" else {}
    return {
        "asset": asset,
        "status": status,
        **reason,
        "error": error,
        "window_start": metadata.get("window_start"),
        "window_end_exclusive": metadata.get("window_end_exclusive"),
        "records": (metadata.get("rows_by_source") or {}).get(source.id),
        "files_sha256": {
            path: digest
            for path, digest in (metadata.get("files_sha256") or {}).items()
            if path.startswith(prefix)
        },
    }


def source_status(
    source: SourceConfig, outcomes: dict[str, AssetOutcome], ingest_run_id: str | None
) -> dict[str, Any]:
    """One configured source: landed, failed (with why), interrupted, or skipped (with why)."""
    row: dict[str, Any] = {"id": source.id, "type": source.type}
    if not source.enabled:
        return {**row, "status": "skipped", "reason": "disabled in the sources config"}
    if ingest_run_id is None:
        return {**row, "status": "skipped", "reason": "no ingest run is tagged on this run"}
    assets = sorted(a for a in outcomes if a.split("/")[:2] == ["raw", source.type])
    if not assets:
        return {**row, "status": "skipped", "reason": f"not in ingest run {ingest_run_id}"}
    entities = [_entity(source, asset, outcomes[asset]) for asset in assets]
    statuses = {e["status"] for e in entities}
    if statuses == {"skipped"}:
        reason = "pulls none of the entities in this run"
        return {**row, "status": "skipped", "reason": reason, "entities": entities}
    status = (
        "failed"
        if "failed" in statuses
        else "landed"
        if statuses <= {"landed", "skipped"}
        else "interrupted"
    )
    errors = [f"{e['asset']}: {e['error']}" for e in entities if e["error"]]
    return {**row, "status": status, "error": "; ".join(errors) or None, "entities": entities}


def source_statuses(
    instance: dg.DagsterInstance, ingest_run_id: str | None, config: SourcesConfig
) -> list[dict[str, Any]]:
    outcomes = ingest_outcomes(instance, ingest_run_id) if ingest_run_id else {}
    return [source_status(s, outcomes, ingest_run_id) for s in config.sources]
