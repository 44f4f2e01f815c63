"""The SCIM connector over real HTTP: 1-based `startIndex`/`count` paging until `totalResults`
against the sandbox (also when the server returns fewer than asked), 429, a wrong token named
without echoing it, an empty ListResponse and the documented RFC 7643 user with the enterprise
extension."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from connectors.errors import SourceRequestError
from connectors.scim.client import ScimClient
from tests.canned_server import CannedServer
from tests.conftest import TEST_SECRETS

TOKEN = TEST_SECRETS["SCIM_TOKEN"]
AS_OF = datetime(2026, 10, 1, 6, tzinfo=UTC)


def client_for(server, token: str = TOKEN, **options) -> ScimClient:
    options = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 4, **options}
    base = server.environment()["SCIM_BASE_URL"] if hasattr(server, "environment") else server.url
    return ScimClient(token, base, source_id="scim_test", **options)


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


@pytest.mark.parametrize(("page_size", "pages"), [(100, 24), (500, 12)])
def test_every_user_to_the_last_page(sandbox, page_size, pages):
    sandbox.state.as_of = AS_OF
    provider = sandbox.state.provider("scim")
    truth = provider.identity_truth()
    with client_for(sandbox, page_size=page_size) as client:
        starts: list[int] = []
        get_json = client.http.get_json
        client.http.get_json = lambda path, params: (
            starts.append(dict(params)["startIndex"]) or (get_json(path, params))
        )
        users = list(client.users())
    # the server caps pages at 200, so 500 asked still pages by 200
    assert starts == [1 + i * min(page_size, 200) for i in range(pages)]
    assert len(users) == truth["counts"]["scim"] == 2399
    assert len({u["id"] for u in users}) == 2399
    entries = provider.directory.entries_on(AS_OF.date())
    assert sum(not u["active"] for u in users) == sum(e.status != "active" for e in entries) > 0
    ids = {u["id"] for u in users}
    managed = [u for u in users if u["enterprise_manager_value"]]
    assert len(managed) > 2300 and all(u["enterprise_manager_value"] in ids for u in managed)
    assert all(u["enterprise_employeeNumber"] and u["enterprise_costCenter"] for u in users)
    # meta.lastModified carries the planted changes: a leaver's is the day they left
    enterprise = sandbox.state.enterprise
    leaver = next(e for e in enterprise.person_events if e.kind == "left" and e.on <= AS_OF.date())
    (user,) = [u for u in users if u["userName"] == enterprise.person(leaver.person_id).email]
    assert (user["active"], user["meta_lastModified"]) == (False, f"{leaver.on}T00:00:00.000Z")


def test_rate_limited_then_served(sandbox):
    add_fault(sandbox, path="/scim/v2/Users", status=429, times=2, skip=3, retry_after=0)
    with client_for(sandbox, page_size=200) as client:
        assert len(list(client.users())) == 2399


def test_a_wrong_token_names_the_source_and_not_the_token(sandbox):
    wrong = "scim-WRONG-9e8d7c"
    with client_for(sandbox, token=wrong) as client, pytest.raises(SourceRequestError) as caught:
        list(client.users())
    message = str(caught.value)
    assert message.startswith("scim_test: GET ")
    assert "HTTP 401" in message and "Authorization failure" in message
    assert wrong not in message and TOKEN not in message


def test_an_empty_list_response(sandbox, monkeypatch):
    directory = sandbox.state.provider("scim").directory
    monkeypatch.setattr(directory, "listed", lambda day, name: [])
    with client_for(sandbox) as client:
        assert list(client.users()) == []


ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
DOCUMENTED_USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    "id": "2819c223-7f76-453a-919d-413861904646",
    "externalId": "00u1ab2cd3EF",
    "userName": "alice@acme.com",
    "active": True,
    "name": {"givenName": "Alice", "familyName": "Ng"},
    "displayName": "Alice Ng",
    "title": "Staff Engineer",
    "emails": [
        {"value": "alice.ng@old.acme.com", "type": "other", "primary": False},
        {"value": "alice@acme.com", "type": "work", "primary": True},
    ],
    ENTERPRISE: {
        "employeeNumber": "E10442",
        "costCenter": "CC-4410",
        "department": "Search",
        "division": "Product",
        "organization": "Acme",
        "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "Bo Li"},
    },
    "meta": {
        "resourceType": "User",
        "created": "2024-05-01T08:00:00Z",
        "lastModified": "2026-02-11T09:30:00Z",
    },
}


def test_the_documented_user_shape_is_flattened():
    def respond(path, query):
        start = int(query["startIndex"][0])
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 2,
            "startIndex": start,
            "itemsPerPage": 1,
            "Resources": [{**DOCUMENTED_USER, "id": f"user-{start}"}],
        }
        return 200, {}, json.dumps(body)

    with CannedServer(respond) as server, client_for(server, page_size=50) as client:
        users = list(client.users())
        sent = server.requests
    assert [(s[0], s[1]) for s in sent] == [
        ("/Users", {"startIndex": ["1"], "count": ["50"]}),
        ("/Users", {"startIndex": ["2"], "count": ["50"]}),
    ]
    assert sent[0][2]["Authorization"] == f"Bearer {TOKEN}"
    assert [u["id"] for u in users] == ["user-1", "user-2"]
    assert users[0] | {"id": None} == {
        "id": None,
        "externalId": "00u1ab2cd3EF",
        "userName": "alice@acme.com",
        "displayName": "Alice Ng",
        "title": "Staff Engineer",
        "userType": None,
        "active": True,
        "name_formatted": None,
        "name_givenName": "Alice",
        "name_familyName": "Ng",
        "emails_primary": "alice@acme.com",
        "enterprise_employeeNumber": "E10442",
        "enterprise_costCenter": "CC-4410",
        "enterprise_organization": "Acme",
        "enterprise_division": "Product",
        "enterprise_department": "Search",
        "enterprise_manager_value": "26118915-6090-4610-87e4-49d8ca9f808d",
        "enterprise_manager_displayName": "Bo Li",
        "meta_resourceType": "User",
        "meta_created": "2024-05-01T08:00:00Z",
        "meta_lastModified": "2026-02-11T09:30:00Z",
        "meta_location": None,
        "meta_version": None,
    }
