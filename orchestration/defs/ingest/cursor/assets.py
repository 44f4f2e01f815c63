"""Daily ingest of the Cursor Admin API into the landing zone (`raw/cursor/<entity>`)."""

from datetime import UTC, date, datetime

import dagster as dg

from connectors.config import SourceConfig
from connectors.cursor.client import CursorAdminClient
from connectors.cursor.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig) -> CursorAdminClient:
    return CursorAdminClient(
        source.secret(),
        source.resolved_base_url(),
        **source.http_options(),
    )


def millis_day(value: int | str) -> date:
    """The UTC day of an epoch-milliseconds value (a number, or its text)."""
    return datetime.fromtimestamp(int(value) / 1000, UTC).date()


ENTITIES = [
    Entity(
        "members",
        "Daily snapshot of the team's members (name, email, role).",
        SCHEMAS["members"],
        lambda c, _w: c.members(),
    ),
    Entity(
        "daily_usage",
        "Per member and day: active flag, lines, requests by kind, most used model.",
        SCHEMAS["daily_usage"],
        lambda c, w: c.daily_usage(w.start_at, w.end_at),
        lambda r: millis_day(r["date"]),
    ),
    Entity(
        "usage_events",
        "Every usage event: model, kind, tokens and cost in cents (exact decimal text).",
        SCHEMAS["usage_events"],
        lambda c, w: c.usage_events(w.start_at, w.end_at),
        lambda r: millis_day(r["timestamp"]),
    ),
    Entity(
        "spend",
        "Daily snapshot of each member's spend in the current billing cycle (cents).",
        SCHEMAS["spend"],
        lambda c, _w: c.spend(),
    ),
]


@dg.definitions
def cursor_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("cursor", ENTITIES, open_client))
