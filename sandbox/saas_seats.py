"""Seats in the SaaS AI tools (GitHub Copilot, Cursor, Microsoft 365 Copilot, ChatGPT Enterprise) for
the shared enterprise, and who used them on which day. The tool providers serve these facts; the
planted ones are exposed here as the tests' truth.

Planted, deterministically from the seed:
- idle seats: ~8% of each tool's holders; half never used their seat, half stopped before July 2026;
- leavers keep their seats (every leaver holds at least one); a third of leavers' seats are removed a
  week after they leave, the others stay assigned;
- some leavers keep using a tool after leaving (two in Copilot, one in Cursor, one in M365 Copilot);
- one person who moved team mid-history is active in Copilot and Cursor on every weekday, before and
  after the move;
- Microsoft 365 Copilot has two tenants; the second conceals user names in reports (hashed).
Activity is a pure function of (seed, tool, person, day); days before a seat existed are never active.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache

from sandbox.enterprise import EPOCH, Enterprise, Person, stable_int
from sandbox.identity import IdentityDirectory

TOOLS = ("github_copilot", "cursor", "m365_copilot", "chatgpt_enterprise")
ENGINEERING = {"engineering", "data"}
CONCEALED_DEPARTMENTS = {"sales", "customer-support", "marketing"}
IDLE_PERCENT = 8
IDLE_STOPPED_ON = date(2026, 7, 1)
SEAT_REMOVAL_DELAY = timedelta(days=7)
MOVER_FROM = date(2026, 9, 1)
ACTIVE_AFTER_LEAVING = {"github_copilot": 2, "cursor": 1, "m365_copilot": 1}
# (tool, share of the pool in percent): who holds a seat without being planted
SHARES = {"github_copilot": 85, "cursor": 25, "m365_copilot": 15, "chatgpt_enterprise": 12}


def hashed_name(text: str) -> str:
    """What a tenant that conceals names reports instead of a name: 32 upper-case hex digits."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest().upper()


