"""Anthropic Admin API in the sandbox: `x-api-key` admin key, `/v1/organizations/...`.

A few applications of the shared enterprise call Claude (Sonnet 4.5, Haiku 4.5, Opus 4.1, dated
snapshot names) through their own workspaces and API keys; one key lives in the default workspace
(`workspace_id: null`), Console/Workbench traffic has `api_key_id: null`, and an undeclared workspace
plus a personal key in the default workspace are shadow AI. The Messages usage report has no request
count. The cost report prices the same tokens in cents, as decimal strings with up to 5 decimals;
recent days are provisional (90%) and restated once settled. Claude Code usage comes from ~40
engineers on Enterprise seats, plus one CI API key whose traffic is also in the Messages report.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property, lru_cache
from pathlib import Path

from sandbox.activity import PROVISIONAL_SHARE, SETTLEMENT_DAYS, Activity
from sandbox.enterprise import EPOCH, Enterprise, Person, stable_int, unix
from sandbox.ground_truth import days, empty_totals
from sandbox.openai_api import (
    HOURLY_PROFILE,
    ApiError,
    Query,
    decode_cursor,
    encode_cursor,
    split_exactly,
)
from sandbox.providers import Response

SECRET_ENV = "ANTHROPIC_ADMIN_KEY"
API_VERSION = "2023-06-01"
ORGANIZATION_ID = "5c1e0b7a-3f2d-4e8a-9c61-2b7d4a0e9f13"
VOLUME_SCALE = 1.5  # ~20% of the OpenAI spend
CENTS = Decimal("0.00001")  # cost report amounts: cents with up to 5 decimals
ESTIMATE_CENTS = Decimal("0.01")  # Claude Code estimates
MTOK = Decimal(1_000_000)
WEB_SEARCH_CENTS = Decimal(1)  # $10 per 1,000 searches
BATCH_DISCOUNT = Decimal("0.5")
CONTEXT_WINDOW = "0-200k"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

# bucket width -> (seconds, default limit, max limit)
MESSAGES_BUCKETS = {"1d": (86400, 7, 31), "1h": (3600, 24, 168), "1m": (60, 60, 1440)}
COST_DEFAULT_LIMIT, COST_MAX_LIMIT = 7, 31
PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT = 20, 1000
MESSAGES_GROUPS = ("api_key_id", "workspace_id", "model", "service_tier", "context_window")
MESSAGES_FILTERS = {
    "api_key_ids": "api_key_id",
    "workspace_ids": "workspace_id",
    "models": "model",
    "service_tiers": "service_tier",
    "context_window": "context_window",
}
COST_GROUPS = ("workspace_id", "description")
COST_DETAIL = ("cost_type", "description", "model", "token_type", "service_tier", "context_window")
METRICS = (
    "uncached_input_tokens",
    "cache_read_input_tokens",
    "ephemeral_5m_input_tokens",
    "ephemeral_1h_input_tokens",
    "output_tokens",
    "web_search_requests",
)
TERMINALS = ("vscode", "iTerm.app", "cursor", "ghostty", "Apple_Terminal", "pycharm")


@dataclass(frozen=True)
class Price:
    """List prices in USD per million tokens."""

    label: str
    input: Decimal
    output: Decimal
    cache_read: Decimal
    cache_5m: Decimal
    cache_1h: Decimal


MODELS = {
    "claude-sonnet-4-5-20250929": Price(
        "Claude Sonnet 4.5", Decimal(3), Decimal(15), Decimal("0.30"), Decimal("3.75"), Decimal(6)
    ),
    "claude-haiku-4-5-20251001": Price(
        "Claude Haiku 4.5", Decimal(1), Decimal(5), Decimal("0.10"), Decimal("1.25"), Decimal(2)
    ),
    "claude-opus-4-1-20250805": Price(
        "Claude Opus 4.1",
        Decimal(15),
        Decimal(75),
        Decimal("1.50"),
        Decimal("18.75"),
        Decimal(30),
    ),
}
SONNET, HAIKU, OPUS = MODELS
# token_type -> (price attribute, description suffix)
TOKEN_TYPES = {
    "uncached_input_tokens": ("input", "Input Tokens"),
    "cache_read_input_tokens": ("cache_read", "Cache Read Input Tokens"),
    "cache_creation.ephemeral_5m_input_tokens": ("cache_5m", "5m Cache Write Input Tokens"),
    "cache_creation.ephemeral_1h_input_tokens": ("cache_1h", "1h Cache Write Input Tokens"),
    "output_tokens": ("output", "Output Tokens"),
}
ROW_FIELD = {
    "uncached_input_tokens": "uncached_input_tokens",
    "cache_read_input_tokens": "cache_read_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens": "ephemeral_5m_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens": "ephemeral_1h_input_tokens",
    "output_tokens": "output_tokens",
}


@dataclass(frozen=True)
class Workload:
    model: str
    requests_per_day: int
    input_per_request: int
    output_per_request: int
    cache_read_share: float = 0.0
    cache_5m_share: float = 0.0
    cache_1h_share: float = 0.0
    searches_per_1k: int = 0
    service_tier: str = "standard"


@dataclass(frozen=True)
class Key:
    """An API key, the application that owns it (None: nobody) and the traffic it carries."""

    name: str
    application_id: str | None
    workspace: str | None  # None: the default workspace
    workloads: tuple[Workload, ...]
    status: str = "active"


# workspace name -> (owning application, display colour, archived on)
WORKSPACES: dict[str, tuple[str | None, str, date | None]] = {
    "code-review": ("app-code-review-bot", "#6C5BB3", None),
    "legal-contracts": ("app-contract-reviewer", "#3F7DC1", None),
    "support": ("app-support-assistant", "#D4A027", None),
    "analytics": ("app-analytics-sql-helper", "#2E9C6A", None),
    "growth-experiments": ("shadow-marketing-experiments", "#C2410C", None),  # undeclared
    "pilot-2025": (None, "#64748B", date(2025, 12, 15)),
}
KEYS = (
    Key(
        "code-review-prod",
        "app-code-review-bot",
        "code-review",
        (Workload(SONNET, 1200, 9000, 900, 0.60, 0.10),),
    ),
    Key(
        "claude-code-ci",
        "app-code-review-bot",
        "code-review",
        (Workload(SONNET, 150, 30000, 1200, 0.85, 0.08),),
    ),
    Key(
        "contracts-prod",
        "app-contract-reviewer",
        "legal-contracts",
        (Workload(OPUS, 120, 20000, 1500, 0.50, 0.0, 0.15),),
    ),
    Key(
        "support-prod",
        "app-support-assistant",
        "support",
        (Workload(HAIKU, 4000, 2000, 300, 0.50, 0.05, searches_per_1k=20),),
    ),
    Key(
        "support-staging",
        "app-support-assistant",
        "support",
        (Workload(HAIKU, 300, 2000, 300, 0.40, 0.05),),
    ),
    Key(
        "sql-helper",
        "app-analytics-sql-helper",
        "analytics",
        (Workload(SONNET, 400, 6000, 700, 0.40),),
    ),
    Key(
        "sql-helper-batch",
        "app-analytics-sql-helper",
        "analytics",
        (Workload(SONNET, 300, 8000, 1000, service_tier="batch"),),
    ),
    Key(
        "security-summarizer",
        "app-security-alert-summarizer",
        None,
        (Workload(HAIKU, 600, 5000, 400, 0.30),),
    ),
    Key(
        "growth-test",
        "shadow-marketing-experiments",
        "growth-experiments",
        (Workload(SONNET, 80, 3000, 900, searches_per_1k=100),),
    ),
    Key("my-test-key", "shadow-personal-sandbox", None, (Workload(HAIKU, 50, 1500, 500),)),
    Key("pilot-key", None, "pilot-2025", (), status="archived"),
)
# Console / Workbench traffic: default workspace, no API key
CONSOLE = (Workload(SONNET, 30, 4000, 800), Workload(OPUS, 8, 6000, 1200))
CLAUDE_CODE_ENGINEERS = 40
CLAUDE_CODE_CI_KEY = "claude-code-ci"


def anthropic_id(prefix: str, *parts: object) -> str:
    """An id shaped like Anthropic's (`wrkspc_01...`, 22 base58 characters), stable per parts."""
    n = int(hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest(), 16)
    chars = []
    for _ in range(22):
        n, r = divmod(n, 58)
        chars.append(BASE58[r])
    return f"{prefix}_01{''.join(chars)}"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def cents_text(amount: Decimal) -> str:
    """Cents as the cost report writes them: up to 5 decimals, trailing zeros dropped."""
    text = format(amount.quantize(CENTS, ROUND_HALF_EVEN), "f").rstrip("0")
    return text + "0" if text.endswith(".") else text


