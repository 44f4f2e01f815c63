"""Microsoft Entra ID in the sandbox: the OAuth 2.0 client-credentials token endpoint and Graph
`/v1.0/users`. The Microsoft 365 sources share this Graph base (`/entra/v1.0`), authority
(`/entra-login`), client id and secret: the token endpoint issues tokens for any tenant id, and
`valid_token()` tells other providers whether a bearer token is one it issued.

Token: `POST /entra-login/<tenant>/oauth2/v2.0/token` (form: client_id, client_secret, scope
`https://graph.microsoft.com/.default`, grant_type=client_credentials) answers an access token valid
for an hour; errors use the AADSTS shape. Users: `GET /entra/v1.0/users` with a bearer token returns
only the default properties unless `$select` names more, expands the manager with
`$expand=manager($select=id,userPrincipalName)`, pages with `$top` (at most 999, default 100) and an
opaque `$skiptoken` inside `@odata.nextLink`. Suspended and departed people have
`accountEnabled: false`; the person suspended in Okta only is still enabled here.

`assignedPlans` (when selected) lists each user's service plans as Graph does: an Exchange Online
plan for everyone from their hire day, and for the holders of a Microsoft 365 Copilot seat the
Copilot service plans (in productivity apps, in Teams) assigned on the seat's creation day,
`capabilityStatus` Deleted once the seat was removed.
"""

from __future__ import annotations

import base64
import re
import secrets as token_source
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from functools import cached_property
from urllib.parse import parse_qs, quote, urlencode

from sandbox.enterprise import stable_int
from sandbox.identity import DirectoryEntry, DirectoryProvider, bearer, iso_millis, origin
from sandbox.identity import stable_uuid as guid
from sandbox.openai_api import Query
from sandbox.providers import Response
from sandbox.saas_seats import seats_for

TENANT_ID = "8d2f3c6e-5b1a-4c7d-9e0f-1a2b3c4d5e6f"
CLIENT_ID = "3f6a9c2e-7b14-4d58-a0c3-9e8d7b6a5f41"
TOKEN_PATH = re.compile(r"^/entra-login/([0-9a-fA-F-]{36})/oauth2/v2\.0/token$")
SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_TOP, MAX_TOP = 100, 999
DEFAULT_PROPERTIES = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)
# (service, servicePlanId) of the plans served, ids from Microsoft's licensing service plan reference:
# EXCHANGE_S_ENTERPRISE, M365_COPILOT_APPS and M365_COPILOT_TEAMS
EXCHANGE_PLAN = ("exchange", "efb87545-963c-4e0d-99df-69c6916d9eb0")
COPILOT_APPS_PLAN = ("M365CopilotApps", "a62f8878-de10-42f3-b68f-6149a25ceb97")
COPILOT_TEAMS_PLAN = ("M365CopilotTeams", "b95945de-b3bd-46db-8437-f2beb6ea2347")
EXPAND_MANAGER = re.compile(r"^manager(\(\$select=([a-zA-Z,]+)\))?$")


def graph_error(status: int, code: str, message: str) -> Response:
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": "2026-01-01T00:00:00", "request-id": guid("graph", code)},
        }
    }
    return Response.json(body, status)


def token_error(status: int, error: str, code: int, description: str) -> Response:
    body = {
        "error": error,
        "error_description": f"AADSTS{code}: {description}",
        "error_codes": [code],
        "timestamp": "2026-01-01 00:00:00Z",
        "trace_id": guid("trace", code),
        "correlation_id": guid("correlation", code),
    }
    return Response.json(body, status)


