"""The Entra ID connector over real HTTP: the client-credentials token (cached, refreshed once when
Graph says it expired), `$select` / `$expand` and `@odata.nextLink` paging to the last page against
the sandbox, 429 on Graph and on the token endpoint, a wrong secret named without echoing it, and
the documented Graph user shape, and each user's assignedPlans (the Microsoft 365 Copilot licence's
assignment day) landed as JSON text."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import httpx
import pytest

from connectors.config import SourceConfig
from connectors.entra_id.auth import ClientCredentials
from connectors.entra_id.client import SELECT, EntraIdClient
from connectors.entra_id.copilot_plans import (
    DEFAULT_COPILOT_SERVICE_PLAN_IDS,
    copilot_plan_dbt_vars,
    copilot_service_plan_ids,
)
from connectors.errors import ConfigError, SourceRequestError
from sandbox.providers.entra_id import CLIENT_ID, TENANT_ID
from sandbox.saas_seats import seats_for
from tests.canned_server import CannedServer
from tests.conftest import TEST_SECRETS

SECRET = TEST_SECRETS["ENTRA_CLIENT_SECRET"]
AS_OF = datetime(2026, 10, 1, 6, tzinfo=UTC)
PULLED_LATER = datetime(2026, 11, 20, 6, tzinfo=UTC)
FAST = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 4}


def client_for(server, secret: str = SECRET, page_size: int = 999) -> EntraIdClient:
    env = server.environment()
    credentials = ClientCredentials(
        "entra_id_test", env["ENTRA_AUTHORITY_URL"], TENANT_ID, CLIENT_ID, secret, **FAST
    )
    return EntraIdClient(
        credentials, env["GRAPH_BASE_URL"], source_id="entra_id_test", page_size=page_size, **FAST
    )


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


def test_every_user_to_the_last_page_with_one_token(sandbox):
    sandbox.state.as_of = AS_OF
    provider = sandbox.state.provider("entra_id")
    truth = provider.identity_truth()
    with client_for(sandbox, page_size=500) as client:
        users = list(client.users())
        assert client.credentials.tokens_fetched == 1
    assert len(users) == truth["counts"]["entra_id"] == 2399
    assert len({u["id"] for u in users}) == 2399
    entries = provider.directory.entries_on(AS_OF.date())
    disabled = sum(e.status != "active" for e in entries)
    assert sum(not u["accountEnabled"] for u in users) == disabled > 0
    # the person Okta suspended is still enabled here; the Okta-only contractor is absent
    planted = truth["planted"]
    enterprise = sandbox.state.enterprise
    by_upn = {u["userPrincipalName"]: u for u in users}
    assert by_upn[enterprise.person(planted.okta_only_suspended).email]["accountEnabled"] is True
    assert enterprise.person(planted.okta_only_person).email not in by_upn
    # selected properties arrive; the expanded manager is another user of the tenant
    assert all(
        u["department"] and u["employeeId"] and u["employeeOrgData_costCenter"] for u in users
    )
    managed = [u for u in users if u["manager_id"]]
    assert len(managed) > 2300
    assert all(by_upn[u["manager_userPrincipalName"]]["id"] == u["manager_id"] for u in managed)


def test_sends_select_expand_and_top(sandbox):
    seen: list[httpx.URL] = []
    with client_for(sandbox, page_size=999) as client:
        client._graph()._client.event_hooks["request"].append(lambda r: seen.append(r.url))
        assert len(list(client.users())) == 2399
    first = seen[0]
    assert first.path == "/entra/v1.0/users"
    assert first.params["$select"] == ",".join(SELECT)
    assert first.params["$expand"] == "manager($select=id,userPrincipalName)"
    assert first.params["$top"] == "999"
    assert len(seen) == 3 and all("$skiptoken" in str(u) for u in seen[1:])


def test_assigned_plans_carry_the_copilot_licence_assignment_day(sandbox):
    sandbox.state.as_of = PULLED_LATER  # one Copilot seat was removed in between
    seats = seats_for(sandbox.state.enterprise)
    try:
        with client_for(sandbox) as client:
            users = {u["userPrincipalName"]: u for u in client.users()}
    finally:
        sandbox.state.as_of = AS_OF
    (copilot_plan,) = DEFAULT_COPILOT_SERVICE_PLAN_IDS
    copilot: dict[str, dict] = {}
    for upn, user in users.items():
        plans = json.loads(user["assignedPlans_json"])
        assert plans and all(
            set(p) == {"assignedDateTime", "capabilityStatus", "service", "servicePlanId"}
            for p in plans
        )
        assert len({p["servicePlanId"] for p in plans}) == len(plans) >= 1  # other plans too
        (copilot[upn],) = [p for p in plans if p["servicePlanId"] == copilot_plan] or [None]
    copilot = {upn: plan for upn, plan in copilot.items() if plan}
    holders = {p.email: p for p in seats.holders["m365_copilot"]}
    assert set(copilot) == set(holders) and len(copilot) == 217
    for upn, plan in copilot.items():
        assigned = datetime.fromisoformat(plan["assignedDateTime"])
        assert assigned.tzinfo == UTC
        assert assigned.date() == seats.seat_created_on("m365_copilot", holders[upn]), upn
        removed = seats.seat_removed_on("m365_copilot", holders[upn])
        deleted = removed is not None and removed <= PULLED_LATER.date()
        assert plan["capabilityStatus"] == ("Deleted" if deleted else "Enabled"), upn
    statuses = {plan["capabilityStatus"] for plan in copilot.values()}
    assert sorted(statuses) == ["Deleted", "Enabled"]
    assert min(datetime.fromisoformat(p["assignedDateTime"]).date() for p in copilot.values()) >= (
        date(2025, 10, 1)
    )


def test_rate_limited_graph_and_token_endpoint_then_served(sandbox):
    add_fault(sandbox, path="/entra-login/", status=429, times=1, retry_after=0)
    add_fault(sandbox, path="/entra/v1.0/users", status=429, times=2, skip=1, retry_after=0)
    with client_for(sandbox, page_size=800) as client:
        assert len(list(client.users())) == 2399


def test_an_expired_token_is_replaced_once(sandbox):
    provider = sandbox.state.provider("entra_id")
    with client_for(sandbox, page_size=600) as client:
        users = client.users()
        first = [next(users) for _ in range(600)]
        provider.revoke_tokens()
        rest = list(users)
        assert client.credentials.tokens_fetched == 2
    assert len(first) + len(rest) == 2399


def test_a_wrong_secret_names_the_source_and_not_the_secret(sandbox):
    wrong = "entra~WRONG~0a9b8c7d6e"
    with client_for(sandbox, secret=wrong) as client, pytest.raises(SourceRequestError) as caught:
        list(client.users())
    message = str(caught.value)
    assert message.startswith("entra_id_test: POST ")
    assert "HTTP 401" in message and "invalid_client" in message and "AADSTS7000215" in message
    assert wrong not in message and SECRET not in message


def test_an_empty_tenant(sandbox, monkeypatch):
    directory = sandbox.state.provider("entra_id").directory
    monkeypatch.setattr(directory, "listed", lambda day, name: [])
    with client_for(sandbox) as client:
        assert list(client.users()) == []


DOCUMENTED_USER = {
    "id": "4f1c0d2e-1111-2222-3333-444455556666",
    "userPrincipalName": "alice@contoso.com",
    "displayName": "Alice Ng",
    "department": "Search",
    "jobTitle": "Staff Engineer",
    "accountEnabled": True,
    "employeeId": "E10442",
    "employeeOrgData": {"costCenter": "CC-4410", "division": "Product"},
    "assignedPlans": [
        {
            "assignedDateTime": "2026-02-03T09:12:44Z",
            "capabilityStatus": "Enabled",
            "service": "exchange",
            "servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0",
        }
    ],
    "manager": {
        "@odata.type": "#microsoft.graph.user",
        "id": "9a2b0000-1111-2222-3333-444455556666",
        "userPrincipalName": "bo@contoso.com",
    },
}


def test_the_documented_user_shape_is_flattened():
    def respond(path, query):
        if path.endswith("/oauth2/v2.0/token"):
            raise AssertionError("token requests are POSTs")
        if "$skiptoken" in query:
            return 200, {}, json.dumps({"value": [DOCUMENTED_USER]})
        next_link = f"{server.url}/v1.0/users?$select=id&$top=999&$skiptoken=RFNwdAIAAQAAAB"
        return 200, {}, json.dumps({"@odata.nextLink": next_link, "value": []})

    class FixedToken:
        secrets = ["tkn-documented"]
        tokens_fetched = 1

        def token(self) -> str:
            return "tkn-documented"

        def invalidate(self) -> None:
            pass

        def close(self) -> None:
            pass

    with CannedServer(respond) as server:
        with EntraIdClient(FixedToken(), f"{server.url}/v1.0", **FAST) as client:
            (user,) = list(client.users())
        sent = server.requests
    assert sent[0][2]["Authorization"] == "Bearer tkn-documented"
    assert sent[1][1]["$skiptoken"] == ["RFNwdAIAAQAAAB"]
    assert user["employeeOrgData_costCenter"] == "CC-4410"
    assert user["employeeOrgData_division"] == "Product"
    assert user["manager_id"] == "9a2b0000-1111-2222-3333-444455556666"
    assert user["manager_userPrincipalName"] == "bo@contoso.com"
    assert user["accountEnabled"] is True and user["employeeId"] == "E10442"
    assert user["mail"] is None  # not in the payload: null, not missing
    assert json.loads(user["assignedPlans_json"]) == DOCUMENTED_USER["assignedPlans"]
    assert set(user) == {n for n in SELECT if n not in ("employeeOrgData", "assignedPlans")} | {
        "employeeOrgData_costCenter",
        "employeeOrgData_division",
        "manager_id",
        "manager_userPrincipalName",
        "assignedPlans_json",
    }


def test_copilot_service_plan_ids_come_from_the_sources_config():
    def source(**options) -> SourceConfig:
        return SourceConfig(
            id="entra_main", type="entra_id", organization_id=TENANT_ID, options=options
        )

    assert copilot_service_plan_ids(source()) == ["a62f8878-de10-42f3-b68f-6149a25ceb97"]
    two = "A62F8878-DE10-42F3-B68F-6149A25CEB97, b95945de-b3bd-46db-8437-f2beb6ea2347"
    assert copilot_service_plan_ids(source(copilot_service_plan_ids=two)) == [
        "a62f8878-de10-42f3-b68f-6149a25ceb97",
        "b95945de-b3bd-46db-8437-f2beb6ea2347",
    ]
    assert copilot_plan_dbt_vars([source()]) == {
        "copilot_service_plan_ids": {"entra_main": ["a62f8878-de10-42f3-b68f-6149a25ceb97"]}
    }
    with pytest.raises(ConfigError) as caught:
        copilot_service_plan_ids(source(copilot_service_plan_ids="M365_COPILOT_APPS"))
    message = str(caught.value)
    assert "'entra_main'" in message and "options.copilot_service_plan_ids" in message
    assert "M365_COPILOT_APPS" in message and "Fix:" in message
