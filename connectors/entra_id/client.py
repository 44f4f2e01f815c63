"""Client for Microsoft Entra ID users through Microsoft Graph v1.0 (app-only token, `User.Read.All`).

Graph returns only a small default property set, so every property the warehouse needs is named in
`$select`; the manager comes through `$expand=manager($select=id,userPrincipalName)`. The user's
`assignedPlans` (service plans with their assignment time and capability status) land as JSON text. Pages follow
`@odata.nextLink` (opaque `$skiptoken`, `$top` at most 999) on the configured Graph host only. A 401
with a cached token fetches a new token once, then fails with the source's name.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from connectors.entra_id.auth import ClientCredentials
from connectors.errors import SourceRequestError
from connectors.http import HttpSource
from connectors.identity import relative_to_base

log = logging.getLogger("connectors.entra_id")

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
MAX_PAGE_SIZE = 999
SELECT = (
    "id",
    "userPrincipalName",
    "mail",
    "displayName",
    "givenName",
    "surname",
    "department",
    "jobTitle",
    "accountEnabled",
    "employeeId",
    "employeeType",
    "employeeHireDate",
    "companyName",
    "officeLocation",
    "usageLocation",
    "employeeOrgData",
    "onPremisesSamAccountName",
    "createdDateTime",
    "assignedPlans",
)
NESTED = ("employeeOrgData", "assignedPlans")
EXPAND = "manager($select=id,userPrincipalName)"


def _flatten_user(user: dict) -> dict:
    flat = {name: user.get(name) for name in SELECT if name not in NESTED}
    org = user.get("employeeOrgData") or {}
    plans = user.get("assignedPlans")
    manager = user.get("manager") or {}
    flat["employeeOrgData_costCenter"] = org.get("costCenter")
    flat["employeeOrgData_division"] = org.get("division")
    flat["manager_id"] = manager.get("id")
    flat["manager_userPrincipalName"] = manager.get("userPrincipalName")
    flat["assignedPlans_json"] = None if plans is None else json.dumps(plans, sort_keys=True)
    return flat


class EntraIdClient:
    """Reads every user of one Entra ID tenant.

    Args:
        credentials: the client-credentials token source for the tenant.
        base_url: Graph root with its version, `https://graph.microsoft.com/v1.0` unless a national
            cloud or a sandbox; requests go to `<base_url>/users`.
    """

    def __init__(
        self,
        credentials: ClientCredentials,
        base_url: str = DEFAULT_GRAPH_URL,
        *,
        source_id: str = "entra_id",
        page_size: int = MAX_PAGE_SIZE,
        **http_options: Any,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        self.credentials = credentials
        self.base_url = base_url.rstrip("/")
        self.source_id = source_id
        self.page_size = page_size
        self._http_options = http_options
        self._http: HttpSource | None = None
        self._http_token: str | None = None

    def close(self) -> None:
        if self._http:
            self._http.close()
        self.credentials.close()

    def __enter__(self) -> EntraIdClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _graph(self) -> HttpSource:
        """An HTTP source carrying the current token (rebuilt when the token changes)."""
        token = self.credentials.token()
        if self._http is None or token != self._http_token:
            if self._http:
                self._http.close()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            self._http = HttpSource(
                self.source_id,
                self.base_url,
                headers,
                secrets=self.credentials.secrets,
                **self._http_options,
            )
            self._http_token = token
        return self._http

    def _get(self, path: str, params: list[tuple[str, Any]] | None) -> dict:
        try:
            return self._graph().get_json(path, params)
        except SourceRequestError as error:
            if error.status != 401:
                raise
            log.warning("%s: Graph refused the cached token; fetching a new one", self.source_id)
            self.credentials.invalidate()
            return self._graph().get_json(path, params)

    def users(self) -> Iterator[dict]:
        """Every user with the selected properties, `employeeOrgData` and `manager` flattened."""
        path = "users"
        params: list[tuple[str, Any]] | None = [
            ("$select", ",".join(SELECT)),
            ("$expand", EXPAND),
            ("$top", self.page_size),
        ]
        pages = 0
        while True:
            body = self._get(path, params)
            pages += 1
            for user in body.get("value") or []:
                yield _flatten_user(user)
            link = body.get("@odata.nextLink")
            if not link:
                break
            path, params = relative_to_base(link, self.base_url, self.source_id), None
        log.info("%s: users read in %d page(s)", self.source_id, pages)
