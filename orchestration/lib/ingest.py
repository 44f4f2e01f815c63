"""Ingest assets for any source type: one asset per entity, keyed `["raw", <source type>, <entity>]`.

A source package describes its entities (how to fetch, the landing schema, which day a record belongs
to) and how to open a client for one configured source instance; this module turns that into
daily-partitioned assets that land Parquet atomically. One failing source instance does not stop the
others from landing; the asset then fails with every instance's error, and the transform job still
builds and publishes from what landed.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa

from connectors.config import SourceConfig
from orchestration.lib.landing import LandedDay, LandingWindow, ensure_schema_file
from orchestration.lib.partitions import RefreshWindow, daily_partitions, window_of
from orchestration.lib.settings import Paths
from orchestration.lib.sources import sources_config


def every_day(window: RefreshWindow) -> list[date]:
    return window.days()


def last_day(window: RefreshWindow) -> list[date]:
    """Snapshots (inventories) land once per run, dated the last day of the window."""
    return [window.days()[-1]]


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
    """

    name: str
    description: str
    schema: pa.Schema
    fetch: Callable[[Any, RefreshWindow], Iterator[dict]]
    day_of: Callable[[dict], date] | None = None
    days_for: Callable[[RefreshWindow], list[date]] | None = field(default=None)

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
) -> list[LandedDay]:
    """Pull one entity of one source instance for the window and commit it to the landing zone."""
    days = entity.days(window)
    snapshot_day = days[-1]

    def day_of(record: dict) -> date:
        return entity.day_of(record) if entity.day_of else snapshot_day

    with (
        open_client(source) as client,
        LandingWindow(
            paths.landing, source_type, entity.name, source.id, entity.schema, days
        ) as landing,
    ):
        landing.add(entity.fetch(client, window), day_of)
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
    for entity in entities:
        LANDING_SCHEMAS[(source_type, entity.name)] = entity.schema
    return [build_ingest_asset(source_type, entity, open_client) for entity in entities]


def build_ingest_asset(
    source_type: str, entity: Entity, open_client: OpenClient
) -> dg.AssetsDefinition:
    config = sources_config()

    @dg.asset(
        key=["raw", source_type, entity.name],
        description=entity.description,
        group_name=f"ingest_{source_type}",
        kinds={"python", "parquet"},
        owners=["team:data-platform"],
        partitions_def=daily_partitions(config),
        backfill_policy=dg.BackfillPolicy.single_run(),
        metadata={
            "source_type": source_type,
            "landing_layout": f"{source_type}/{entity.name}/<source_id>/<YYYY-MM-DD>.parquet",
        },
    )
    def ingest(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        window = window_of(context, config)
        paths = Paths.from_env()
        sources = config.of_type(source_type)
        label = f"{source_type}/{entity.name}"
        context.log.info(
            f"{label}: pulling {window.start}..{window.end} (end exclusive) from {len(sources)} source(s)"
        )
        landed: list[LandedDay] = []
        rows_by_source: dict[str, int] = {}
        failures: dict[str, str] = {}
        for source in sources:
            try:
                days = land_entity(source_type, entity, source, window, paths, open_client)
            except Exception as error:  # one broken source must not stop the others
                context.log.error(
                    f"{label}: source {source.id} failed; its landed files are unchanged: {error}"
                )
                failures[source.id] = str(error)
                continue
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
        }
        if failures:
            raise dg.Failure(
                description=f"{label}: {len(failures)} of {len(sources)} source(s) failed:\n"
                + "\n".join(f"{source_id}: {error}" for source_id, error in failures.items()),
                metadata={**metadata, "failed_sources": dg.MetadataValue.json(failures)},
                allow_retries=False,
            )
        return dg.MaterializeResult(metadata=metadata)

    return ingest
