"""Log retention: what outlives `log_retention_days` (sources config, warehouse section) may go.

Kept at least that long, then pruned by `python -m orchestration.cli.evidence prune`:
- Dagster runs (their event logs, which hold every run's log lines) created before the cut-off;
- stored Great Expectations results under data/quality/results/ (the `latest` copies stay);
- evidence packs under data/evidence/packs/;
- the restricted people mart (people_directory: person keys to emails and names) of every published
  release but the current one. Each release's mart also leaves out people who left more than
  `log_retention_days` before it was published (warehouse.publish).
The evidence ledger is never pruned: it is small, and removing entries would break its hash chain.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from warehouse.paths import Paths
from warehouse.publish import RESTRICTED, current_dir


@dataclass
class Pruned:
    cutoff: datetime
    runs: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"kept everything from {self.cutoff.date().isoformat()}; pruned {len(self.runs)} run(s)"
            f" and {len(self.files)} file(s) or pack(s) older than that"
        )


def _older(path: Path, cutoff: datetime) -> bool:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff


def prune(
    paths: Paths,
    retention_days: int,
    instance: dg.DagsterInstance | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Pruned:
    if retention_days < 184:
        raise ValueError(
            f"log_retention_days {retention_days} is under six months: keep at least 184 days"
        )
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    pruned = Pruned(cutoff)
    results = paths.quality / "results"
    pruned.files += sorted(p for p in results.rglob("*.json") if _older(p, cutoff))
    packs = paths.evidence / "packs"
    if packs.is_dir():
        pruned.files += sorted(p for p in packs.iterdir() if p.is_dir() and _older(p, cutoff))
    releases = paths.published / "releases"
    if releases.is_dir():
        current = current_dir(paths.published).resolve()
        pruned.files += sorted(
            release / RESTRICTED
            for release in releases.iterdir()
            if (release / RESTRICTED).is_dir()
            and release.resolve() != current
            and _older(release / RESTRICTED, cutoff)
        )
    if instance is not None:
        old = instance.get_run_records(filters=dg.RunsFilter(created_before=cutoff))
        pruned.runs = [r.dagster_run.run_id for r in old]
    if not dry_run:
        for path in pruned.files:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        for run_id in pruned.runs:
            instance.delete_run(run_id)
    return pruned
