"""Daily snapshots of the Google Workspace customer's users (`raw/google_workspace/users`).

The access token in the source's secret env var (`GOOGLE_WORKSPACE_TOKEN`) must carry the
`admin.directory.user.readonly` scope, obtained by a service account with domain-wide delegation.
"""

import dagster as dg

from connectors.config import SourceConfig
from connectors.google_workspace.client import GoogleWorkspaceClient
from connectors.google_workspace.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig) -> GoogleWorkspaceClient:
    return GoogleWorkspaceClient(
        source.secret(),
        source.resolved_base_url(),
        customer=source.settings.customer,
        **source.http_options(),
    )


ENTITIES = [
    Entity(
        "users",
        "Snapshot of every Google Workspace user (suspended included), primary organization flattened.",
        SCHEMAS["users"],
        lambda c, _w: c.users(),
    ),
]


@dg.definitions
def google_workspace_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("google_workspace", ENTITIES, open_client))
