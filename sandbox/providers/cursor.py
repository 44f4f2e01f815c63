"""Cursor Admin API in the sandbox, under `/cursor`: team members, daily usage, usage events, spend.

HTTP Basic auth with the API key as username and an empty password. Daily usage (`POST
/teams/daily-usage-data`) takes `startDate`/`endDate` in epoch milliseconds, refuses ranges over 30
days, and returns one row per seat holder per day (`isActive` false on idle days), paged with
`page`/`pageSize`. Usage events page with `pagination.hasNextPage`; their `timestamp` is epoch ms as a
string and money is float cents. Spend covers the current calendar-month cycle only, in integer cents.
Seat holders and their activity come from `sandbox.saas_seats`.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path

from connectors.sandbox_keys import SANDBOX_KEYS
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise, Person, stable_int
from sandbox.ground_truth import empty_totals
from sandbox.providers import Response
from sandbox.saas_seats import SaasSeats, day_start, seats_for

TOOL = "cursor"
PREFIX = "/cursor/"
SECRET_ENV = "CURSOR_API_KEY"
DEFAULT_SECRET = SANDBOX_KEYS[SECRET_ENV]
DAY_MS = 86_400_000
MAX_RANGE_MS = 30 * DAY_MS
EVENTS_DEFAULT_PAGE, EVENTS_MAX_PAGE = 10, 100
USAGE_MAX_PAGE = 500
MODELS = ("claude-4.5-sonnet", "gpt-5", "auto", "claude-4.1-opus")
# model -> cents per 1K input and output tokens (float cents as the API sends them)
CENTS_PER_KTOK = {
    "claude-4.5-sonnet": (Decimal("0.3"), Decimal("1.5")),
    "gpt-5": (Decimal("0.125"), Decimal("1.0")),
    "auto": (Decimal("0.1"), Decimal("0.4")),
    "claude-4.1-opus": (Decimal("1.5"), Decimal("7.5")),
}


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def day_of_millis(value: int) -> date:
    return datetime.fromtimestamp(value / 1000, UTC).date()


def cursor_error(status: int, message: str) -> Response:
    return Response.json({"error": message}, status)


class CursorProvider:
    name = TOOL
    prefixes = (PREFIX,)

    def __init__(
        self,
        enterprise: Enterprise,
        activity: Activity,
        clock: Callable[[], datetime],
        secrets: Mapping[str, str],
    ) -> None:
        self.enterprise, self.clock = enterprise, clock
        self.seed = enterprise.seed
        self.seats: SaasSeats = seats_for(enterprise)
        self.key = secrets.get(SECRET_ENV) or os.environ.get(SECRET_ENV) or DEFAULT_SECRET
        # paging re-asks for the same days: compute each person-day and each range once
        self._events = lru_cache(maxsize=100_000)(self._person_day_events)
        self.events_between = lru_cache(maxsize=64)(self._events_between)

    # ---- what the team did -------------------------------------------------------------------

    def members(self, day: date) -> list[Person]:
        return self.seats.seat_holders(TOOL, day)

    def role(self, person: Person) -> str:
        return "owner" if person == self.seats.holders[TOOL][0] else "member"

    def usage_row(self, person: Person, day: date) -> dict:
        active = self.seats.active(TOOL, person, day)

        def n(label: str, top: int) -> int:
            if not active:
                return 0
            return 1 + stable_int(self.seed, "cursor", label, person.person_id, day) % top

        events = self.events(person, day)
        return {
            "date": millis(day_start(day)),
            "email": person.email,
            "isActive": active,
            "totalLinesAdded": n("added", 900),
            "totalLinesDeleted": n("deleted", 300),
            "acceptedLinesAdded": n("acc-added", 400),
            "acceptedLinesDeleted": n("acc-deleted", 100),
            "totalApplies": n("applies", 40),
            "totalAccepts": n("accepts", 30),
            "totalRejects": n("rejects", 10),
            "totalTabsShown": n("tabs", 300),
            "totalTabsAccepted": n("tabs-acc", 120),
            "composerRequests": n("composer", 20),
            "chatRequests": n("chat", 25),
            "agentRequests": n("agent", 30),
            "cmdkUsages": n("cmdk", 12),
            "subscriptionIncludedReqs": sum(1 for e in events if e["kind"] != "Usage-based"),
            "apiKeyReqs": 0,
            "usageBasedReqs": sum(1 for e in events if e["kind"] == "Usage-based"),
            "bugbotUsages": 0,
            "mostUsedModel": events[0]["model"] if events else None,
            "applyMostUsedExtension": ".py" if active else None,
            "tabMostUsedExtension": ".ts" if active else None,
            "clientVersion": "1.7.28" if active else None,
        }

    def events(self, person: Person, day: date) -> list[dict]:
        return self._events(person.person_id, day)

    def _person_day_events(self, person_id: str, day: date) -> list[dict]:
        person = self.enterprise.person(person_id)
        if not self.seats.active(TOOL, person, day):
            return []
        count = 1 + stable_int(self.seed, "cursor-events", person.person_id, day) % 4
        events = []
        for k in range(count):

            def n(label: str, top: int, k: int = k) -> int:
                return stable_int(self.seed, "cursor-ev", label, person.person_id, day, k) % top

            model = MODELS[n("model", len(MODELS))]
            input_tokens, output_tokens = 500 + n("in", 8000), 100 + n("out", 2000)
            cache_write, cache_read = n("cw", 9000), n("cr", 40000)
            price_in, price_out = CENTS_PER_KTOK[model]
            cents = (
                (input_tokens + cache_write) * price_in + output_tokens * price_out
            ) / 1000 + cache_read * price_in / 10_000
            usage_based = n("kind", 3) == 0
            at = day_start(day) + timedelta(seconds=n("second", 86_400), milliseconds=n("ms", 1000))
            events.append(
                {
                    "timestamp": str(millis(at)),
                    "model": model,
                    "kind": "Usage-based" if usage_based else "Included in Business",
                    "maxMode": model == "claude-4.1-opus",
                    "requestsCosts": 1 + n("reqcost", 3),
                    "isTokenBasedCall": True,
                    "tokenUsage": {
                        "inputTokens": input_tokens,
                        "outputTokens": output_tokens,
                        "cacheWriteTokens": cache_write,
                        "cacheReadTokens": cache_read,
                        "totalCents": cents.quantize(Decimal("0.0001"), ROUND_HALF_EVEN),
                    },
                    "cursorTokenFee": (cents * Decimal("0.05")).quantize(
                        Decimal("0.01"), ROUND_HALF_EVEN
                    ),
                    "isFreeBugbot": False,
                    "userEmail": person.email,
                }
            )
        return sorted(events, key=lambda e: e["timestamp"])

    def _events_between(self, start_ms: int, end_ms: int) -> list[dict]:
        first, last = day_of_millis(start_ms), day_of_millis(end_ms)
        found = []
        day = first
        while day <= last:
            for person in self.seats.holders[TOOL]:
                found.extend(
                    e for e in self.events(person, day) if start_ms <= int(e["timestamp"]) <= end_ms
                )
            day += timedelta(days=1)
        return sorted(found, key=lambda e: (e["timestamp"], e["userEmail"]))

    def event_cents(self, event: dict) -> Decimal:
        return event["tokenUsage"]["totalCents"] + event["cursorTokenFee"]

    def spend_cents(self, person: Person, now: datetime) -> int:
        """Usage-based spend of the current cycle (the calendar month so far), integer cents."""
        start = now.date().replace(day=1)
        total = Decimal(0)
        day = start
        while day < now.date():
            total += sum(
                (
                    self.event_cents(e)
                    for e in self.events(person, day)
                    if e["kind"] == "Usage-based"
                ),
                Decimal(0),
            )
            day += timedelta(days=1)
        return int(total.quantize(Decimal(1), ROUND_HALF_EVEN))

    # ---- HTTP --------------------------------------------------------------------------------

    def authorized(self, headers: Mapping[str, str]) -> bool:
        scheme, _, encoded = (headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, _password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return bool(self.key) and user == self.key

    def handle(self, path: str, query, headers: Mapping[str, str]) -> Response:
        if not self.authorized(headers):
            return cursor_error(401, "Unauthorized: invalid API key")
        if path == f"{PREFIX}teams/members":
            members = self.members(self.clock().date())
            body = {
                "teamMembers": [
                    {"name": p.name, "email": p.email, "role": self.role(p)} for p in members
                ]
            }
            return Response.json(body)
        return cursor_error(404, f"Unknown path {path}")

    def handle_post(self, path: str, query, headers: Mapping[str, str], raw: bytes) -> Response:
        if not self.authorized(headers):
            return cursor_error(401, "Unauthorized: invalid API key")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return cursor_error(400, "Request body must be JSON")
        routes = {
            f"{PREFIX}teams/daily-usage-data": self.daily_usage,
            f"{PREFIX}teams/filtered-usage-events": self.usage_events,
            f"{PREFIX}teams/spend": self.spend,
        }
        route = routes.get(path)
        if route is None:
            return cursor_error(404, f"Unknown path {path}")
        try:
            return Response(200, json.dumps(route(body), default=_number), {})
        except (KeyError, TypeError, ValueError) as error:
            return cursor_error(400, f"Invalid request: {error}")

    def _range(self, body: dict) -> tuple[int, int]:
        start, end = int(body["startDate"]), int(body["endDate"])
        if end < start:
            raise ValueError("endDate must not be before startDate")
        return start, end

    def daily_usage(self, body: dict) -> dict:
        start, end = self._range(body)
        if end - start > MAX_RANGE_MS:
            raise ValueError("date range cannot exceed 30 days")
        today = self.clock().date()
        rows = []
        day = day_of_millis(start)
        while day <= day_of_millis(end) and day < today:
            if start <= millis(day_start(day)) <= end:
                rows.extend(self.usage_row(p, day) for p in self.members(day))
            day += timedelta(days=1)
        page, size = int(body.get("page", 1)), int(body.get("pageSize", len(rows) or 1))
        if not 1 <= size <= USAGE_MAX_PAGE and "pageSize" in body:
            raise ValueError(f"pageSize must be between 1 and {USAGE_MAX_PAGE}")
        return {
            "data": rows[(page - 1) * size : page * size],
            "period": {"startDate": start, "endDate": end},
        }

    def usage_events(self, body: dict) -> dict:
        start, end = self._range(body)
        end = min(end, millis(day_start(self.clock().date())) - 1)
        events = self.events_between(start, end) if end >= start else []
        if body.get("email"):
            events = [e for e in events if e["userEmail"] == body["email"]]
        page = int(body.get("page", 1))
        size = int(body.get("pageSize", EVENTS_DEFAULT_PAGE))
        if not 1 <= size <= EVENTS_MAX_PAGE:
            raise ValueError(f"pageSize must be between 1 and {EVENTS_MAX_PAGE}")
        pages = max(1, -(-len(events) // size))
        return {
            "totalUsageEventsCount": len(events),
            "pagination": {
                "numPages": pages,
                "currentPage": page,
                "pageSize": size,
                "hasNextPage": page < pages,
                "hasPreviousPage": page > 1,
            },
            "usageEvents": events[(page - 1) * size : page * size],
            "period": {"startDate": start, "endDate": end},
        }

    def spend(self, body: dict) -> dict:
        now = self.clock()
        members = self.members(now.date())
        page, size = int(body.get("page", 1)), int(body.get("pageSize", 50))
        rows = [
            {
                "spendCents": self.spend_cents(p, now),
                "fastPremiumRequests": stable_int(self.seed, "cursor-fast", p.person_id) % 500,
                "name": p.name,
                "email": p.email,
                "role": self.role(p),
                "hardLimitOverrideDollars": 0,
            }
            for p in members
        ]
        return {
            "teamMemberSpend": rows[(page - 1) * size : page * size],
            "subscriptionCycleStart": millis(day_start(now.date().replace(day=1))),
            "totalMembers": len(rows),
            "totalPages": max(1, -(-len(rows) // size)),
        }

    # ---- provider protocol -------------------------------------------------------------------

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        return empty_totals()  # seats and activity do not feed the token usage marts

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        return {}

    def environment(self, base_url: str) -> dict[str, str]:
        return {"CURSOR_BASE_URL": f"{base_url}/cursor"}

    def declared_credentials(self) -> list[dict]:
        return []

    def corrupt(self, day: date) -> None:
        pass

    def reset(self) -> None:
        pass


def _number(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def build(
    enterprise: Enterprise,
    activity: Activity,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str],
) -> CursorProvider:
    return CursorProvider(enterprise, activity, clock, secrets)
