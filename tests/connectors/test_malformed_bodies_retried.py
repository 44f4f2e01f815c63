"""A 200 whose body is not JSON (cut short, an HTML error page, empty) is retried like a 5xx by the
shared HTTP clients, over real HTTP against the sandbox; when it stays broken the error names the
source, the URL without its query, the status and the body's first characters, never a secret."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from connectors.entra_id.auth import ClientCredentials
from connectors.errors import SourceRequestError
from connectors.github_copilot.client import GitHubCopilotClient
from connectors.m365_copilot.client import M365CopilotClient
from connectors.openai.client import OpenAIAdminClient
from sandbox.providers.entra_id import CLIENT_ID, TENANT_ID
from sandbox.providers.github_copilot import DOWNLOAD_PREFIX
from sandbox.providers.m365_copilot import MAIN_TENANT
from tests.canned_server import CannedServer
from tests.conftest import TEST_ADMIN_KEY, TEST_SECRETS

START = datetime(2026, 9, 1, tzinfo=UTC)
END = datetime(2026, 10, 15, tzinfo=UTC)  # two usage pages
USAGE_PATH = "/v1/organization/usage/completions"
FAST = {"backoff_base": 0.01, "backoff_max": 0.05}


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


def openai_client(url: str, attempts: int = 4) -> OpenAIAdminClient:
    return OpenAIAdminClient(TEST_ADMIN_KEY, f"{url}/v1", max_attempts=attempts, **FAST)


@pytest.mark.parametrize("kind", ["truncate", "html", "empty", "malformed_json"])
def test_one_broken_page_is_retried_and_nothing_is_lost(sandbox, kind):
    with openai_client(sandbox.url) as client:
        clean = list(client.usage("completions", START, END))
    add_fault(sandbox, path=USAGE_PATH, kind=kind, times=1, skip=1)  # the second page, once
    with openai_client(sandbox.url) as client:
        retried = list(client.usage("completions", START, END))
    assert len({r["bucket_start_time"] for r in clean}) == 44  # both pages
    assert retried == clean
    assert sandbox.state.faults[0].seen == 3  # page 1, the broken page 2, page 2 again


def test_a_page_that_stays_cut_short_fails_with_its_first_characters(sandbox):
    add_fault(sandbox, path=USAGE_PATH, kind="truncate", times=100)
    with (
        openai_client(sandbox.url, attempts=3) as client,
        pytest.raises(SourceRequestError) as raised,
    ):
        list(client.usage("completions", START, END))
    message = str(raised.value)
    assert sandbox.state.faults[0].seen == 3  # exactly max_attempts tries
    assert raised.value.status == 200
    assert message.startswith(f"openai: GET {sandbox.url}{USAGE_PATH} failed with HTTP 200: ")
    assert "response is not JSON after 3 attempts" in message
    assert 'body starts \'{"object": "page", "data": [{"object": "bucket"' in message
    assert "?" not in raised.value.url and "start_time=" not in message
    assert TEST_ADMIN_KEY not in message


def test_the_first_characters_never_show_a_secret(tmp_path):
    # an HTML error page that echoes the request's Authorization header, the key at the cut
    page = "<html><body><pre>" + "x" * 150 + f"Authorization: Bearer {TEST_ADMIN_KEY}</pre>"
    with CannedServer(lambda path, query: (200, {}, page)) as server:
        with (
            openai_client(server.url, attempts=2) as client,
            pytest.raises(SourceRequestError) as raised,
        ):
            list(client.costs(START, END))
    message = str(raised.value)
    assert len(server.requests) == 2
    assert TEST_ADMIN_KEY not in message and TEST_ADMIN_KEY[:10] not in message
    assert "body starts '<html><body><pre>xxx" in message
    assert "Authorization: Bearer [REDACTED]" in message
    assert "/v1/organization/costs failed with HTTP 200" in message


def github_client(server) -> GitHubCopilotClient:
    token = TEST_SECRETS["GITHUB_TOKEN"]
    return GitHubCopilotClient(token, "example-corp", server.url, max_attempts=4, **FAST)


def test_saas_pages_and_report_files_cut_short_once_are_retried(sandbox):
    sandbox.state.as_of = datetime(2026, 9, 21, 6, tzinfo=UTC)
    day = date(2026, 9, 18)
    with github_client(sandbox) as client:
        seats, users = list(client.seats()), list(client.user_metrics(day))
    add_fault(sandbox, path="/orgs/example-corp/copilot/billing/seats", kind="truncate", skip=1)
    add_fault(sandbox, path=DOWNLOAD_PREFIX, kind="truncate")
    with github_client(sandbox) as client:
        assert list(client.seats()) == seats and len(seats) > 100
        assert list(client.user_metrics(day)) == users and len(users) > 100
    assert [f.seen > f.skip + 1 for f in sandbox.state.faults] == [True, True]


def token_clients(server, secret: str) -> tuple[ClientCredentials, M365CopilotClient]:
    """The two token callers: Entra ID's own loop and Microsoft 365's shared SaaS client."""
    env, options = server.environment(), {"max_attempts": 3, **FAST}
    authority = env["ENTRA_AUTHORITY_URL"]
    credentials = ClientCredentials(
        "entra_id_test", authority, TENANT_ID, CLIENT_ID, secret, **options
    )
    m365 = M365CopilotClient(
        MAIN_TENANT, CLIENT_ID, secret, env["GRAPH_BASE_URL"], authority=authority, **options
    )
    return credentials, m365


def test_a_token_reply_cut_short_once_is_retried(sandbox):
    sandbox.state.as_of = datetime(2026, 9, 21, 6, tzinfo=UTC)
    credentials, m365 = token_clients(sandbox, TEST_SECRETS["ENTRA_CLIENT_SECRET"])
    # the first reply of each client is cut short: requests 1 (Entra ID) and 3 (Microsoft 365)
    add_fault(sandbox, path="/entra-login/", kind="truncate", times=1)
    add_fault(sandbox, path="/entra-login/", kind="truncate", times=1, skip=2)
    with m365:
        assert credentials.token() in sandbox.state.provider("entra_id").tokens
        assert list(m365.usage_user_details("D30"))
    assert [f.seen for f in sandbox.state.faults] == [4, 4]


def test_a_token_reply_that_stays_cut_short_is_never_shown(sandbox):
    secret = TEST_SECRETS["ENTRA_CLIENT_SECRET"]
    credentials, m365 = token_clients(sandbox, secret)
    add_fault(sandbox, path="/entra-login/", kind="truncate", times=100)
    issued = sandbox.state.provider("entra_id").tokens
    with m365:
        for fetch in (credentials.token, lambda: list(m365.usage_user_details("D30"))):
            with pytest.raises(SourceRequestError) as raised:
                fetch()
            message = str(raised.value)
            assert "HTTP 200" in message and "response is not JSON after 3 attempts" in message
            assert "body not shown: it may carry a token" in message
            assert "access_token" not in message and secret not in message
            assert issued and not any(token[:8] in message for token in issued)
    assert sandbox.state.faults[0].seen == 6
