"""A SCIM 2.0 service provider in the sandbox (RFC 7643 / 7644): `GET /scim/v2/Users`.

Bearer token. Index paging: `startIndex` (1-based, values below 1 read as 1) and `count` (default
100; the server returns at most 200 per page, as RFC 7644 allows), answered as a ListResponse with
`totalResults`, `startIndex` and `itemsPerPage`. Users carry the enterprise extension (employee
number, cost centre, division, department, manager by SCIM id); leavers and suspended people are
`active: false`; `meta.lastModified` is the day of their latest planted change. Errors use the SCIM
Error message shape.
"""

from __future__ import annotations

from collections.abc import Mapping

from sandbox.identity import (
    DirectoryEntry,
    DirectoryProvider,
    bearer,
    change_moment,
    iso_millis,
    origin,
    stable_int,
)
from sandbox.identity import stable_uuid as guid
from sandbox.openai_api import Query
from sandbox.providers import Response

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
DEFAULT_COUNT, MAX_COUNT = 100, 200


def scim_error(status: int, detail: str, scim_type: str | None = None) -> Response:
    body = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return Response.json(body, status)


class ScimProvider(DirectoryProvider):
    name = "scim"
    prefixes = ("/scim/v2/",)
    secret_env = "SCIM_TOKEN"

    def user_id(self, person_id: str) -> str:
        return guid(self.enterprise.seed, "scim-user", person_id)

    def user(self, entry: DirectoryEntry, base: str) -> dict:
        person, team, manager = entry.person, entry.team, entry.manager
        first, _, last = person.name.partition(" ")
        user_id = self.user_id(person.person_id)
        modified = max(entry.updated, entry.status_changed)
        extension: dict = {
            "employeeNumber": entry.employee_id,
            "costCenter": team.cost_center_id,
            "organization": "Example Corp",
            "division": team.department,
            "department": entry.team_name,
        }
        if manager:
            manager_id = self.user_id(manager.person_id)
            extension["manager"] = {
                "value": manager_id,
                "$ref": f"{base}/Users/{manager_id}",
                "displayName": manager.name,
            }
        return {
            "schemas": [CORE, ENTERPRISE],
            "id": user_id,
            "externalId": entry.employee_id,
            "userName": person.email,
            "name": {"formatted": person.name, "familyName": last, "givenName": first},
            "displayName": person.name,
            "title": None,
            "userType": "Employee",
            "active": entry.status == "active",
            "emails": [{"value": person.email, "type": "work", "primary": True}],
            ENTERPRISE: extension,
            "meta": {
                "resourceType": "User",
                "created": iso_millis(person.hired_on, 8),
                "lastModified": change_moment(modified, person.hired_on),
                "location": f"{base}/Users/{user_id}",
                "version": f'W/"{stable_int(user_id, modified) % 10**8:x}"',
            },
        }

    def handle(self, path: str, query: Query, headers: Mapping[str, str]) -> Response:
        if not self.secret or bearer(headers) != self.secret:
            return scim_error(
                401, "Authorization failure. The authorization header is invalid or missing."
            )
        if path.rstrip("/") != "/scim/v2/Users":
            return scim_error(404, f"Resource {path} not found.")
        try:
            start = max(1, int(query.one("startIndex") or 1))
            count = max(0, int(query.one("count") or DEFAULT_COUNT))
        except ValueError:
            return scim_error(400, "startIndex and count must be integers.", "invalidValue")
        if query.one("filter"):
            return scim_error(
                400, "Filtering is not supported by this service provider.", "invalidFilter"
            )
        base = f"{origin(headers)}/scim/v2"
        entries = self.directory.listed(self.today(), "scim")
        page = [self.user(e, base) for e in entries[start - 1 : start - 1 + min(count, MAX_COUNT)]]
        body = {
            "schemas": [LIST],
            "totalResults": len(entries),
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": page,
        }
        return Response.json(body)

    def environment(self, base_url: str) -> dict[str, str]:
        return {"SCIM_BASE_URL": f"{base_url}/scim/v2"}


def build(enterprise, activity, clock, secrets) -> ScimProvider:
    return ScimProvider(enterprise, activity, clock, secrets)
