"""Microsoft 365 Copilot usage reports in the sandbox, on the Entra sandbox's Graph base and authority.

Two tenants license Copilot: the main one and a regional one (sales, marketing and support people)
that conceals user names in reports, so its rows carry 32-hex hashes as userPrincipalName and
displayName. Tokens come from this provider's token endpoint for those two tenant ids (the same app
registration as the Entra ID sandbox: its client id and secret); the report answers JSON
(`$format=application/json`) in pages of `PAGE_SIZE` rows with `@odata.nextLink`, refreshed two days
behind the clock, last-activity dates only (no counts), as documented.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote

from connectors.sandbox_keys import SANDBOX_KEYS
from sandbox.activity import Activity
from sandbox.enterprise import EPOCH, Enterprise, Person, stable_int
from sandbox.ground_truth import empty_totals
from sandbox.providers import Response
from sandbox.providers.entra_id import CLIENT_ID
from sandbox.saas_seats import SaasSeats, hashed_name, seats_for

TOOL = "m365_copilot"
SECRET_ENV = "ENTRA_CLIENT_SECRET"
DEFAULT_SECRET = SANDBOX_KEYS[SECRET_ENV]
MAIN_TENANT = "7d1c2b9e-0a4f-4c55-9e63-5b2f8a1d0c01"
CONCEALED_TENANT = "3a9e5f20-6b7c-4d18-8f02-c4e1d7b6a902"
GRAPH = "/entra/v1.0/"
REPORT = "copilot/reports/getMicrosoft365CopilotUsageUserDetail"
REPORT_PATH = re.compile(re.escape(GRAPH + REPORT) + r"\(period='([A-Z0-9]+)'\)$")
PERIODS = {"D7": 7, "D30": 30, "D90": 90, "D180": 180, "ALL": 180}
PAGE_SIZE = 50
REFRESH_LAG = timedelta(days=2)
SCOPE = "https://graph.microsoft.com/.default"
APPS = (
    "microsoftTeamsCopilotLastActivityDate",
    "wordCopilotLastActivityDate",
    "excelCopilotLastActivityDate",
    "powerPointCopilotLastActivityDate",
    "outlookCopilotLastActivityDate",
    "oneNoteCopilotLastActivityDate",
    "loopCopilotLastActivityDate",
    "copilotChatLastActivityDate",
)
APP_SHARE = {"microsoftTeamsCopilotLastActivityDate": 2, "copilotChatLastActivityDate": 2}


def graph_error(status: int, code: str, message: str) -> Response:
    return Response.json({"error": {"code": code, "message": message}}, status)


def token_error(status: int, error: str, code: int, description: str) -> Response:
    return Response.json(
        {"error": error, "error_description": f"AADSTS{code}: {description}"}, status
    )


class M365CopilotProvider:
    name = TOOL
    prefixes = (
        GRAPH + "copilot/reports/",
        f"/entra-login/{MAIN_TENANT}/",
        f"/entra-login/{CONCEALED_TENANT}/",
    )

    def __init__(
        self,
        enterprise: Enterprise,
        activity: Activity,
        clock: Callable[[], datetime],
        secrets: Mapping[str, str],
    ) -> None:
        self.enterprise, self.clock = enterprise, clock
        self.seed = enterprise.seed
        self.seats: SaasSeats = seats_for(enterprise)
        self.secret = secrets.get(SECRET_ENV) or os.environ.get(SECRET_ENV) or DEFAULT_SECRET
        self.tokens: dict[str, str] = {}  # access token -> tenant id
        self._rows = lru_cache(maxsize=64)(self._report_rows)

    # ---- the report --------------------------------------------------------------------------

    def tenant_of(self, person: Person) -> str:
        return CONCEALED_TENANT if self.seats.concealed(person) else MAIN_TENANT

    def refresh_date(self) -> date:
        return self.clock().date() - REFRESH_LAG

    def licensed(self, tenant: str, day: date) -> list[Person]:
        return [p for p in self.seats.seat_holders(TOOL, day) if self.tenant_of(p) == tenant]

    def app_used(self, app: str, person: Person, day: date) -> bool:
        share = APP_SHARE.get(app, 5)
        return stable_int(self.seed, "m365-app", app, person.person_id, day) % share == 0

    def last_app_day(self, app: str, person: Person, day: date) -> date | None:
        current = self.seats.last_active_day(TOOL, person, day)
        while current is not None and current >= EPOCH:
            if self.seats.active(TOOL, person, current) and self.app_used(app, person, current):
                return current
            current -= timedelta(days=1)
        return None

    def row(self, person: Person, refreshed: date, period: int) -> dict:
        concealed = self.tenant_of(person) == CONCEALED_TENANT
        last = self.seats.last_active_day(TOOL, person, refreshed)
        row = {
            "reportRefreshDate": refreshed.isoformat(),
            "userPrincipalName": hashed_name(person.email) if concealed else person.email,
            "displayName": hashed_name(person.name) if concealed else person.name,
            "lastActivityDate": last.isoformat() if last else None,
        }
        for app in APPS:
            day = self.last_app_day(app, person, refreshed) if last else None
            row[app] = day.isoformat() if day else None
        row["copilotActivityUserDetailsByPeriod"] = [{"reportPeriod": period}]
        return row

    def rows(self, tenant: str, period: int) -> list[dict]:
        return self._rows(tenant, period, self.refresh_date())

    def _report_rows(self, tenant: str, period: int, refreshed: date) -> list[dict]:
        return [self.row(p, refreshed, period) for p in self.licensed(tenant, refreshed)]

    # ---- HTTP --------------------------------------------------------------------------------

    def handle_post(self, path: str, query, headers: Mapping[str, str], raw: bytes) -> Response:
        tenant = path.removeprefix("/entra-login/").split("/")[0]
        if path != f"/entra-login/{tenant}/oauth2/v2.0/token":
            return token_error(400, "invalid_request", 90002, f"Tenant not found for '{path}'.")
        form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return token_error(400, "unsupported_grant_type", 70003, "Unsupported grant type.")
        if form.get("client_id") != CLIENT_ID:
            return token_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{form.get('client_id')}' was not found.",
            )
        if not self.secret or form.get("client_secret") != self.secret:
            return token_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        if form.get("scope") != SCOPE:
            return token_error(400, "invalid_scope", 1002012, "The provided scope is not valid.")
        token = "eyJ0eXAiOiJKV1QifQ." + base64.urlsafe_b64encode(os.urandom(24)).decode()
        self.tokens[token] = tenant
        return Response.json(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": token,
            }
        )

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def handle(self, path: str, query, headers: Mapping[str, str]) -> Response:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        tenant = self.tokens.get(token)
        if tenant is None:
            return graph_error(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            )
        match = REPORT_PATH.match(unquote(path))
        if not match:
            return graph_error(400, "BadRequest", f"Resource not found for the segment '{path}'.")
        period = match.group(1)
        if period not in PERIODS:
            return graph_error(400, "BadRequest", f"Invalid period '{period}'.")
        if query.one("$format") != "application/json":
            return graph_error(
                400, "BadRequest", "The sandbox serves $format=application/json only."
            )
        rows = self.rows(tenant, PERIODS[period])
        offset = int(base64.urlsafe_b64decode(query.one("$skiptoken", "MA==")).decode() or 0)
        page = rows[offset : offset + PAGE_SIZE]
        context = f"https://graph.microsoft.com/v1.0/{REPORT}(period='{period}')"
        body: dict = {"@odata.context": f"{context}?$format=application/json", "value": page}
        if offset + PAGE_SIZE < len(rows):
            host = headers.get("Host") or "127.0.0.1"
            skip = base64.urlsafe_b64encode(str(offset + PAGE_SIZE).encode()).decode()
            body["@odata.nextLink"] = (
                f"http://{host}{GRAPH}{REPORT}(period='{period}')"
                f"?$format={quote('application/json', safe='')}&$skiptoken={skip}"
            )
        return Response.json(body)

    # ---- provider protocol -------------------------------------------------------------------

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        return empty_totals()  # seats and activity do not feed the token usage marts

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        return {}

    def environment(self, base_url: str) -> dict[str, str]:
        return {}  # GRAPH_BASE_URL, ENTRA_AUTHORITY_URL and ENTRA_CLIENT_ID come from entra_id

    def declared_credentials(self) -> list[dict]:
        return []

    def corrupt(self, day: date) -> None:
        pass

    def reset(self) -> None:
        pass


def build(
    enterprise: Enterprise,
    activity: Activity,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str],
) -> M365CopilotProvider:
    return M365CopilotProvider(enterprise, activity, clock, secrets)
