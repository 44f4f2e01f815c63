"""Okta System Log (`GET /api/v1/logs`) in the sandbox: group membership events of team moves.

Each team is an Okta group named by its team id. A planted move (sandbox.enterprise `moved`)
appears as two LogEvents at 09:00 UTC of the move day: `group.user_membership.remove` from the old
team's group, then `group.user_membership.add` to the new one, both with targets
`[User, UserGroup]` as Okta writes them. Queries take `since` and `until` (ISO-8601), a `filter` of
`eventType eq "..."` terms joined by ` or `, `limit` (default 100, at most 1000) and
`sortOrder=ASCENDING`; pages follow the `Link: <...>; rel="next"` header with an `after` cursor, and
a bounded query (with `until`) has no next link on its last page. Events after the sandbox clock
do not exist yet. Okta keeps 90 days of events; the sandbox keeps its whole history so backfills
deeper than that still find their moves (a real org must have been pulled daily).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from sandbox.enterprise import Enterprise
from sandbox.identity import stable_token
from sandbox.openai_api import ApiError, Query

BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
EVENT_TYPE_TERM = re.compile(r'^eventType eq "([a-z_.]+)"$')
MESSAGES = {
    "group.user_membership.remove": "Remove user from group membership",
    "group.user_membership.add": "Add user to group membership",
}
LEGACY = {
    "group.user_membership.remove": "core.user_group_member.user_remove",
    "group.user_membership.add": "core.user_group_member.user_add",
}


def parse_instant(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise ApiError(400, f"{name}: not an ISO-8601 instant: {text!r}", name) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_filter(text: str | None) -> set[str] | None:
    """The event types of a `eventType eq "a" or eventType eq "b"` filter; None without a filter."""
    if not text:
        return None
    wanted = set()
    for term in text.split(" or "):
        match = EVENT_TYPE_TERM.match(term.strip().strip("()"))
        if not match:
            raise ApiError(400, f"filter: unsupported expression {term.strip()!r}", "filter")
        wanted.add(match.group(1))
    return wanted


def iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


class MembershipLog:
    """The System Log's group membership events, built from the enterprise's planted moves."""

    def __init__(
        self,
        enterprise: Enterprise,
        user_id: Callable[[str], str],
        group_id: Callable[[str], str],
    ) -> None:
        self.enterprise = enterprise
        self.user_id = user_id
        self.group_id = group_id

    def events(self) -> list[tuple[datetime, dict]]:
        events = []
        admin = self.enterprise.people[0]
        for move in (e for e in self.enterprise.person_events if e.kind == "moved"):
            person = self.enterprise.person(move.person_id)
            old_team = self.enterprise.team_on(move.person_id, move.on - timedelta(days=1))
            at = datetime.combine(move.on, time(9), UTC)
            transaction = stable_token(BASE62, 20, "okta-move", move.person_id, move.on)
            for offset, (event_type, team_id) in enumerate(
                (
                    ("group.user_membership.remove", old_team),
                    ("group.user_membership.add", move.team_id),
                )
            ):
                published = at + timedelta(milliseconds=250 * offset)
                events.append(
                    (
                        published,
                        self.event(event_type, published, person, team_id, admin, transaction),
                    )
                )
        return sorted(events, key=lambda pair: (pair[0], pair[1]["uuid"]))

    def event(self, event_type, published, person, team_id, admin, transaction) -> dict:
        uuid = stable_token(
            "0123456789abcdef", 32, "okta-log", event_type, person.person_id, published
        )
        return {
            "uuid": f"{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}",
            "published": iso(published),
            "eventType": event_type,
            "version": "0",
            "severity": "INFO",
            "legacyEventType": LEGACY[event_type],
            "displayMessage": MESSAGES[event_type],
            "actor": {
                "id": self.user_id(admin.person_id),
                "type": "User",
                "alternateId": admin.email,
                "displayName": admin.name,
                "detailEntry": None,
            },
            "client": {"userAgent": None, "zone": "null", "device": "Unknown", "ipAddress": None},
            "outcome": {"result": "SUCCESS", "reason": None},
            "transaction": {"type": "WEB", "id": transaction, "detail": {}},
            "debugContext": {"debugData": {}},
            "authenticationContext": {"externalSessionId": "unknown"},
            "securityContext": {},
            "request": {"ipChain": []},
            "target": [
                {
                    "id": self.user_id(person.person_id),
                    "type": "User",
                    "alternateId": person.email,
                    "displayName": person.name,
                    "detailEntry": None,
                },
                {
                    "id": self.group_id(team_id),
                    "type": "UserGroup",
                    "alternateId": "unknown",
                    "displayName": team_id,
                    "detailEntry": None,
                },
            ],
        }

    def query(self, query: Query, now: datetime) -> tuple[list[dict], dict[str, str] | None]:
        """One page of events and the next page's parameters (None on the last page)."""
        since = parse_instant(query.one("since"), "since") or now - timedelta(days=7)
        until = parse_instant(query.one("until"), "until")
        if query.one("sortOrder", "ASCENDING") != "ASCENDING":
            raise ApiError(400, "sortOrder: the sandbox serves ASCENDING only", "sortOrder")
        wanted = parse_filter(query.one("filter"))
        limit = query.limit(DEFAULT_LIMIT, MAX_LIMIT)
        end = min(until, now) if until else now
        matching = [
            event
            for published, event in self.events()
            if since <= published < end and (wanted is None or event["eventType"] in wanted)
        ]
        after = query.one("after")
        start = 0
        if after:
            ids = [event["uuid"] for event in matching]
            if after not in ids:
                raise ApiError(400, f"after: unknown cursor {after!r}", "after")
            start = ids.index(after) + 1
        page = matching[start : start + limit]
        params = {
            name: value
            for name, value in (
                ("since", query.one("since")),
                ("until", query.one("until")),
                ("filter", query.one("filter")),
                ("limit", str(limit)),
                ("sortOrder", query.one("sortOrder")),
            )
            if value
        }
        if start + limit < len(matching):
            return page, {**params, "after": page[-1]["uuid"]}
        return page, None
