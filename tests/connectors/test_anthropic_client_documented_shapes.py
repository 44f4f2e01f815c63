"""The Anthropic connector parses payloads shaped exactly as the Admin API documents them
(the usage and cost report endpoints): flattened nested objects, null group fields, cents as exact text, paging."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors.anthropic.client import AnthropicAdminClient
from connectors.errors import SourceRequestError
from tests.canned_server import CannedServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "anthropic"
START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 3, 4, tzinfo=UTC)
KEY = "sk-ant-admin-x"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def paged(first: str, second: str):
    def respond(path, query):
        return 200, {}, fixture(second if query.get("page") else first)

    return respond


def test_messages_usage_flattens_cache_creation_and_follows_next_page():
    respond = paged("usage_messages_page1.json", "usage_messages_page2.json")
    with CannedServer(respond) as server, AnthropicAdminClient(KEY, server.url) as client:
        rows = list(client.usage_messages(START, END))
        sent = server.requests

    assert [s[0] for s in sent] == ["/v1/organizations/usage_report/messages"] * 2
    query, headers = sent[0][1], sent[0][2]
    assert query["starting_at"] == ["2026-03-01T00:00:00Z"]
    assert query["ending_at"] == ["2026-03-04T00:00:00Z"]
    assert query["bucket_width"] == ["1d"] and query["limit"] == ["31"]
    assert query["group_by[]"] == [
        "api_key_id",
        "workspace_id",
        "model",
        "service_tier",
        "context_window",
    ]
    assert headers["x-api-key"] == KEY and headers["anthropic-version"] == "2023-06-01"
    assert "Authorization" not in headers
    assert sent[1][1]["page"] == ["page_MjAyNi0wMy0wM1QwMDowMDowMFo="]
    # the empty bucket of 2026-03-02 yields nothing
    assert [r["starting_at"] for r in rows] == ["2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z"]
    assert rows[0] == {
        "starting_at": "2026-03-01T00:00:00Z",
        "ending_at": "2026-03-02T00:00:00Z",
        "uncached_input_tokens": 48210,
        "cache_read_input_tokens": 310044,
        "cache_creation_ephemeral_5m_input_tokens": 12000,
        "cache_creation_ephemeral_1h_input_tokens": 0,
        "output_tokens": 9120,
        "server_tool_use_web_search_requests": 3,
        "workspace_id": "wrkspc_01FinanceBots",
        "model": "claude-sonnet-4-5-20250929",
        "api_key_id": None,
        "service_tier": None,
        "context_window": None,
    }
    # default workspace (null), a key, the 1h cache write, and a newer field passed through
    assert rows[1]["workspace_id"] is None and rows[1]["service_tier"] == "batch"
    assert rows[1]["cache_creation_ephemeral_1h_input_tokens"] == 2500
    assert rows[1]["inference_geo"] == "global"


def test_cost_amounts_are_cents_kept_as_exact_text():
    respond = paged("cost_report.json", "cost_report_page2.json")
    with CannedServer(respond) as server, AnthropicAdminClient(KEY, server.url) as client:
        rows = list(client.costs(START, END))
        sent = server.requests

    assert sent[0][0] == "/v1/organizations/cost_report"
    assert sent[0][1]["group_by[]"] == ["workspace_id", "description"]
    assert sent[0][1]["limit"] == ["31"]
    assert len(sent) == 2
    assert [r["amount"] for r in rows] == ["14.4630", "3.0", "12345678901234567890.12345"]
    assert rows[0]["token_type"] == "uncached_input_tokens"
    assert rows[1]["cost_type"] == "web_search" and rows[1]["model"] is None
    assert rows[1]["workspace_id"] is None
    assert rows[2]["starting_at"] == "2026-03-02T00:00:00Z"


def test_claude_code_is_one_day_per_call_and_one_record_per_model():
    respond = paged("claude_code.json", "claude_code_page2.json")
    with CannedServer(respond) as server:
        with AnthropicAdminClient(KEY, server.url, page_size=1) as client:
            rows = list(client.claude_code_usage(date(2026, 3, 1)))
        sent = server.requests

    assert sent[0][0] == "/v1/organizations/usage_report/claude_code"
    assert sent[0][1] == {"starting_at": ["2026-03-01"], "limit": ["1"]}
    assert sent[1][1]["page"] == ["page_Y2MtMg=="]
    assert len(rows) == 3
    user = rows[0]
    assert user["actor_type"] == "user_actor"
    assert user["actor_email_address"] == "dev1@example.com" and user["actor_api_key_name"] is None
    assert (user["num_sessions"], user["lines_added"], user["lines_removed"]) == (6, 410, 95)
    assert (user["edit_tool_accepted"], user["edit_tool_rejected"]) == (21, 2)
    assert user["multi_edit_tool_accepted"] is None
    assert (user["model"], user["cache_read_tokens"], user["cache_creation_tokens"]) == (
        "claude-opus-4-1-20250805",
        611020,
        40210,
    )
    assert user["estimated_cost_amount"] == "742.5"  # cents
    api = rows[1:]
    assert [r["actor_api_key_name"] for r in api] == ["ci-bot", "ci-bot"]
    assert [r["model_position"] for r in api] == [0, 1]
    assert [r["estimated_cost_amount"] for r in api] == ["186", "0.0123456789012345678"]
    assert api[0]["subscription_type"] is None


def test_api_keys_page_by_after_id_and_flatten_scope():
    def respond(path, query):
        page = "api_keys_page2.json" if query.get("after_id") else "api_keys_page1.json"
        return 200, {}, fixture(page)

    with CannedServer(respond) as server, AnthropicAdminClient(KEY, server.url) as client:
        keys = list(client.api_keys())
        sent = server.requests

    assert sent[0][1] == {"limit": ["1000"]}
    assert sent[1][1] == {"limit": ["1000"], "after_id": ["apikey_01Rj2N8SVvo6BePZj99NhmiT"]}
    assert keys[0] == {
        "id": "apikey_01Rj2N8SVvo6BePZj99NhmiT",
        "name": "finance-bots-prod",
        "status": "active",
        "created_at": "2025-11-04T09:12:00Z",
        "partial_key_hint": "sk-ant-api03-R2D...igAA",
        "workspace_id": "wrkspc_01FinanceBots",
        "expires_at": None,
        "created_by_id": "user_01WCz1FkmYMm4gnmykNKUu3Q",
        "created_by_type": "user",
        "scope_type": "workspace",
    }
    assert keys[1]["scope_type"] == "organization" and keys[1]["workspace_id"] is None
    assert keys[1]["created_by_id"] is None and keys[1]["principal"]["type"] == "service_account"


def test_an_error_body_is_reported_without_the_key():
    error = '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}'
    with CannedServer(lambda p, q: (401, {}, error)) as server:
        with AnthropicAdminClient(KEY, server.url) as client:
            with pytest.raises(SourceRequestError) as raised:
                list(client.users())
    assert raised.value.status == 401
    assert "invalid x-api-key" in str(raised.value) and KEY not in str(raised.value)
