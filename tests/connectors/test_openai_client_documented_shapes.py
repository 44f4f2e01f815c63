"""The OpenAI connector parses payloads shaped exactly as the OpenAPI description documents them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from connectors.openai.client import OpenAIAdminClient
from tests.canned_server import CannedServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "openai"
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 4, tzinfo=UTC)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_usage_follows_next_page_and_keeps_null_group_fields():
    def respond(path, query):
        assert path == "/v1/organization/usage/completions"
        page = query.get("page", [None])[0]
        return (
            200,
            {},
            fixture(
                "usage_completions_page2.json"
                if page == "page_AAAAAGmQx1k="
                else "usage_completions_page1.json"
            ),
        )

    with (
        CannedServer(respond) as server,
        OpenAIAdminClient("sk-admin-x", f"{server.url}/v1") as client,
    ):
        rows = list(client.usage("completions", START, END))
        sent = server.requests

    assert len(sent) == 2
    first_query = sent[0][1]
    assert first_query["group_by"] == [
        "project_id",
        "user_id",
        "api_key_id",
        "model",
        "batch",
        "service_tier",
    ]
    assert first_query["bucket_width"] == ["1d"] and first_query["limit"] == ["31"]
    assert first_query["start_time"] == ["1767225600"] and first_query["end_time"] == ["1767484800"]
    assert sent[1][1]["page"] == ["page_AAAAAGmQx1k="]
    assert sent[0][2]["Authorization"] == "Bearer sk-admin-x"
    # the empty bucket yields nothing; the two results carry their bucket bounds
    assert [r["bucket_start_time"] for r in rows] == [1767225600, 1767398400]
    assert rows[0]["input_tokens"] == 182340 and rows[0]["input_cached_tokens"] == 60200
    assert rows[0]["api_key_id"] is None and rows[0]["batch"] is None
    assert rows[1]["model"] is None and rows[1]["num_model_requests"] == 2
    assert "object" not in rows[0]


def test_costs_keep_exact_decimal_text_and_tolerate_missing_quantity():
    with CannedServer(lambda p, q: (200, {}, fixture("costs.json"))) as server:
        with OpenAIAdminClient("sk-admin-x", f"{server.url}/v1") as client:
            rows = list(client.costs(START, END))
        query = server.requests[0][1]

    assert query["group_by"] == ["project_id", "line_item", "api_key_id"]
    assert query["limit"] == ["180"]
    assert rows[0]["amount_value"] == "3.4172"  # dollars, exactly as sent
    assert rows[0]["amount_currency"] == "usd"
    assert rows[0]["quantity"] == "182340" and rows[0]["quantity_unit"] == "tokens"
    # a value a float cannot hold survives as text
    assert rows[1]["amount_value"] == "12345678901234.123456789"
    assert rows[1]["quantity"] is None and rows[1]["quantity_unit"] is None


def test_api_keys_flatten_a_service_account_owner():
    with CannedServer(lambda p, q: (200, {}, fixture("api_keys.json"))) as server:
        with OpenAIAdminClient("sk-admin-x", f"{server.url}/v1") as client:
            keys = list(client.api_keys("proj_7Qd2"))
        assert server.requests[0][0] == "/v1/organization/projects/proj_7Qd2/api_keys"

    assert keys == [
        {
            "id": "key_a1",
            "project_id": "proj_7Qd2",
            "name": "etl-prod",
            "redacted_value": "sk-...Xy9Q",
            "created_at": 1751328000,
            "last_used_at": 1767300011,
            "owner_project_access": "active",
            "owner_type": "service_account",
            "owner_user_id": None,
            "owner_user_email": None,
            "owner_service_account_id": "svc_acct_3",
            "owner_service_account_name": "etl-bot",
        }
    ]
