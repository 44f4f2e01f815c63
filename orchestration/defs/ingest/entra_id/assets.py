"""Daily snapshots of the Entra ID tenant's users (`raw/entra_id/users`).

The tenant is the source's `organization_id` (or `ENTRA_TENANT_ID`); the app's client id comes from
the source's `options.client_id` or `ENTRA_CLIENT_ID`, the authority from `options.authority_url`,
`ENTRA_AUTHORITY_URL` or the public cloud's.
"""

import os

import dagster as dg

from connectors.config import SourceConfig
from connectors.entra_id.auth import ClientCredentials
from connectors.entra_id.client import DEFAULT_AUTHORITY_URL, EntraIdClient
from connectors.entra_id.schemas import SCHEMAS
from connectors.errors import ConfigError
from orchestration.lib.ingest import Entity, build_ingest_assets


def _setting(source: SourceConfig, option: str, env: str, default: str | None = None) -> str:
    value = str(source.options.get(option) or os.environ.get(env) or default or "")
    if not value:
        raise ConfigError(
            f"source {source.id!r}: no {option}. Fix: set options.{option} in the sources config "
            f"or export {env}."
        )
    return value


def open_client(source: SourceConfig) -> EntraIdClient:
    http = {
        "timeout": source.timeout_seconds,
        "max_attempts": source.max_attempts,
        "backoff_base": source.backoff_base_seconds,
        "backoff_max": source.backoff_max_seconds,
    }
    tenant = source.organization_id or _setting(source, "tenant_id", "ENTRA_TENANT_ID")
    credentials = ClientCredentials(
        source.id,
        _setting(source, "authority_url", "ENTRA_AUTHORITY_URL", DEFAULT_AUTHORITY_URL),
        tenant,
        _setting(source, "client_id", "ENTRA_CLIENT_ID"),
        source.secret(),
        **http,
    )
    return EntraIdClient(credentials, source.resolved_base_url(), source_id=source.id, **http)


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
