"""Daily ingest of the Anthropic Admin API into the landing zone (`raw/anthropic/<entity>`)."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import dagster as dg

from connectors.anthropic.client import AnthropicAdminClient
from connectors.anthropic.schemas import SCHEMAS
from connectors.config import SourceConfig
from orchestration.lib.ingest import Entity, build_ingest_assets
from orchestration.lib.partitions import RefreshWindow
from orchestration.lib.restatements import BilledTotals


def open_client(source: SourceConfig) -> AnthropicAdminClient:
    return AnthropicAdminClient(
        source.secret(),
        source.resolved_base_url(),
        **source.http_options(),
    )


def utc_day_of(text: str) -> date:
    """The UTC day of an RFC 3339 timestamp such as `2026-03-01T00:00:00Z`."""
    return datetime.fromisoformat(text).astimezone(UTC).date()


def _claude_code(client: AnthropicAdminClient, window: RefreshWindow) -> Iterator[dict]:
    """The Claude Code report answers one day per request: ask for each day of the window."""
    for day in window.days():
        yield from client.claude_code_usage(day)


ENTITIES = [
    Entity(
        "usage_messages",
        "Messages usage per day, API key, workspace, model, service tier and context window.",
        SCHEMAS["usage_messages"],
        lambda c, w: c.usage_messages(w.start_at, w.end_at),
        lambda r: utc_day_of(r["starting_at"]),
    ),
    Entity(
        "costs",
        "Cost per day, workspace and description (cents as exact decimal text).",
        SCHEMAS["costs"],
        lambda c, w: c.costs(w.start_at, w.end_at),
        lambda r: utc_day_of(r["starting_at"]),
        billed_totals=BilledTotals(
            lambda c, w: c.daily_cost_totals(w.start_at, w.end_at),
            columns=("amount",),
            tolerance=Decimal("0.5"),  # cents as exact decimal text: half a cent
        ),
    ),
    Entity(
        "claude_code_usage",
        "Claude Code usage per day, actor and model (estimated cost in cents).",
        SCHEMAS["claude_code_usage"],
        _claude_code,
        lambda r: utc_day_of(r["date"]),
    ),
    Entity(
        "workspaces",
        "Snapshot of every workspace, archived included.",
        SCHEMAS["workspaces"],
        lambda c, _w: c.workspaces(),
    ),
    Entity(
        "users", "Snapshot of the organization's users.", SCHEMAS["users"], lambda c, _w: c.users()
    ),
    Entity(
        "api_keys",
        "Snapshot of every API key with its creator and workspace.",
        SCHEMAS["api_keys"],
        lambda c, _w: c.api_keys(),
    ),
]


@dg.definitions
def anthropic_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("anthropic", ENTITIES, open_client))
