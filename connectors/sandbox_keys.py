"""The keys the sandbox enterprise issues, and the rule that keeps them on this machine.

The sandbox accepts these well-known values so `make run` works with nothing set. They are public,
so a request carrying one to a real provider would at best fail and at worst reveal that a real run
is misconfigured: a client holding one talks only to a loopback address (127.0.0.0/8, ::1,
localhost), and refuses any other host before a connection is opened.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping

from connectors.errors import ConfigError

# Each sandbox key by the env var it is read from; every one carries MARKER.
SANDBOX_KEYS = {
    "OPENAI_ADMIN_KEY": "sk-admin-sandbox-local",
    "ANTHROPIC_ADMIN_KEY": "sk-ant-admin-sandbox-local",
    "LITELLM_MASTER_KEY": "sk-litellm-sandbox-local",
    "GITHUB_TOKEN": "ghp-sandbox-local",
    "ENTRA_CLIENT_SECRET": "entra-sandbox-local-secret",
    "CURSOR_API_KEY": "key-cursor-sandbox-local",
    "CHATGPT_COMPLIANCE_API_KEY": "sk-compliance-sandbox-local",
    "OKTA_API_TOKEN": "okta-sandbox-local-token",
    "GOOGLE_WORKSPACE_TOKEN": "google-workspace-sandbox-local-token",
    "SCIM_TOKEN": "scim-sandbox-local-token",
}
MARKER = "sandbox-local"


class SandboxKeyRefused(ConfigError):
    """A sandbox key was about to be sent to a host outside the loopback range."""


def is_sandbox_key(value: str | None) -> bool:
    """One of the sandbox's keys, or any value carrying its marker (a sandbox key with a prefix
    such as `Bearer ` or `SSWS ` included)."""
    return bool(value) and (value in SANDBOX_KEYS.values() or MARKER in value)


def is_loopback(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def env_vars_holding(value: str, environ: Mapping[str, str] = os.environ) -> list[str]:
    """The env vars whose value is this key; the sandbox's own name for it when none is set."""
    names = sorted(name for name, held in environ.items() if held == value)
    if names:
        return names
    return [name for name, key in SANDBOX_KEYS.items() if key == value] or ["its secret env var"]


def refusal(source_id: str, host: str, env_names: Iterable[str]) -> SandboxKeyRefused:
    names = " or ".join(env_names)
    return SandboxKeyRefused(
        f"source {source_id!r}: refusing to send the sandbox's key in {names} to {host}: the "
        f"sandbox's keys are public and only ever go to 127.0.0.1, ::1 or localhost. "
        f"Fix: set the real key in {names}."
    )


def refuse_outside_loopback(source_id: str, host: str, secrets: Iterable[str]) -> None:
    """Raise SandboxKeyRefused if any of `secrets` is a sandbox key and `host` is not loopback."""
    if is_loopback(host):
        return
    for secret in secrets:
        if is_sandbox_key(secret):
            raise refusal(source_id, host, env_vars_holding(secret))
