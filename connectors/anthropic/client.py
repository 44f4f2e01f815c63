"""Client for the Anthropic Admin API (an admin key, `sk-ant-admin...`, is required)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from connectors.http import HttpSource

log = logging.getLogger("connectors.anthropic")

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
# Grouped as finely as each report allows, so nothing billed is missed.
MESSAGES_GROUP_BY = ("api_key_id", "workspace_id", "model", "service_tier", "context_window")
COST_GROUP_BY = ("workspace_id", "description")
MAX_DAILY_BUCKETS = 31  # both reports, bucket_width=1d
MAX_PAGE_SIZE = 1000  # Claude Code report and inventory lists
TOOL_ACTIONS = ("edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool")


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("window bounds must be timezone-aware UTC datetimes")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str | None:
    """Exact decimal text of a JSON number (decoded as Decimal) or string, or None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _flatten_usage(row: dict) -> dict:
    """A messages usage row with cache_creation and server_tool_use spread into scalar fields."""
    flat = {k: v for k, v in row.items() if k not in ("cache_creation", "server_tool_use")}
    cache = row.get("cache_creation") or {}
    tools = row.get("server_tool_use") or {}
    flat["cache_creation_ephemeral_5m_input_tokens"] = cache.get("ephemeral_5m_input_tokens")
    flat["cache_creation_ephemeral_1h_input_tokens"] = cache.get("ephemeral_1h_input_tokens")
    flat["server_tool_use_web_search_requests"] = tools.get("web_search_requests")
    return flat


def _flatten_claude_code(record: dict) -> Iterator[dict]:
    """One record per model of a Claude Code day record; actor-level fields repeat on each."""
    actor = record.get("actor") or {}
    core = record.get("core_metrics") or {}
    lines = core.get("lines_of_code") or {}
    tools = record.get("tool_actions") or {}
    base = {
        "date": record.get("date"),
        "organization_id": record.get("organization_id"),
        "customer_type": record.get("customer_type"),
        "subscription_type": record.get("subscription_type"),
        "terminal_type": record.get("terminal_type"),
        "actor_type": actor.get("type"),
        "actor_email_address": actor.get("email_address"),
        "actor_api_key_name": actor.get("api_key_name"),
        "num_sessions": core.get("num_sessions"),
        "lines_added": lines.get("added"),
        "lines_removed": lines.get("removed"),
        "commits_by_claude_code": core.get("commits_by_claude_code"),
        "pull_requests_by_claude_code": core.get("pull_requests_by_claude_code"),
    }
    for tool in TOOL_ACTIONS:
        counts = tools.get(tool) or {}
        base[f"{tool}_accepted"] = counts.get("accepted")
        base[f"{tool}_rejected"] = counts.get("rejected")
    breakdown = record.get("model_breakdown") or [{}]
    for position, entry in enumerate(breakdown):
        tokens = entry.get("tokens") or {}
        cost = entry.get("estimated_cost") or {}
        yield {
            **base,
            "model_position": position,
            "model": entry.get("model"),
            "input_tokens": tokens.get("input"),
            "output_tokens": tokens.get("output"),
            "cache_read_tokens": tokens.get("cache_read"),
            "cache_creation_tokens": tokens.get("cache_creation"),
            "estimated_cost_amount": _text(cost.get("amount")),
            "estimated_cost_currency": cost.get("currency"),
        }