class AnthropicError(Exception):
    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message

    def response(self) -> Response:
        body = {"type": "error", "error": {"type": self.kind, "message": self.message}}
        return Response.json(body, self.status)


def invalid(message: str) -> AnthropicError:
    return AnthropicError(400, "invalid_request_error", message)


@dataclass(frozen=True)
class MessageRow:
    """One day of one key x workspace x model x tier, at the finest grain the report groups by."""

    day: date
    api_key_id: str | None
    workspace_id: str | None
    model: str
    service_tier: str
    context_window: str
    metrics: tuple[int, ...]  # in METRICS order

    def value(self, name: str) -> int:
        return self.metrics[METRICS.index(name)]

    @property
    def input_tokens(self) -> int:
        """Canonical input: uncached plus cache reads plus both cache writes."""
        return sum(self.metrics[:4])


class AnthropicProvider:
    name = "anthropic"
    prefixes = ("/v1/organizations/",)

    def __init__(
        self,
        enterprise: Enterprise,
        activity: Activity,
        clock: Callable[[], datetime],
        secrets: Mapping[str, str],
    ) -> None:
        self.enterprise, self.activity, self.clock = enterprise, activity, clock
        # Late restatements (see restate()): cents added to a day's largest cost group, for good.
        self.restated: dict[date, Decimal] = {}
        self.key = secrets.get(SECRET_ENV, "")
        self.seed = enterprise.seed
        self._rows = lru_cache(maxsize=1024)(self._generate_rows)

    # ---- the organization --------------------------------------------------------------------

    def workspace_id(self, name: str | None) -> str | None:
        return anthropic_id("wrkspc", self.seed, name) if name else None

    def key_id(self, key: Key) -> str:
        return anthropic_id("apikey", self.seed, key.name)

    @cached_property
    def claude_code_engineers(self) -> list[Person]:
        """~40 engineers on Claude Code Enterprise seats."""
        engineering = [
            p
            for p in self.enterprise.people
            if self.enterprise.team(p.team_id).department == "engineering"
        ]
        engineering.sort(key=lambda p: stable_int(self.seed, "claude-code-seat", p.person_id))
        return sorted(engineering[:CLAUDE_CODE_ENGINEERS], key=lambda p: p.email)

    def key_creator(self, key: Key) -> Person:
        """Someone on the owning team (any engineer for keys nobody declared)."""
        team = None
        if key.application_id:
            app = self.enterprise.application(key.application_id)
            team = app.owning_team_id or None
        members = [p for p in self.enterprise.people if team and p.team_id == team]
        members = members or self.claude_code_engineers
        return min(
            members, key=lambda p: stable_int(self.seed, "key-creator", key.name, p.person_id)
        )

    @cached_property
    def org_users(self) -> list[tuple[Person, str]]:
        roles: dict[str, tuple[Person, str]] = {}
        for person in self.claude_code_engineers:
            roles[person.person_id] = (person, "claude_code_user")
        for key in KEYS:
            person = self.key_creator(key)
            roles[person.person_id] = (person, "developer")
        for person in sorted(self.claude_code_engineers, key=lambda p: p.person_id)[:2]:
            roles[person.person_id] = (person, "admin")
        return sorted(roles.values(), key=lambda pair: pair[0].email)

    def user_id(self, person: Person) -> str:
        return anthropic_id("user", self.seed, person.person_id)

    # ---- daily traffic -----------------------------------------------------------------------

    def rows(self, day: date) -> list[MessageRow]:
        return self._rows(day)

    def _generate_rows(self, day: date) -> list[MessageRow]:
        if day < EPOCH:
            return []
        traffic = [
            (self.key_id(k), k.application_id, k.workspace, w) for k in KEYS for w in k.workloads
        ]
        traffic += [(None, None, None, w) for w in CONSOLE]
        rows = []
        for key_id, application_id, workspace, w in traffic:
            app = self.enterprise.application(application_id) if application_id else None
            factor = self.activity.volume_factor(
                day,
                application_id or "console",
                bool(app and app.use_category == "customer_facing"),
            )
            rng = random.Random(stable_int(self.seed, "anthropic", day, key_id, w.model))
            requests = w.requests_per_day * VOLUME_SCALE * factor * math.exp(rng.gauss(0, 0.12))
            total_input = int(requests * w.input_per_request * math.exp(rng.gauss(0, 0.08)))
            read = int(total_input * w.cache_read_share * rng.uniform(0.85, 1.1))
            write_5m = int(total_input * w.cache_5m_share * rng.uniform(0.8, 1.2))
            write_1h = int(total_input * w.cache_1h_share * rng.uniform(0.8, 1.2))
            read = min(read, total_input - write_5m - write_1h)
            output = int(requests * w.output_per_request * math.exp(rng.gauss(0, 0.1)))
            searches = int(requests * w.searches_per_1k / 1000 * rng.uniform(0.8, 1.2))
            uncached = total_input - read - write_5m - write_1h
            if total_input <= 0:
                continue
            rows.append(
                MessageRow(
                    day,
                    key_id,
                    self.workspace_id(workspace),
                    w.model,
                    w.service_tier,
                    CONTEXT_WINDOW,
                    (uncached, read, write_5m, write_1h, output, searches),
                )
            )
        return rows

    def final_costs(self, day: date) -> dict[tuple, Decimal]:
        """(workspace_id, cost detail) -> final amount in cents, unrounded until the end."""
        totals: dict[tuple, Decimal] = defaultdict(Decimal)
        for row in self.rows(day):
            price = MODELS[row.model]
            discount = BATCH_DISCOUNT if row.service_tier == "batch" else Decimal(1)
            batch = " Batch" if row.service_tier == "batch" else ""
            for token_type, (attribute, suffix) in TOKEN_TYPES.items():
                tokens = row.value(ROW_FIELD[token_type])
                if tokens <= 0:
                    continue
                detail = (
                    "tokens",
                    f"{price.label}{batch} Usage - {suffix}",
                    row.model,
                    token_type,
                    row.service_tier,
                    row.context_window,
                )
                per_mtok = getattr(price, attribute) * discount
                totals[(row.workspace_id, detail)] += Decimal(tokens) * per_mtok * 100 / MTOK
            searches = row.value("web_search_requests")
            if searches:
                detail = ("web_search", "Web Search Usage", None, None, None, None)
                totals[(row.workspace_id, detail)] += searches * WEB_SEARCH_CENTS
        return {k: v.quantize(CENTS, ROUND_HALF_EVEN) for k, v in sorted(totals.items(), key=str)}

    def restate(self, day: date, amount_usd: Decimal) -> None:
        """The bill of a past day changes by `amount_usd`, however long ago it settled."""
        self.restated[day] = self.restated.get(day, Decimal(0)) + amount_usd * 100

    def costs_as_of(self, day: date, as_of: datetime) -> dict[tuple, Decimal]:
        """Cost in cents as the report shows it at `as_of`: provisional until the day settles."""
        final = self.final_costs(day)
        if as_of.date() < day + timedelta(days=SETTLEMENT_DAYS):
            final = {
                k: (v * PROVISIONAL_SHARE).quantize(CENTS, ROUND_HALF_EVEN)
                for k, v in final.items()
            }
        if final and day in self.restated:
            largest = max(final, key=final.__getitem__)
            final = {**final, largest: final[largest] + self.restated[day]}
        return final

    def claude_code_records(self, day: date) -> list[dict]:
        if day < EPOCH:
            return []
        weekend = day.weekday() >= 5
        growth = 1.0 + 0.002 * (day - EPOCH).days
        records = []
        for person in self.claude_code_engineers:
            rng = random.Random(stable_int(self.seed, "claude-code", day, person.person_id))
            if rng.random() > (0.12 if weekend else min(0.95, 0.7 * growth)):
                continue
            sessions = rng.randint(1, 8)
            added = sessions * rng.randint(20, 160)
            commits = rng.randint(0, sessions)
            breakdown = []
            for model, chance, scale in ((SONNET, 1.0, 1.0), (HAIKU, 0.6, 0.3), (OPUS, 0.25, 0.6)):
                if rng.random() > chance:
                    continue
                tokens = {
                    "input": int(sessions * scale * rng.randint(800, 4000)),
                    "output": int(sessions * scale * rng.randint(2000, 9000)),
                    "cache_read": int(sessions * scale * rng.randint(40000, 200000)),
                    "cache_creation": int(sessions * scale * rng.randint(3000, 15000)),
                }
                breakdown.append(self._model_entry(model, tokens))
            terminal = TERMINALS[
                stable_int(self.seed, "terminal", person.person_id) % len(TERMINALS)
            ]
            records.append(
                {
                    "date": rfc3339(day_start(day)),
                    "organization_id": ORGANIZATION_ID,
                    "customer_type": "subscription",
                    "subscription_type": "enterprise",
                    "terminal_type": terminal,
                    "actor": {"type": "user_actor", "email_address": person.email},
                    "core_metrics": {
                        "num_sessions": sessions,
                        "lines_of_code": {
                            "added": added,
                            "removed": int(added * rng.uniform(0.1, 0.5)),
                        },
                        "commits_by_claude_code": commits,
                        "pull_requests_by_claude_code": rng.randint(0, commits // 2 + 1)
                        if commits
                        else 0,
                    },
                    "tool_actions": {
                        "edit_tool": {
                            "accepted": sessions * rng.randint(2, 9),
                            "rejected": rng.randint(0, 3),
                        },
                        "multi_edit_tool": {"accepted": rng.randint(0, sessions), "rejected": 0},
                        "write_tool": {
                            "accepted": rng.randint(0, sessions * 2),
                            "rejected": rng.randint(0, 1),
                        },
                        "notebook_edit_tool": {"accepted": 0, "rejected": 0},
                    },
                    "model_breakdown": breakdown,
                }
            )
        ci_id = self.key_id(next(k for k in KEYS if k.name == CLAUDE_CODE_CI_KEY))
        for row in self.rows(day):
            if row.api_key_id != ci_id:
                continue
            tokens = {
                "input": row.value("uncached_input_tokens"),
                "output": row.value("output_tokens"),
                "cache_read": row.value("cache_read_input_tokens"),
                "cache_creation": row.value("ephemeral_5m_input_tokens")
                + row.value("ephemeral_1h_input_tokens"),
            }
            records.append(
                {
                    "date": rfc3339(day_start(day)),
                    "organization_id": ORGANIZATION_ID,
                    "customer_type": "api",
                    "subscription_type": None,
                    "terminal_type": "non-interactive",
                    "actor": {"type": "api_actor", "api_key_name": CLAUDE_CODE_CI_KEY},
                    "core_metrics": {
                        "num_sessions": 96,
                        "lines_of_code": {"added": 0, "removed": 0},
                        "commits_by_claude_code": 0,
                        "pull_requests_by_claude_code": 0,
                    },
                    "tool_actions": {},
                    "model_breakdown": [self._model_entry(row.model, tokens)],
                }
            )
        return records

    @staticmethod
    def _model_entry(model: str, tokens: dict[str, int]) -> dict:
        price = MODELS[model]
        cents = (
            (
                tokens["input"] * price.input
                + tokens["output"] * price.output
                + tokens["cache_read"] * price.cache_read
                + tokens["cache_creation"] * price.cache_5m
            )
            * 100
            / MTOK
        )
        amount = cents.quantize(ESTIMATE_CENTS, ROUND_HALF_EVEN)
        return {
            "model": model,
            "tokens": tokens,
            # a JSON number, as the API sends it; its shortest repr is the exact 2-decimal value
            "estimated_cost": {"amount": float(amount), "currency": "USD"},
        }

    # ---- HTTP ---------------------------------------------------------------------------------

    def handle(self, path: str, query: Query, headers: Mapping[str, str]) -> Response:
        if (headers.get("x-api-key") or "") != self.key or not self.key:
            return AnthropicError(401, "authentication_error", "invalid x-api-key").response()
        if not headers.get("anthropic-version"):
            return invalid("anthropic-version: header is required").response()
        routes = {
            "/v1/organizations/usage_report/messages": self.messages_report,
            "/v1/organizations/usage_report/claude_code": self.claude_code_report,
            "/v1/organizations/cost_report": self.cost_report,
            "/v1/organizations/workspaces": self.workspaces,
            "/v1/organizations/users": self.users,
            "/v1/organizations/api_keys": self.api_keys,
        }
        route = routes.get(path.rstrip("/"))
        if route is None:
            return AnthropicError(404, "not_found_error", f"Unknown path {path}.").response()
        try:
            return Response.json(route(query))
        except AnthropicError as error:
            return error.response()
        except ApiError as error:  # the shared query helpers' validation errors
            return invalid(error.message).response()

    def _moment(self, query: Query, name: str, default: datetime | None = None) -> datetime:
        value = query.one(name)
        if value is None:
            if default is None:
                raise invalid(f"{name}: Field required")
            return default
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise invalid(f"{name}: Input should be a valid datetime") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)

    def _bucket_starts(self, query: Query, width: int) -> list[int]:
        start = int(self._moment(query, "starting_at").timestamp())
        start -= start % width
        end = int(self._moment(query, "ending_at", self.clock()).timestamp())
        return list(range(start, end, width))

    @staticmethod
    def _group_by(query: Query, allowed: tuple[str, ...]) -> list[str]:
        group_by = query.many("group_by")
        for g in group_by:
            if g not in allowed:
                raise invalid(f"group_by: Input should be one of {', '.join(map(repr, allowed))}")
        return group_by

    @staticmethod
    def _page(starts: list[int], width: int, query: Query, limit: int, results) -> dict:
        page = query.one("page")
        offset = decode_cursor(page) if page else 0
        chosen = starts[offset : offset + limit]
        has_more = offset + limit < len(starts)
        return {
            "data": [
                {
                    "starting_at": rfc3339(datetime.fromtimestamp(s, UTC)),
                    "ending_at": rfc3339(datetime.fromtimestamp(s + width, UTC)),
                    "results": results(s, s + width),
                }
                for s in chosen
            ],
            "has_more": has_more,
            "next_page": encode_cursor(offset + limit) if has_more else None,
        }

    def _complete(self, day: date) -> bool:
        return unix(day) + 86400 <= int(self.clock().timestamp())

    def messages_report(self, query: Query) -> dict:
        width_name = query.one("bucket_width", "1d")
        if width_name not in MESSAGES_BUCKETS:
            raise invalid("bucket_width: Input should be '1d', '1h' or '1m'")
        width, default_limit, max_limit = MESSAGES_BUCKETS[width_name]
        limit = query.limit(default_limit, max_limit)
        starts = self._bucket_starts(query, width)
        group_by = self._group_by(query, MESSAGES_GROUPS)
        filters = {field: set(query.many(param)) for param, field in MESSAGES_FILTERS.items()}

        def results(bucket_start: int, bucket_end: int) -> list[dict]:
            day = datetime.fromtimestamp(bucket_start - bucket_start % 86400, UTC).date()
            if not self._complete(day):
                return []
            groups: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(METRICS))
            for row in self.rows(day):
                if any(wanted and getattr(row, f) not in wanted for f, wanted in filters.items()):
                    continue
                share = self._share(unix(day), bucket_start, bucket_end, row.metrics)
                group = groups[tuple(getattr(row, g) for g in group_by)]
                for i, value in enumerate(share):
                    group[i] += value
            out = []
            for key, values in groups.items():
                if not any(values):
                    continue
                m = dict(zip(METRICS, values, strict=True))
                echo = dict.fromkeys(MESSAGES_GROUPS) | dict(zip(group_by, key, strict=True))
                out.append(
                    {
                        "uncached_input_tokens": m["uncached_input_tokens"],
                        "cache_read_input_tokens": m["cache_read_input_tokens"],
                        "cache_creation": {
                            "ephemeral_1h_input_tokens": m["ephemeral_1h_input_tokens"],
                            "ephemeral_5m_input_tokens": m["ephemeral_5m_input_tokens"],
                        },
                        "output_tokens": m["output_tokens"],
                        "server_tool_use": {"web_search_requests": m["web_search_requests"]},
                        **echo,
                    }
                )
            return out

        return self._page(starts, width, query, limit, results)

    @staticmethod
    def _share(
        day_start_unix: int, bucket_start: int, bucket_end: int, values: tuple[int, ...]
    ) -> tuple[int, ...]:
        """The part of a day's values inside an hour or minute bucket, split exactly."""
        if bucket_end - bucket_start >= 86400:
            return values
        hour = (bucket_start - day_start_unix) // 3600
        by_hour = [split_exactly(v, HOURLY_PROFILE)[hour] for v in values]
        if bucket_end - bucket_start >= 3600:
            return tuple(by_hour)
        minute = (bucket_start - day_start_unix) % 3600 // 60
        return tuple(split_exactly(v, [1] * 60)[minute] for v in by_hour)

    def cost_report(self, query: Query) -> dict:
        if query.one("bucket_width", "1d") != "1d":
            raise invalid("bucket_width: Input should be '1d'")
        limit = query.limit(COST_DEFAULT_LIMIT, COST_MAX_LIMIT)
        starts = self._bucket_starts(query, 86400)
        group_by = self._group_by(query, COST_GROUPS)
        as_of = self.clock()

        def results(bucket_start: int, _bucket_end: int) -> list[dict]:
            day = datetime.fromtimestamp(bucket_start, UTC).date()
            if not self._complete(day):
                return []
            groups: dict[tuple, Decimal] = defaultdict(Decimal)
            for (workspace_id, detail), cents in self.costs_as_of(day, as_of).items():
                key = (
                    workspace_id if "workspace_id" in group_by else None,
                    detail if "description" in group_by else (None,) * len(COST_DETAIL),
                )
                groups[key] += cents
            return [
                {
                    "amount": cents_text(cents),
                    "currency": "USD",
                    **dict(zip(COST_DETAIL, detail, strict=True)),
                    "workspace_id": workspace_id,
                }
                for (workspace_id, detail), cents in groups.items()
            ]

        return self._page(starts, 86400, query, limit, results)

    def claude_code_report(self, query: Query) -> dict:
        value = query.one("starting_at")
        if value is None:
            raise invalid("starting_at: Field required")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise invalid("starting_at: Input should be a date in YYYY-MM-DD format") from None
        limit = query.limit(PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT)
        page = query.one("page")
        offset = decode_cursor(page) if page else 0
        records = self.claude_code_records(day) if self._complete(day) else []
        has_more = offset + limit < len(records)
        return {
            "data": records[offset : offset + limit],
            "has_more": has_more,
            "next_page": encode_cursor(offset + limit) if has_more else None,
        }

    @staticmethod
    def _list(items: list[dict], query: Query) -> dict:
        limit = query.limit(PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT)
        after = query.one("after_id")
        start = 0
        if after:
            ids = [item["id"] for item in items]
            if after not in ids:
                raise invalid(f"after_id: no object with id {after!r}")
            start = ids.index(after) + 1
        page = items[start : start + limit]
        return {
            "data": page,
            "has_more": start + limit < len(items),
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
        }

    def workspaces(self, query: Query) -> dict:
        include_archived = (query.one("include_archived", "false") or "").lower() == "true"
        items = []
        for name, (_app, colour, archived) in WORKSPACES.items():
            if archived and not include_archived:
                continue
            items.append(
                {
                    "id": self.workspace_id(name),
                    "type": "workspace",
                    "name": name,
                    "display_color": colour,
                    "created_at": rfc3339(
                        day_start(date(2025, 3, 1) + timedelta(days=stable_int(name) % 200))
                    ),
                    "archived_at": rfc3339(day_start(archived)) if archived else None,
                    "data_residency": {
                        "workspace_geo": "us",
                        "allowed_inference_geos": "unrestricted",
                        "default_inference_geo": "global",
                    },
                }
            )
        return self._list(items, query)

    def users(self, query: Query) -> dict:
        email = query.one("email")
        items = [
            {
                "id": self.user_id(person),
                "type": "user",
                "email": person.email,
                "name": person.name,
                "role": role,
                "added_at": rfc3339(
                    day_start(date(2025, 2, 1) + timedelta(days=stable_int(person.person_id) % 300))
                ),
            }
            for person, role in self.org_users
            if not email or person.email == email
        ]
        return self._list(items, query)

    def api_keys(self, query: Query) -> dict:
        status, workspace = query.one("status"), query.one("workspace_id")
        items = []
        for key in KEYS:
            key_id, workspace_id = self.key_id(key), self.workspace_id(key.workspace)
            if (status and key.status != status) or (workspace and workspace_id != workspace):
                continue
            hint = anthropic_id("hint", self.seed, "partial-hint", key.name)[-8:]
            items.append(
                {
                    "id": key_id,
                    "type": "api_key",
                    "name": key.name,
                    "status": key.status,
                    "created_at": rfc3339(
                        day_start(date(2025, 4, 1) + timedelta(days=stable_int(key.name) % 200))
                    ),
                    "created_by": {"id": self.user_id(self.key_creator(key)), "type": "user"},
                    "partial_key_hint": f"sk-ant-api03-{hint[:3]}...{hint[-4:]}",
                    "workspace_id": workspace_id,
                    "scope": {"type": "workspace", "workspace_id": workspace_id}
                    if workspace_id
                    else {"type": "organization"},
                    "expires_at": None,
                }
            )
        return self._list(items, query)

    # ---- the provider protocol ---------------------------------------------------------------

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        """Messages usage on canonical measures (input inclusive of cache reads and both cache
        writes; no request count exists, so 0) and the cost report total in dollars. Claude Code
        usage is left out: it is an estimate, and its API traffic is already in the Messages report."""
        totals = empty_totals()
        usage = totals["usage"]
        cents = Decimal(0)
        for day in days(start, end, as_of):
            cents += sum(self.costs_as_of(day, as_of).values(), Decimal(0))
            for row in self.rows(day):
                usage["input_tokens"] += row.input_tokens
                usage["cache_read_input_tokens"] += row.value("cache_read_input_tokens")
                usage["cache_creation_input_tokens"] += row.value(
                    "ephemeral_5m_input_tokens"
                ) + row.value("ephemeral_1h_input_tokens")
                usage["output_tokens"] += row.value("output_tokens")
        totals["invoiced_cost_usd"] = str(cents / 100)
        return totals

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        return {}

    def environment(self, base_url: str) -> dict[str, str]:
        return {"ANTHROPIC_BASE_URL": base_url}

    def declared_credentials(self) -> list[dict]:
        """Declared applications' workspaces; a declared key in the default workspace by its id."""
        declared = []
        for name, (application_id, _, _) in WORKSPACES.items():
            if application_id and self.enterprise.application(application_id).declared:
                declared.append(
                    {
                        "application_id": application_id,
                        "provider": self.name,
                        "kind": "project",
                        "id": self.workspace_id(name),
                    }
                )
        for key in KEYS:
            if key.workspace is None and key.application_id:
                if self.enterprise.application(key.application_id).declared:
                    declared.append(
                        {
                            "application_id": key.application_id,
                            "provider": self.name,
                            "kind": "api_key",
                            "id": self.key_id(key),
                        }
                    )
        return declared

    def corrupt(self, day: date) -> None:
        """No-op: the canonical input is derived from the parts, so it cannot contradict them."""

    def reset(self) -> None:
        pass


def build(
    enterprise: Enterprise,
    activity: Activity,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str],
) -> AnthropicProvider:
    return AnthropicProvider(enterprise, activity, clock, secrets)
