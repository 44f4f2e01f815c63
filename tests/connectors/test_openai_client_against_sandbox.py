"""The OpenAI connector over real HTTP against the sandbox: paging, totals, retries, hard failures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from connectors.errors import ConnectorError, SourceRequestError
from connectors.openai.client import USAGE_KINDS, OpenAIAdminClient
from tests.conftest import TEST_ADMIN_KEY

START = datetime(2026, 9, 1, tzinfo=UTC)
END = datetime(2026, 10, 15, tzinfo=UTC)  # 44 days: two usage pages of 31 buckets


def client_for(server, **options) -> OpenAIAdminClient:
    options = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 5, **options}
    return OpenAIAdminClient(TEST_ADMIN_KEY, f"{server.url}/v1", **options)


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


def test_usage_and_costs_sum_to_the_sandbox_ground_truth(sandbox):
    with client_for(sandbox) as client:
        completions = list(client.usage("completions", START, END))
        embeddings = list(client.usage("embeddings", START, END))
        others = {
            kind: list(client.usage(kind, START, END))
            for kind in USAGE_KINDS
            if kind not in ("completions", "embeddings")
        }
        costs = list(client.costs(START, END))
    truth = sandbox.state.provider("openai").ground_truth(
        date(2026, 9, 1), date(2026, 10, 15), sandbox.state.now()
    )

    rows = completions + embeddings + [r for kind in others.values() for r in kind]
    assert sum(r.get("input_tokens", 0) for r in rows) == truth["usage"]["input_tokens"]
    assert sum(r.get("num_model_requests", 0) for r in rows) == truth["usage"]["request_count"]
    # every kind the enterprise uses has rows, with the documented object-specific fields
    assert all(others[kind] for kind in others)
    assert {r["size"] for r in others["images"]} == {"1024x1024", "1024x1792"}
    assert all(r["vector_store_id"] == "vs_support_kb" for r in others["file_search_calls"])
    assert all(r["usage_bytes"] > 10**9 for r in others["vector_stores"])
    assert sum(r["output_tokens"] for r in completions) == truth["usage"]["output_tokens"]
    from decimal import Decimal

    assert sum(Decimal(r["amount_value"]) for r in costs) == Decimal(truth["invoiced_cost_usd"])
    assert {r["bucket_start_time"] for r in completions} == {
        int(START.timestamp()) + 86400 * i for i in range(44)
    }


def test_a_429_burst_and_a_500_on_one_page_are_retried_and_nothing_is_lost(sandbox):
    with client_for(sandbox) as client:
        clean = list(client.usage("completions", START, END))
    # the second page fails twice with 429 (Retry-After: 0), then once with 500
    add_fault(
        sandbox,
        path="/v1/organization/usage/completions",
        status=429,
        times=2,
        skip=1,
        retry_after=0,
    )
    add_fault(sandbox, path="/v1/organization/usage/completions", status=500, times=1, skip=3)
    with client_for(sandbox) as client:
        retried = list(client.usage("completions", START, END))
    assert retried == clean
    faults = sandbox.state.faults
    assert faults[0].seen >= 3 and faults[1].seen >= 4


def test_retry_after_is_honoured(sandbox):
    import time

    add_fault(sandbox, path="/v1/organization/users", status=429, times=1, retry_after=1)
    with client_for(sandbox, backoff_max=2.0) as client:
        began = time.monotonic()
        users = list(client.users())
        waited = time.monotonic() - began
    assert len(users) == len(sandbox.state.enterprise.org_users)
    assert waited >= 1.0


def test_a_page_that_stays_broken_raises_a_clear_error_without_the_key(sandbox):
    add_fault(sandbox, path="/v1/organization/costs", status=503, times=100)
    with client_for(sandbox, max_attempts=3) as client, pytest.raises(SourceRequestError) as raised:
        list(client.costs(START, END))
    message = str(raised.value)
    assert raised.value.status == 503
    assert "/v1/organization/costs" in message and "after 3 attempts" in message
    assert TEST_ADMIN_KEY not in message


def test_a_wrong_key_is_not_retried_and_never_echoed(sandbox):
    wrong = "sk-admin-WRONG-0123456789abcdef"
    with OpenAIAdminClient(wrong, f"{sandbox.url}/v1", backoff_base=0.01) as client:
        with pytest.raises(SourceRequestError) as raised:
            list(client.projects())
    assert raised.value.status == 401
    assert wrong not in str(raised.value) and wrong not in repr(raised.value.args)


def test_inventory_pages_with_after_cursor(sandbox):
    with client_for(sandbox) as client:
        users = list(client.users())  # 320 users, 100 per page
        projects = list(client.projects())
        keys = [k for p in projects for k in client.api_keys(p["id"])]
    ent = sandbox.state.enterprise
    assert len({u["id"] for u in users}) == len(ent.org_users) == 320
    assert len(projects) == len(ent.projects)  # archived included
    assert any(p["status"] == "archived" for p in projects)
    assert len(keys) == len(ent.api_keys)
    # only the redacted form of a key ever leaves the API
    assert all(
        k["redacted_value"].startswith("sk-...") and len(k["redacted_value"]) == 10 for k in keys
    )


def test_an_empty_window_yields_nothing_but_reads_every_page(sandbox):
    quiet_start, quiet_end = datetime(2025, 11, 1, tzinfo=UTC), datetime(2025, 12, 15, tzinfo=UTC)
    with client_for(sandbox) as client:
        usage = list(client.usage("completions", quiet_start, quiet_end))
        costs = list(client.costs(quiet_start, quiet_end))
    assert usage == [] and costs == []


def test_a_page_served_twice_fails_the_listing_and_the_others_are_unaffected(sandbox):
    clean = list(client_for(sandbox).usage("embeddings", START, END))
    httpx.post(
        f"{sandbox.url}/_sandbox/corrupt",
        json={"date": "2026-09-15", "faults": ["duplicate_page"]},
    ).raise_for_status()
    try:
        with client_for(sandbox) as client, pytest.raises(ConnectorError) as raised:
            list(client.usage("embeddings", START, END))
        completions = list(client_for(sandbox).usage("completions", START, END))
    finally:
        httpx.delete(f"{sandbox.url}/_sandbox/faults").raise_for_status()
    assert "organization/usage/embeddings page 2 repeats the bucket starting 2026-09-01" in str(
        raised.value
    )
    assert completions and clean == list(client_for(sandbox).usage("embeddings", START, END))


def test_planted_negative_cost_and_cached_above_input_touch_that_day_only(sandbox):
    day = date(2026, 9, 15)
    clean_costs = list(client_for(sandbox).costs(START, END))
    clean_usage = list(client_for(sandbox).usage("completions", START, END))
    httpx.post(
        f"{sandbox.url}/_sandbox/corrupt",
        json={"date": day.isoformat(), "faults": ["negative_cost", "cached_above_input"]},
    ).raise_for_status()
    try:
        costs = list(client_for(sandbox).costs(START, END))
        usage = list(client_for(sandbox).usage("completions", START, END))
    finally:
        httpx.delete(f"{sandbox.url}/_sandbox/faults").raise_for_status()

    def on(records, wanted):
        return [
            r
            for r in records
            if datetime.fromtimestamp(r["bucket_start_time"], UTC).date() == wanted
        ]

    def off(records, unwanted):
        return [
            r
            for r in records
            if datetime.fromtimestamp(r["bucket_start_time"], UTC).date() != unwanted
        ]

    negative = [r for r in costs if Decimal(r["amount_value"]) < 0]
    assert len(negative) == 1 and on(negative, day) == negative
    assert off(costs, day) == off(clean_costs, day)
    above = [r for r in usage if r["input_cached_tokens"] > r["input_tokens"]]
    assert above and on(above, day) == above
    assert len(on(usage, day)) == len(on(clean_usage, day))
