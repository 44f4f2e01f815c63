"""Ingest assets for any source type: one asset per entity, keyed `["raw", <source type>, <entity>]`.

A source package describes its entities (how to fetch, the landing schema, which day a record belongs
to) and how to open a client for one configured source instance; this module turns that into
daily-partitioned assets that land Parquet atomically. One failing source instance does not stop the
others from landing; the asset then fails with every instance's error, and the transform job still
builds and publishes from what landed. Each instance's outcome is recorded for operational alerts
(warehouse/run_status.py), and a non-blocking `landed_data_fresh` check shows in Dagster
whether every instance of the type landed rows within its freshness limit (thresholds.yml).
"""

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa

from connectors.config import SourceConfig
from connectors.errors import EndpointNotServed
from connectors.yaml_validation import load_yaml_model
from governance.load import governance_dir
from governance.schema import ThresholdsFile
from orchestration.asset_groups import SOURCES
from orchestration.lib.entity_selection import (
    check_entity_selection,
    not_served_line,
    skip_reason,
)
from orchestration.lib.heartbeat import heartbeat
from orchestration.lib.partitions import RefreshWindow, daily_partitions, window_of
from orchestration.lib.restatements import BilledTotals, restated_days, spans
from orchestration.lib.sources import sources_config
from warehouse.landing import LandedDay, LandingWindow, ensure_schema_file
from warehouse.landing_scan import newest_days_with_rows
from warehouse.paths import Paths
from warehouse.run_status import (
    error_summary,
    record,
    record_skipped,
    source_pull_path,
)

FRESHNESS_CHECK = "landed_data_fresh"


def every_day(window: RefreshWindow) -> list[date]:
    return window.days()


def last_day(window: RefreshWindow) -> list[date]:
    """Snapshots (inventories) land once per run, dated the last day of the window."""
    return [window.days()[-1]]


def newer_snapshot(directory: Path, day: date) -> date | None:
    """The newest snapshot landed in `directory` after `day`, if any.

    A snapshot describes the source as it is when pulled, not as it was on a past day: a run for a
    past partition must not land today's seats or users under that day's date, so when a later
    snapshot exists the run keeps the files as they are. Re-running any day then changes nothing.
    """
    later = [
        date.fromisoformat(path.stem)
        for path in directory.glob("????-??-??.parquet")
        if date.fromisoformat(path.stem) > day
    ]
    return max(later, default=None)


@dataclass(frozen=True)
class Entity:
    """One kind of record a source yields.

    Args:
        name: the entity, part of the asset key and the landing path.
        description: shown on the asset.
        schema: the landing schema (the source's own field names).
        fetch: yields records for the window from an open client.
        day_of: the UTC day a record belongs to; None for snapshots (dated the window's last day).
        days_for: the days a run rewrites; whole billing months for sources that restate a month.
        billed_totals: for billing entities whose API gives cheap daily totals: days before the
            window whose total changed since they landed are re-landed too.
    """

    name: str
    description: str
    schema: pa.Schema
    fetch: Callable[[Any, RefreshWindow], Iterator[dict]]
    day_of: Callable[[dict], date] | None = None
    days_for: Callable[[RefreshWindow], list[date]] | None = field(default=None)
    billed_totals: BilledTotals | None = None

    @property
    def is_snapshot(self) -> bool:
        return self.day_of is None and self.days_for is None

    def days(self, window: RefreshWindow) -> list[date]:
        if self.days_for:
            return self.days_for(window)
        return every_day(window) if self.day_of else last_day(window)


OpenClient = Callable[[SourceConfig], AbstractContextManager[Any]]


