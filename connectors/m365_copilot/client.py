"""Client for the Microsoft 365 Copilot usage user detail report (Microsoft Graph, app-only token
with `Reports.Read.All`).

The report is read as JSON (`$format=application/json`), following `@odata.nextLink`. When the tenant
conceals user names in reports, userPrincipalName and displayName are 32-hex hashes: the rows are kept
and flagged `is_concealed`, and a warning says how to turn concealment off.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from connectors.errors import SourceRequestError
from connectors.m365_copilot.token import authority_url, client_credentials_token
from connectors.saas_http import SaasHttpSource

log = logging.getLogger("connectors.m365_copilot")

DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0"
REPORT = "copilot/reports/getMicrosoft365CopilotUsageUserDetail"
PERIODS = ("D7", "D30", "D90", "D180", "ALL")
HASHED = re.compile(r"^[0-9A-Fa-f]{32}$")
APP_DATES = (
    "microsoftTeamsCopilotLastActivityDate",
    "wordCopilotLastActivityDate",
    "excelCopilotLastActivityDate",
    "powerPointCopilotLastActivityDate",
    "outlookCopilotLastActivityDate",
    "oneNoteCopilotLastActivityDate",
    "loopCopilotLastActivityDate",
    "copilotChatLastActivityDate",
)


def is_concealed(row: dict) -> bool:
    """A hashed name: 32 hex digits instead of a user principal name (which has an @)."""
    return bool(HASHED.match(row.get("userPrincipalName") or ""))


def flatten_row(row: dict, tenant_id: str) -> dict:
    periods = row.get("copilotActivityUserDetailsByPeriod") or [{}]
    return {
        "tenant_id": tenant_id,
        "reportRefreshDate": row.get("reportRefreshDate"),
        "reportPeriod": periods[0].get("reportPeriod"),
        "userPrincipalName": row.get("userPrincipalName"),
        "displayName": row.get("displayName"),
        "lastActivityDate": row.get("lastActivityDate"),
        **{name: row.get(name) for name in APP_DATES},
        "is_concealed": is_concealed(row),
    }


class M365CopilotClient:
    """Reads one tenant's Microsoft 365 Copilot usage user detail report."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        authority: str | None = None,
        source_id: str = "m365_copilot",
        **http_options: Any,
    ) -> None:
        for name, value in (
            ("tenant id (organization_id or ENTRA_TENANT_ID)", tenant_id),
            ("client id (ENTRA_CLIENT_ID)", client_id),
            ("client secret", client_secret),
        ):
            if not value:
                raise ValueError(f"{source_id}: the Entra {name} is empty")
        self.source_id, self.tenant_id = source_id, tenant_id
        self._client_id, self._secret = client_id, client_secret
        self.login = SaasHttpSource(
            source_id, authority or authority_url(), {}, secrets=[client_secret], **http_options
        )
        self.graph = SaasHttpSource(
            source_id,
            base_url,
            {"Accept": "application/json"},
            secrets=[client_secret],
            **http_options,
        )
        self._token: str | None = None

    def close(self) -> None:
        self.login.close()
        self.graph.close()

    def __enter__(self) -> M365CopilotClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _authorize(self) -> None:
        token = client_credentials_token(self.login, self.tenant_id, self._client_id, self._secret)
        self._token = token
        self.graph.set_secret_header("Authorization", f"Bearer {token}")

    def _get(self, url: str, params: dict | None) -> dict:
        if self._token is None:
            self._authorize()
        try:
            return self.graph.json("GET", url, params=params)
        except SourceRequestError as error:
            if error.status != 401:
                raise
            log.info("%s: access token rejected, asking for a new one", self.source_id)
            self._authorize()
            return self.graph.json("GET", url, params=params)

    def usage_user_details(self, period: str = "D30") -> Iterator[dict]:
        """Every row of the report for the period, flattened, each flagged `is_concealed`."""
        if period not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
        url: str | None = f"{REPORT}(period='{period}')"
        params: dict | None = {"$format": "application/json"}
        rows = concealed = pages = 0
        while url:
            body = self._get(url, params)
            pages += 1
            for row in body.get("value") or []:
                flat = flatten_row(row, self.tenant_id)
                rows += 1
                concealed += flat["is_concealed"]
                yield flat
            url, params = body.get("@odata.nextLink"), None
        log.info("%s: %d Copilot user row(s) read in %d page(s)", self.source_id, rows, pages)
        if concealed:
            log.warning(
                "%s: %d of %d rows of tenant %s have concealed user names (hashed "
                "userPrincipalName and displayName); they are kept with is_concealed = true but cannot "
                "be matched to people. To fix, a Microsoft 365 admin turns off 'Display concealed "
                "user, group, and site names in all reports' (admin center > Settings > Org settings "
                "> Reports).",
                self.source_id,
                concealed,
                rows,
                self.tenant_id,
            )