class SaasSeats:
    def __init__(self, enterprise: Enterprise) -> None:
        self.enterprise = enterprise
        self.seed = enterprise.seed
        self._active = lru_cache(maxsize=None)(self._compute_active)
        self._last = lru_cache(maxsize=200_000)(self._compute_last)

    # ---- who holds seats -----------------------------------------------------------------------

    def department(self, person: Person) -> str:
        return self.enterprise.team(person.team_id).department

    @cached_property
    def leavers(self) -> list[tuple[Person, date]]:
        return [
            (self.enterprise.person(e.person_id), e.on)
            for e in sorted(self.enterprise.person_events, key=lambda e: e.person_id)
            if e.kind == "left"
        ]

    @cached_property
    def mover(self) -> Person:
        """The first person who moved team in September 2026."""
        moves = sorted(
            (e.on, e.person_id)
            for e in self.enterprise.person_events
            if e.kind == "moved" and e.on >= MOVER_FROM
        )
        return self.enterprise.person(moves[0][1])

    @cached_property
    def holders(self) -> dict[str, list[Person]]:
        chosen: dict[str, set[str]] = {tool: set() for tool in TOOLS}
        for person in self.enterprise.people:
            engineer = self.department(person) in ENGINEERING
            for tool, share in SHARES.items():
                pool = engineer if tool in ("github_copilot", "cursor") else not engineer
                if tool == "cursor":
                    pool = self.department(person) == "engineering"
                if (
                    pool
                    and stable_int(self.seed, "saas-seat", tool, person.person_id) % 100 < share
                ):
                    chosen[tool].add(person.person_id)
        for n, (person, _left) in enumerate(self.leavers):
            chosen[TOOLS[n % len(TOOLS)]].add(person.person_id)
        chosen["github_copilot"].add(self.mover.person_id)
        chosen["cursor"].add(self.mover.person_id)
        return {
            tool: sorted((self.enterprise.person(p) for p in ids), key=lambda p: p.email)
            for tool, ids in chosen.items()
        }

    def seat_created_on(self, tool: str, person: Person) -> date:
        if person.person_id in self.protected:
            return date(2025, 11, 1)
        return date(2025, 10, 1) + timedelta(
            days=stable_int(self.seed, "seat-created", tool, person.person_id) % 240
        )

    def seat_removed_on(self, tool: str, person: Person) -> date | None:
        for n, (leaver, left) in enumerate(self.leavers):
            if leaver.person_id == person.person_id and n % 3 == 2:
                return left + SEAT_REMOVAL_DELAY
        return None

    def holds(self, tool: str, person: Person, day: date) -> bool:
        removed = self.seat_removed_on(tool, person)
        return self.seat_created_on(tool, person) <= day and (removed is None or day < removed)

    def seat_holders(self, tool: str, day: date) -> list[Person]:
        """Holders of a seat on a day (the snapshot served at any time during that day)."""
        return [p for p in self.holders[tool] if self.holds(tool, p, day)]

    # ---- planted facts -------------------------------------------------------------------------

    @cached_property
    def active_after_leaving(self) -> dict[str, list[Person]]:
        planted: dict[str, list[Person]] = {}
        for tool, count in ACTIVE_AFTER_LEAVING.items():
            ids = {p.person_id for p in self.holders[tool]}
            kept = [
                p
                for n, (p, _) in enumerate(self.leavers)
                if p.person_id in ids and n % 3 != 2  # their seat was never removed
            ]
            planted[tool] = kept[:count]
        return planted

    @cached_property
    def protected(self) -> set[str]:
        """People whose planted behaviour must not be overridden by the idle plant."""
        ids = {p.person_id for people in self.active_after_leaving.values() for p in people}
        return ids | {self.mover.person_id}

    @cached_property
    def idle(self) -> dict[str, list[Person]]:
        """Holders who stopped using (or never used) their seat."""
        return {
            tool: [
                p
                for p in people
                if p.person_id not in self.protected
                and stable_int(self.seed, "saas-idle", tool, p.person_id) % 100 < IDLE_PERCENT
            ]
            for tool, people in self.holders.items()
        }

    @cached_property
    def _idle_ids(self) -> dict[str, dict[str, bool]]:
        """tool -> person_id -> never used (True) or stopped (False)."""
        return {
            tool: {
                p.person_id: stable_int(self.seed, "saas-never", p.person_id) % 2 == 0
                for p in people
            }
            for tool, people in self.idle.items()
        }

    # ---- daily activity ------------------------------------------------------------------------

    def active(self, tool: str, person: Person, day: date) -> bool:
        return self._active(tool, person.person_id, day)

    def _compute_active(self, tool: str, person_id: str, day: date) -> bool:
        person = self.enterprise.person(person_id)
        if day < EPOCH or not self.holds(tool, person, day):
            return False
        idle = self._idle_ids[tool].get(person_id)
        if idle is not None and (idle or day >= IDLE_STOPPED_ON):
            return False
        status = self.enterprise.status_on(person_id, day)
        if status == "suspended":
            return False
        if status == "departed" and person not in self.active_after_leaving.get(tool, []):
            return False
        weekday = day.weekday() < 5
        if person_id in self.protected:
            return weekday
        propensity = 35 + stable_int(self.seed, "saas-propensity", tool, person_id) % 55
        chance = propensity if weekday else propensity // 8
        return stable_int(self.seed, "saas-active", tool, person_id, day) % 100 < chance

    def last_active_day(self, tool: str, person: Person, day: date) -> date | None:
        """The last day on or before `day` the person used the tool."""
        return self._last(tool, person.person_id, day)

    def _compute_last(self, tool: str, person_id: str, day: date) -> date | None:
        person = self.enterprise.person(person_id)
        current = day
        while current >= EPOCH:
            if self._active(tool, person_id, current):
                return current
            current -= timedelta(days=1)
            if current < self.seat_created_on(tool, person):
                return None
        return None

    def active_people(self, tool: str, day: date) -> list[Person]:
        return [p for p in self.holders[tool] if self.active(tool, p, day)]

    # ---- the tests' truth ----------------------------------------------------------------------

    def idle_emails(self, tool: str, day: date, idle_days: int = 30) -> set[str]:
        """Holders on `day` whose last activity (on or before `day`) is none or `idle_days`+ old."""
        idle = set()
        for person in self.seat_holders(tool, day):
            last = self.last_active_day(tool, person, day)
            if last is None or (day - last).days >= idle_days:
                idle.add(person.email)
        return idle

    def leavers_with_seats(self, tool: str, day: date) -> set[str]:
        return {
            p.email
            for p in self.seat_holders(tool, day)
            if self.enterprise.status_on(p.person_id, day) == "departed"
        }

    def inactive_holders(self, tool: str, day: date) -> set[str]:
        """Holders on `day` who had left or were suspended by then (as the identity directories
        report it, most restrictive first), as the warehouse can name them: a tenant that conceals
        names hides its holders."""
        directory = IdentityDirectory(self.enterprise)
        return {
            p.email
            for p in self.seat_holders(tool, day)
            if directory.resolved_status(p.person_id, day) != "active"
            and not (tool == "m365_copilot" and self.concealed(p))
        }

    def active_after_leaving_days(self, tool: str, start: date, end: date) -> set[tuple[str, date]]:
        """(email, day) pairs in [start, end) where a departed person used the tool."""
        pairs = set()
        for person in self.active_after_leaving.get(tool, []):
            for n in range((end - start).days):
                day = start + timedelta(days=n)
                departed = self.enterprise.status_on(person.person_id, day) == "departed"
                if departed and self.active(tool, person, day):
                    pairs.add((person.email, day))
        return pairs

    def concealed(self, person: Person) -> bool:
        """Is the person in the Microsoft 365 tenant that conceals names in reports?"""
        return self.department(person) in CONCEALED_DEPARTMENTS


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def seats_for(enterprise: Enterprise) -> SaasSeats:
    """One SaasSeats per enterprise, shared by the four tool providers."""
    seats = enterprise.__dict__.get("_saas_seats")
    if seats is None:
        seats = enterprise.__dict__["_saas_seats"] = SaasSeats(enterprise)
    return seats
