"""Client for GitHub's Copilot REST endpoints (a token with `manage_billing:copilot` or `read:org`).

Seats page through the `Link` header. The usage-metrics reports answer with signed download links to
NDJSON files, fetched without the API token. Secondary rate limits (403 or 429 with `retry-after` or
an exhausted `x-ratelimit-remaining`) are retried after the advertised wait.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.http import json_document
from connectors.saas_http import SaasHttpSource

log = logging.getLogger("connectors.github_copilot")

DEFAULT_BASE_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
MAX_PER_PAGE = 100
NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
COUNTERS = (
    "user_initiated_interaction_count",
    "code_generation_activity_count",
    "code_acceptance_activity_count",
    "loc_suggested_to_add_sum",
    "loc_suggested_to_delete_sum",
    "loc_added_sum",
    "loc_deleted_sum",
)
USER_FLAGS = (
    "used_agent",
    "used_chat",
    "used_cli",
    "used_copilot_coding_agent",
    "used_copilot_code_review_active",
    "used_copilot_code_review_passive",
)
ORG_COUNTS = (
    "daily_active_users",
    "weekly_active_users",
    "monthly_active_users",
    "monthly_active_chat_users",
    "monthly_active_agent_users",
)
MONEY = ("pricePerUnit", "grossAmount", "discountAmount", "netAmount")
QUANTITIES = ("grossQuantity", "discountQuantity", "netQuantity")


def json_lines(content: bytes) -> list[Any]:
    """The records of an NDJSON file; a line that is not JSON (a cut-short file) is a ValueError."""
    records = []
    for number, line in enumerate(content.decode().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json_document(line))
        except ValueError as error:
            raise ValueError(f"line {number} of the report file: {error}") from None
    return records


def next_link(link_header: str | None) -> str | None:
    """The `rel="next"` URL of a `Link` header, or None on the last page."""
    match = NEXT_LINK.search(link_header or "")
    return match.group(1) if match else None


def exact(value: Any) -> str | None:
    """Exact decimal text of a JSON number (decoded as Decimal or int), or None."""
    if value is None:
        return None
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def flatten_seat(seat: dict) -> dict:
    assignee = seat.get("assignee") or {}
    team = seat.get("assigning_team") or {}
    return {
        "assignee_login": assignee.get("login") or assignee.get("slug"),
        "assignee_id": assignee.get("id"),
        "assignee_type": assignee.get("type") or ("Team" if "slug" in assignee else None),
        "assignee_email": assignee.get("email"),
        "assigning_team_id": team.get("id"),
        "assigning_team_slug": team.get("slug"),
        "plan_type": seat.get("plan_type"),
        "created_at": seat.get("created_at"),
        "updated_at": seat.get("updated_at"),
        "pending_cancellation_date": seat.get("pending_cancellation_date"),
        "last_activity_at": seat.get("last_activity_at"),
        "last_activity_editor": seat.get("last_activity_editor"),
        "last_authenticated_at": seat.get("last_authenticated_at"),
    }


def flatten_user_day(record: dict) -> dict:
    flat = {
        "day": record.get("day"),
        "user_id": record.get("user_id"),
        "user_login": record.get("user_login"),
        "organization_id": record.get("organization_id"),
        "enterprise_id": record.get("enterprise_id"),
        **{name: record.get(name) for name in COUNTERS + USER_FLAGS},
        "totals_by_ide_json": _json(record.get("totals_by_ide")),
        "totals_by_feature_json": _json(record.get("totals_by_feature")),
    }
    return flat


def model_feature_rows(record: dict, scope: dict) -> Iterator[dict]:
    """One row per model and feature of a daily record (`totals_by_model_feature`)."""
    for entry in record.get("totals_by_model_feature") or []:
        yield {
            **scope,
            "day": record.get("day"),
            "model": entry.get("model"),
            "feature": entry.get("feature"),
            "user_initiated_interaction_count": entry.get("user_initiated_interaction_count"),
            "code_generation_activity_count": entry.get("code_generation_activity_count"),
            "code_acceptance_activity_count": entry.get("code_acceptance_activity_count"),
        }


def flatten_org_day(record: dict) -> dict:
    pulls = record.get("pull_requests") or {}
    return {
        "day": record.get("day"),
        "organization_id": record.get("organization_id"),
        "enterprise_id": record.get("enterprise_id"),
        **{name: record.get(name) for name in ORG_COUNTS + COUNTERS},
        "pull_requests_total_created": pulls.get("total_created"),
        "pull_requests_total_merged": pulls.get("total_merged"),
        "totals_by_feature_json": _json(record.get("totals_by_feature")),
        "totals_by_model_feature_json": _json(record.get("totals_by_model_feature")),
    }


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str, sort_keys=True)


class GitHubCopilotClient:
    """Reads one organization's Copilot seats, daily usage-metrics reports and premium requests.

    Records are flat dicts with GitHub's own field names (nested objects flattened with
    underscores, nested lists kept as JSON text). Money stays exact decimal text in USD.
    """

    def __init__(
        self,
        token: str,
        organization: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        source_id: str = "github_copilot",
        per_page: int = MAX_PER_PAGE,
        api_version: str = API_VERSION,
        **http_options: Any,
    ) -> None:
        if not token:
            raise ValueError(f"{source_id}: the GitHub token is empty")
        if not organization:
            raise ValueError(
                f"{source_id}: no organization; set organization_id in the sources config"
            )
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": api_version,
        }
        self.source_id, self.organization, self.per_page = source_id, organization, per_page
        self.http = SaasHttpSource(source_id, base_url, headers, secrets=[token], **http_options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> GitHubCopilotClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def seats(self) -> Iterator[dict]:
        """Every seat of the organization, following `Link: rel="next"` to the last page."""
        url: str | None = f"orgs/{self.organization}/copilot/billing/seats"
        params: dict | None = {"per_page": self.per_page, "page": 1}
        pages = seen = 0
        total = None
        while url:
            response, body = self.http.exchange("GET", url, params=params, decode=json_document)
            total = body.get("total_seats", total)
            for seat in body.get("seats") or []:
                seen += 1
                yield flatten_seat(seat)
            pages += 1
            url, params = next_link(response.headers.get("Link")), None
        log.info("%s: %d seat(s) of %s read in %d page(s)", self.source_id, seen, total, pages)
        if total is not None and total != seen:
            log.warning(
                "%s: total_seats says %s but %d seat(s) were listed; seats changed while paging",
                self.source_id,
                total,
                seen,
            )

    def report_records(self, report: str, day: date) -> Iterator[dict]:
        """Records of one daily usage-metrics report (`users-1-day`, `organization-1-day`)."""
        path = f"orgs/{self.organization}/copilot/metrics/reports/{report}"
        body = self.http.json("GET", path, params={"day": day.isoformat()})
        links = body.get("download_links") or []
        count = 0
        for link in links:
            _, records = self.http.exchange("GET", link, authenticated=False, decode=json_lines)
            count += len(records)
            yield from records
        log.debug(
            "%s: %s report for %s: %d record(s) in %d file(s)",
            self.source_id,
            report,
            day,
            count,
            len(links),
        )

    def user_metrics(self, day: date) -> Iterator[dict]:
        """Per-user activity of one day, nested totals kept as JSON text."""
        for record in self.report_records("users-1-day", day):
            yield flatten_user_day(record)

    def user_model_feature_metrics(self, day: date) -> Iterator[dict]:
        """Per-user totals of one day by model and feature."""
        for record in self.report_records("users-1-day", day):
            scope = {"user_id": record.get("user_id"), "user_login": record.get("user_login")}
            yield from model_feature_rows(record, scope)

    def organization_metrics(self, day: date) -> Iterator[dict]:
        for record in self.report_records("organization-1-day", day):
            yield flatten_org_day(record)

    def premium_request_usage(self, day: date) -> Iterator[dict]:
        """Premium request usage of one day by product, SKU and model (USD, exact text)."""
        path = f"organizations/{self.organization}/settings/billing/premium_request/usage"
        params = {"year": day.year, "month": day.month, "day": day.day}
        body = self.http.json("GET", path, params=params)
        for item in body.get("usageItems") or []:
            row = {k: v for k, v in item.items() if k not in MONEY + QUANTITIES}
            row.update({name: exact(item.get(name)) for name in MONEY + QUANTITIES})
            yield {"date": day.isoformat(), "organization": body.get("organization"), **row}