def land_entity(
    source_type: str,
    entity: Entity,
    source: SourceConfig,
    window: RefreshWindow,
    paths: Paths,
    open_client: OpenClient,
    *,
    history_start: date | None = None,
    log: Callable[[str], None] = lambda _message: None,
) -> list[LandedDay]:
    """Pull one entity of one source instance for the window and commit it to the landing zone.

    With `history_start`, an entity with billed totals also re-lands the days since the start of
    the previous month whose billed total changed after they were landed.
    """
    days = entity.days(window)
    snapshot_day = days[-1]

    def day_of(record: dict) -> date:
        return entity.day_of(record) if entity.day_of else snapshot_day

    with open_client(source) as client:
        restated: list[date] = []
        if entity.billed_totals and history_start:
            directory = paths.landing / source_type / entity.name / source.id
            restated = [
                d
                for d in restated_days(
                    entity.billed_totals, client, directory, window, history_start
                )
                if d not in days
            ]
            if restated:
                log(
                    f"{source_type}/{entity.name}: {source.id} billed totals changed since landing "
                    f"for {len(restated)} day(s) before the window "
                    f"({', '.join(d.isoformat() for d in restated)}); re-landing them"
                )
        # a source that restates whole months returns whole months for a restated day too
        relanded = [(span, set(entity.days(span))) for span in spans(restated)]
        with LandingWindow(
            paths.landing,
            source_type,
            entity.name,
            source.id,
            entity.schema,
            sorted(set(days).union(*(span_days for _span, span_days in relanded))),
        ) as landing:
            landing.add(entity.fetch(client, window), day_of)
            pulled = set(days)
            for span, span_days in relanded:
                # each fetch returns whole days: a day an earlier fetch returned is not added twice
                landing.add(
                    (r for r in entity.fetch(client, span) if day_of(r) not in pulled), day_of
                )
                pulled |= span_days
            return landing.commit()


# (source type, entity) -> landing schema of every ingest asset defined in this code location
LANDING_SCHEMAS: dict[tuple[str, str], pa.Schema] = {}


def ensure_landing_schemas(landing: Path) -> list[str]:
    """Give every entity's landing folder its schema file, so dbt can read sources that never landed."""
    return [
        f"{source_type}/{entity}"
        for (source_type, entity), schema in sorted(LANDING_SCHEMAS.items())
        if ensure_schema_file(landing, source_type, entity, schema)
    ]


def build_ingest_assets(
    source_type: str, entities: list[Entity], open_client: OpenClient
) -> list[dg.AssetsDefinition]:
    # a Dagster code location with a misspelled entity in the sources file fails to load, naming it
    check_entity_selection(sources_config(), {source_type: [e.name for e in entities]})
    for entity in entities:
        LANDING_SCHEMAS[(source_type, entity.name)] = entity.schema
    return [build_ingest_asset(source_type, entity, open_client) for entity in entities]


