"""The synthetic enterprise: people, teams, applications, OpenAI projects, keys and models.

Everything is derived from a seed, so the same seed always gives the same company. Daily activity
lives in `sandbox.activity`; this module only holds the slowly changing structure.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Literal

DEFAULT_SEED = 20260101
EPOCH = date(2026, 1, 1)
EMAIL_DOMAIN = "example-corp.com"


@lru_cache(maxsize=1 << 17, typed=True)
def stable_int(*parts: object) -> int:
    """A process-independent hash of the parts (Python's hash() is salted per process): the first
    8 bytes of their SHA-256. Cached: every pull of a day asks again for that day's figures."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Model:
    """An OpenAI model as the usage API names it, with list prices in USD per million tokens."""

    snapshot: str
    family: str
    operation: str  # "completions" or "embeddings"
    input_per_mtok: Decimal
    cached_input_per_mtok: Decimal
    output_per_mtok: Decimal


MODELS: dict[str, Model] = {
    m.snapshot: m
    for m in [
        Model(
            "gpt-4.1-2025-04-14",
            "gpt-4.1",
            "completions",
            Decimal("2.00"),
            Decimal("0.50"),
            Decimal("8.00"),
        ),
        Model(
            "gpt-4.1-mini-2025-04-14",
            "gpt-4.1-mini",
            "completions",
            Decimal("0.40"),
            Decimal("0.10"),
            Decimal("1.60"),
        ),
        Model(
            "gpt-4.1-nano-2025-04-14",
            "gpt-4.1-nano",
            "completions",
            Decimal("0.10"),
            Decimal("0.025"),
            Decimal("0.40"),
        ),
        Model(
            "gpt-4o-2024-08-06",
            "gpt-4o",
            "completions",
            Decimal("2.50"),
            Decimal("1.25"),
            Decimal("10.00"),
        ),
        Model(
            "o4-mini-2025-04-16",
            "o4-mini",
            "completions",
            Decimal("1.10"),
            Decimal("0.275"),
            Decimal("4.40"),
        ),
        Model(
            "text-embedding-3-small",
            "text-embedding-3-small",
            "embeddings",
            Decimal("0.02"),
            Decimal("0"),
            Decimal("0"),
        ),
        Model(
            "text-embedding-3-large",
            "text-embedding-3-large",
            "embeddings",
            Decimal("0.13"),
            Decimal("0"),
            Decimal("0"),
        ),
    ]
}

DEPARTMENTS = {
    "engineering": ["platform", "payments", "search", "mobile", "developer-experience"],
    "data": ["analytics", "machine-learning"],
    "product": ["product-growth", "design"],
    "sales": ["sales-emea", "sales-americas", "sales-ops"],
    "marketing": ["brand", "demand-gen"],
    "customer-support": ["support-tier1", "support-tier2", "support-ops"],
    "finance": ["fp-and-a", "accounting"],
    "legal": ["legal-contracts", "privacy"],
    "people": ["talent", "people-ops"],
    "operations": ["it", "security"],
}
DEPARTMENT_WEIGHT = {
    "engineering": 30,
    "data": 8,
    "product": 8,
    "sales": 16,
    "marketing": 7,
    "customer-support": 15,
    "finance": 4,
    "legal": 3,
    "people": 4,
    "operations": 5,
}

# name, owning team, use category, customer facing?, models with (requests/day, input tok/req,
# output tok/req, cached share), number of OpenAI projects, batch key?
APPLICATIONS = [
    (
        "support-assistant",
        "support-ops",
        "customer_facing",
        [
            ("gpt-4.1-mini-2025-04-14", 5200, 1800, 320, 0.55),
            ("text-embedding-3-small", 9000, 600, 0, 0),
        ],
    ),
    (
        "ticket-triage",
        "support-tier2",
        "automated_decision",
        [("gpt-4.1-nano-2025-04-14", 14000, 900, 40, 0.30)],
    ),
    (
        "sales-email-drafter",
        "sales-ops",
        "internal_productivity",
        [("gpt-4.1-mini-2025-04-14", 2100, 1200, 450, 0.20)],
    ),
    (
        "contract-reviewer",
        "legal-contracts",
        "internal_productivity",
        [("gpt-4.1-2025-04-14", 260, 14000, 900, 0.35)],
    ),
    (
        "code-review-bot",
        "developer-experience",
        "code_assistance",
        [
            ("o4-mini-2025-04-16", 1900, 6500, 1400, 0.40),
            ("gpt-4.1-2025-04-14", 300, 9000, 1200, 0.30),
        ],
    ),
    (
        "search-ranker",
        "search",
        "customer_facing",
        [
            ("text-embedding-3-large", 30000, 350, 0, 0),
            ("gpt-4.1-nano-2025-04-14", 8000, 500, 60, 0.50),
        ],
    ),
    (
        "payments-fraud-notes",
        "payments",
        "automated_decision",
        [("gpt-4.1-mini-2025-04-14", 1500, 2200, 180, 0.45)],
    ),
    (
        "analytics-sql-helper",
        "analytics",
        "internal_productivity",
        [("gpt-4.1-2025-04-14", 420, 5000, 700, 0.50)],
    ),
    (
        "ml-eval-harness",
        "machine-learning",
        "research_experiment",
        [
            ("gpt-4o-2024-08-06", 600, 3000, 800, 0.10),
            ("o4-mini-2025-04-16", 500, 4000, 1500, 0.10),
        ],
    ),
    (
        "doc-summarizer",
        "platform",
        "internal_productivity",
        [("gpt-4.1-mini-2025-04-14", 1300, 7000, 500, 0.25)],
    ),
    (
        "mobile-chat",
        "mobile",
        "customer_facing",
        [("gpt-4.1-mini-2025-04-14", 3800, 1400, 260, 0.60)],
    ),
    (
        "growth-copywriter",
        "demand-gen",
        "internal_productivity",
        [("gpt-4o-2024-08-06", 350, 1600, 700, 0.05)],
    ),
    (
        "brand-image-briefs",
        "brand",
        "internal_productivity",
        [("gpt-4.1-mini-2025-04-14", 280, 1100, 600, 0.10)],
    ),
    (
        "fpa-forecast-narrator",
        "fp-and-a",
        "internal_productivity",
        [("gpt-4.1-2025-04-14", 90, 12000, 1500, 0.30)],
    ),
    (
        "invoice-extractor",
        "accounting",
        "automated_decision",
        [("gpt-4.1-mini-2025-04-14", 900, 5200, 350, 0.15)],
    ),
    (
        "privacy-dsar-helper",
        "privacy",
        "internal_productivity",
        [("gpt-4.1-2025-04-14", 40, 9000, 900, 0.20)],
    ),
    (
        "recruiting-screener",
        "talent",
        "automated_decision",
        [("gpt-4.1-mini-2025-04-14", 450, 3800, 300, 0.25)],
    ),
    (
        "hr-policy-bot",
        "people-ops",
        "internal_productivity",
        [("gpt-4.1-nano-2025-04-14", 1600, 2500, 220, 0.70)],
    ),
    (
        "it-helpdesk-bot",
        "it",
        "internal_productivity",
        [("gpt-4.1-mini-2025-04-14", 1100, 2100, 260, 0.55)],
    ),
    (
        "security-alert-summarizer",
        "security",
        "internal_productivity",
        [("o4-mini-2025-04-16", 380, 6000, 900, 0.35)],
    ),
    (
        "design-critique",
        "design",
        "research_experiment",
        [("gpt-4o-2024-08-06", 120, 2600, 900, 0.05)],
    ),
    (
        "product-feedback-miner",
        "product-growth",
        "internal_productivity",
        [
            ("gpt-4.1-mini-2025-04-14", 700, 4200, 400, 0.20),
            ("text-embedding-3-small", 4000, 700, 0, 0),
        ],
    ),
    (
        "emea-proposal-writer",
        "sales-emea",
        "internal_productivity",
        [("gpt-4.1-2025-04-14", 150, 6000, 1800, 0.15)],
    ),
    (
        "americas-call-notes",
        "sales-americas",
        "internal_productivity",
        [("gpt-4.1-mini-2025-04-14", 1700, 3500, 380, 0.20)],
    ),
]
# Projects nobody declared: the shadow AI that governance must find.
SHADOW_PROJECTS = [
    ("hackathon-2026", [("gpt-4o-2024-08-06", 90, 2000, 700, 0.0)]),
    ("marketing-experiments", [("gpt-4.1-2025-04-14", 60, 3000, 900, 0.0)]),
    ("personal-sandbox", [("o4-mini-2025-04-16", 40, 2500, 1100, 0.0)]),
]
# An application retired mid-year: its project is archived but one key still works.
RETIRED_APPLICATION = "brand-image-briefs"

FIRST_NAMES = [
    "ada",
    "ben",
    "chloe",
    "diego",
    "elif",
    "farah",
    "goran",
    "hana",
    "ivan",
    "jun",
    "kofi",
    "lena",
    "mateo",
    "nadia",
    "omar",
    "priya",
    "quinn",
    "rosa",
    "sven",
    "tariq",
    "uma",
    "viktor",
    "wen",
    "ximena",
    "yusuf",
    "zara",
    "aiko",
    "bruno",
    "carla",
    "dev",
    "emma",
    "felix",
    "grace",
    "hugo",
]
LAST_NAMES = [
    "adams",
    "bauer",
    "costa",
    "dubois",
    "eriksen",
    "fischer",
    "garcia",
    "hansen",
    "ito",
    "jansen",
    "kowalski",
    "larsen",
    "moreau",
    "nakamura",
    "okafor",
    "patel",
    "quist",
    "rossi",
    "schmidt",
    "tanaka",
    "ueda",
    "vargas",
    "weber",
    "xu",
    "yilmaz",
    "zhang",
    "novak",
    "silva",
    "kim",
    "haddad",
]


@dataclass(frozen=True)
class Team:
    team_id: str
    department: str
    cost_center_id: str


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    email: str
    team_id: str
    hired_on: date


PersonEventKind = Literal["moved", "suspended", "reinstated", "left"]


@dataclass(frozen=True)
class PersonEvent:
    """A change to one person, effective from the start of `on` (UTC)."""

    person_id: str
    on: date
    kind: PersonEventKind
    team_id: str | None = None  # the new team, for "moved"


# People history planted inside the sandbox's 2026-08 .. 2026-11 window.
HISTORY_FROM, HISTORY_TO = date(2026, 8, 10), date(2026, 11, 10)
MOVERS, LEAVERS, SUSPENDED = 12, 10, 4


@dataclass(frozen=True)
class Application:
    application_id: str
    name: str
    owning_team_id: str
    use_category: str
    profile: tuple[tuple[str, int, int, int, float], ...]
    declared: bool = True


@dataclass(frozen=True)
class Project:
    project_id: str
    name: str
    application_id: str
    environment: str
    created_at: int
    archived_at: int | None = None


@dataclass(frozen=True)
class OrgUser:
    user_id: str
    person_id: str
    name: str
    email: str
    role: str
    added_at: int


@dataclass(frozen=True)
class ServiceAccount:
    service_account_id: str
    name: str
    created_at: int


@dataclass(frozen=True)
class ApiKey:
    api_key_id: str
    name: str
    project_id: str
    created_at: int
    owner_user_id: str | None
    owner_service_account_id: str | None
    share: float  # the key's share of its project's traffic
    is_batch: bool = False
    service_tier: str = "default"

    @property
    def redacted_value(self) -> str:
        return f"sk-...{self.api_key_id[-4:]}"


@dataclass
class Enterprise:
    """The whole synthetic company for one seed."""

    seed: int = DEFAULT_SEED
    headcount: int = 2400
    teams: list[Team] = field(init=False)
    people: list[Person] = field(init=False)
    applications: list[Application] = field(init=False)
    projects: list[Project] = field(init=False)
    org_users: list[OrgUser] = field(init=False)
    service_accounts: list[ServiceAccount] = field(init=False)
    api_keys: list[ApiKey] = field(init=False)
    person_events: list[PersonEvent] = field(init=False)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        self.teams = self._make_teams()
        self.people = self._make_people(rng)
        self.applications = self._make_applications()
        self.projects = self._make_projects(rng)
        self.org_users = self._make_org_users(rng)
        self.service_accounts = []
        self.api_keys = self._make_api_keys(rng)
        # its own generator, so the history never shifts anything generated above
        self.person_events = self._make_person_events(random.Random(f"{self.seed}-people"))

    def _make_teams(self) -> list[Team]:
        teams = []
        for d_index, (department, names) in enumerate(DEPARTMENTS.items()):
            for t_index, name in enumerate(names):
                teams.append(Team(name, department, f"CC-{(d_index + 1) * 100 + t_index + 10}"))
        return teams

    def _make_people(self, rng: random.Random) -> list[Person]:
        teams_by_department: dict[str, list[Team]] = {}
        for team in self.teams:
            teams_by_department.setdefault(team.department, []).append(team)
        departments = list(DEPARTMENT_WEIGHT)
        weights = [DEPARTMENT_WEIGHT[d] for d in departments]
        people, seen = [], set()
        for i in range(self.headcount):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            local = f"{first}.{last}"
            n = 2
            while local in seen:
                local = f"{first}.{last}{n}"
                n += 1
            seen.add(local)
            department = rng.choices(departments, weights)[0]
            team = rng.choice(teams_by_department[department])
            hired = date(2019, 1, 1).toordinal() + rng.randrange(0, 2500)
            people.append(
                Person(
                    f"p{i + 1:05d}",
                    f"{first.title()} {last.title()}",
                    f"{local}@{EMAIL_DOMAIN}",
                    team.team_id,
                    date.fromordinal(hired),
                )
            )
        return people

    def _make_applications(self) -> list[Application]:
        apps = [
            Application(f"app-{name}", name, team, use, tuple(profile))
            for name, team, use, profile in APPLICATIONS
        ]
        apps += [
            Application(f"shadow-{name}", name, "", "unknown", tuple(profile), declared=False)
            for name, profile in SHADOW_PROJECTS
        ]
        return apps

    def _make_projects(self, rng: random.Random) -> list[Project]:
        projects = []
        for app in self.applications:
            environments = ["production"] if app.declared else ["development"]
            if app.declared and app.use_category in ("customer_facing", "automated_decision"):
                environments.append("staging")
            for env in environments:
                pid = f"proj_{stable_int(self.seed, app.application_id, env) % 36**10:010x}"[:17]
                created = unix(date(2025, 1, 1)) + rng.randrange(0, 300) * 86400
                archived = unix(date(2026, 6, 30)) if app.name == RETIRED_APPLICATION else None
                projects.append(
                    Project(
                        pid,
                        f"{app.name}-{env}" if app.declared else app.name,
                        app.application_id,
                        env,
                        created,
                        archived,
                    )
                )
        return projects

    def _make_org_users(self, rng: random.Random) -> list[OrgUser]:
        technical = [
            p for p in self.people if self.team(p.team_id).department in ("engineering", "data")
        ]
        others = [p for p in self.people if p not in technical]
        chosen = rng.sample(technical, min(260, len(technical))) + rng.sample(others, 60)
        users = []
        for person in sorted(chosen, key=lambda p: p.person_id):
            uid = f"user-{stable_int(self.seed, person.person_id):016x}"
            role = "owner" if len(users) < 3 else "reader"
            users.append(
                OrgUser(
                    uid,
                    person.person_id,
                    person.name,
                    person.email,
                    role,
                    unix(date(2025, 1, 1)) + rng.randrange(0, 400) * 86400,
                )
            )
        return users

    def _make_api_keys(self, rng: random.Random) -> list[ApiKey]:
        keys = []
        for project in self.projects:
            app = self.application(project.application_id)
            n_keys = 1 if project.environment != "production" else rng.choice([1, 2, 2, 3])
            shares = [rng.uniform(0.5, 1.5) for _ in range(n_keys)]
            total = sum(shares)
            team_members = [
                u for u in self.org_users if self.person(u.person_id).team_id == app.owning_team_id
            ]
            for k in range(n_keys):
                kid = f"key_{stable_int(self.seed, project.project_id, k) % 16**16:016x}"
                created = project.created_at + rng.randrange(0, 60) * 86400
                if project.environment == "production" and k == 0:
                    svc = ServiceAccount(f"svc_acct_{kid[4:14]}", f"{app.name}-bot", created)
                    self.service_accounts.append(svc)
                    owner_user, owner_svc = None, svc.service_account_id
                else:
                    owner = rng.choice(team_members or self.org_users)
                    owner_user, owner_svc = owner.user_id, None
                keys.append(
                    ApiKey(
                        kid,
                        f"{project.name}-key-{k + 1}",
                        project.project_id,
                        created,
                        owner_user,
                        owner_svc,
                        shares[k] / total,
                        is_batch=app.name in ("ml-eval-harness", "invoice-extractor")
                        and k == n_keys - 1
                        and n_keys > 1,
                        service_tier="flex"
                        if app.name == "doc-summarizer" and k == 0
                        else "default",
                    )
                )
        return keys

    def _make_person_events(self, rng: random.Random) -> list[PersonEvent]:
        """Movers to another department, leavers (half of them own API keys that stay in use) and
        people suspended for a while (half of them reinstated)."""
        span = (HISTORY_TO - HISTORY_FROM).days

        def some_day() -> date:
            return HISTORY_FROM + timedelta(days=rng.randrange(span))

        key_owners = sorted({k.owner_user_id for k in self.api_keys if k.owner_user_id})
        owner_people = [u.person_id for u in self.org_users if u.user_id in key_owners]
        chosen: set[str] = set()

        def pick(pool: list[str], n: int) -> list[str]:
            picked = rng.sample([p for p in pool if p not in chosen], n)
            chosen.update(picked)
            return sorted(picked)

        everyone = [p.person_id for p in self.people]
        events = []
        for person_id in pick(everyone, MOVERS):
            department = self.team(self.person(person_id).team_id).department
            target = rng.choice([t for t in self.teams if t.department != department])
            events.append(PersonEvent(person_id, some_day(), "moved", target.team_id))
        leavers = pick(owner_people, LEAVERS // 2) + pick(everyone, LEAVERS - LEAVERS // 2)
        events.extend(PersonEvent(person_id, some_day(), "left") for person_id in leavers)
        for n, person_id in enumerate(pick(everyone, SUSPENDED)):
            suspended_on = some_day()
            events.append(PersonEvent(person_id, suspended_on, "suspended"))
            if n % 2 == 0:
                events.append(
                    PersonEvent(person_id, suspended_on + timedelta(days=21), "reinstated")
                )
        return sorted(events, key=lambda e: (e.on, e.person_id, e.kind))

    def events_of(self, person_id: str) -> list[PersonEvent]:
        return [e for e in self.person_events if e.person_id == person_id]

    def team_on(self, person_id: str, day: date) -> str:
        """The team a person belonged to on a UTC day."""
        team_id = self.person(person_id).team_id
        for event in self.events_of(person_id):
            if event.kind == "moved" and event.on <= day:
                team_id = event.team_id or team_id
        return team_id

    def status_on(self, person_id: str, day: date) -> Literal["active", "suspended", "departed"]:
        status: Literal["active", "suspended", "departed"] = "active"
        for event in self.events_of(person_id):
            if event.on <= day:
                status = {"suspended": "suspended", "reinstated": "active", "left": "departed"}.get(
                    event.kind, status
                )
        return status

    @cached_property
    def _teams_by_id(self) -> dict[str, Team]:
        return {t.team_id: t for t in self.teams}

    @cached_property
    def _people_by_id(self) -> dict[str, Person]:
        return {p.person_id: p for p in self.people}

    @cached_property
    def _apps_by_id(self) -> dict[str, Application]:
        return {a.application_id: a for a in self.applications}

    @cached_property
    def _projects_by_id(self) -> dict[str, Project]:
        return {p.project_id: p for p in self.projects}

    def team(self, team_id: str) -> Team:
        return self._teams_by_id[team_id]

    def person(self, person_id: str) -> Person:
        return self._people_by_id[person_id]

    def application(self, application_id: str) -> Application:
        return self._apps_by_id[application_id]

    def project(self, project_id: str) -> Project:
        return self._projects_by_id[project_id]
