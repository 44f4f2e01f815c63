"""The sandbox's keys never leave the machine: clients refuse them for any host outside loopback
before a connection is opened, the pre-run check refuses them for a real base_url, and the Makefile
exports no key."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest

from connectors.config import load_sources
from connectors.entra_id.auth import ClientCredentials
from connectors.errors import ConfigError
from connectors.github_copilot.client import GitHubCopilotClient
from connectors.openai.client import OpenAIAdminClient
from connectors.sandbox_keys import (
    SANDBOX_KEYS,
    SandboxKeyRefused,
    is_loopback,
    is_sandbox_key,
)

ROOT = Path(__file__).resolve().parents[2]
OPENAI_KEY = SANDBOX_KEYS["OPENAI_ADMIN_KEY"]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail any name lookup or socket connect; return what was attempted (must stay empty)."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args))
        raise AssertionError(f"a connection was attempted: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def never_called(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"the request reached the transport: {request.method} {request.url}")


def test_a_sandbox_key_is_refused_for_a_real_host_before_any_connection(monkeypatch, no_network):
    monkeypatch.setenv("OPENAI_ADMIN_KEY", OPENAI_KEY)
    client = OpenAIAdminClient(OPENAI_KEY, "https://api.openai.com/v1", source_id="openai_prod")
    with client, pytest.raises(SandboxKeyRefused) as raised:
        list(client.projects())
    message = str(raised.value)
    assert "source 'openai_prod'" in message
    assert "to api.openai.com" in message
    assert "Fix: set the real key in OPENAI_ADMIN_KEY." in message
    assert no_network == []


@pytest.mark.parametrize(
    "open_and_call",
    [
        lambda t: list(
            GitHubCopilotClient(
                SANDBOX_KEYS["GITHUB_TOKEN"], "example-corp", "https://api.github.com", transport=t
            ).seats()
        ),
        lambda t: ClientCredentials(
            "entra_prod",
            "https://login.microsoftonline.com",
            "tenant",
            "client",
            SANDBOX_KEYS["ENTRA_CLIENT_SECRET"],
            transport=t,
        ).token(),
    ],
    ids=["saas_http", "entra_token"],
)
def test_every_client_path_refuses_before_the_transport(open_and_call):
    with pytest.raises(SandboxKeyRefused, match="Fix: set the real key in"):
        open_and_call(httpx.MockTransport(never_called))


def test_a_next_link_to_a_real_host_is_refused_too(monkeypatch):
    # a client pointed at loopback must not follow an absolute URL elsewhere with the key
    monkeypatch.setenv("GITHUB_TOKEN", SANDBOX_KEYS["GITHUB_TOKEN"])
    client = GitHubCopilotClient(
        SANDBOX_KEYS["GITHUB_TOKEN"],
        "example-corp",
        "http://127.0.0.1:9",
        transport=httpx.MockTransport(never_called),
    )
    with pytest.raises(SandboxKeyRefused) as raised:
        client.http.request("GET", "https://evil.example.com/orgs/example-corp/copilot/billing")
    assert "to evil.example.com" in str(raised.value)
    assert "GITHUB_TOKEN" in str(raised.value)


@pytest.fixture
def sandbox_keys_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, key in SANDBOX_KEYS.items():
        monkeypatch.setenv(name, key)


def test_the_same_key_is_accepted_by_the_sandbox_on_loopback(sandbox_keys_set, sandbox):
    # sandbox_keys_set comes first, so the sandbox accepts the sandbox's own keys
    assert sandbox.url.startswith("http://127.0.0.1:")
    with OpenAIAdminClient(OPENAI_KEY, f"{sandbox.url}/v1", source_id="openai_main") as client:
        projects = list(client.projects())
    assert len(projects) >= 20
    assert all(p["id"].startswith("proj_") for p in projects)


def test_loopback_and_sandbox_key_rules():
    assert [is_loopback(h) for h in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost")] == [
        True
    ] * 5
    assert not any(
        is_loopback(h) for h in ("api.openai.com", "10.0.0.1", "0.0.0.0", "127.0.0.1.nip.io")
    )
    assert all(is_sandbox_key(key) for key in SANDBOX_KEYS.values())
    assert is_sandbox_key(f"Bearer {OPENAI_KEY}")
    assert not is_sandbox_key("sk-admin-4f9c2b7e1a0d") and not is_sandbox_key("")


def test_the_sandbox_accepts_exactly_the_shared_keys(monkeypatch):
    from sandbox.server import DEFAULT_SECRETS, SandboxState

    for name in SANDBOX_KEYS:
        monkeypatch.delenv(name, raising=False)
    assert DEFAULT_SECRETS is SANDBOX_KEYS
    state = SandboxState()
    assert state.secrets == SANDBOX_KEYS
    assert state.provider("github_copilot").token == SANDBOX_KEYS["GITHUB_TOKEN"]
    assert state.provider("cursor").key == SANDBOX_KEYS["CURSOR_API_KEY"]


def test_export_default_secrets_sets_only_unset_keys(monkeypatch):
    from sandbox.server import export_default_secrets

    for name in SANDBOX_KEYS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-real-one")
    set_now = export_default_secrets()
    assert "OPENAI_ADMIN_KEY" not in set_now and len(set_now) == len(SANDBOX_KEYS) - 1
    assert os.environ["OPENAI_ADMIN_KEY"] == "sk-admin-real-one"
    assert os.environ["SCIM_TOKEN"] == SANDBOX_KEYS["SCIM_TOKEN"]


SOURCES = """\
warehouse:
  history_start: 2026-08-01
