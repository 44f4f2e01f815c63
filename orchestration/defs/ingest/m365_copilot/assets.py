"""Daily ingest of the Microsoft 365 Copilot usage report into the landing zone
(`raw/m365_copilot/<entity>`). Rows of tenants that conceal user names are kept and flagged; the
connector's warning about them appears in the run log."""

import dagster as dg

from connectors.config import SourceConfig
from connectors.m365_copilot.client import M365CopilotClient
from connectors.m365_copilot.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig) -> M365CopilotClient:
    """The same app registration as the Entra ID source (`EntraAppOptions.sign_in`)."""
    tenant, client_id, authority = source.settings.sign_in(source.id, source.organization_id)
    return M365CopilotClient(
        tenant,
        client_id,
        source.secret(),
        source.resolved_base_url(),
        authority=authority,
        **source.http_options(),
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
