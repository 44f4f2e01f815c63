"""The ChatGPT Enterprise Compliance connector over real HTTP against the sandbox: users to the last
page with `after`, rate limits, bad keys, unknown workspaces, an empty workspace page, and the list
shape with missing fields."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest

from connectors.chatgpt_enterprise.client import ChatGPTComplianceClient
from connectors.errors import SourceRequestError
from sandbox.providers.chatgpt_enterprise import WORKSPACE_ID
from tests.conftest import TEST_SECRETS

KEY = TEST_SECRETS["CHATGPT_COMPLIANCE_API_KEY"]
AS_OF = datetime(2026, 9, 21, 6, tzinfo=UTC)


@pytest.fixture
def chatgpt(sandbox):
    sandbox.state.as_of = AS_OF
    return sandbox, sandbox.state.provider("chatgpt_enterprise")


def client_for(server, key: str = KEY, workspace: str = WORKSPACE_ID, **options):
    options = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 4, **options}
    return ChatGPTComplianceClient(key, workspace, f"{server.url}/chatgpt/v1/compliance", **options)


def test_users_page_to_the_last_page(chatgpt, caplog):
    server, provider = chatgpt
    caplog.set_level(logging.INFO, logger="connectors.chatgpt_enterprise")
    with client_for(server, limit=25) as client:
        users = list(client.users())
    holders = provider.members(AS_OF.date())
    assert len(users) == len(holders) > 100
    assert {u["email"] for u in users} == {p.email for p in holders}
    assert len({u["id"] for u in users}) == len(users)
    pages = -(-len(users) // 25)
    assert f"{len(users)} user(s) read in {pages} page(s)" in caplog.text
    # leavers whose seat was never removed are still users of the workspace
    leavers = provider.seats.leavers_with_seats("chatgpt_enterprise", AS_OF.date())
    assert leavers and leavers <= {u["email"] for u in users}
    assert {u["workspace_id"] for u in users} == {WORKSPACE_ID}


def test_rate_limit_then_success(chatgpt):
    server, provider = chatgpt
    httpx.post(
        f"{server.url}/_sandbox/faults",
        json={"path": "/chatgpt/v1/compliance/", "status": 429, "times": 2, "retry_after": 0},
    ).raise_for_status()
    with client_for(server) as client:
        assert len(list(client.users())) == len(provider.members(AS_OF.date()))


def test_wrong_key_is_a_clear_error_without_the_key(chatgpt):
    server, _ = chatgpt
    wrong = "sk-compliance-WRONG-1234567890"
    with client_for(server, key=wrong) as client, pytest.raises(SourceRequestError) as error:
        list(client.users())
    message = str(error.value)
    assert error.value.status == 401 and message.startswith("chatgpt_enterprise:")
    assert "Invalid Compliance API key" in message and wrong not in message


def test_unknown_workspace_is_a_clear_error(chatgpt):
    server, _ = chatgpt
    with (
        client_for(server, workspace="ws-unknown") as client,
        pytest.raises(SourceRequestError) as error,
    ):
        list(client.users())
    assert error.value.status == 404 and "Workspace not found" in str(error.value)


def test_an_empty_workspace_yields_nothing(chatgpt):
    server, _ = chatgpt
    server.state.as_of = datetime(2025, 9, 1, tzinfo=UTC)
    with client_for(server) as client:
        assert list(client.users()) == []


def test_list_shape_with_missing_fields():
    pages = [
        {
            "object": "list",
            "data": [{"id": "user-1", "email": "a@x.test", "name": None}],
            "has_more": True,
            "last_id": "user-1",
        },
        {"object": "list", "data": [{"id": "user-2", "email": "b@x.test"}], "has_more": False},
    ]
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        return httpx.Response(200, json=pages[len(seen) - 1])

    client = ChatGPTComplianceClient(
        KEY,
        "ws-1",
        "https://api.chatgpt.test/v1/compliance",
        transport=httpx.MockTransport(handler),
    )
    with client:
        first, second = list(client.users())
    assert seen == [{"limit": "200"}, {"limit": "200", "after": "user-1"}]
    assert first["name"] is None and second["role"] is None and second["created_at"] is None
