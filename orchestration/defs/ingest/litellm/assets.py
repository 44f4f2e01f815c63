"""Daily ingest of LiteLLM proxy spend logs through its API (`raw/litellm/spend_logs`)."""

from datetime import date

import dagster as dg

from connectors.config import SourceConfig
from connectors.litellm.client import LiteLLMClient
from connectors.litellm.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig) -> LiteLLMClient:
    return LiteLLMClient(
        source.secret(),
        source.resolved_base_url(),
        **source.http_options(),
    )


def start_day(record: dict) -> date:
    return record["startTime"].date()


ENTITIES = [
    Entity(
        "spend_logs",
        "LiteLLM spend logs: one row per proxied request (upstream provider, model, team, hashed "
        "key, tokens, status, latency, LiteLLM's spend estimate as exact text), by UTC start day; "
        "stored prompts never landed, only the sensitive entity types found in them and their counts.",
        SCHEMAS["spend_logs"],
        lambda client, window: client.spend_logs(window.start_at, window.end_at),
        start_day,
    ),
]


@dg.definitions
def litellm_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("litellm", ENTITIES, open_client))
