"""Daily snapshots of the Entra ID tenant's users (`raw/entra_id/users`).

The app registration it signs in with (tenant, client id, authority) comes from the source's
settings or the ENTRA_* environment variables (`EntraAppOptions.sign_in` in connectors/config.py).
"""

import dagster as dg

from connectors.config import SourceConfig
from connectors.entra_id.auth import ClientCredentials
from connectors.entra_id.client import EntraIdClient
from connectors.entra_id.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig) -> EntraIdClient:
    tenant, client_id, authority = source.settings.sign_in(source.id, source.organization_id)
    http = source.http_options()
    credentials = ClientCredentials(
        http.pop("source_id"), authority, tenant, client_id, source.secret(), **http
    )
    return EntraIdClient(credentials, source.resolved_base_url(), **source.http_options())


ENTITIES = [
    Entity(
        "users",
        "Snapshot of every Entra ID user with department, employee id, org data and manager.",
        SCHEMAS["users"],
        lambda c, _w: c.users(),
    ),
]


@dg.definitions
def entra_id_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("entra_id", ENTITIES, open_client))
