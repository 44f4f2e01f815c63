"""Daily ingest of the ChatGPT Enterprise Compliance API into the landing zone
(`raw/chatgpt_enterprise/<entity>`)."""

import dagster as dg

from connectors.chatgpt_enterprise.client import ChatGPTComplianceClient
from connectors.chatgpt_enterprise.schemas import SCHEMAS
from connectors.config import SourceConfig
from connectors.errors import ConfigError
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig) -> ChatGPTComplianceClient:
    if not source.organization_id:
        raise ConfigError(
            f"source {source.id!r}: organization_id (the ChatGPT workspace id) is required"
        )
    return ChatGPTComplianceClient(
        source.secret(),
        source.organization_id,
        source.resolved_base_url(),
        **source.http_options(),
    )


ENTITIES = [
    Entity(
        "users",
        "Daily snapshot of the workspace's users (the ChatGPT Enterprise seats).",
        SCHEMAS["users"],
        lambda c, _w: c.users(),
    ),
]


@dg.definitions
def chatgpt_enterprise_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("chatgpt_enterprise", ENTITIES, open_client))
