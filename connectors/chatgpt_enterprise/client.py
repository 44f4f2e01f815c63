"""Client for the ChatGPT Enterprise Compliance API (a bearer Compliance API key created by the
workspace owner). Lists page with `after` (the last id of the previous page) while `has_more`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from connectors.saas_http import SaasHttpSource

log = logging.getLogger("connectors.chatgpt_enterprise")

DEFAULT_BASE_URL = "https://api.chatgpt.com/v1/compliance"
PAGE_LIMIT = 200
USER_FIELDS = ("id", "email", "name", "role", "status", "created_at")


class ChatGPTComplianceClient:
    """Reads one ChatGPT Enterprise workspace's users (the seats)."""

    def __init__(
        self,
        api_key: str,
        workspace_id: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        source_id: str = "chatgpt_enterprise",
        limit: int = PAGE_LIMIT,
        **http_options: Any,
    ) -> None:
        if not api_key:
            raise ValueError(f"{source_id}: the Compliance API key is empty")
        if not workspace_id:
            raise ValueError(
                f"{source_id}: no workspace id; set organization_id in the sources config"
            )
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        self.source_id, self.workspace_id, self.limit = source_id, workspace_id, limit
        self.http = SaasHttpSource(source_id, base_url, headers, secrets=[api_key], **http_options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ChatGPTComplianceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def users(self) -> Iterator[dict]:
        """Every user of the workspace, following `after` while `has_more`."""
        after: str | None = None
        pages = count = 0
        while True:
            params: dict[str, Any] = {"limit": self.limit}
            if after:
                params["after"] = after
            body = self.http.json("GET", f"workspaces/{self.workspace_id}/users", params=params)
            pages += 1
            data = body.get("data") or []
            for user in data:
                count += 1
                yield {name: user.get(name) for name in USER_FIELDS} | {
                    "workspace_id": self.workspace_id
                }
            after = body.get("last_id") or (data[-1].get("id") if data else None)
            if not body.get("has_more") or not after:
                break
        log.info("%s: %d user(s) read in %d page(s)", self.source_id, count, pages)
