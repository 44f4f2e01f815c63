"""The Google Workspace connector over real HTTP: `nextPageToken` paging to the last page against
the sandbox, the planted case-only and alias addresses, 429, a wrong token named without echoing it,
an empty customer (no `users` key) and the documented user shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from connectors.errors import SourceRequestError
from connectors.google_workspace.client import GoogleWorkspaceClient
from tests.canned_server import CannedServer
from tests.conftest import TEST_SECRETS

TOKEN = TEST_SECRETS["GOOGLE_WORKSPACE_TOKEN"]
AS_OF = datetime(2026, 10, 1, 6, tzinfo=UTC)


def client_for(server, token: str = TOKEN, **options) -> GoogleWorkspaceClient:
    options = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 4, **options}
    return GoogleWorkspaceClient(token, server.url, source_id="google_workspace_test", **options)


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


def test_every_user_to_the_last_page(sandbox):
    sandbox.state.as_of = AS_OF
    provider = sandbox.state.provider("google_workspace")
    truth = provider.identity_truth()
    with client_for(sandbox, page_size=500) as client:
        users = list(client.users())
    assert len(users) == truth["counts"]["google_workspace"] == 2399
    assert len({u["id"] for u in users}) == 2399
    emails = [u["primaryEmail"] for u in users]
    assert emails == sorted(emails, key=str.lower)  # orderBy=email
    entries = provider.directory.entries_on(AS_OF.date())
    assert sum(u["suspended"] for u in users) == sum(e.status != "active" for e in entries) > 0
    enterprise, planted = sandbox.state.enterprise, truth["planted"]
    # one address differs only in case; one is an alias without an employee id
    case_person = enterprise.person(planted.google_case_email)
    (cased,) = [u for u in users if u["primaryEmail"].lower() == case_person.email]
    assert cased["primaryEmail"] != case_person.email
    (alias,) = [u for u in users if u["primaryEmail"] == planted.google_alias]
    assert alias["externalIds_organization"] is None
    assert alias["name_fullName"] == enterprise.person(planted.google_alias_email).name
    assert sum(u["externalIds_organization"] is None for u in users) == 1
    assert all(u["organizations_department"] and u["organizations_costCenter"] for u in users)
    assert sum(u["relations_manager"] is not None for u in users) > 2300


def test_rate_limited_then_served(sandbox):
    add_fault(sandbox, path="/admin/directory/v1/users", status=429, times=2, skip=2, retry_after=0)
    with client_for(sandbox, page_size=400) as client:
        assert len(list(client.users())) == 2399


def test_a_wrong_token_names_the_source_and_not_the_token(sandbox):
    wrong = "ya29.WRONG-3c2b1a"
    with client_for(sandbox, token=wrong) as client, pytest.raises(SourceRequestError) as caught:
        list(client.users())
    message = str(caught.value)
    assert message.startswith("google_workspace_test: GET ")
    assert "HTTP 401" in message and "invalid authentication credentials" in message
    assert wrong not in message and TOKEN not in message


def test_an_empty_customer_has_no_users_key(sandbox, monkeypatch):
    directory = sandbox.state.provider("google_workspace").directory
    monkeypatch.setattr(directory, "listed", lambda day, name: [])
    with client_for(sandbox) as client:
        assert list(client.users()) == []


DOCUMENTED_PAGE = {
    "kind": "admin#directory#users",
    "users": [
        {
            "id": "10432455312345678901",
            "primaryEmail": "alice@acme.com",
            "name": {"givenName": "Alice", "familyName": "Ng", "fullName": "Alice Ng"},
            "isAdmin": False,
            "suspended": False,
            "orgUnitPath": "/Engineering/Search",
            "creationTime": "2024-05-01T08:00:00.000Z",
            "lastLoginTime": "2026-03-03T07:58:12.000Z",
            "organizations": [
                {"title": "Intern", "department": "Old", "primary": False},
                {
                    "title": "Staff Engineer",
                    "department": "Search",
                    "costCenter": "CC-4410",
                    "primary": True,
                },
            ],
            "relations": [
                {"value": "carol@acme.com", "type": "dotted_line_manager"},
                {"value": "bo@acme.com", "type": "manager"},
            ],
            "externalIds": [{"value": "E10442", "type": "organization"}],
            "aliases": ["a.ng@acme.com"],
        }
    ],
}


def test_the_documented_user_shape_is_flattened():
    def respond(path, query):
        if query.get("pageToken"):
            return 200, {}, json.dumps(DOCUMENTED_PAGE)
        return 200, {}, json.dumps({"kind": "admin#directory#users", "nextPageToken": "Q0FFU0"})

    with CannedServer(respond) as server, client_for(server) as client:
        (user,) = list(client.users())
        sent = server.requests
    assert sent[0][0] == "/admin/directory/v1/users"
    assert sent[0][1] == {
        "customer": ["my_customer"],
        "maxResults": ["500"],
        "projection": ["full"],
        "orderBy": ["email"],
        "showDeleted": ["false"],
    }
    assert sent[1][1]["pageToken"] == ["Q0FFU0"]
    assert sent[0][2]["Authorization"] == f"Bearer {TOKEN}"
    assert user == {
        "id": "10432455312345678901",
        "primaryEmail": "alice@acme.com",
        "isAdmin": False,
        "isDelegatedAdmin": None,
        "suspended": False,
        "suspensionReason": None,
        "archived": None,
        "orgUnitPath": "/Engineering/Search",
        "creationTime": "2024-05-01T08:00:00.000Z",
        "lastLoginTime": "2026-03-03T07:58:12.000Z",
        "name_givenName": "Alice",
        "name_familyName": "Ng",
        "name_fullName": "Alice Ng",
        "organizations_title": "Staff Engineer",
        "organizations_department": "Search",
        "organizations_costCenter": "CC-4410",
        "organizations_description": None,
        "relations_manager": "bo@acme.com",
        "externalIds_organization": "E10442",
        "aliases": "a.ng@acme.com",
    }
