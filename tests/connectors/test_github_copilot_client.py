"""The GitHub Copilot connector over real HTTP against the sandbox (seats to the last `Link` page,
report files fetched without the token, premium requests, rate limits, bad credentials, empty days),
and the documented payload shapes on a mock transport."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from connectors.errors import SourceRequestError
from connectors.github_copilot.client import GitHubCopilotClient, flatten_seat, next_link
from tests.conftest import TEST_SECRETS

TOKEN = TEST_SECRETS["GITHUB_TOKEN"]
ORG = "example-corp"
AS_OF = datetime(2026, 9, 21, 6, tzinfo=UTC)
DAY = date(2026, 9, 18)  # a Friday


@pytest.fixture
def copilot(sandbox):
    sandbox.state.as_of = AS_OF
    return sandbox, sandbox.state.provider("github_copilot")


def client_for(server, token: str = TOKEN, **options) -> GitHubCopilotClient:
    options = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 4, **options}
    return GitHubCopilotClient(token, ORG, server.url, **options)


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


def test_seats_page_to_the_last_link_and_match_the_holders(copilot, caplog):
    server, provider = copilot
    caplog.set_level(logging.INFO, logger="connectors.github_copilot")
    with client_for(server, per_page=50) as client:
        seats = list(client.seats())
    holders = provider.seats.seat_holders("github_copilot", AS_OF.date())
    assert len(seats) == len(holders) == 792
    assert {s["assignee_email"] for s in seats} == {p.email for p in holders}
    assert len({s["assignee_login"] for s in seats}) == len(seats)
    assert "read in 16 page(s)" in caplog.text
    # planted: idle holders who never used the seat have no last activity at all
    never = [
        p
        for p in provider.seats.idle["github_copilot"]
        if provider.seats.last_active_day("github_copilot", p, DAY) is None
    ]
    by_email = {s["assignee_email"]: s for s in seats}
    assert never
    assert all(by_email[p.email]["last_activity_at"] is None for p in never)
    assert all(by_email[p.email]["last_activity_editor"] is None for p in never)
    # leavers whose seat is on its way out carry the cancellation date
    pending = [s for s in seats if s["pending_cancellation_date"]]
    assert pending and all(len(s["pending_cancellation_date"]) == 10 for s in pending)
    assert {s["plan_type"] for s in seats} == {"business", "enterprise"}


def test_user_report_files_hold_every_active_user_of_the_day(copilot):
    server, provider = copilot
    with client_for(server) as client:
        users = list(client.user_metrics(DAY))
        by_model = list(client.user_model_feature_metrics(DAY))
        (org,) = list(client.organization_metrics(DAY))
    active = provider.seats.active_people("github_copilot", DAY)
    assert len(users) == len(active) == org["daily_active_users"] > 150  # several report files
    assert {u["user_login"] for u in users} == {provider.login(p) for p in active}
    assert all(u["day"] == DAY.isoformat() for u in users)
    assert (
        sum(u["user_initiated_interaction_count"] for u in users)
        == org["user_initiated_interaction_count"]
    )
    assert (
        sum(r["user_initiated_interaction_count"] for r in by_model)
        == org["user_initiated_interaction_count"]
    )
    assert {r["feature"] for r in by_model} == {
        "code_completion",
        "chat_panel_ask_mode",
        "agent_edit",
    }
    assert isinstance(json.loads(users[0]["totals_by_ide_json"]), list)


def test_report_links_are_fetched_without_the_token(copilot):
    server, _ = copilot
    links = httpx.get(
        f"{server.url}/orgs/{ORG}/copilot/metrics/reports/users-1-day",
        params={"day": DAY.isoformat()},
        headers={"Authorization": f"Bearer {TOKEN}"},
    ).json()["download_links"]
    assert len(links) > 1
    # signed storage refuses a second credential: the client must not send its token there
    assert httpx.get(links[0], headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 400
    assert httpx.get(links[0]).status_code == 200


def test_premium_requests_keep_exact_dollars(copilot):
    server, provider = copilot
    with client_for(server) as client:
        items = list(client.premium_request_usage(DAY))
    expected = provider.premium_items(DAY)
    assert [i["model"] for i in items] == [e["model"] for e in expected]
    assert sum(Decimal(i["netAmount"]) for i in items) == sum(e["netAmount"] for e in expected) > 0
    for item in items:
        assert Decimal(item["grossQuantity"]) - Decimal(item["discountQuantity"]) == Decimal(
            item["netQuantity"]
        )
        assert Decimal(item["pricePerUnit"]) == Decimal("0.04")


@pytest.mark.parametrize("status", [429, 403])
def test_rate_limits_are_retried_after_the_advertised_wait(copilot, status):
    server, provider = copilot
    add_fault(
        server, path=f"/orgs/{ORG}/copilot/billing/seats", status=status, times=2, retry_after=0
    )
    with client_for(server, per_page=100) as client:
        seats = list(client.seats())
    assert len(seats) == len(provider.seats.seat_holders("github_copilot", AS_OF.date()))


def test_rate_limit_that_never_ends_fails_naming_the_source(copilot):
    server, _ = copilot
    add_fault(
        server, path=f"/orgs/{ORG}/copilot/billing/seats", status=429, times=10, retry_after=0
    )
    with client_for(server, max_attempts=3) as client, pytest.raises(SourceRequestError) as error:
        list(client.seats())
    assert error.value.status == 429
    assert "github_copilot" in str(error.value) and "after 3 attempts" in str(error.value)


def test_wrong_token_is_a_clear_error_without_the_token(copilot):
    server, _ = copilot
    wrong = "ghp_WRONG0123456789abcdef-secret"
    with client_for(server, token=wrong) as client, pytest.raises(SourceRequestError) as error:
        list(client.seats())
    message = str(error.value)
    assert error.value.status == 401
    assert message.startswith("github_copilot:")
    assert "Bad credentials" in message and "credentials" in message
    assert wrong not in message and TOKEN not in message


def test_a_day_before_any_report_is_empty(copilot):
    server, _ = copilot
    with client_for(server) as client:
        assert list(client.user_metrics(date(2025, 12, 1))) == []
        assert list(client.organization_metrics(date(2025, 12, 1))) == []
        assert list(client.premium_request_usage(date(2025, 12, 1))) == []


def test_missing_organization_is_refused():
    with pytest.raises(ValueError, match="organization_id"):
        GitHubCopilotClient(TOKEN, "", "http://127.0.0.1:9")


# ---- documented shapes (seat assignments, usage metrics), on a mock transport --------------------

DOC_SEAT_PAGE = {
    "total_seats": 2,
    "seats": [
        {
            "created_at": "2025-11-02T09:12:44Z",
            "updated_at": "2025-11-02T09:12:44Z",
            "pending_cancellation_date": None,
            "last_activity_at": "2026-03-03T17:40:01Z",
            "last_activity_editor": "vscode/1.99.1/copilot-chat/0.27.0",
            "last_authenticated_at": "2026-03-03T08:02:11Z",
            "plan_type": "business",
            "assignee": {"login": "dev-alice", "id": 4211001, "type": "User"},
            "assigning_team": {"id": 77, "slug": "search", "name": "Search"},
        },
        {
            "created_at": "2026-01-05T10:00:00Z",
            "updated_at": "2026-01-05T10:00:00Z",
            "pending_cancellation_date": "2026-04-01",
            "last_activity_at": None,
            "last_activity_editor": None,
            "plan_type": "enterprise",
            "assignee": {"login": "dev-bob", "id": 4211002, "type": "User"},
            "assigning_team": None,
        },
    ],
}
DOC_USER_RECORD = {
    "user_id": 4211001,
    "user_login": "dev-alice",
    "day": "2026-03-03",
    "organization_id": "O_kgDOB1",
    "user_initiated_interaction_count": 37,
    "code_generation_activity_count": 52,
    "code_acceptance_activity_count": 31,
    "loc_suggested_to_add_sum": 640,
    "loc_added_sum": 402,
    "used_chat": True,
    "used_agent": True,
    "used_cli": False,
    "totals_by_model_feature": [
        {
            "model": "claude-sonnet-4.5",
            "feature": "agent_edit",
            "user_initiated_interaction_count": 12,
            "code_generation_activity_count": 20,
        }
    ],
}


def mock_client(handler) -> GitHubCopilotClient:
    return GitHubCopilotClient(
        TOKEN,
        "acme",
        "https://api.github.test",
        transport=httpx.MockTransport(handler),
        backoff_base=0.01,
        backoff_max=2,
    )


def test_documented_seat_shape_with_nulls():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Accept"] == "application/vnd.github+json"
        assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        return httpx.Response(200, json=DOC_SEAT_PAGE)

    with mock_client(handler) as client:
        alice, bob = list(client.seats())
    assert alice == {
        "assignee_login": "dev-alice",
        "assignee_id": 4211001,
        "assignee_type": "User",
        "assignee_email": None,
        "assigning_team_id": 77,
        "assigning_team_slug": "search",
        "plan_type": "business",
        "created_at": "2025-11-02T09:12:44Z",
        "updated_at": "2025-11-02T09:12:44Z",
        "pending_cancellation_date": None,
        "last_activity_at": "2026-03-03T17:40:01Z",
        "last_activity_editor": "vscode/1.99.1/copilot-chat/0.27.0",
        "last_authenticated_at": "2026-03-03T08:02:11Z",
    }
    assert bob["last_activity_at"] is None and bob["last_authenticated_at"] is None
    assert bob["pending_cancellation_date"] == "2026-04-01"
    assert bob["assigning_team_slug"] is None
    assert flatten_seat({"assignee": {"slug": "search", "id": 9}})["assignee_type"] == "Team"


def test_documented_report_record_and_absent_fields():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "files.example.test":
            assert "Authorization" not in request.headers
            return httpx.Response(200, text=json.dumps(DOC_USER_RECORD) + "\n\n")
        return httpx.Response(
            200,
            json={
                "download_links": ["https://files.example.test/u.ndjson?sig=x"],
                "report_day": "2026-03-03",
            },
        )

    with mock_client(handler) as client:
        (user,) = list(client.user_metrics(date(2026, 3, 3)))
        (row,) = list(client.user_model_feature_metrics(date(2026, 3, 3)))
    assert user["loc_added_sum"] == 402 and user["used_agent"] is True
    assert user["loc_deleted_sum"] is None  # absent in the record: null, not zero
    assert row["code_acceptance_activity_count"] is None
    assert (row["model"], row["feature"], row["user_initiated_interaction_count"]) == (
        "claude-sonnet-4.5",
        "agent_edit",
        12,
    )


def test_secondary_rate_limit_waits_for_the_reset_time():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            # whole unix seconds, like GitHub: two seconds ahead leaves at least one to wait
            reset = str(int(time.time()) + 2)
            return httpx.Response(
                403,
                json={"message": "You have exceeded a secondary rate limit."},
                headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
            )
        return httpx.Response(200, json={"total_seats": 0, "seats": []})

    with mock_client(handler) as client:
        assert list(client.seats()) == []
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.9


def test_forbidden_without_rate_limit_headers_is_not_retried():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(403, json={"message": "Resource not accessible by integration"})

    with mock_client(handler) as client, pytest.raises(SourceRequestError) as error:
        list(client.seats())
    assert len(calls) == 1 and "not accessible" in str(error.value)


def test_next_link_is_read_from_the_link_header():
    header = (
        '<https://api.github.com/orgs/a/copilot/billing/seats?page=3>; rel="next", '
        '<https://api.github.com/orgs/a/copilot/billing/seats?page=9>; rel="last"'
    )
    assert next_link(header) == "https://api.github.com/orgs/a/copilot/billing/seats?page=3"
    assert next_link('<https://x/?page=1>; rel="first"') is None
    assert next_link(None) is None
