"""Client for the Okta Users and Groups API and the System Log (`Authorization: SSWS <API token>`).

Lists page with the `Link: <...>; rel="next"` header (an `after` cursor, `limit` at most 200).
`GET /api/v1/users` leaves DEPROVISIONED users out, so they are read with a second, filtered list.
On 429 the client waits for `Retry-After` or, as Okta sends it, until `X-Rate-Limit-Reset` (epoch
seconds).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
from tenacity import RetryCallState

from connectors.http import HttpSource, RetryableResponse
from connectors.identity import relative_to_base
from connectors.okta.schemas import PROFILE

log = logging.getLogger("connectors.okta")

MAX_PAGE_SIZE = 200
NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
DEPROVISIONED = 'status eq "DEPROVISIONED"'
USER_FIELDS = (
    "id",
    "status",
    "created",
    "activated",
    "statusChanged",
    "lastLogin",
    "lastUpdated",
    "passwordChanged",
)
GROUP_FIELDS = ("id", "created", "lastUpdated", "lastMembershipUpdated", "type")
MEMBERSHIP_EVENTS = ("group.user_membership.add", "group.user_membership.remove")


def next_link(header: str | None) -> str | None:
    """The `rel="next"` URL of a Link header (several links, comma separated), or None."""
    match = NEXT_LINK.search(header or "")
    return match.group(1) if match else None


class OktaHttp(HttpSource):
    """HttpSource that keeps the last response (for its Link header) and honours X-Rate-Limit-Reset."""

    last_response: httpx.Response | None = None

    def _get_once(self, path: str, params: Any) -> tuple[httpx.Response, Any]:
        response, body = super()._get_once(path, params)
        self.last_response = response
        return response, body

    def _wait(self, state: RetryCallState) -> float:
        wait = super()._wait(state)
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableResponse) and "Retry-After" not in error.response.headers:
            reset = error.response.headers.get("X-Rate-Limit-Reset")
            if reset and reset.isdigit():
                wait = max(wait, min(int(reset) - time.time(), self.backoff_max))
        return wait


def _flatten_user(user: dict) -> dict:
    flat = {name: user.get(name) for name in USER_FIELDS}
    flat["type_id"] = (user.get("type") or {}).get("id")
    for name, value in (user.get("profile") or {}).items():
        # known attributes are text even where an org stores numbers; custom ones pass through
        known = name in PROFILE and value is not None
        flat[f"profile_{name}"] = str(value) if known else value
    return flat


def _flatten_group(group: dict) -> dict:
    flat = {name: group.get(name) for name in GROUP_FIELDS}
    profile = group.get("profile") or {}
    flat["profile_name"] = profile.get("name")
    flat["profile_description"] = profile.get("description")
    return flat


def _flatten_membership_event(event: dict) -> dict:
    """A membership LogEvent: its user and group targets side by side (other targets ignored)."""
    targets = {target.get("type"): target for target in event.get("target") or []}
    user, group = targets.get("User") or {}, targets.get("UserGroup") or {}
    return {
        "uuid": event.get("uuid"),
        "published": event.get("published"),
        "eventType": event.get("eventType"),
        "outcome_result": (event.get("outcome") or {}).get("result"),
        "transaction_id": (event.get("transaction") or {}).get("id"),
        "user_id": user.get("id"),
        "user_alternateId": user.get("alternateId"),
        "group_id": group.get("id"),
        "group_displayName": group.get("displayName"),
    }


class OktaClient:
    """Reads every user (DEPROVISIONED included) and group of one Okta org.

    Args:
        api_token: an Okta API token (sent as `SSWS <token>`).
        base_url: the org URL, e.g. `https://acme.okta.com`.
    """

    def __init__(
        self,
        api_token: str,
        base_url: str,
        *,
        source_id: str = "okta",
        page_size: int = MAX_PAGE_SIZE,
        **http_options: Any,
    ) -> None:
        if not api_token:
            raise ValueError(f"{source_id}: the Okta API token is empty")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        headers = {"Authorization": f"SSWS {api_token}", "Accept": "application/json"}
        self.source_id = source_id
        self.page_size = page_size
        self.http = OktaHttp(source_id, base_url, headers, secrets=[api_token], **http_options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OktaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _list(self, path: str, params: list[tuple[str, Any]]) -> Iterator[dict]:
        """Every item of a list, following the Link header's next URL on this org only."""
        target: str = path
        query: list[tuple[str, Any]] | None = [*params, ("limit", self.page_size)]
        pages = 0
        while True:
            body = self.http.get_json(target, query)
            pages += 1
            yield from body
            response = self.http.last_response
            link = next_link(response.headers.get("Link") if response is not None else None)
            # a page may be empty and still have a next link (filtered lists); a repeated link ends
            following = relative_to_base(link, self.http.base_url, self.source_id) if link else None
            if not following or following == target:
                break
            target, query = following, None
        log.info("%s: %s read in %d page(s)", self.source_id, path, pages)

    def users(self) -> Iterator[dict]:
        """Every user, DEPROVISIONED ones included, with the profile flattened as `profile_<name>`."""
        for user in self._list("api/v1/users", []):
            yield _flatten_user(user)
        for user in self._list("api/v1/users", [("filter", DEPROVISIONED)]):
            yield _flatten_user(user)

    def groups(self) -> Iterator[dict]:
        for group in self._list("api/v1/groups", []):
            yield _flatten_group(group)

    def group_membership_events(self, since: datetime, until: datetime) -> Iterator[dict]:
        """System Log events of users added to or removed from groups in [since, until)."""
        condition = " or ".join(f'eventType eq "{name}"' for name in MEMBERSHIP_EVENTS)
        params = [
            ("since", _instant(since)),
            ("until", _instant(until)),
            ("filter", condition),
            ("sortOrder", "ASCENDING"),
        ]
        for event in self._list("api/v1/logs", params):
            yield _flatten_membership_event(event)


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
