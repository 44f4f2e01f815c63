"""Daily snapshots of a SCIM 2.0 service provider's users (`raw/scim/users`)."""

import dagster as dg

from connectors.config import SourceConfig
from connectors.scim.client import ScimClient
from connectors.scim.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig) -> ScimClient:
    return ScimClient(
        source.secret(),
        source.resolved_base_url(),
        page_size=source.settings.page_size,
        **source.http_options(),
    )


ENTITIES = [
    Entity(
        "users",
        "Snapshot of every SCIM user with the enterprise extension (employee number, cost centre, manager).",
        SCHEMAS["users"],
        lambda c, _w: c.users(),
    ),
]


@dg.definitions
def scim_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("scim", ENTITIES, open_client))