class EntraIdProvider(DirectoryProvider):
    name = "entra_id"
    prefixes = ("/entra/v1.0/users", "/entra-login/")
    secret_env = "ENTRA_CLIENT_SECRET"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tokens: set[str] = set()
        self.tokens_issued = 0

    def user_id(self, person_id: str) -> str:
        return guid(self.enterprise.seed, "entra-user", person_id)

    def valid_token(self, token: str) -> bool:
        """Is this bearer token one the token endpoint issued (and not revoked)?"""
        return token in self.tokens

    def revoke_tokens(self) -> None:
        """Expire every issued access token (the next Graph call answers 401)."""
        self.tokens.clear()

    # ---- token endpoint -----------------------------------------------------------------------

    def handle_post(
        self, path: str, query: Query, headers: Mapping[str, str], raw: bytes
    ) -> Response:
        match = TOKEN_PATH.match(path)
        if not match:
            return token_error(
                400, "invalid_request", 90002, f"Tenant not found for path '{path}'."
            )
        form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return token_error(
                400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
            )
        if form.get("client_id") != CLIENT_ID:
            return token_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{form.get('client_id')}' was not found in the directory.",
            )
        if not self.secret or form.get("client_secret") != self.secret:
            return token_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        if form.get("scope") != SCOPE:
            return token_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {form.get('scope')} is not valid.",
            )
        token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + token_source.token_urlsafe(32)
        self.tokens.add(token)
        self.tokens_issued += 1
        return Response.json(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": token,
            }
        )

    # ---- Graph --------------------------------------------------------------------------------

    def handle(self, path: str, query: Query, headers: Mapping[str, str]) -> Response:
        token = bearer(headers)
        if not token:
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        if token not in self.tokens:
            return graph_error(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            )
        if path.rstrip("/") != "/entra/v1.0/users":
            return graph_error(
                404, "Request_ResourceNotFound", f"Resource '{path}' does not exist."
            )
        return self.users(query, headers)

    def users(self, query: Query, headers: Mapping[str, str]) -> Response:
        select = query.many("$select") or list(DEFAULT_PROPERTIES)
        expand = query.one("$expand")
        manager_fields: list[str] | None = None
        if expand:
            match = EXPAND_MANAGER.match(expand)
            if not match:
                return graph_error(
                    400, "BadRequest", f"Could not find a property named '{expand}'."
                )
            manager_fields = (match.group(2) or "id,userPrincipalName,displayName").split(",")
        try:
            top = int(query.one("$top") or DEFAULT_TOP)
        except ValueError:
            return graph_error(400, "BadRequest", "Invalid value for $top.")
        if not 1 <= top <= MAX_TOP:
            return graph_error(
                400,
                "Request_BadRequest",
                f"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.",
            )
        token = query.one("$skiptoken")
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
        day = self.today()
        entries = self.directory.listed(day, "entra_id")
        page = [self.user(e, select, manager_fields) for e in entries[start : start + top]]
        body: dict = {
            "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users({','.join(select)})",
            "value": page,
        }
        if start + top < len(entries):
            skip = base64.urlsafe_b64encode(str(start + top).encode()).decode()
            params = {"$select": ",".join(select), "$top": top, "$skiptoken": skip}
            if expand:
                params["$expand"] = expand
            body["@odata.nextLink"] = (
                f"{origin(headers)}/entra/v1.0/users?{urlencode(params, safe='$,()=', quote_via=quote)}"
            )
        return Response.json(body)

    def user(self, entry: DirectoryEntry, select: list[str], manager: list[str] | None) -> dict:
        person, team = entry.person, entry.team
        first, _, last = person.name.partition(" ")
        enabled = entry.status == "active"
        full = {
            "id": self.user_id(person.person_id),
            "userPrincipalName": person.email,
            "mail": person.email,
            "displayName": person.name,
            "givenName": first,
            "surname": last,
            "department": entry.team_name,
            "jobTitle": None,
            "accountEnabled": enabled,
            "employeeId": entry.employee_id,
            "employeeType": "Employee",
            "employeeHireDate": iso_millis(person.hired_on).replace(".000", ""),
            "companyName": "Example Corp",
            "officeLocation": None,
            "usageLocation": "US",
            "employeeOrgData": {"costCenter": team.cost_center_id, "division": team.department},
            "onPremisesSamAccountName": person.email.partition("@")[0][:20],
            "createdDateTime": iso_millis(person.hired_on, 8).replace(".000", ""),
            "businessPhones": [],
            "mobilePhone": None,
            "preferredLanguage": "en-US",
        }
        if "assignedPlans" in select:
            full["assignedPlans"] = self.assigned_plans(person)
        user = {name: full.get(name) for name in select}
        if manager is not None and entry.manager:
            boss = {
                "@odata.type": "#microsoft.graph.user",
                "id": self.user_id(entry.manager.person_id),
                "userPrincipalName": entry.manager.email,
                "displayName": entry.manager.name,
            }
            user["manager"] = {k: v for k, v in boss.items() if k == "@odata.type" or k in manager}
        return user

    @cached_property
    def copilot_holders(self) -> set[str]:
        return {p.person_id for p in seats_for(self.enterprise).holders["m365_copilot"]}

    def assigned_plans(self, person) -> list[dict]:
        def plan(service_plan: tuple[str, str], on, status: str) -> dict:
            minute = stable_int(self.enterprise.seed, "plan-assigned", person.person_id) % 480
            at = datetime.combine(on, time(8), UTC) + timedelta(minutes=minute)
            return {
                "assignedDateTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "capabilityStatus": status,
                "service": service_plan[0],
                "servicePlanId": service_plan[1],
            }

        plans = [plan(EXCHANGE_PLAN, person.hired_on, "Enabled")]
        seats, today = seats_for(self.enterprise), self.today()
        created = seats.seat_created_on("m365_copilot", person)
        if person.person_id in self.copilot_holders and created <= today:
            removed = seats.seat_removed_on("m365_copilot", person)
            status = "Deleted" if removed and removed <= today else "Enabled"
            plans += [plan(p, created, status) for p in (COPILOT_APPS_PLAN, COPILOT_TEAMS_PLAN)]
        return plans

    def environment(self, base_url: str) -> dict[str, str]:
        return {
            "GRAPH_BASE_URL": f"{base_url}/entra/v1.0",
            "ENTRA_AUTHORITY_URL": f"{base_url}/entra-login",
            "ENTRA_CLIENT_ID": CLIENT_ID,
        }


def build(enterprise, activity, clock, secrets) -> EntraIdProvider:
    return EntraIdProvider(enterprise, activity, clock, secrets)
