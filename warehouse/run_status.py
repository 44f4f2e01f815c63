"""What the latest pipeline steps did, for operational alerts: one small JSON file per source instance
and entity (its latest pull) and one for the dbt build, each replaced by the step that ran, whichever
way it was started (schedule, sensor, CLI).

Layout under <alerts dir>/status/: `sources/<source type>/<source id>/<entity>.json` and
`dbt_build.json`. A failure keeps `failing_since` from the first failure of its streak; a success
clears it. Errors are stored clipped, with the source's secret redacted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alerting.files import alerts_dir, read_json, write_json
from connectors.http import redact

ERROR_LIMIT = 600


@dataclass(frozen=True)
class StepStatus:
    ok: bool
    at: str
    run_id: str
    error: str | None = None
    failing_since: str | None = None
    skipped: str | None = None  # why the source does not pull this entity (not a failure)


def status_dir(data: Path) -> Path:
    return alerts_dir(data) / "status"


def error_summary(error: BaseException | str, secrets: Iterable[str | None] = ()) -> str:
    """One line, at most ERROR_LIMIT characters, with every given secret replaced."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    text = re.sub(r"\s+", " ", redact(text, [s for s in secrets if s])).strip()
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "…"


def record(path: Path, run_id: str, error: str | None, now: datetime | None = None) -> StepStatus:
    at = (now or datetime.now(UTC)).isoformat()
    previous = read_status(path)
    since = None
    if error is not None:
        since = previous.failing_since if previous and not previous.ok else None
        since = since or at
    status = StepStatus(error is None, at, run_id, error, since)
    write_json(path, status.__dict__)
    return status


def record_skipped(path: Path, run_id: str, reason: str, now: datetime | None = None) -> StepStatus:
    """A source that does not pull this entity: neither failing nor landing, and why."""
    status = StepStatus(True, (now or datetime.now(UTC)).isoformat(), run_id, skipped=reason)
    write_json(path, status.__dict__)
    return status


def read_status(path: Path) -> StepStatus | None:
    value = read_json(path)
    return StepStatus(**value) if value else None


def source_pull_path(data: Path, source_type: str, source_id: str, entity: str) -> Path:
    return status_dir(data) / "sources" / source_type / source_id / f"{entity}.json"


def dbt_build_path(data: Path) -> Path:
    return status_dir(data) / "dbt_build.json"


def serve_path(data: Path) -> Path:
    """The latest serve of a published release from PostgreSQL (warehouse.serve)."""
    return status_dir(data) / "serve.json"


def source_pulls(data: Path) -> dict[tuple[str, str, str], StepStatus]:
    """(source type, source id, entity) -> the latest pull of that entity from that instance."""
    root = status_dir(data) / "sources"
    found = {}
    for path in sorted(root.glob("*/*/*.json")):
        status = read_status(path)
        if status:
            found[(path.parent.parent.name, path.parent.name, path.stem)] = status
    return found


def dbt_failures(run_results: dict, fallback: str) -> str:
    """The failed nodes of a dbt run_results.json and their messages; `fallback` when there are none
    (dbt stopped before building anything: a parse or connection error)."""
    failed = [
        r
        for r in run_results.get("results", [])
        if r.get("status") in ("error", "fail", "runtime error")
    ]
    if not failed:
        return error_summary(fallback)
    listed = "; ".join(f"{r['unique_id']}: {r.get('message') or r['status']}" for r in failed[:5])
    more = f" (and {len(failed) - 5} more)" if len(failed) > 5 else ""
    return error_summary(f"{len(failed)} dbt node(s) failed: {listed}{more}")


def record_dbt_build(data: Path, run_id: str, invocation) -> None:
    """Record a finished dagster-dbt invocation of `dbt build`."""
    error = None
    if not invocation.is_successful():
        try:
            results = invocation.get_artifact("run_results.json")
        except (OSError, ValueError):
            results = {}
        error = dbt_failures(results, str(invocation.get_error()))
    record(dbt_build_path(data), run_id, error)
