"""Okta in the sandbox: `Authorization: SSWS <token>`, `/api/v1/users`, `/api/v1/groups` and the
System Log's group membership events at `/api/v1/logs` (sandbox.providers.okta_system_log).

Lists follow Okta: `limit` (default and maximum 200), an `after` cursor in the `Link: <...>;
rel="next"` header, and DEPROVISIONED users left out unless asked for with
`filter=status eq "DEPROVISIONED"`. Leavers are DEPROVISIONED and suspended people SUSPENDED from the
day of their planted event, which `statusChanged` carries; `lastUpdated` is the latest change of any
kind (a team move included). One person is suspended here only, and one contractor account exists
here only (see sandbox.identity). Responses carry the X-Rate-Limit-* headers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from urllib.parse import urlencode

from sandbox.identity import (
    DirectoryEntry,
    DirectoryProvider,
    change_moment,
    iso_millis,
    origin,
    stable_token,
)
from sandbox.openai_api import ApiError, Query
from sandbox.providers import Response
from sandbox.providers.okta_system_log import MembershipLog

BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_LIMIT = 200
RATE_LIMIT = 600
STATUS = {"active": "ACTIVE", "suspended": "SUSPENDED", "departed": "DEPROVISIONED"}
FILTER = re.compile(r'^status eq "([A-Z_]+)"$')


def okta_error(status: int, code: str, summary: str) -> Response:
    body = {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": "oae" + stable_token(BASE62, 19, code, summary),
        "errorCauses": [],
    }
    return Response.json(body, status)


class OktaProvider(DirectoryProvider):
    name = "okta"
    prefixes = ("/api/v1/",)
    secret_env = "OKTA_API_TOKEN"

    def user_id(self, person_id: str) -> str:
        return "00u" + stable_token(BASE62, 17, self.enterprise.seed, "okta-user", person_id)

    def group_id(self, team_id: str) -> str:
        return "00g" + stable_token(BASE62, 17, self.enterprise.seed, "okta-group", team_id)

    def status_of(self, entry: DirectoryEntry, day: date) -> tuple[str, date]:
        planted = self.directory.planted
        if (
            entry.person.person_id == planted.okta_only_suspended
            and entry.status == "active"
            and day >= planted.okta_only_suspended_on
        ):
            return "SUSPENDED", planted.okta_only_suspended_on
        return STATUS[entry.status], entry.status_changed

    def user(self, entry: DirectoryEntry, day: date) -> dict:
        person, manager = entry.person, entry.manager
        status, changed = self.status_of(entry, day)
        first, _, last = person.name.partition(" ")
        return {
            "id": self.user_id(person.person_id),
            "status": status,
            "created": iso_millis(person.hired_on, 8),
            "activated": iso_millis(person.hired_on, 9),
            "statusChanged": change_moment(changed, person.hired_on),
            "lastLogin": None if status == "DEPROVISIONED" else iso_millis(day, 7),
            "lastUpdated": change_moment(max(changed, entry.updated), person.hired_on),
            "passwordChanged": iso_millis(person.hired_on, 9),
            "type": {"id": "oty" + stable_token(BASE62, 17, "default-user-type")},
            "profile": {
                "login": person.email,
                "email": person.email,
                "firstName": first,
                "lastName": last,
                "displayName": person.name,
                "title": None,
                "employeeNumber": entry.employee_id,
                "costCenter": entry.team.cost_center_id,
                "organization": "Example Corp",
                "division": entry.team.department,
                "department": entry.team_name,
                "managerId": self.user_id(manager.person_id) if manager else None,
                "manager": manager.name if manager else None,
            },
            "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
            "_links": {},
        }

    # ---- HTTP ---------------------------------------------------------------------------------

    def handle(self, path: str, query: Query, headers: Mapping[str, str]) -> Response:
        auth = headers.get("Authorization") or ""
        if not self.secret or auth != f"SSWS {self.secret}":
            return okta_error(401, "E0000011", "Invalid token provided")
        try:
            if path.rstrip("/") == "/api/v1/users":
                items, route = self.users(query), "/api/v1/users"
            elif path.rstrip("/") == "/api/v1/groups":
                items, route = self.groups(), "/api/v1/groups"
            elif path.rstrip("/") == "/api/v1/logs":
                return self.logs(query, headers)
            else:
                return okta_error(404, "E0000007", f"Not found: Resource not found: {path}")
            return self.page(items, route, query, headers)
        except ApiError as error:
            return okta_error(400, "E0000031", f"Invalid search criteria. {error.message}")

    def users(self, query: Query) -> list[dict]:
        day = self.today()
        wanted = None
        condition = query.one("filter")
        if condition:
            match = FILTER.match(condition.strip())
            if not match:
                raise ApiError(400, f"unsupported filter {condition!r}")
            wanted = match.group(1)
        users = [self.user(e, day) for e in self.directory.listed(day, "okta")]
        if wanted:
            return [u for u in users if u["status"] == wanted]
        return [u for u in users if u["status"] != "DEPROVISIONED"]

    def groups(self) -> list[dict]:
        return [
            {
                "id": self.group_id(team.team_id),
                "created": iso_millis(date(2024, 1, 2), 8),
                "lastUpdated": iso_millis(date(2024, 1, 2), 8),
                "lastMembershipUpdated": iso_millis(self.today(), 1),
                "objectClass": ["okta:user_group"],
                "type": "OKTA_GROUP",
                "profile": {"name": team.team_id, "description": f"Team {team.team_id}"},
            }
            for team in self.enterprise.teams
        ]

    def logs(self, query: Query, headers: Mapping[str, str]) -> Response:
        log = MembershipLog(self.enterprise, self.user_id, self.group_id)
        page, following = log.query(query, self.clock())
        base = f"{origin(headers)}/api/v1/logs"
        links = [f'<{base}?{urlencode(query.params, doseq=True)}>; rel="self"']
        if following:
            links.append(f'<{base}?{urlencode(following)}>; rel="next"')
        return Response.json(page, headers={"Link": ", ".join(links), **self.rate_headers()})

    def rate_headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(RATE_LIMIT),
            "X-Rate-Limit-Remaining": str(RATE_LIMIT - 1),
            "X-Rate-Limit-Reset": str(int(self.clock().timestamp()) + 60),
        }

    def page(self, items: list[dict], route: str, query: Query, headers: Mapping) -> Response:
        limit = min(query.limit(MAX_LIMIT, 10_000), MAX_LIMIT)
        after = query.one("after")
        start = 0
        if after:
            ids = [item["id"] for item in items]
            if after not in ids:
                raise ApiError(400, f"after: unknown cursor {after!r}")
            start = ids.index(after) + 1
        page = items[start : start + limit]
        params = {k: v for k, v in (("filter", query.one("filter")), ("limit", limit)) if v}
        base = f"{origin(headers)}{route}"
        links = [f'<{base}?{urlencode(params)}>; rel="self"']
        if start + limit < len(items):
            next_params = {**params, "after": page[-1]["id"]}
            links.append(f'<{base}?{urlencode(next_params)}>; rel="next"')
        return Response.json(page, headers={"Link": ", ".join(links), **self.rate_headers()})

    def environment(self, base_url: str) -> dict[str, str]:
        return {"OKTA_BASE_URL": base_url}


def build(enterprise, activity, clock, secrets) -> OktaProvider:
    return OktaProvider(enterprise, activity, clock, secrets)
