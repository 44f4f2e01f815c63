"""Which Entra ID service plans are a Microsoft 365 Copilot licence.

A user's `assignedPlans` name service plans by GUID. The Copilot licence is recognised by
`M365_COPILOT_APPS` ("Microsoft 365 Copilot in Productivity Apps"), the service plan every
Microsoft 365 Copilot product carries (Microsoft's "Product names and service plan identifiers for
licensing" reference). A tenant that licenses Copilot through another product lists its plan ids in
the source's `options.copilot_service_plan_ids` (comma-separated GUIDs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from connectors.config import SourceConfig
from connectors.errors import ConfigError

OPTION = "copilot_service_plan_ids"
DEFAULT_COPILOT_SERVICE_PLAN_IDS = ("a62f8878-de10-42f3-b68f-6149a25ceb97",)  # M365_COPILOT_APPS
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def copilot_service_plan_ids(source: SourceConfig) -> list[str]:
    """The source's Copilot service plan ids, lower case (the documented default when unset)."""
    raw = source.settings.copilot_service_plan_ids
    if raw is None:
        return list(DEFAULT_COPILOT_SERVICE_PLAN_IDS)
    ids = [part.strip().lower() for part in str(raw).split(",") if part.strip()]
    bad = [value for value in ids if not GUID.match(value)]
    if not ids or bad:
        raise ConfigError(
            f"source {source.id!r}: options.{OPTION} must be comma-separated service plan GUIDs, "
            f"got {raw!r}. Fix: list the servicePlanId of the Microsoft 365 Copilot plan(s), e.g. "
            f"{DEFAULT_COPILOT_SERVICE_PLAN_IDS[0]}, or remove the option for that default."
        )
    return ids


def copilot_plan_dbt_vars(sources: Iterable[SourceConfig]) -> dict[str, dict[str, list[str]]]:
    """The dbt var `copilot_service_plan_ids`: Entra ID source id -> its Copilot service plan ids."""
    return {
        "copilot_service_plan_ids": {
            source.id: copilot_service_plan_ids(source)
            for source in sources
            if source.type == "entra_id" and source.enabled
        }
    }
