"""Client for any SCIM 2.0 service provider (RFC 7644 protocol, RFC 7643 User schema).

`GET {base}/Users?startIndex=<1-based>&count=<n>` with a bearer token, paged by index until
`totalResults` is reached (a server may return fewer than `count` per page). The enterprise extension
(employee number, cost centre, division, department, manager) is flattened with an `enterprise_`
prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from connectors.errors import ConnectorError
from connectors.http import HttpSource

log = logging.getLogger("connectors.scim")

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 100_000
CORE_FIELDS = ("id", "externalId", "userName", "displayName", "title", "userType", "active")
ENTERPRISE_FIELDS = ("employeeNumber", "costCenter", "organization", "division", "department")
META_FIELDS = ("resourceType", "created", "lastModified", "location", "version")


def _flatten_user(user: dict) -> dict:
    flat = {name: user.get(name) for name in CORE_FIELDS}
    name = user.get("name") or {}
    for part in ("formatted", "givenName", "familyName"):
        flat[f"name_{part}"] = name.get(part)
    emails = user.get("emails") or []
    primary = next((e for e in emails if e.get("primary")), emails[0] if emails else {})
    flat["emails_primary"] = primary.get("value")
    extension = user.get(ENTERPRISE) or {}
    for field in ENTERPRISE_FIELDS:
        value = extension.get(field)
        flat[f"enterprise_{field}"] = None if value is None else str(value)
    manager = extension.get("manager") or {}
    flat["enterprise_manager_value"] = manager.get("value")
    flat["enterprise_manager_displayName"] = manager.get("displayName")
    meta = user.get("meta") or {}
    for field in META_FIELDS:
        flat[f"meta_{field}"] = meta.get(field)
    return flat


class ScimClient:
    """Reads every user of one SCIM 2.0 service provider.

    Args:
        token: the bearer token the service provider issued.
        base_url: the SCIM root holding `/Users`, e.g. `https://idp.example.com/scim/v2`.
    """

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        source_id: str = "scim",
        page_size: int = DEFAULT_PAGE_SIZE,
        **http_options: Any,
    ) -> None:
        if not token:
            raise ValueError(f"{source_id}: the SCIM bearer token is empty")
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/scim+json"}
        self.source_id, self.page_size = source_id, page_size
        self.http = HttpSource(source_id, base_url, headers, secrets=[token], **http_options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ScimClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def users(self) -> Iterator[dict]:
        start, seen, pages = 1, 0, 0
        while pages < MAX_PAGES:
            body = self.http.get_json("Users", [("startIndex", start), ("count", self.page_size)])
            pages += 1
            resources = body.get("Resources") or []
            for user in resources:
                yield _flatten_user(user)
            seen += len(resources)
            total = body.get("totalResults")
            if not isinstance(total, int):
                raise ConnectorError(f"{self.source_id}: ListResponse without totalResults")
            if not resources or seen >= total:
                break
            start += len(resources)
        log.info("%s: %d users read in %d page(s)", self.source_id, seen, pages)