class AnthropicAdminClient:
    """Reads usage, cost, Claude Code usage and inventory for one Anthropic organization.

    Every method is a generator of flat records (dicts) keyed by the API's own field names; report
    records carry their bucket's `starting_at` and `ending_at` (RFC 3339 text, UTC). Money stays
    the exact text the API sent: cost amounts and Claude Code estimates are in cents.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        source_id: str = "anthropic",
        page_size: int = MAX_PAGE_SIZE,
        **http_options: Any,
    ) -> None:
        if not api_key:
            raise ValueError(f"{source_id}: the Anthropic admin key is empty")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        headers = {
            "x-api-key": api_key,
            "anthropic-version": API_VERSION,
            "Accept": "application/json",
        }
        self.source_id = source_id
        self.page_size = page_size
        self.http = HttpSource(source_id, base_url, headers, secrets=[api_key], **http_options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> AnthropicAdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pages(
        self, path: str, params: list[tuple[str, Any]], level: int = logging.INFO
    ) -> Iterator[dict]:
        """Every page of a report, following `next_page` while `has_more`; a line at `level`."""
        page: str | None = None
        pages = 0
        while True:
            body = self.http.get_json(path, params + ([("page", page)] if page else []))
            pages += 1
            yield body
            page = body.get("next_page")
            if not body.get("has_more") or not page:
                break
        log.log(level, "%s: %s read in %d page(s)", self.source_id, path, pages)

    def _buckets(self, path: str, params: list[tuple[str, Any]]) -> Iterator[dict]:
        for body in self._pages(path, params):
            for bucket in body.get("data") or []:
                for result in bucket.get("results") or []:
                    yield {
                        "starting_at": bucket["starting_at"],
                        "ending_at": bucket["ending_at"],
                        **result,
                    }

    def _report_params(self, start: datetime, end: datetime, group_by: tuple[str, ...]) -> list:
        return [
            ("starting_at", rfc3339(start)),
            ("ending_at", rfc3339(end)),
            ("bucket_width", "1d"),
            ("limit", MAX_DAILY_BUCKETS),
            *[("group_by[]", g) for g in group_by],
        ]

    def usage_messages(self, start: datetime, end: datetime) -> Iterator[dict]:
        """Daily Messages usage by key, workspace, model, service tier and context window."""
        params = self._report_params(start, end, MESSAGES_GROUP_BY)
        for row in self._buckets("v1/organizations/usage_report/messages", params):
            yield _flatten_usage(row)

    def costs(self, start: datetime, end: datetime) -> Iterator[dict]:
        """Daily cost by workspace and description; `amount` is cents as exact decimal text."""
        params = self._report_params(start, end, COST_GROUP_BY)
        for row in self._buckets("v1/organizations/cost_report", params):
            row["amount"] = _text(row.get("amount"))
            yield row

    def daily_cost_totals(self, start: datetime, end: datetime) -> dict[date, Decimal]:
        """The organization's cost in cents per UTC day, ungrouped: one cheap listing that tells
        which days changed since they were landed."""
        totals: dict[date, Decimal] = {}
        for row in self._buckets(
            "v1/organizations/cost_report", self._report_params(start, end, ())
        ):
            day = datetime.fromisoformat(row["starting_at"].replace("Z", "+00:00")).date()
            totals[day] = totals.get(day, Decimal(0)) + Decimal(_text(row.get("amount")) or "0")
        return totals

    def claude_code_usage(self, day: date) -> Iterator[dict]:
        """Claude Code usage of one UTC day, one record per actor and model."""
        params: list[tuple[str, Any]] = [
            ("starting_at", day.isoformat()),
            ("limit", self.page_size),
        ]
        # asked once per day: its line is detail, the ingest logs the window's total
        path = "v1/organizations/usage_report/claude_code"
        for body in self._pages(path, params, level=logging.DEBUG):
            for record in body.get("data") or []:
                yield from _flatten_claude_code(record)

    def _list(self, path: str, params: list[tuple[str, Any]] | None = None) -> Iterator[dict]:
        after: str | None = None
        while True:
            page_params = [*(params or []), ("limit", self.page_size)]
            if after:
                page_params.append(("after_id", after))
            body = self.http.get_json(path, page_params)
            data = body.get("data") or []
            for item in data:
                yield {k: v for k, v in item.items() if k != "type"}
            after = body.get("last_id") or (data[-1]["id"] if data else None)
            if not body.get("has_more") or not after:
                return

    def workspaces(self) -> Iterator[dict]:
        """Every workspace, archived ones included (the default workspace is not listed)."""
        yield from self._list("v1/organizations/workspaces", [("include_archived", "true")])

    def users(self) -> Iterator[dict]:
        yield from self._list("v1/organizations/users")

    def api_keys(self) -> Iterator[dict]:
        """Every API key with its creator and scope flattened; the key itself is never sent."""
        for key in self._list("v1/organizations/api_keys"):
            created_by = key.pop("created_by", None) or {}
            scope = key.pop("scope", None) or {}
            yield {
                **key,
                "created_by_id": created_by.get("id"),
                "created_by_type": created_by.get("type"),
                "scope_type": scope.get("type"),
                "workspace_id": scope.get("workspace_id") or key.get("workspace_id"),
            }
