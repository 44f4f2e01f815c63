"""Daily ingest of the OpenAI Administration API into the landing zone (`raw/openai/<entity>`)."""

from collections.abc import Iterator

import dagster as dg

from connectors.config import SourceConfig
from connectors.openai.client import OpenAIAdminClient
from connectors.openai.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets
from orchestration.lib.landing import utc_day
from orchestration.lib.partitions import RefreshWindow


def open_client(source: SourceConfig) -> OpenAIAdminClient:
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


def _api_keys(client: OpenAIAdminClient, _window: RefreshWindow) -> Iterator[dict]:
    for project in list(client.projects()):
        yield from client.api_keys(project["id"])


def bucket_day(record: dict):
    return utc_day(record["bucket_start_time"])


ENTITIES = [
    Entity(
        "usage_completions",
        "Completions usage per day, project, user, key, model, batch and tier.",
        SCHEMAS["usage_completions"],
        lambda c, w: c.usage("completions", w.start_at, w.end_at),
        bucket_day,
    ),
    Entity(
        "usage_embeddings",
        "Embeddings usage per day, project, user, key and model.",
        SCHEMAS["usage_embeddings"],
        lambda c, w: c.usage("embeddings", w.start_at, w.end_at),
        bucket_day,
    ),
    Entity(
        "costs",
        "Billed cost per day, project, line item and API key (dollars, exact decimals).",
        SCHEMAS["costs"],
        lambda c, w: c.costs(w.start_at, w.end_at),
        bucket_day,
    ),
    Entity(
        "projects",
        "Snapshot of every project, archived included.",
        SCHEMAS["projects"],
        lambda c, _w: c.projects(),
    ),
    Entity(
        "api_keys",
        "Snapshot of every project's API keys and their owners.",
        SCHEMAS["api_keys"],
        _api_keys,
    ),
    Entity(
        "users", "Snapshot of the organization's users.", SCHEMAS["users"], lambda c, _w: c.users()
    ),
]


@dg.definitions
def openai_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("openai", ENTITIES, open_client))
