"""Client for the OpenAI Administration API (an admin key, `sk-admin-...`, is required)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from connectors.errors import ConnectorError
from connectors.http import HttpSource

log = logging.getLogger("connectors.openai")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Every usage endpoint, grouped as finely as it allows, so nothing billed is missed.
USAGE_GROUP_BY = {
    "completions": ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier"),
    "embeddings": ("project_id", "user_id", "api_key_id", "model"),
    "moderations": ("project_id", "user_id", "api_key_id", "model"),
    "images": ("project_id", "user_id", "api_key_id", "model", "size", "source"),
    "audio_speeches": ("project_id", "user_id", "api_key_id", "model"),
    "audio_transcriptions": ("project_id", "user_id", "api_key_id", "model"),
    "vector_stores": ("project_id",),
    "code_interpreter_sessions": ("project_id",),
    "file_search_calls": ("project_id", "user_id", "api_key_id", "vector_store_id"),
    "web_search_calls": ("project_id", "user_id", "api_key_id", "model", "context_level"),
}
USAGE_KINDS = tuple(USAGE_GROUP_BY)
COSTS_GROUP_BY = ("project_id", "line_item", "api_key_id")
MAX_DAILY_BUCKETS = {"usage": 31, "costs": 180}
INVENTORY_PAGE_SIZE = 100


def to_unix(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("window bounds must be timezone-aware UTC datetimes")
    return int(moment.astimezone(UTC).timestamp())


def _text(value: Any) -> str | None:
    """Exact decimal text of a JSON number (decoded as Decimal), or None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class OpenAIAdminClient:
    """Reads usage, costs and inventory for one OpenAI organization.

    Every method is a generator of flat records (dicts) whose keys are the API's own field names;
    bucketed records carry `bucket_start_time` and `bucket_end_time` (unix seconds, UTC).
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        organization_id: str | None = None,
        source_id: str = "openai",
        **http_options: Any,
    ) -> None:
        if not api_key:
            raise ValueError(f"{source_id}: the OpenAI admin key is empty")
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        if organization_id:
            headers["OpenAI-Organization"] = organization_id
        self.source_id = source_id
        self.http = HttpSource(source_id, base_url, headers, secrets=[api_key], **http_options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OpenAIAdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _buckets(self, path: str, params: list[tuple[str, Any]]) -> Iterator[dict]:
        page: str | None = None
        pages = 0
        seen: set[int] = set()
        while True:
            body = self.http.get_json(path, params + ([("page", page)] if page else []))
            pages += 1
            for bucket in body.get("data") or []:
                if bucket["start_time"] in seen:
                    # A cursor that hands out a page twice may skip others too: trust none of it.
                    raise ConnectorError(
                        f"{self.source_id}: {path} page {pages} repeats the bucket starting "
                        f"{datetime.fromtimestamp(bucket['start_time'], UTC).isoformat()}; "
                        "nothing of this listing is landed, the next run pulls it again"
                    )
                seen.add(bucket["start_time"])
                for result in bucket.get("results") or []:
                    yield {
                        "bucket_start_time": bucket["start_time"],
                        "bucket_end_time": bucket["end_time"],
                        **{k: v for k, v in result.items() if k != "object"},
                    }
            page = body.get("next_page")
            if not body.get("has_more") or not page:
                break
        log.info("%s: %s read in %d page(s)", self.source_id, path, pages)

    def usage(self, kind: str, start: datetime, end: datetime) -> Iterator[dict]:
        """Daily usage buckets of one kind (a key of USAGE_GROUP_BY), grouped as finely as allowed."""
        if kind not in USAGE_KINDS:
            raise ValueError(f"unknown usage kind {kind!r}; expected one of {USAGE_KINDS}")
        params: list[tuple[str, Any]] = [
            ("start_time", to_unix(start)),
            ("end_time", to_unix(end)),
            ("bucket_width", "1d"),
            ("limit", MAX_DAILY_BUCKETS["usage"]),
        ]
        params += [("group_by", g) for g in USAGE_GROUP_BY[kind]]
        yield from self._buckets(f"organization/usage/{kind}", params)

    def costs(self, start: datetime, end: datetime) -> Iterator[dict]:
        """Daily cost buckets by project, line item and API key; amounts as exact decimal text."""
        params: list[tuple[str, Any]] = [
            ("start_time", to_unix(start)),
            ("end_time", to_unix(end)),
            ("bucket_width", "1d"),
            ("limit", MAX_DAILY_BUCKETS["costs"]),
        ]
        params += [("group_by", g) for g in COSTS_GROUP_BY]
        for record in self._buckets("organization/costs", params):
            amount = record.pop("amount", None) or {}
            record["amount_value"] = _text(amount.get("value"))
            record["amount_currency"] = amount.get("currency")
            # quantity and quantity_unit are newer fields: older responses lack them
            record["quantity"] = _text(record.get("quantity"))
            record.setdefault("quantity_unit", None)
            yield record

    def daily_cost_totals(self, start: datetime, end: datetime) -> dict[date, Decimal]:
        """The organization's billed dollars per UTC day, ungrouped: one cheap listing that tells
        which days changed since they were landed."""
        params: list[tuple[str, Any]] = [
            ("start_time", to_unix(start)),
            ("end_time", to_unix(end)),
            ("bucket_width", "1d"),
            ("limit", MAX_DAILY_BUCKETS["costs"]),
        ]
        totals: dict[date, Decimal] = {}
        for record in self._buckets("organization/costs", params):
            day = datetime.fromtimestamp(record["bucket_start_time"], UTC).date()
            value = (record.get("amount") or {}).get("value")
            totals[day] = totals.get(day, Decimal(0)) + Decimal(_text(value) or "0")
        return totals

    def _list(self, path: str, params: list[tuple[str, Any]] | None = None) -> Iterator[dict]:
        after: str | None = None
        while True:
            page_params = [*(params or []), ("limit", INVENTORY_PAGE_SIZE)] + (
                [("after", after)] if after else []
            )
            body = self.http.get_json(path, page_params)
            data = body.get("data") or []
            yield from data
            after = body.get("last_id") or (data[-1]["id"] if data else None)
            if not body.get("has_more") or not after:
                return

    def projects(self) -> Iterator[dict]:
        """Every project, archived ones included."""
        for project in self._list("organization/projects", [("include_archived", "true")]):
            yield {k: v for k, v in project.items() if k != "object"}

    def api_keys(self, project_id: str) -> Iterator[dict]:
        """API keys of one project, with the owner flattened (user or service account)."""
        for key in self._list(f"organization/projects/{project_id}/api_keys"):
            owner = key.get("owner") or {}
            user = owner.get("user") or {}
            account = owner.get("service_account") or {}
            yield {
                "id": key["id"],
                "project_id": project_id,
                "name": key.get("name"),
                "redacted_value": key.get("redacted_value"),
                "created_at": key.get("created_at"),
                "last_used_at": key.get("last_used_at"),
                "owner_project_access": key.get("owner_project_access"),
                "owner_type": owner.get("type"),
                "owner_user_id": user.get("id"),
                "owner_user_email": user.get("email"),
                "owner_service_account_id": account.get("id"),
                "owner_service_account_name": account.get("name"),
            }

    def service_accounts(self, project_id: str) -> Iterator[dict]:
        """Service accounts of one project (they own keys that no person owns)."""
        for account in self._list(f"organization/projects/{project_id}/service_accounts"):
            yield {"project_id": project_id, **{k: v for k, v in account.items() if k != "object"}}

    def users(self) -> Iterator[dict]:
        for user in self._list("organization/users"):
            yield {k: v for k, v in user.items() if k != "object"}
