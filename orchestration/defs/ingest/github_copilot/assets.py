"""Daily ingest of GitHub Copilot into the landing zone (`raw/github_copilot/<entity>`)."""

from collections.abc import Callable, Iterator
from datetime import date

import dagster as dg

from connectors.config import SourceConfig
from connectors.errors import ConfigError
from connectors.github_copilot.client import API_VERSION, GitHubCopilotClient
from connectors.github_copilot.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets
from orchestration.lib.partitions import RefreshWindow


def open_client(source: SourceConfig) -> GitHubCopilotClient:
    """Organization from organization_id; options.api_version picks the REST API version."""
    if not source.organization_id:
        raise ConfigError(
            f"source {source.id!r}: organization_id (the GitHub organization login) is required"
        )
    return GitHubCopilotClient(
        source.secret(),
        source.organization_id,
        source.resolved_base_url(),
        api_version=source.settings.api_version or API_VERSION,
        **source.http_options(),
    )


def per_day(method: str) -> Callable[[GitHubCopilotClient, RefreshWindow], Iterator[dict]]:
    """The reports and the billing usage answer one day per request: ask for each day."""

    def fetch(client: GitHubCopilotClient, window: RefreshWindow) -> Iterator[dict]:
        for day in window.days():
            yield from getattr(client, method)(day)

    return fetch


def day_field(name: str) -> Callable[[dict], date]:
    return lambda record: date.fromisoformat(record[name])


ENTITIES = [
    Entity(
        "seats",
        "Daily snapshot of every Copilot seat: assignee, plan, pending cancellation, last activity.",
        SCHEMAS["seats"],
        lambda c, _w: c.seats(),
    ),
    Entity(
        "user_metrics",
        "Per-user daily activity from the users-1-day usage-metrics report (NDJSON files).",
        SCHEMAS["user_metrics"],
        per_day("user_metrics"),
        day_field("day"),
    ),
    Entity(
        "user_model_feature_metrics",
        "Per-user daily totals by model and feature from the users-1-day report.",
        SCHEMAS["user_model_feature_metrics"],
        per_day("user_model_feature_metrics"),
        day_field("day"),
    ),
    Entity(
        "organization_metrics",
        "Organization daily totals from the organization-1-day usage-metrics report.",
        SCHEMAS["organization_metrics"],
        per_day("organization_metrics"),
        day_field("day"),
    ),
    Entity(
        "premium_request_usage",
        "Premium request usage per day, product, SKU and model (USD as exact decimal text).",
        SCHEMAS["premium_request_usage"],
        per_day("premium_request_usage"),
        day_field("date"),
    ),
]


@dg.definitions
def github_copilot_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("github_copilot", ENTITIES, open_client))
