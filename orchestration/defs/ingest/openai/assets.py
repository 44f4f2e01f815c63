"""Daily ingest of the OpenAI Administration API into the landing zone.

One asset per entity, keyed `["raw", "openai", <entity>]`. Each run pulls its partitions widened by the
restatement window and rewrites those days' files; inventory entities land one snapshot per run.
Every declared OpenAI source instance lands under its own id; one failing instance does not stop the
others from landing, but fails the asset so the run says so.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import dagster as dg

from connectors.config import SourceConfig
from connectors.openai.client import OpenAIAdminClient
from connectors.openai.schemas import SCHEMAS
from orchestration.lib.landing import LandedDay, LandingWindow, utc_day
from orchestration.lib.partitions import RefreshWindow, daily_partitions, window_of
from orchestration.lib.settings import Paths
from orchestration.lib.sources import sources_config


@dataclass(frozen=True)
class Entity:
    name: str
    description: str
    fetch: Callable[[OpenAIAdminClient, RefreshWindow], Iterator[dict]]
    is_snapshot: bool = False


def _api_keys(client: OpenAIAdminClient, _window: RefreshWindow) -> Iterator[dict]:
    for project in list(client.projects()):
        yield from client.api_keys(project["id"])


ENTITIES = [
    Entity(
        "usage_completions",
        "Completions usage per day, project, user, key, model, batch and tier.",
        lambda c, w: c.usage("completions", w.start_at, w.end_at),
    ),
    Entity(
        "usage_embeddings",
        "Embeddings usage per day, project, user, key and model.",
        lambda c, w: c.usage("embeddings", w.start_at, w.end_at),
    ),
    Entity(
        "costs",
        "Billed cost per day, project, line item and API key (dollars, exact decimals).",
        lambda c, w: c.costs(w.start_at, w.end_at),
    ),
    Entity(
        "projects",
        "Snapshot of every project, archived included.",
        lambda c, _w: c.projects(),
        True,
    ),
    Entity("api_keys", "Snapshot of every project's API keys and their owners.", _api_keys, True),
    Entity("users", "Snapshot of the organization's users.", lambda c, _w: c.users(), True),
]


def client_for(source: SourceConfig) -> OpenAIAdminClient:
    return OpenAIAdminClient(
        source.secret(),
        source.resolved_base_url(),
        organization_id=source.organization_id,
        source_id=source.id,
        timeout=source.timeout_seconds,
        max_attempts=source.max_attempts,
        backoff_base=source.backoff_base_seconds,
        backoff_max=source.backoff_max_seconds,
    )


def land_entity(
    entity: Entity, source: SourceConfig, window: RefreshWindow, paths: Paths
) -> list[LandedDay]:
    """Pull one entity of one source for the window and commit it to the landing zone."""
    days = [window.days()[-1]] if entity.is_snapshot else window.days()
    snapshot_day = days[-1]

    def day_of(record: dict) -> date:
        return snapshot_day if entity.is_snapshot else utc_day(record["bucket_start_time"])

    with (
        client_for(source) as client,
        LandingWindow(
            paths.landing, "openai", entity.name, source.id, SCHEMAS[entity.name], days
        ) as landing,
    ):
        landing.add(entity.fetch(client, window), day_of)
        return landing.commit()


def build_ingest_asset(entity: Entity) -> dg.AssetsDefinition:
    config = sources_config()

    @dg.asset(
        key=["raw", "openai", entity.name],
        description=entity.description,
        group_name="ingest_openai",
        kinds={"python", "parquet"},
        owners=["team:data-platform"],
        partitions_def=daily_partitions(config),
        backfill_policy=dg.BackfillPolicy.single_run(),
        metadata={
            "source_type": "openai",
            "landing_layout": f"openai/{entity.name}/<source_id>/<YYYY-MM-DD>.parquet",
        },
    )
    def ingest(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        window = window_of(context, config)
        paths = Paths.from_env()
        sources = config.of_type("openai")
        context.log.info(
            f"openai/{entity.name}: pulling {window.start}..{window.end} (end exclusive) from {len(sources)} source(s)"
        )
        landed: list[LandedDay] = []
        failures: list[str] = []
        for source in sources:
            try:
                days = land_entity(entity, source, window, paths)
            except Exception as error:  # one broken source must not stop the others
                context.log.error(
                    f"openai/{entity.name}: source {source.id} failed, its landed files are unchanged: {error}"
                )
                failures.append(f"{source.id}: {error}")
                continue
            landed += days
            context.log.info(
                f"openai/{entity.name}: {source.id} landed {sum(d.rows for d in days)} rows in {len(days)} file(s)"
            )
        if failures:
            raise dg.Failure(
                description=f"openai/{entity.name}: {len(failures)} source(s) failed:\n"
                + "\n".join(failures),
                allow_retries=False,
            )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": sum(d.rows for d in landed),
                "window_start": window.start.isoformat(),
                "window_end_exclusive": window.end.isoformat(),
                "files": len(landed),
                "files_sha256": dg.MetadataValue.json(
                    {str(d.path.relative_to(paths.landing)): d.sha256 for d in landed}
                ),
            }
        )

    return ingest


@dg.definitions
def openai_ingest() -> dg.Definitions:
    return dg.Definitions(assets=[build_ingest_asset(entity) for entity in ENTITIES])
