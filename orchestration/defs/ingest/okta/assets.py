"""Daily snapshots of the Okta org's users and groups, and its group membership events
(`raw/okta/<entity>`).

Users and groups have no history API: each pull lands the whole directory dated the window's last
day, so successive daily runs accumulate dated snapshots that dbt turns into people history. The
System Log does have history: membership events land on the day they were published, which dates
team moves (teams are groups) even when the snapshots were all pulled after the move.
"""

from datetime import date, datetime

import dagster as dg

from connectors.config import SourceConfig
from connectors.okta.client import OktaClient
from connectors.okta.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig) -> OktaClient:
    return OktaClient(
        source.secret(),
        source.resolved_base_url(),
        **source.http_options(),
    )


ENTITIES = [
    Entity(
        "users",
        "Snapshot of every Okta user, DEPROVISIONED included, profile flattened.",
        SCHEMAS["users"],
        lambda c, _w: c.users(),
    ),
    Entity(
        "groups",
        "Snapshot of every Okta group.",
        SCHEMAS["groups"],
        lambda c, _w: c.groups(),
    ),
    Entity(
        "group_membership_events",
        "System Log events of users added to or removed from groups, by day published.",
        SCHEMAS["group_membership_events"],
        lambda c, w: c.group_membership_events(w.start_at, w.end_at),
        day_of=lambda record: published_day(record["published"]),
    ),
]


def published_day(published: str) -> date:
    return datetime.fromisoformat(published.replace("Z", "+00:00")).date()


@dg.definitions
def okta_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("okta", ENTITIES, open_client))
