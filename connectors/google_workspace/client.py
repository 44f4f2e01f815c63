"""Client for the Google Workspace Admin SDK Directory API: `GET /admin/directory/v1/users`.

Auth: a bearer access token with the `admin.directory.user.readonly` scope. In production that token
comes from a service account with domain-wide delegation (a signed JWT exchanged at Google's token
endpoint, impersonating an admin); this client takes the already obtained token (the
`GOOGLE_WORKSPACE_TOKEN` environment variable, refreshed by whatever runs the service account), so it
holds no private key. Pages follow `nextPageToken` (`maxResults` at most 500).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from connectors.http import HttpSource

log = logging.getLogger("connectors.google_workspace")

DEFAULT_BASE_URL = "https://admin.googleapis.com"
MAX_PAGE_SIZE = 500
USER_FIELDS = (
    "id",
    "primaryEmail",
    "isAdmin",
    "isDelegatedAdmin",
    "suspended",
    "suspensionReason",
    "archived",
    "orgUnitPath",
    "creationTime",
    "lastLoginTime",
)
ORGANIZATION_FIELDS = ("title", "department", "costCenter", "description")


def _primary(items: list[dict]) -> dict:
    return next((i for i in items if i.get("primary")), items[0] if items else {})


def _of_type(items: list[dict], kind: str) -> str | None:
    return next((str(i["value"]) for i in items if i.get("type") == kind and i.get("value")), None)


def _flatten_user(user: dict) -> dict:
    flat = {name: user.get(name) for name in USER_FIELDS}
    name = user.get("name") or {}
    for part in ("givenName", "familyName", "fullName"):
        flat[f"name_{part}"] = name.get(part)
    organization = _primary(user.get("organizations") or [])
    for field in ORGANIZATION_FIELDS:
        flat[f"organizations_{field}"] = organization.get(field)
    flat["relations_manager"] = _of_type(user.get("relations") or [], "manager")
    flat["externalIds_organization"] = _of_type(user.get("externalIds") or [], "organization")
    flat["aliases"] = ",".join(user.get("aliases") or []) or None
    return flat


class GoogleWorkspaceClient:
    """Reads every user of one Google Workspace customer (`my_customer`: the admin's own)."""

    def __init__(
        self,
        access_token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        source_id: str = "google_workspace",
        customer: str = "my_customer",
        page_size: int = MAX_PAGE_SIZE,
        **http_options: Any,
    ) -> None:
        if not access_token:
            raise ValueError(f"{source_id}: the Google Workspace access token is empty")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        self.source_id, self.customer, self.page_size = source_id, customer, page_size
        self.http = HttpSource(source_id, base_url, headers, secrets=[access_token], **http_options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> GoogleWorkspaceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def users(self) -> Iterator[dict]:
        """Every user (suspended ones included; deleted ones are not listed), flattened: the primary
        organization as `organizations_<field>`, the manager relation and the organization external
        id (the employee id) as scalars."""
        params: list[tuple[str, Any]] = [
            ("customer", self.customer),
            ("maxResults", self.page_size),
            ("projection", "full"),
            ("orderBy", "email"),
            ("showDeleted", "false"),
        ]
        token: str | None = None
        pages = 0
        while True:
            body = self.http.get_json(
                "admin/directory/v1/users", params + ([("pageToken", token)] if token else [])
            )
            pages += 1
            for user in body.get("users") or []:  # an empty page has no `users` key
                yield _flatten_user(user)
            token = body.get("nextPageToken")
            if not token:
                break
        log.info("%s: users read in %d page(s)", self.source_id, pages)