def build_ingest_asset(
    source_type: str, entity: Entity, open_client: OpenClient
) -> dg.AssetsDefinition:
    config = sources_config()
    key = dg.AssetKey(["raw", source_type, entity.name])

    @dg.asset(
        key=key,
        description=entity.description,
        group_name=SOURCES,
        kinds={"python", "parquet"},
        owners=["team:data-platform"],
        partitions_def=daily_partitions(config),
        backfill_policy=dg.BackfillPolicy.single_run(),
        metadata={
            "source_type": source_type,
            "landing_layout": f"{source_type}/{entity.name}/<source_id>/<YYYY-MM-DD>.parquet",
        },
        check_specs=[
            dg.AssetCheckSpec(
                FRESHNESS_CHECK,
                asset=key,
                description=f"Every {source_type} source landed rows (any entity) within its "
                "freshness limit (thresholds.yml operations.source_stale).",
            )
        ],
    )
    def ingest(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        window = window_of(context, config)
        paths = Paths.from_env()
        label = f"{source_type}/{entity.name}"
        skipped: dict[str, str] = {}
        for source in config.of_type(source_type):
            if not source.pulls(entity.name):
                skipped[source.id] = skip_reason(source)
                context.log.info(f"{label}: {source.id} skipped: {skipped[source.id]}")
                status = source_pull_path(paths.data, source_type, source.id, entity.name)
                record_skipped(status, context.run_id, skipped[source.id])
        sources = [s for s in config.of_type(source_type) if s.id not in skipped]
        context.log.info(
            f"{label}: pulling {window.start}..{window.end} (end exclusive) from {len(sources)} source(s)"
        )
        landed: list[LandedDay] = []
        rows_by_source: dict[str, int] = {}
        failures: dict[str, str] = {}
        not_served: set[str] = set()
        for source in sources:
            if entity.is_snapshot:
                directory = paths.landing / source_type / entity.name / source.id
                later = newer_snapshot(directory, last_day(window)[0])
                if later:
                    context.log.info(
                        f"{label}: {source.id} not pulled: its snapshot of {later} is newer than "
                        f"{last_day(window)[0]}, and a snapshot can only describe the source as it is now"
                    )
                    continue
            status = source_pull_path(paths.data, source_type, source.id, entity.name)
            try:
                with heartbeat(
                    context.log.info,
                    lambda seconds, source_id=source.id: (
                        f"{label}: {source_id} still pulling ({seconds:.0f}s)"
                    ),
                ):
                    days = land_entity(
                        source_type,
                        entity,
                        source,
                        window,
                        paths,
                        open_client,
                        history_start=config.warehouse.history_start,
                        log=context.log.info,
                    )
            except EndpointNotServed as error:  # a fact about the account: one line, no traceback
                failures[source.id] = not_served_line(source, entity.name, error, config.path)
                not_served.add(source.id)
                context.log.error(f"{label}: source {source.id}: {failures[source.id]}")
                record(status, context.run_id, failures[source.id])
                continue
            except Exception as error:  # one broken source must not stop the others
                context.log.error(
                    f"{label}: source {source.id} failed; its landed files are unchanged: {error}"
                )
                secret = os.environ.get(source.secret_env_name or "")
                failures[source.id] = error_summary(error, [secret])
                record(status, context.run_id, failures[source.id])
                continue
            record(status, context.run_id, None)
            landed += days
            rows_by_source[source.id] = sum(d.rows for d in days)
            context.log.info(
                f"{label}: {source.id} landed {rows_by_source[source.id]} rows in {len(days)} file(s)"
            )
        # on failure too, so the evidence ledger records what the other sources landed
        metadata = {
            "dagster/row_count": sum(d.rows for d in landed),
            "window_start": window.start.isoformat(),
            "window_end_exclusive": window.end.isoformat(),
            "files": len(landed),
            "files_sha256": dg.MetadataValue.json(
                {str(d.path.relative_to(paths.landing)): d.sha256 for d in landed}
            ),
            "rows_by_source": dg.MetadataValue.json(rows_by_source),
            "skipped_sources": dg.MetadataValue.json(skipped),
            "failed_sources": dg.MetadataValue.json(failures),
        }
        # An endpoint the account does not serve is said in one line, so only other failures fail
        # the step: Dagster logs every step failure with a stack trace. Its source still fails
        # (pull status, source_failed alert, evidence, run summary).
        if set(failures) - not_served:
            raise dg.Failure(
                description=f"{label}: {len(failures)} of {len(sources)} source(s) failed:\n"
                + "\n".join(f"{source_id}: {error}" for source_id, error in failures.items()),
                metadata=metadata,
                allow_retries=False,
            ) from None
        return dg.MaterializeResult(
            metadata={
                **metadata,
                # a transform after this ingest rebuilds from here (restated days included)
                "earliest_day_landed": min(
                    (d.day for d in landed if d.changed), default=window.start
                ).isoformat(),
                "files_unchanged": sum(not d.changed for d in landed),
            },
            check_results=[freshness_check(source_type, sources, paths)],
        )

    return ingest


def freshness_check(
    source_type: str, sources: list[SourceConfig], paths: Paths
) -> dg.AssetCheckResult:
    """WARN when an instance's newest day with rows is older than its type's limit (the same test as
    the source_stale alert); an instance that never landed rows fails it too. `sources` are the
    instances that pull this asset's entity."""
    # thresholds.yml alone: the whole governance was validated before the run started
    thresholds = load_yaml_model(
        governance_dir() / "thresholds.yml", ThresholdsFile, what="governance thresholds"
    )
    limit = thresholds.operations.source_stale.limit_days(source_type)
    today = datetime.now(UTC).date()
    scan = newest_days_with_rows(paths.landing, source_type)
    newest = {s.id: scan.newest_day(s) for s in sources}
    stale = sorted(i for i, day in newest.items() if day is None or (today - day).days > limit)
    return dg.AssetCheckResult(
        check_name=FRESHNESS_CHECK,
        passed=not stale,
        severity=dg.AssetCheckSeverity.WARN,
        description=(f"no rows within {limit} days from: {', '.join(stale)}" if stale else None),
        metadata={
            "max_age_days": limit,
            "newest_day_with_rows": dg.MetadataValue.json(
                {i: day.isoformat() if day else None for i, day in newest.items()}
            ),
        },
    )
