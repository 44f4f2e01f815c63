"""What the identity directories (Okta, Entra ID, Google Workspace, SCIM) know about the enterprise.

Every directory serves the same people as of the sandbox clock's day: their current team (display
name from the team id, department as division, the team's cost centre), their status from the planted
people history, their manager (the first active member of their team, by person id; the team's first
member has none) and an employee id. On top of that, a few planted facts make the directories
disagree, derived from their own generator so nothing else in the sandbox shifts:

- one person is suspended in Okta only (Entra, Google and SCIM still show them active);
- one person's Google primary email differs from their email only in case;
- one person's Google primary email is an alias (`first.l@...`) with no employee id in Google;
- one person exists only in Okta (a contractor account).
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

from connectors.sandbox_keys import SANDBOX_KEYS
from sandbox.activity import Activity
from sandbox.enterprise import EMAIL_DOMAIN, HISTORY_FROM, Enterprise, Person, Team, stable_int
from sandbox.ground_truth import empty_totals

Status = str  # active | suspended | departed
STATUS_EVENTS = ("suspended", "reinstated", "left")


# words a slug cannot capitalise right
DISPLAY_WORDS = {
    "fp": "FP",
    "fpa": "FP&A",
    "it": "IT",
    "ml": "ML",
    "ai": "AI",
    "hr": "HR",
    "qa": "QA",
    "ux": "UX",
    "sql": "SQL",
    "dsar": "DSAR",
    "emea": "EMEA",
}
DISPLAY_NAMES = {"fp-and-a": "FP&A"}


def display_name(slug: str, title: bool = True) -> str:
    """A person-readable name for a slug: `developer-experience` -> `Developer Experience`,
    `it` -> `IT`, `fp-and-a` -> `FP&A`; with `title=False` only the first word is capitalised
    (`ml-eval-harness` -> `ML eval harness`)."""
    if slug in DISPLAY_NAMES:
        return DISPLAY_NAMES[slug]
    words = slug.split("-")
    shown = [
        DISPLAY_WORDS.get(word) or (word.capitalize() if title or not i else word)
        for i, word in enumerate(words)
    ]
    return " ".join(shown)


def team_display_name(team_id: str) -> str:
    """The display name governance/teams.yml gives a team id (`fp-and-a` -> `FP&A`)."""
    return display_name(team_id)


def employee_id(person: Person) -> str:
    return f"E{10000 + int(person.person_id[1:])}"


def iso_millis(day: date, hour: int = 0) -> str:
    """`2026-09-03T00:00:00.000Z`: the moment a planted change took effect."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z"
    )


def change_moment(day: date, hired_on: date) -> str:
    """When a record last changed: midnight UTC of a planted change, 09:00 of the hire day if none."""
    return iso_millis(day) if day != hired_on else iso_millis(hired_on, 9)


@dataclass(frozen=True)
class PlantedFacts:
    """The sandbox's own ground truth for the identity sources."""

    okta_only_suspended: str  # person id
    okta_only_suspended_on: date
    google_case_email: str  # person id; Google's primaryEmail differs only in case
    google_alias_email: str  # person id; Google's primaryEmail is `alias`, no employee id
    google_alias: str
    okta_only_person: str  # person id listed in Okta only


@dataclass(frozen=True)
class DirectoryEntry:
    """One person as every directory sees them on one day (before per-directory quirks)."""

    person: Person
    employee_id: str
    team: Team
    status: Status
    status_changed: date  # day of the latest status event, else the hire day
    updated: date  # day of the latest event of any kind, else the hire day
    manager: Person | None

    @property
    def team_name(self) -> str:
        return team_display_name(self.team.team_id)