sources:
  - id: openai_prod
    type: openai
    base_url: {openai}
    secret_env: OPENAI_ADMIN_KEY
  - id: scim_main
    type: scim
    base_url: http://localhost:8765/scim/v2
    secret_env: SCIM_TOKEN
"""


def test_check_secrets_refuses_a_sandbox_key_for_a_real_base_url(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("SCIM_BASE_URL", raising=False)
    monkeypatch.setenv("OPENAI_ADMIN_KEY", OPENAI_KEY)
    monkeypatch.setenv("SCIM_TOKEN", SANDBOX_KEYS["SCIM_TOKEN"])
    path = tmp_path / "sources.yml"
    path.write_text(SOURCES.format(openai="https://api.openai.com/v1"))
    with pytest.raises(ConfigError) as raised:
        load_sources(path).check_secrets()
    message = str(raised.value)
    assert message.startswith(f"{path}:\n  source 'openai_prod': refusing to send")
    assert "OPENAI_ADMIN_KEY to api.openai.com" in message
    assert "Fix: set the real key in OPENAI_ADMIN_KEY." in message
    assert "scim_main" not in message  # localhost may have the sandbox's key

    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-a-real-key")
    load_sources(path).check_secrets()
    path.write_text(SOURCES.format(openai="http://127.0.0.1:8765/v1"))
    monkeypatch.setenv("OPENAI_ADMIN_KEY", OPENAI_KEY)
    load_sources(path).check_secrets()
    # an env override of the base URL counts: it is where the key would go
    monkeypatch.setenv("OPENAI_BASE_URL", "https://openai.example.net/v1")
    with pytest.raises(ConfigError, match=r"to openai\.example\.net"):
        load_sources(path).check_secrets()


def test_the_makefile_exports_no_key():
    makefile = (ROOT / "Makefile").read_text()
    exported = re.findall(r"^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)", makefile, re.MULTILINE)
    assert "DAGSTER_HOME" in exported  # the parse finds the exports that are there
    secrets = [n for n in exported if re.search(r"(KEY|TOKEN|SECRET|PASSWORD)$", n)]
    assert secrets == []
    assert not any(key in makefile for key in SANDBOX_KEYS.values())


def test_the_demo_run_sets_the_keys_before_validating(monkeypatch, tmp_path):
    """`python -m sandbox.run` on a machine with no key set gets past the secrets check."""
    from orchestration.cli import run
    from sandbox import run as demo

    for name in SANDBOX_KEYS:
        monkeypatch.delenv(name, raising=False)
    seen = {}

    def stop_after_check(*_args, **_kwargs):
        seen.update({name: os.environ.get(name) for name in SANDBOX_KEYS})
        raise ConfigError("stopped here by the test")

    monkeypatch.setattr(run, "load_governance", stop_after_check)
    assert demo.main(["--start", str(date(2026, 11, 1))]) == 2
    assert seen == SANDBOX_KEYS


def run_under_sandbox_env(extra_env: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SANDBOX_KEYS and k != "AIUW_SOURCES"}
    env.pop("ENTRA_AUTHORITY_URL", None)
    show = "import json, os; print(json.dumps(dict(os.environ)))"
    result = subprocess.run(
        [sys.executable, "-m", "sandbox.env", "--", sys.executable, "-c", show],
        env={**env, **extra_env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_make_dev_gets_the_sandbox_keys_from_the_sandbox_itself():
    """`make dev` runs the Dagster UI under `python -m sandbox.env`: keys and endpoints set, unless
    AIUW_SOURCES names a config of one's own."""
    seen = run_under_sandbox_env({"SCIM_TOKEN": "scim-a-real-token"})
    assert {name: seen[name] for name in SANDBOX_KEYS if name != "SCIM_TOKEN"} == {
        name: key for name, key in SANDBOX_KEYS.items() if name != "SCIM_TOKEN"
    }
    assert seen["SCIM_TOKEN"] == "scim-a-real-token"
    assert seen["ENTRA_AUTHORITY_URL"] == "http://127.0.0.1:8765/entra-login"

    own = run_under_sandbox_env({"AIUW_SOURCES": "/etc/aiuw/sources.yml"})
    assert not any(name in own for name in SANDBOX_KEYS)
    assert "ENTRA_AUTHORITY_URL" not in own
