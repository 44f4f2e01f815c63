"""The Microsoft 365 Copilot connector over real HTTP against the sandbox: the client-credentials
token, `@odata.nextLink` to the last page, concealed tenants kept and flagged with a warning, token
refresh, rate limits, bad secrets, an empty report, and the documented row shape."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest

from connectors.errors import SourceRequestError
from connectors.m365_copilot.client import M365CopilotClient
from sandbox.providers.m365_copilot import CONCEALED_TENANT, MAIN_TENANT
from tests.conftest import TEST_SECRETS

SECRET = TEST_SECRETS["ENTRA_CLIENT_SECRET"]
AS_OF = datetime(2026, 9, 21, 6, tzinfo=UTC)


@pytest.fixture
def m365(sandbox):
    sandbox.state.as_of = AS_OF
    return sandbox, sandbox.state.provider("m365_copilot")


def client_for(server, tenant: str = MAIN_TENANT, secret: str = SECRET, **options):
    env = server.environment()
    options = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 4, **options}
    return M365CopilotClient(
        tenant,
        env["ENTRA_CLIENT_ID"],
        secret,
        env["GRAPH_BASE_URL"],
        authority=env["ENTRA_AUTHORITY_URL"],
        **options,
    )


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


def test_every_licensed_user_of_the_tenant_to_the_last_page(m365, caplog):
    server, provider = m365
    caplog.set_level(logging.INFO, logger="connectors.m365_copilot")
    with client_for(server) as client:
        rows = list(client.usage_user_details("D30"))
    licensed = provider.licensed(MAIN_TENANT, provider.refresh_date())
    assert len(rows) == len(licensed) > 50
    assert {r["userPrincipalName"] for r in rows} == {p.email for p in licensed}
    assert {r["reportRefreshDate"] for r in rows} == {"2026-09-19"}
    assert {r["reportPeriod"] for r in rows} == {30}
    assert not any(r["is_concealed"] for r in rows)
    assert f"{len(rows)} Copilot user row(s) read in 2 page(s)" in caplog.text
    assert "concealed" not in caplog.text
    # idle holders who never used Copilot: every date null
    never = [
        p
        for p in provider.seats.idle["m365_copilot"]
        if p in licensed and provider.seats.last_active_day("m365_copilot", p, AS_OF.date()) is None
    ]
    by_upn = {r["userPrincipalName"]: r for r in rows}
    assert never
    for person in never:
        row = by_upn[person.email]
        assert row["lastActivityDate"] is None and row["copilotChatLastActivityDate"] is None


def test_concealed_tenant_rows_are_kept_flagged_and_warned_about(m365, caplog):
    server, provider = m365
    caplog.set_level(logging.INFO, logger="connectors.m365_copilot")
    with client_for(server, tenant=CONCEALED_TENANT) as client:
        rows = list(client.usage_user_details("D30"))
    licensed = provider.licensed(CONCEALED_TENANT, provider.refresh_date())
    assert len(rows) == len(licensed) > 100
    assert all(r["is_concealed"] for r in rows)
    assert all(re.fullmatch(r"[0-9A-F]{32}", r["userPrincipalName"]) for r in rows)
    assert all(re.fullmatch(r"[0-9A-F]{32}", r["displayName"]) for r in rows)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert f"{len(rows)} of {len(rows)} rows of tenant {CONCEALED_TENANT}" in warnings[0].message
    assert "concealed user names" in warnings[0].message


def test_an_expired_token_is_replaced_once(m365):
    server, provider = m365
    with client_for(server) as client:
        rows = client.usage_user_details("D30")
        first = next(rows)
        provider.revoke_tokens()
        rest = list(rows)
    assert 1 + len(rest) == len(provider.licensed(MAIN_TENANT, provider.refresh_date()))
    assert first["userPrincipalName"] not in {r["userPrincipalName"] for r in rest}


def test_rate_limit_then_success(m365):
    server, provider = m365
    add_fault(server, path="/entra/v1.0/copilot/reports/", status=429, times=2, retry_after=0)
    with client_for(server) as client:
        rows = list(client.usage_user_details("D30"))
    assert len(rows) == len(provider.licensed(MAIN_TENANT, provider.refresh_date()))


def test_wrong_secret_is_a_clear_error_without_the_secret(m365):
    server, _ = m365
    wrong = "entra~WRONG~0a1b2c3d4e5f-secret"
    with client_for(server, secret=wrong) as client, pytest.raises(SourceRequestError) as error:
        list(client.usage_user_details("D30"))
    message = str(error.value)
    assert error.value.status == 401 and message.startswith("m365_copilot:")
    assert "AADSTS7000215" in message and "Invalid client secret" in message
    assert wrong not in message and SECRET not in message


def test_a_report_before_any_licence_is_empty(m365):
    server, _ = m365
    server.state.as_of = datetime(2025, 9, 1, tzinfo=UTC)
    with client_for(server) as client:
        assert list(client.usage_user_details("D7")) == []


def test_bad_period_and_missing_tenant_are_refused():
    with pytest.raises(ValueError, match="tenant id"):
        M365CopilotClient("", "client", SECRET, "http://127.0.0.1:9")
    client = M365CopilotClient("t", "client", SECRET, "http://127.0.0.1:9")
    with client, pytest.raises(ValueError, match="period"):
        list(client.usage_user_details("D14"))


DOC_PAGE = {
    "@odata.context": "https://graph.microsoft.com/beta/reports/getMicrosoft365CopilotUsageUserDetail(period='D30')?$format=application/json",
    "value": [
        {
            "reportRefreshDate": "2026-03-03",
            "userPrincipalName": "alice@contoso.com",
            "displayName": "Alice Ng",
            "lastActivityDate": "2026-03-02",
            "copilotChatLastActivityDate": "2026-03-02",
            "microsoftTeamsCopilotLastActivityDate": "2026-02-27",
            "wordCopilotLastActivityDate": None,
            "excelCopilotLastActivityDate": None,
            "powerPointCopilotLastActivityDate": None,
            "outlookCopilotLastActivityDate": "2026-03-01",
            "oneNoteCopilotLastActivityDate": None,
            "loopCopilotLastActivityDate": None,
            "copilotActivityUserDetailsByPeriod": [{"reportPeriod": 30}],
        }
    ],
}


def test_documented_row_shape_and_token_form():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/tenant-1/oauth2/v2.0/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            assert form == {
                "grant_type": "client_credentials",
                "client_id": "app-1",
                "client_secret": SECRET,
                "scope": "https://graph.microsoft.com/.default",
            }
            return httpx.Response(200, json={"token_type": "Bearer", "access_token": "tok-1"})
        assert request.headers["Authorization"] == "Bearer tok-1"
        assert request.url.params["$format"] == "application/json"
        return httpx.Response(200, json=DOC_PAGE)

    transport = httpx.MockTransport(handler)
    client = M365CopilotClient(
        "tenant-1",
        "app-1",
        SECRET,
        "https://graph.test/v1.0",
        authority="https://login.test",
        transport=transport,
    )
    with client:
        (row,) = list(client.usage_user_details("D30"))
    assert row == {
        "tenant_id": "tenant-1",
        "reportRefreshDate": "2026-03-03",
        "reportPeriod": 30,
        "userPrincipalName": "alice@contoso.com",
        "displayName": "Alice Ng",
        "lastActivityDate": "2026-03-02",
        "microsoftTeamsCopilotLastActivityDate": "2026-02-27",
        "wordCopilotLastActivityDate": None,
        "excelCopilotLastActivityDate": None,
        "powerPointCopilotLastActivityDate": None,
        "outlookCopilotLastActivityDate": "2026-03-01",
        "oneNoteCopilotLastActivityDate": None,
        "loopCopilotLastActivityDate": None,
        "copilotChatLastActivityDate": "2026-03-02",
        "is_concealed": False,
    }
