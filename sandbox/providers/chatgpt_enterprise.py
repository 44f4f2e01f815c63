"""ChatGPT Enterprise Compliance API in the sandbox, under `/chatgpt/v1/compliance`: the workspace's
users (`GET /workspaces/{workspace_id}/users`), a bearer Compliance API key, cursor paging with
`after` (the last user id of the previous page), `limit` (default 50, at most 200) and `has_more`.
Seat holders come from `sandbox.saas_seats`; leavers whose seat was never removed are still listed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from connectors.sandbox_keys import SANDBOX_KEYS
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise, Person, stable_int
from sandbox.ground_truth import empty_totals
from sandbox.providers import Response
from sandbox.saas_seats import SaasSeats, day_start, seats_for

TOOL = "chatgpt_enterprise"
PREFIX = "/chatgpt/v1/compliance/"
SECRET_ENV = "CHATGPT_COMPLIANCE_API_KEY"
DEFAULT_SECRET = SANDBOX_KEYS[SECRET_ENV]
WORKSPACE_ID = "6f0c8e2a-94b1-4d3e-a7c5-1e2d3f4a5b6c"
DEFAULT_LIMIT, MAX_LIMIT = 50, 200


def api_error(status: int, message: str, kind: str = "invalid_request_error") -> Response:
    return Response.json({"error": {"message": message, "type": kind, "code": None}}, status)


class ChatGPTEnterpriseProvider:
    name = TOOL
    prefixes = (PREFIX,)

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
        self.key = secrets.get(SECRET_ENV) or os.environ.get(SECRET_ENV) or DEFAULT_SECRET

    def user_id(self, person: Person) -> str:
        return f"user-{stable_int(self.seed, 'chatgpt-user', person.person_id):016x}"

    def members(self, day: date) -> list[Person]:
        return self.seats.seat_holders(TOOL, day)

    def user(self, person: Person) -> dict:
        created = day_start(self.seats.seat_created_on(TOOL, person)) + timedelta(
            seconds=stable_int(self.seed, "chatgpt-created", person.person_id) % 86_400
        )
        first = self.seats.holders[TOOL][0]
        return {
            "object": "compliance.workspace.user",
            "id": self.user_id(person),
            "email": person.email,
            "name": person.name,
            "role": "account-owner" if person == first else "standard-user",
            "status": "active",
            "created_at": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def handle(self, path: str, query, headers: Mapping[str, str]) -> Response:
        scheme, _, key = (headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not key or key != self.key:
            return api_error(401, "Invalid Compliance API key provided.")
        if path.rstrip("/") != f"{PREFIX}workspaces/{WORKSPACE_ID}/users":
            if path.startswith(f"{PREFIX}workspaces/"):
                return api_error(404, "Workspace not found or not accessible with this key.")
            return api_error(404, f"Unknown path {path}.")
        try:
            limit = int(query.one("limit", str(DEFAULT_LIMIT)))
        except ValueError:
            return api_error(400, "limit must be an integer")
        if not 1 <= limit <= MAX_LIMIT:
            return api_error(400, f"limit must be between 1 and {MAX_LIMIT}")
        users = sorted(
            (self.user(p) for p in self.members(self.clock().date())), key=lambda u: u["id"]
        )
        after = query.one("after")
        start = 0
        if after:
            ids = [u["id"] for u in users]
            if after not in ids:
                return api_error(400, f"after: no user with id {after!r}")
            start = ids.index(after) + 1
        page = users[start : start + limit]
        return Response.json(
            {
                "object": "list",
                "data": page,
                "has_more": start + limit < len(users),
                "last_id": page[-1]["id"] if page else None,
            }
        )

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        return empty_totals()  # seats do not feed the token usage marts

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        return {}

    def environment(self, base_url: str) -> dict[str, str]:
        return {"CHATGPT_COMPLIANCE_BASE_URL": f"{base_url}/chatgpt/v1/compliance"}

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
) -> ChatGPTEnterpriseProvider:
    return ChatGPTEnterpriseProvider(enterprise, activity, clock, secrets)
