"""Daily ingest of the Microsoft 365 Copilot usage report into the landing zone
(`raw/m365_copilot/<entity>`). Rows of tenants that conceal user names are kept and flagged; the
connector's warning about them appears in the run log."""

import os

import dagster as dg

from connectors.config import SourceConfig
from connectors.m365_copilot.client import M365CopilotClient
from connectors.m365_copilot.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig) -> M365CopilotClient:
    """Tenant from organization_id (else ENTRA_TENANT_ID), client id from options.client_id (else
    ENTRA_CLIENT_ID), authority from options.authority_url (else ENTRA_AUTHORITY_URL, else the public
    cloud's): the same app registration as the Entra ID source."""
    return M365CopilotClient(
        source.organization_id or os.environ.get("ENTRA_TENANT_ID", ""),
        str(source.options.get("client_id") or os.environ.get("ENTRA_CLIENT_ID", "")),
        source.secret(),
        source.resolved_base_url(),
        authority=str(source.options.get("authority_url") or "") or None,
        source_id=source.id,
        timeout=source.timeout_seconds,
        max_attempts=source.max_attempts,
        backoff_base=source.backoff_base_seconds,
        backoff_max=source.backoff_max_seconds,
    )


ENTITIES = [
    Entity(
        "usage_user_details",
        "Daily snapshot of the Copilot usage user detail report (period D30): last activity per app "
        "for every licensed user; hashed names flagged is_concealed.",
        SCHEMAS["usage_user_details"],
        lambda c, _w: c.usage_user_details("D30"),
    ),
]


@dg.definitions
def m365_copilot_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("m365_copilot", ENTITIES, open_client))
