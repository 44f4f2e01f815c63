"""The Anthropic connector over real HTTP against the sandbox: paging, totals equal to the ground
truth, Claude Code one day per call, retries, limit caps, auth errors that never echo the key."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from connectors.anthropic.client import AnthropicAdminClient
from connectors.errors import SourceRequestError
from tests.conftest import TEST_SECRETS

KEY = TEST_SECRETS["ANTHROPIC_ADMIN_KEY"]
START = datetime(2026, 9, 1, tzinfo=UTC)
END = datetime(2026, 10, 15, tzinfo=UTC)  # 44 days: two report pages of 31 buckets
HEADERS = {"x-api-key": KEY, "anthropic-version": "2023-06-01"}


def client_for(server, **options) -> AnthropicAdminClient:
    options = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 5, **options}
    return AnthropicAdminClient(KEY, server.url, **options)


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


def set_clock(server, as_of: datetime | None) -> None:
    body = {"as_of": as_of.isoformat() if as_of else None}
    httpx.post(f"{server.url}/_sandbox/clock", json=body).raise_for_status()


def canonical(rows: list[dict]) -> dict:
    """Messages rows summed on the canonical measures (input inclusive of cache reads and writes)."""
    writes = sum(
        r["cache_creation_ephemeral_5m_input_tokens"]
        + r["cache_creation_ephemeral_1h_input_tokens"]
        for r in rows
    )
    reads = sum(r["cache_read_input_tokens"] for r in rows)
    return {
        "request_count": 0,
        "input_tokens": sum(r["uncached_input_tokens"] for r in rows) + reads + writes,
        "cache_read_input_tokens": reads,
        "cache_creation_input_tokens": writes,
        "output_tokens": sum(r["output_tokens"] for r in rows),
    }


def test_usage_and_costs_sum_to_the_sandbox_ground_truth(sandbox):
    with client_for(sandbox) as client:
        usage = list(client.usage_messages(START, END))
        costs = list(client.costs(START, END))
    truth = sandbox.state.provider("anthropic").ground_truth(
        START.date(), END.date(), sandbox.state.now()
    )
    assert canonical(usage) == truth["usage"]
    assert truth["usage"]["cache_creation_input_tokens"] > 0
    cents = sum(Decimal(r["amount"]) for r in costs)
    assert cents / 100 == Decimal(truth["invoiced_cost_usd"]) > 0
    # every day of both pages, the default workspace, Console traffic and the shadow workspace
    assert {r["starting_at"][:10] for r in usage} == {
        date.fromordinal(START.date().toordinal() + i).isoformat() for i in range(44)
    }
    assert any(r["workspace_id"] is None and r["api_key_id"] for r in usage)
    assert any(r["workspace_id"] is None and r["api_key_id"] is None for r in usage)
    assert {r["model"] for r in usage} == {
        "claude-sonnet-4-5-20250929",
        "claude-haiku-4-5-20251001",
        "claude-opus-4-1-20250805",
    }
    assert {r["service_tier"] for r in usage} == {"standard", "batch"}
    assert sum(r["server_tool_use_web_search_requests"] for r in usage) > 0
    # cents with at most 5 decimals, token types as documented
    assert all(len(r["amount"].partition(".")[2]) <= 5 for r in costs)
    assert {r["token_type"] for r in costs} == {
        None,
        "uncached_input_tokens",
        "cache_read_input_tokens",
        "cache_creation.ephemeral_5m_input_tokens",
        "cache_creation.ephemeral_1h_input_tokens",
        "output_tokens",
    }


def test_recent_costs_are_provisional_then_restated(sandbox):
    day = datetime(2026, 9, 20, tzinfo=UTC)
    window = (day, datetime(2026, 9, 21, tzinfo=UTC))
    provider = sandbox.state.provider("anthropic")
    totals = {}
    for as_of in (datetime(2026, 9, 21, 6, tzinfo=UTC), datetime(2026, 9, 30, tzinfo=UTC)):
        set_clock(sandbox, as_of)
        with client_for(sandbox) as client:
            totals[as_of] = sum(Decimal(r["amount"]) for r in client.costs(*window)) / 100
        truth = provider.ground_truth(date(2026, 9, 20), date(2026, 9, 21), as_of)
        assert totals[as_of] == Decimal(truth["invoiced_cost_usd"])
    provisional, final = totals.values()
    assert (final * Decimal("0.9") - provisional).copy_abs() < Decimal("0.01")
    # the usage of a day that is not over yet is not served
    set_clock(sandbox, datetime(2026, 9, 20, 18, tzinfo=UTC))
    with client_for(sandbox) as client:
        assert list(client.usage_messages(*window)) == []


def test_claude_code_one_day_per_call_pages_to_the_last_record(sandbox):
    day = date(2026, 9, 8)  # a Tuesday
    with client_for(sandbox, page_size=7) as small, client_for(sandbox) as large:
        paged = list(small.claude_code_usage(day))
        whole = list(large.claude_code_usage(day))
    assert paged == whole
    ent = sandbox.state.enterprise
    engineers = {p.email for p in ent.people if ent.team(p.team_id).department == "engineering"}
    users = {r["actor_email_address"] for r in whole if r["actor_type"] == "user_actor"}
    assert 25 <= len(users) <= 40 and users <= engineers
    assert all(r["date"] == "2026-09-08T00:00:00Z" for r in whole)
    assert all(Decimal(r["estimated_cost_amount"]) > 0 for r in whole)
    # the CI key's Claude Code tokens are the same traffic the Messages report shows for that key
    (ci,) = [r for r in whole if r["actor_type"] == "api_actor"]
    with client_for(sandbox) as client:
        keys = {k["name"]: k["id"] for k in client.api_keys()}
        usage = list(
            client.usage_messages(
                datetime(2026, 9, 8, tzinfo=UTC), datetime(2026, 9, 9, tzinfo=UTC)
            )
        )
    (row,) = [r for r in usage if r["api_key_id"] == keys[ci["actor_api_key_name"]]]
    assert (ci["input_tokens"], ci["output_tokens"], ci["cache_read_tokens"]) == (
        row["uncached_input_tokens"],
        row["output_tokens"],
        row["cache_read_input_tokens"],
    )


def test_a_429_burst_on_the_second_page_is_retried_and_nothing_is_lost(sandbox):
    with client_for(sandbox) as client:
        clean = list(client.usage_messages(START, END))
    add_fault(
        sandbox,
        path="/v1/organizations/usage_report/messages",
        status=429,
        times=2,
        skip=1,
        retry_after=0,
    )
    with client_for(sandbox) as client:
        retried = list(client.usage_messages(START, END))
    assert retried == clean
    assert sandbox.state.faults[0].seen == 4  # page 1, two 429s, page 2 again


def test_an_empty_window_has_empty_buckets_and_no_rows(sandbox):
    early = (datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 6, 4, tzinfo=UTC))
    with client_for(sandbox) as client:
        assert list(client.usage_messages(*early)) == []
        assert list(client.costs(*early)) == []
        assert list(client.claude_code_usage(date(2025, 6, 1))) == []
    body = httpx.get(
        f"{sandbox.url}/v1/organizations/usage_report/messages",
        params={"starting_at": "2025-06-01T00:00:00Z", "ending_at": "2025-06-03T00:00:00Z"},
        headers=HEADERS,
    ).json()
    assert body == {
        "data": [
            {
                "starting_at": "2025-06-01T00:00:00Z",
                "ending_at": "2025-06-02T00:00:00Z",
                "results": [],
            },
            {
                "starting_at": "2025-06-02T00:00:00Z",
                "ending_at": "2025-06-03T00:00:00Z",
                "results": [],
            },
        ],
        "has_more": False,
        "next_page": None,
    }


def test_ungrouped_reports_echo_null_group_fields(sandbox):
    params = {"starting_at": "2026-09-08T00:00:00Z", "ending_at": "2026-09-09T00:00:00Z"}
    usage = httpx.get(
        f"{sandbox.url}/v1/organizations/usage_report/messages", params=params, headers=HEADERS
    ).json()
    (row,) = usage["data"][0]["results"]
    assert {
        k: row[k] for k in ("api_key_id", "workspace_id", "model", "service_tier")
    } == dict.fromkeys(("api_key_id", "workspace_id", "model", "service_tier"))
    assert set(row["cache_creation"]) == {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"}
    cost = httpx.get(
        f"{sandbox.url}/v1/organizations/cost_report", params=params, headers=HEADERS
    ).json()
    (line,) = cost["data"][0]["results"]
    assert line["description"] is None and line["workspace_id"] is None
    assert line["currency"] == "USD" and isinstance(line["amount"], str)


def test_limits_beyond_the_caps_are_rejected_and_not_retried(sandbox):
    too_many = {"starting_at": "2026-09-01T00:00:00Z", "limit": "32"}
    response = httpx.get(
        f"{sandbox.url}/v1/organizations/usage_report/messages", params=too_many, headers=HEADERS
    )
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    response = httpx.get(
        f"{sandbox.url}/v1/organizations/usage_report/claude_code",
        params={"starting_at": "2026-09-01", "limit": "1001"},
        headers=HEADERS,
    )
    assert response.status_code == 400
    with pytest.raises(ValueError, match="page_size"):
        AnthropicAdminClient(KEY, sandbox.url, page_size=1001)


def test_a_wrong_key_is_not_retried_and_never_echoed(sandbox):
    wrong = "sk-ant-admin-WRONG-0123456789abcdef"
    response = httpx.get(
        f"{sandbox.url}/v1/organizations/users",
        headers={"x-api-key": wrong, "anthropic-version": "2023-06-01"},
    )
    assert response.status_code == 401 and wrong not in response.text
    assert response.json() == {
        "type": "error",
        "error": {"type": "authentication_error", "message": "invalid x-api-key"},
    }
    with AnthropicAdminClient(wrong, sandbox.url, backoff_base=0.01) as client:
        with pytest.raises(SourceRequestError) as raised:
            list(client.workspaces())
    assert raised.value.status == 401
    assert wrong not in str(raised.value) and wrong not in repr(raised.value.args)


def test_inventory_pages_with_after_id(sandbox):
    with client_for(sandbox, page_size=5) as client:
        workspaces = list(client.workspaces())
        users = list(client.users())
        keys = list(client.api_keys())
    assert len(workspaces) == 6 and any(w["archived_at"] for w in workspaces)
    assert len({u["id"] for u in users}) == len(users) >= 40
    assert {u["role"] for u in users} == {"admin", "developer", "claude_code_user"}
    assert len(keys) == 11 and {k["status"] for k in keys} == {"active", "archived"}
    assert sum(k["scope_type"] == "organization" for k in keys) == 2  # default-workspace keys
    assert all(KEY not in str(k) and k["partial_key_hint"].startswith("sk-ant-") for k in keys)
    declared = sandbox.state.provider("anthropic").declared_credentials()
    workspace_ids = {w["id"] for w in workspaces}
    assert {c["id"] for c in declared if c["kind"] == "project"} < workspace_ids
