"""Daily ingest of the OpenAI Administration API into the landing zone (`raw/openai/<entity>`)."""

from collections.abc import Iterator
from decimal import Decimal

import dagster as dg

from connectors.config import SourceConfig
from connectors.openai.client import OpenAIAdminClient
from connectors.openai.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets
from orchestration.lib.partitions import RefreshWindow
from orchestration.lib.restatements import BilledTotals
from warehouse.landing import utc_day


def open_client(source: SourceConfig) -> OpenAIAdminClient:
    return OpenAIAdminClient(
        source.secret(),
        source.resolved_base_url(),
        organization_id=source.organization_id,
        **source.http_options(),
    )


def _api_keys(client: OpenAIAdminClient, _window: RefreshWindow) -> Iterator[dict]:
    for project in list(client.projects()):
        yield from client.api_keys(project["id"])


def _service_accounts(client: OpenAIAdminClient, _window: RefreshWindow) -> Iterator[dict]:
    for project in list(client.projects()):
        yield from client.service_accounts(project["id"])


def _usage(kind: str):
    return lambda client, window: client.usage(kind, window.start_at, window.end_at)


# The usage endpoints beyond completions and embeddings, so nothing billed is missed.
OTHER_USAGE = {
    "moderations": "Moderations usage (input tokens, requests) per day, project, user, key and model.",
    "images": "Image generation and edits per day, project, user, key, model, size and source.",
    "audio_speeches": "Text-to-speech characters per day, project, user, key and model.",
    "audio_transcriptions": "Transcription seconds per day, project, user, key and model.",
    "vector_stores": "Vector store bytes held per day and project.",
    "code_interpreter_sessions": "Code interpreter sessions per day and project.",
    "file_search_calls": "File search tool calls per day, project, user, key and vector store.",
    "web_search_calls": "Web search tool calls per day, project, user, key, model and context level.",
}


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
        billed_totals=BilledTotals(
            lambda c, w: c.daily_cost_totals(w.start_at, w.end_at),
            columns=("amount_value",),
            # dollars come as JSON numbers: totals of rounded numbers may differ below a cent
            tolerance=Decimal("0.005"),
        ),
    ),
    *[
        Entity(f"usage_{kind}", description, SCHEMAS[f"usage_{kind}"], _usage(kind), bucket_day)
        for kind, description in OTHER_USAGE.items()
    ],
    Entity(
        "service_accounts",
        "Snapshot of every project's service accounts.",
        SCHEMAS["service_accounts"],
        _service_accounts,
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