class IdentityDirectory:
    """The enterprise's people as the identity directories serve them, per day."""

    def __init__(self, enterprise: Enterprise) -> None:
        self.enterprise = enterprise
        self.entries_on = lru_cache(maxsize=64)(self._entries_on)

    def resolved_status(self, person_id: str, day: date) -> Status:
        """The status the warehouse resolves on `day`: the most restrictive any directory reports,
        so the person Okta alone suspends counts as suspended."""
        status = self.enterprise.status_on(person_id, day)
        planted = self.planted
        if (
            status == "active"
            and person_id == planted.okta_only_suspended
            and day >= planted.okta_only_suspended_on
        ):
            return "suspended"
        return status

    @cached_property
    def planted(self) -> PlantedFacts:
        rng = random.Random(f"{self.enterprise.seed}-identity")
        touched = {e.person_id for e in self.enterprise.person_events}
        leads = {self._first_member(t.team_id) for t in self.enterprise.teams}
        quiet = [p.person_id for p in self.enterprise.people if p.person_id not in touched | leads]
        suspended, case, alias, only = rng.sample(quiet, 4)
        person = self.enterprise.person(alias)
        first, _, last = person.email.partition("@")[0].partition(".")
        return PlantedFacts(
            okta_only_suspended=suspended,
            okta_only_suspended_on=HISTORY_FROM + timedelta(days=rng.randrange(20, 60)),
            google_case_email=case,
            google_alias_email=alias,
            google_alias=f"{first}.{last[:1]}@{EMAIL_DOMAIN}",
            okta_only_person=only,
        )

    def _first_member(self, team_id: str) -> str:
        return next(p.person_id for p in self.enterprise.people if p.team_id == team_id)

    def _entries_on(self, day: date) -> tuple[DirectoryEntry, ...]:
        enterprise = self.enterprise
        teams = {p.person_id: enterprise.team_on(p.person_id, day) for p in enterprise.people}
        statuses = {p.person_id: enterprise.status_on(p.person_id, day) for p in enterprise.people}
        leads: dict[str, list[Person]] = {}
        for person in enterprise.people:
            if statuses[person.person_id] == "active":
                leads.setdefault(teams[person.person_id], []).append(person)
        entries = []
        for person in enterprise.people:
            events = [e for e in enterprise.events_of(person.person_id) if e.on <= day]
            status_days = [e.on for e in events if e.kind in STATUS_EVENTS]
            members = leads.get(teams[person.person_id], [])
            manager = next((m for m in members if m.person_id != person.person_id), None)
            if members and members[0].person_id == person.person_id:
                manager = None  # the team's first active member leads it
            entries.append(
                DirectoryEntry(
                    person=person,
                    employee_id=employee_id(person),
                    team=enterprise.team(teams[person.person_id]),
                    status=statuses[person.person_id],
                    status_changed=max(status_days, default=person.hired_on),
                    updated=max([e.on for e in events], default=person.hired_on),
                    manager=manager,
                )
            )
        return tuple(entries)

    def listed(self, day: date, directory: str) -> list[DirectoryEntry]:
        """The entries a directory lists on a day: everyone, less the Okta-only account elsewhere."""
        only = self.planted.okta_only_person
        return [
            e for e in self.entries_on(day) if directory == "okta" or e.person.person_id != only
        ]

    def truth(self, day: date) -> dict:
        """Planted facts and per-directory counts for tests: what a full pull must return."""
        entries = self.entries_on(day)
        planted = self.planted
        return {
            "planted": planted,
            "people": len(entries),
            "counts": {
                "okta": len(entries),
                "entra_id": len(entries) - 1,
                "google_workspace": len(entries) - 1,
                "scim": len(entries) - 1,
            },
            "okta_deprovisioned": sum(e.status == "departed" for e in entries),
        }


def stable_token(alphabet: str, length: int, *parts: object) -> str:
    """A deterministic id of `length` characters from `alphabet`."""
    value = stable_int(*parts) * 0x9E3779B97F4A7C15 + stable_int(*parts, "more")
    chars = []
    for _ in range(length):
        value, digit = divmod(value, len(alphabet))
        chars.append(alphabet[digit])
    return "".join(chars)


def stable_uuid(*parts: object) -> str:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return str(uuid.UUID(digest[:32]))


def bearer(headers: Mapping[str, str], scheme: str = "Bearer") -> str:
    """The credential after `<scheme> ` in the Authorization header, or ""."""
    value = headers.get("Authorization") or headers.get("authorization") or ""
    prefix = f"{scheme} "
    return value[len(prefix) :] if value.startswith(prefix) else ""


def origin(headers: Mapping[str, str]) -> str:
    """`http://<host>` of the request, for absolute paging links."""
    return f"http://{headers.get('Host') or '127.0.0.1'}"


class DirectoryProvider:
    """Provider protocol parts every identity directory shares: no usage, no cost, no exports."""

    name = ""
    prefixes: tuple[str, ...] = ()
    secret_env = ""

    def __init__(
        self,
        enterprise: Enterprise,
        activity: Activity,
        clock: Callable[[], datetime],
        secrets: Mapping[str, str],
    ) -> None:
        self.enterprise, self.clock = enterprise, clock
        self.secret = secrets.get(self.secret_env) or SANDBOX_KEYS[self.secret_env]
        self.directory = shared_directory(enterprise)

    def today(self) -> date:
        return self.clock().astimezone(UTC).date()

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        """Identity sources feed no usage or cost."""
        return empty_totals()

    def identity_truth(self, day: date | None = None) -> dict:
        """What a full pull on `day` (default: the sandbox's today) must return, planted facts included."""
        return self.directory.truth(day or self.today())

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        return {}

    def declared_credentials(self) -> list[dict]:
        return []

    def corrupt(self, day: date) -> None:
        """No-op: a directory snapshot has no invariants of its own to break."""

    def reset(self) -> None:
        pass


_DIRECTORIES: dict[int, IdentityDirectory] = {}


def shared_directory(enterprise: Enterprise) -> IdentityDirectory:
    """One directory per enterprise, so four providers compute each day's people once."""
    key = id(enterprise)
    if key not in _DIRECTORIES or _DIRECTORIES[key].enterprise is not enterprise:
        _DIRECTORIES[key] = IdentityDirectory(enterprise)
    return _DIRECTORIES[key]
