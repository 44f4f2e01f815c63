"""Google Workspace Admin SDK Directory API in the sandbox: `GET /admin/directory/v1/users`.

Bearer token (in real life a service account's token with domain-wide delegation). `customer` is
required (`my_customer` or the customer id); `maxResults` 1-500 (default 100) with `nextPageToken`;
users ordered by primary email; an empty page has no `users` key. Suspended and departed people are
`suspended: true`. Planted: one person's primaryEmail differs from their email only in case, and one
person is listed under an alias with no employee id (see sandbox.identity).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from sandbox.identity import DirectoryEntry, DirectoryProvider, bearer, iso_millis, stable_int
from sandbox.openai_api import Query
from sandbox.providers import Response

CUSTOMER_ID = "C03az79cb"
DEFAULT_MAX, MAX_RESULTS = 100, 500


def google_error(status: int, reason: str, message: str, state: str) -> Response:
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": state,
        }
    }
    return Response.json(body, status)


class GoogleWorkspaceProvider(DirectoryProvider):
    name = "google_workspace"
    prefixes = ("/admin/directory/v1/",)
    secret_env = "GOOGLE_WORKSPACE_TOKEN"

    def user_id(self, person_id: str) -> str:
        return str(10**20 + stable_int(self.enterprise.seed, "google-user", person_id) % 10**20)

    def primary_email(self, entry: DirectoryEntry) -> str:
        planted, person = self.directory.planted, entry.person
        if person.person_id == planted.google_case_email:
            local, _, domain = person.email.partition("@")
            return f"{local.title()}@{domain}"
        if person.person_id == planted.google_alias_email:
            return planted.google_alias
        return person.email

    def user(self, entry: DirectoryEntry, projection: str) -> dict:
        person, team = entry.person, entry.team
        first, _, last = person.name.partition(" ")
        suspended = entry.status != "active"
        user = {
            "kind": "admin#directory#user",
            "id": self.user_id(person.person_id),
            "etag": f'"{stable_int("etag", person.person_id, entry.updated):x}"',
            "primaryEmail": self.primary_email(entry),
            "name": {"givenName": first, "familyName": last, "fullName": person.name},
            "isAdmin": False,
            "isDelegatedAdmin": False,
            "suspended": suspended,
            "archived": False,
            "orgUnitPath": f"/{team.department.replace('-', ' ').title()}/{entry.team_name}",
            "creationTime": iso_millis(person.hired_on, 8),
            "lastLoginTime": iso_millis(self.today(), 7) if not suspended else None,
            "organizations": [
                {
                    "title": None,
                    "department": entry.team_name,
                    "costCenter": team.cost_center_id,
                    "description": team.department,
                    "primary": True,
                    "customType": "",
                }
            ],
        }
        if suspended:
            user["suspensionReason"] = "ADMIN"
        if entry.manager:
            user["relations"] = [{"value": entry.manager.email, "type": "manager"}]
        if person.person_id != self.directory.planted.google_alias_email:
            user["externalIds"] = [{"value": entry.employee_id, "type": "organization"}]
        if projection == "full":
            user["customSchemas"] = {}
        return user

    def handle(self, path: str, query: Query, headers: Mapping[str, str]) -> Response:
        if not self.secret or bearer(headers) != self.secret:
            return google_error(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
                "UNAUTHENTICATED",
            )
        if path.rstrip("/") != "/admin/directory/v1/users":
            return google_error(404, "notFound", "Resource Not Found: path", "NOT_FOUND")
        if query.one("customer") not in ("my_customer", CUSTOMER_ID):
            return google_error(400, "badRequest", "Bad Request", "INVALID_ARGUMENT")
        try:
            size = int(query.one("maxResults") or DEFAULT_MAX)
        except ValueError:
            return google_error(400, "invalid", "Invalid value for maxResults", "INVALID_ARGUMENT")
        if not 1 <= size <= MAX_RESULTS:
            return google_error(400, "invalid", "Invalid value for: maxResults", "INVALID_ARGUMENT")
        token = query.one("pageToken")
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
        projection = query.one("projection") or "basic"
        entries = sorted(
            self.directory.listed(self.today(), "google_workspace"),
            key=lambda e: self.primary_email(e).lower(),
        )
        body: dict = {"kind": "admin#directory#users", "etag": '"sandbox"'}
        page = [self.user(e, projection) for e in entries[start : start + size]]
        if page:
            body["users"] = page
        if start + size < len(entries):
            body["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return Response.json(body)

    def environment(self, base_url: str) -> dict[str, str]:
        return {"GOOGLE_ADMIN_BASE_URL": base_url}


def build(enterprise, activity, clock, secrets) -> GoogleWorkspaceProvider:
    return GoogleWorkspaceProvider(enterprise, activity, clock, secrets)
