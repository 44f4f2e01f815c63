"""OpenAI Administration API in the sandbox: bearer admin key, `/v1/organization/...`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from sandbox.ground_truth import days, empty_totals
from sandbox.openai_api import CORRUPTIONS, ApiError, OpenAIAdminApi, Query
from sandbox.providers import Response

SECRET_ENV = "OPENAI_ADMIN_KEY"


def masked(key: str) -> str:
    return f"{key[:6]}{'*' * 8}{key[-4:]}" if len(key) > 10 else "****"


class OpenAIProvider:
    name = "openai"
    prefixes = ("/v1/organization/",)

    def __init__(
        self,
        enterprise: Enterprise,
        activity: Activity,
        clock: Callable[[], datetime],
        secrets: Mapping[str, str],
    ) -> None:
        self.enterprise, self.activity = enterprise, activity
        self.api = OpenAIAdminApi(enterprise, activity, clock)
        self.key = secrets[SECRET_ENV]

    def restate(self, day: date, amount_usd: Decimal) -> None:
        self.api.restate(day, amount_usd)

    def handle(self, path: str, query: Query, headers: Mapping[str, str]) -> Response:
        presented = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if presented != self.key:
            message = f"Incorrect API key provided: {masked(presented)}. You can find your API key in your organization settings."
            return Response.json(ApiError(401, message).body(), 401)
        try:
            return Response.json(self.api.route(path, query))
        except ApiError as error:
            return Response.json(error.body(), error.status)

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        """Canonical totals over every usage kind; model requests only where the API counts them."""
        totals = empty_totals()
        usage = totals["usage"]
        cost = Decimal(0)
        for day in days(start, end, as_of):
            cost += sum((c.amount_usd for c in self.api.cost_lines(day, as_of)), Decimal(0))
            for r in self.activity.usage(day):
                usage["request_count"] += r.num_model_requests
                usage["input_tokens"] += r.input_tokens
                usage["cache_read_input_tokens"] += r.input_cached_tokens
                usage["cache_creation_input_tokens"] += r.input_cache_write_tokens
                usage["output_tokens"] += r.output_tokens
            for extra in self.api.extras.usage(day):
                usage["request_count"] += extra.metrics.get("num_model_requests", 0)
                usage["input_tokens"] += extra.metrics.get("input_tokens", 0)
        totals["invoiced_cost_usd"] = str(cost)
        return totals

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        return {}

    def environment(self, base_url: str) -> dict[str, str]:
        return {"OPENAI_BASE_URL": f"{base_url}/v1"}

    def declared_credentials(self) -> list[dict]:
        return [
            {
                "application_id": p.application_id,
                "provider": "openai",
                "kind": "project",
                "id": p.project_id,
            }
            for p in self.enterprise.projects
            if self.enterprise.application(p.application_id).declared
        ]

    corruptions = frozenset(CORRUPTIONS)

    def corrupt(self, day: date, faults: set[str] | None = None) -> None:
        self.api.corrupt(day, faults or {"cached_above_input"})

    def reset(self) -> None:
        self.api.reset()


def build(
    enterprise: Enterprise,
    activity: Activity,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str],
) -> OpenAIProvider:
    return OpenAIProvider(enterprise, activity, clock, secrets)
