"""Client for the Cursor Admin API (HTTP Basic auth: the API key as username, empty password).

Daily usage answers at most 30 days per request, so longer windows are split. Dates go out as epoch
milliseconds; usage-event timestamps come back as epoch milliseconds in a string; money is cents
(integer for spend, float for token usage), kept as exact decimal text.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from connectors.saas_http import SaasHttpSource

log = logging.getLogger("connectors.cursor")

DEFAULT_BASE_URL = "https://api.cursor.com"
MAX_RANGE = timedelta(days=30)
USAGE_PAGE_SIZE = 500
EVENTS_PAGE_SIZE = 100
SPEND_PAGE_SIZE = 100
TOKEN_FIELDS = ("inputTokens", "outputTokens", "cacheWriteTokens", "cacheReadTokens")


def epoch_millis(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("window bounds must be timezone-aware UTC datetimes")
    return int(moment.astimezone(UTC).timestamp() * 1000)


def windows(start: datetime, end: datetime, span: timedelta = MAX_RANGE) -> list[tuple[int, int]]:
    """[start, end) as inclusive (startDate, endDate) millisecond ranges of at most `span` each."""
    ranges = []
    cursor = start
    while cursor < end:
        stop = min(cursor + span, end)
        ranges.append((epoch_millis(cursor), epoch_millis(stop) - 1))
        cursor = stop
    return ranges


def exact(value: Any) -> str | None:
    if value is None:
        return None
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def flatten_event(event: dict) -> dict:
    tokens = event.get("tokenUsage") or {}
    flat = {k: v for k, v in event.items() if k != "tokenUsage"}
    for name in TOKEN_FIELDS:
        flat[name] = tokens.get(name)
    flat["totalCents"] = exact(tokens.get("totalCents"))
    flat["cursorTokenFee"] = exact(event.get("cursorTokenFee"))
    flat["requestsCosts"] = exact(event.get("requestsCosts"))
    flat["timestamp"] = None if event.get("timestamp") is None else str(event["timestamp"])
    return flat


class CursorAdminClient:
    """Reads one Cursor team's members, daily usage, usage events and current-cycle spend."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        source_id: str = "cursor",
        usage_page_size: int = USAGE_PAGE_SIZE,
        events_page_size: int = EVENTS_PAGE_SIZE,
        **http_options: Any,
    ) -> None:
        if not api_key:
            raise ValueError(f"{source_id}: the Cursor API key is empty")
        basic = base64.b64encode(f"{api_key}:".encode()).decode()
        headers = {"Authorization": f"Basic {basic}", "Accept": "application/json"}
        self.source_id = source_id
        self.usage_page_size, self.events_page_size = usage_page_size, events_page_size
        self.http = SaasHttpSource(
            source_id, base_url, headers, secrets=[api_key, basic], **http_options
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> CursorAdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def members(self) -> Iterator[dict]:
        body = self.http.json("GET", "teams/members")
        for member in body.get("teamMembers") or []:
            yield {
                "name": member.get("name"),
                "email": member.get("email"),
                "role": member.get("role"),
            }

    def daily_usage(self, start: datetime, end: datetime) -> Iterator[dict]:
        """One row per member and day in [start, end), in requests of at most 30 days."""
        requests = 0
        for start_ms, end_ms in windows(start, end):
            page = 1
            while True:
                body = self.http.json(
                    "POST",
                    "teams/daily-usage-data",
                    json_body={
                        "startDate": start_ms,
                        "endDate": end_ms,
                        "page": page,
                        "pageSize": self.usage_page_size,
                    },
                )
                requests += 1
                rows = body.get("data") or []
                yield from rows
                if len(rows) < self.usage_page_size:
                    break
                page += 1
        log.info("%s: daily usage read in %d request(s)", self.source_id, requests)

    def usage_events(self, start: datetime, end: datetime) -> Iterator[dict]:
        """Every usage event in [start, end), flattened, money as exact cents text."""
        page, pages = 1, 0
        while True:
            body = self.http.json(
                "POST",
                "teams/filtered-usage-events",
                json_body={
                    "startDate": epoch_millis(start),
                    "endDate": epoch_millis(end) - 1,
                    "page": page,
                    "pageSize": self.events_page_size,
                },
            )
            pages += 1
            for event in body.get("usageEvents") or []:
                yield flatten_event(event)
            if not (body.get("pagination") or {}).get("hasNextPage"):
                break
            page += 1
        log.info("%s: usage events read in %d page(s)", self.source_id, pages)

    def spend(self) -> Iterator[dict]:
        """Current-cycle spend per member (cents), with the cycle start (epoch ms)."""
        page = 1
        while True:
            body = self.http.json(
                "POST", "teams/spend", json_body={"page": page, "pageSize": SPEND_PAGE_SIZE}
            )
            for row in body.get("teamMemberSpend") or []:
                yield {
                    **row,
                    "spendCents": exact(row.get("spendCents")),
                    "hardLimitOverrideDollars": exact(row.get("hardLimitOverrideDollars")),
                    "subscriptionCycleStart": body.get("subscriptionCycleStart"),
                }
            if page >= int(body.get("totalPages") or 1):
                break
            page += 1
