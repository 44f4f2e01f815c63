"""The Cursor connector over real HTTP against the sandbox (members, daily usage split into 30-day
requests, usage events to the last page, spend), rate limits, bad keys, empty windows, and the
documented event shape on a mock transport."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from connectors.cursor.client import CursorAdminClient, windows
from connectors.errors import SourceRequestError
from tests.conftest import TEST_SECRETS

KEY = TEST_SECRETS["CURSOR_API_KEY"]
AS_OF = datetime(2026, 9, 21, 6, tzinfo=UTC)
START, END = datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 9, 21, tzinfo=UTC)  # 51 days


@pytest.fixture
def cursor(sandbox):
    sandbox.state.as_of = AS_OF
    return sandbox, sandbox.state.provider("cursor")


def client_for(server, key: str = KEY, **options) -> CursorAdminClient:
    options = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 4, **options}
    return CursorAdminClient(key, f"{server.url}/cursor", **options)


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


def days(start: datetime, end: datetime):
    return [(start + timedelta(days=n)).date() for n in range((end - start).days)]


def test_members_are_the_seat_holders(cursor):
    server, provider = cursor
    with client_for(server) as client:
        members = list(client.members())
    holders = provider.seats.seat_holders("cursor", AS_OF.date())
    assert sorted(m["email"] for m in members) == sorted(p.email for p in holders)
    assert [m["role"] for m in members].count("owner") == 1


def test_daily_usage_over_51_days_is_split_into_30_day_requests(cursor, caplog):
    server, provider = cursor
    caplog.set_level(logging.INFO, logger="connectors.cursor")
    with client_for(server, usage_page_size=500) as client:
        rows = list(client.daily_usage(START, END))
    expected = sum(len(provider.members(day)) for day in days(START, END))
    assert len(rows) == expected
    active = {(r["email"], r["date"]) for r in rows if r["isActive"]}
    truth = {
        (p.email, int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() * 1000))
        for d in days(START, END)
        for p in provider.seats.active_people("cursor", d)
    }
    assert active == truth
    # a 30-day and a 21-day request, each paged by 500 rows until a short page
    first = sum(len(provider.members(d)) for d in days(START, START + timedelta(days=30)))
    requests = first // 500 + 1 + (expected - first) // 500 + 1
    assert requests >= 4
    assert f"daily usage read in {requests} request(s)" in caplog.text
    # the sandbox refuses a longer range outright
    basic = base64.b64encode(f"{KEY}:".encode()).decode()
    refused = httpx.post(
        f"{server.url}/cursor/teams/daily-usage-data",
        json={"startDate": 1785542400000, "endDate": 1785542400000 + 31 * 86_400_000},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert refused.status_code == 400


def test_windows_never_exceed_30_days():
    spans = windows(START, END)
    assert len(spans) == 2
    assert all(end - start < 30 * 86_400_000 for start, end in spans)
    assert spans[0][1] + 1 == spans[1][0]
    assert spans[-1][1] + 1 == int(END.timestamp() * 1000)


def test_usage_events_page_to_the_last_page_with_exact_cents(cursor):
    server, provider = cursor
    start, end = datetime(2026, 9, 14, tzinfo=UTC), datetime(2026, 9, 21, tzinfo=UTC)
    with client_for(server, events_page_size=100) as client:
        events = list(client.usage_events(start, end))
    truth = provider.events_between(int(start.timestamp() * 1000), int(end.timestamp() * 1000) - 1)
    assert len(events) == len(truth) > 300  # several pages
    assert sum(Decimal(e["totalCents"]) + Decimal(e["cursorTokenFee"]) for e in events) == sum(
        provider.event_cents(e) for e in truth
    )
    assert all(isinstance(e["timestamp"], str) for e in events)
    assert {e["kind"] for e in events} == {"Usage-based", "Included in Business"}


def test_spend_is_current_cycle_cents(cursor):
    server, provider = cursor
    with client_for(server) as client:
        spend = list(client.spend())
    holders = provider.seats.seat_holders("cursor", AS_OF.date())
    assert len(spend) == len(holders)
    by_email = {row["email"]: row for row in spend}
    person = holders[5]
    assert by_email[person.email]["spendCents"] == str(provider.spend_cents(person, AS_OF))
    assert {row["subscriptionCycleStart"] for row in spend} == {
        int(datetime(2026, 9, 1, tzinfo=UTC).timestamp() * 1000)
    }


def test_rate_limit_then_success(cursor):
    server, provider = cursor
    add_fault(server, path="/cursor/teams/daily-usage-data", status=429, times=2, retry_after=0)
    with client_for(server) as client:
        rows = list(client.daily_usage(datetime(2026, 9, 10, tzinfo=UTC), END))
    assert len(rows) == sum(
        len(provider.members(d)) for d in days(datetime(2026, 9, 10, tzinfo=UTC), END)
    )


def test_wrong_key_is_a_clear_error_without_the_key(cursor):
    server, _ = cursor
    wrong = "key_WRONG9f8e7d6c5b4a-secret"
    with client_for(server, key=wrong) as client, pytest.raises(SourceRequestError) as error:
        list(client.members())
    message = str(error.value)
    assert error.value.status == 401 and message.startswith("cursor:")
    assert "invalid API key" in message
    assert wrong not in message
    assert base64.b64encode(f"{wrong}:".encode()).decode() not in message


def test_an_empty_window_yields_nothing(cursor):
    server, _ = cursor
    before = datetime(2025, 6, 1, tzinfo=UTC)
    with client_for(server) as client:
        assert list(client.usage_events(before, before + timedelta(days=3))) == []
        rows = list(client.daily_usage(before, before + timedelta(days=3)))
    assert all(not r["isActive"] for r in rows)


DOC_EVENTS = {
    "usageEvents": [
        {
            "timestamp": "1772540125854",
            "model": "claude-4.5-sonnet",
            "kind": "Usage-based",
            "maxMode": False,
            "requestsCosts": 2,
            "isTokenBasedCall": True,
            "tokenUsage": {
                "inputTokens": 1203,
                "outputTokens": 655,
                "cacheWriteTokens": 8120,
                "cacheReadTokens": 40210,
                "totalCents": 7.3411,
            },
            "cursorTokenFee": 0.42,
            "isFreeBugbot": False,
            "userEmail": "dev1@example.com",
        },
        {
            "timestamp": "1772540125999",
            "model": "auto",
            "kind": "Included in Business",
            "userEmail": "dev2@example.com",
        },
    ],
    "totalUsageEventsCount": 2,
    "pagination": {
        "numPages": 1,
        "currentPage": 1,
        "pageSize": 25,
        "hasNextPage": False,
        "hasPreviousPage": False,
    },
    "period": {"startDate": 1772409600000, "endDate": 1772496000000},
}


def test_documented_event_shape_and_basic_auth():
    def handler(request: httpx.Request) -> httpx.Response:
        assert (
            request.headers["Authorization"]
            == "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
        )
        body = json.loads(request.content)
        assert body["startDate"] == 1772409600000 and body["endDate"] == 1772496000000 - 1
        return httpx.Response(200, json=DOC_EVENTS)

    client = CursorAdminClient(
        KEY, "https://api.cursor.test", transport=httpx.MockTransport(handler)
    )
    with client:
        first, second = list(
            client.usage_events(
                datetime.fromtimestamp(1772409600, UTC), datetime.fromtimestamp(1772496000, UTC)
            )
        )
    assert first["totalCents"] == "7.3411" and first["cursorTokenFee"] == "0.42"
    assert first["cacheReadTokens"] == 40210 and first["timestamp"] == "1772540125854"
    assert second["totalCents"] is None and second["inputTokens"] is None
