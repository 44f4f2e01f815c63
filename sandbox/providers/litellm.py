"""LiteLLM proxy in the sandbox: request-level spend logs over `/litellm/spend/logs/v2` and as files.

A few applications of the shared enterprise route their OpenAI and Anthropic calls through the
company's LiteLLM proxy, so those requests also reach the providers' own reports (a gateway row and
a provider row for one request: the double-counting case). The proxy also fronts a self-hosted
Llama on vLLM (`hosted_vllm`) that only the gateway sees, with an internal price configured so it
has a measured cost. One personal virtual key belongs to no team (shadow AI). Some requests fail
(`status` failure, `metadata.error_information`), some succeed after a fallback
(`metadata.attempted_fallbacks`), and latency varies by model and output length.

One change of behaviour is planted (`planted_drift`, chosen from the seed): from a given ISO week on,
one application's route moves to another model and sends three times the tokens per request. Its
requests, failures, fallbacks and hours stay as they were, so the warehouse's usage drift report
must find that application's tokens per request, model mix and new model in that week, and nothing
else anywhere.

The teams of the support assistant, the analytics SQL helper and the ML eval harness have the proxy
keep their prompts and responses in the spend logs (`messages`, `response`), with sensitive data
planted in some of them (sandbox/prompt_content.py); the other routes keep none (`{}`).

`spend` is LiteLLM's own estimate (its price map), a float: the measured cost, never the invoice.
A nightly job dumps each complete day of `LiteLLM_SpendLogs` to CSV, so the API and the export hold
the same requests. Ground truth is named `litellm` and carries only the measured cost; usage of
upstream providers is in `gateway_usage_by_provider` / `gateway_only_usage`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
import operator
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path

from sandbox import prompt_content
from sandbox.activity import Activity
from sandbox.enterprise import DEFAULT_SEED, EPOCH, Enterprise, stable_int, unix
from sandbox.ground_truth import MEASURES, SensitiveCounts, days, empty_totals
from sandbox.openai_api import Query
from sandbox.providers import Response, write_export

SECRET_ENV = "LITELLM_MASTER_KEY"
SOURCE_TYPE = "litellm_export"
PATH_ENV = "LITELLM_EXPORT_PATH"
PREFIX = "/litellm/"
MAX_PAGE_SIZE = 100
SPEND_QUANTUM = Decimal("0.0000000001")
MTOK = Decimal(1_000_000)
VOLUME_SCALE = 0.5  # a few thousand requests a day in total
# custom_llm_provider -> warehouse provider
UPSTREAM = {"openai": "openai", "anthropic": "anthropic", "hosted_vllm": "vllm"}
API_BASES = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    "hosted_vllm": "http://vllm-llama.ml-platform.svc.cluster.local:8000/v1",
}
ERRORS = (
    ("RateLimitError", "429"),
    ("Timeout", "408"),
    ("InternalServerError", "500"),
    ("BadRequestError", "400"),
)
EXPORT_COLUMNS = [
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "endTime",
    "request_duration_ms",
    "completionStartTime",
    "model",
    "model_id",
    "model_group",
    "custom_llm_provider",
    "api_base",
    "user",
    "metadata",
    "cache_hit",
    "cache_key",
    "request_tags",
    "team_id",
    "organization_id",
    "end_user",
    "requester_ip_address",
    "messages",
    "response",
    "session_id",
    "status",
    "mcp_namespaced_tool_name",
    "agent_id",
    "proxy_server_request",
]


@dataclass(frozen=True)
class Route:
    """One application's traffic to one model through the proxy."""

    application_id: str
    team_id: str | None
    key_alias: str
    provider: str  # custom_llm_provider
    model: str
    model_group: str
    requests_per_day: int
    input_per_request: int
    output_per_request: int
    cached_share: float
    prices: tuple[Decimal, Decimal, Decimal, Decimal]  # input, cache read, cache write, output
    failure_rate: float = 0.03
    personal: bool = False  # a person's own key, in no team


def _prices(*values: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    return tuple(Decimal(v) for v in values)  # type: ignore[return-value]


ROUTES = (
    Route(
        "app-support-assistant",
        "team-support-assistant",
        "support-assistant-prod",
        "openai",
        "gpt-4.1-mini-2025-04-14",
        "gpt-4.1-mini",
        620,
        1800,
        320,
        0.55,
        _prices("0.40", "0.10", "0.40", "1.60"),
    ),
    Route(
        "app-mobile-chat",
        "team-mobile-chat",
        "mobile-chat-prod",
        "anthropic",
        "claude-haiku-4-5-20251001",
        "claude-haiku",
        380,
        1400,
        260,
        0.5,
        _prices("1.00", "0.10", "1.25", "5.00"),
    ),
    Route(
        "app-analytics-sql-helper",
        "team-analytics-sql-helper",
        "analytics-sql-helper",
        "openai",
        "gpt-4.1-2025-04-14",
        "gpt-4.1",
        110,
        5000,
        700,
        0.5,
        _prices("2.00", "0.50", "2.00", "8.00"),
    ),
    Route(
        "app-analytics-sql-helper",
        "team-analytics-sql-helper",
        "analytics-sql-helper",
        "hosted_vllm",
        "llama-3-3-70b-instruct",
        "llama-3.3-70b",
        220,
        3000,
        400,
        0.0,
        _prices("0.20", "0", "0", "0.60"),
        0.06,
    ),
    Route(
        "app-ml-eval-harness",
        "team-ml-eval-harness",
        "ml-eval-batch",
        "hosted_vllm",
        "llama-3-3-70b-instruct",
        "llama-3.3-70b",
        480,
        2500,
        900,
        0.0,
        _prices("0.20", "0", "0", "0.60"),
        0.06,
    ),
    Route(
        "",
        None,
        "personal-notebook",
        "openai",
        "gpt-4o-2024-08-06",
        "gpt-4o",
        25,
        2000,
        600,
        0.0,
        _prices("2.50", "1.25", "2.50", "10.00"),
        personal=True,
    ),
)


@dataclass(frozen=True)
class UsageDrift:
    """The planted change of behaviour: from `week_start` (a Monday) on, the application's route
    `key_alias` calls `to_model` instead of `from_model` with `token_factor` times the input and
    output tokens per request. `measures` are what rpt_usage_drift must report drifting that week."""

    application_id: str
    key_alias: str
    week_start: date
    from_model: str
    to_model: str
    token_factor: int
    measures: frozenset[str]


@dataclass(frozen=True)
class DriftCandidate:
    """A route the drift may move (the only route of its application) and the model it moves to,
    as LiteLLM logs it, with its catalogue prices (so rating still meets LiteLLM's spend)."""

    key_alias: str
    from_model_id: str
    model: str
    model_group: str
    model_id: str
    prices: tuple[Decimal, Decimal, Decimal, Decimal]


DRIFT_CANDIDATES = (
    DriftCandidate(
        "support-assistant-prod",
        "gpt-4.1-mini",
        "gpt-4.1-2025-04-14",
        "gpt-4.1",
        "gpt-4.1",
        _prices("2.00", "0.50", "2.00", "8.00"),
    ),
    DriftCandidate(
        "mobile-chat-prod",
        "claude-haiku-4-5",
        "claude-sonnet-4-5-20250929",
        "claude-sonnet",
        "claude-sonnet-4-5",
        _prices("3.00", "0.30", "3.75", "15.00"),
    ),
)
# The Monday the drift starts: one of DRIFT_WEEKS weeks from DRIFT_FIRST_WEEK, so a history from
# 2026-08-01 (the sandbox sources' history_start) holds eight complete baseline weeks before it and
# a few drifting weeks after it.
DRIFT_FIRST_WEEK, DRIFT_WEEKS = date(2026, 10, 5), 5
DRIFT_TOKEN_FACTOR = 3
DRIFT_MEASURES = frozenset({"tokens_per_request", "model_mix", "new_model"})


def _drift_choice(seed: int) -> tuple[DriftCandidate, date]:
    rng = random.Random(stable_int(seed, "usage-drift"))
    candidate = rng.choice(DRIFT_CANDIDATES)
    return candidate, DRIFT_FIRST_WEEK + timedelta(weeks=rng.randrange(DRIFT_WEEKS))


def planted_drift(seed: int = DEFAULT_SEED) -> UsageDrift:
    """The one usage drift the sandbox plants, deterministic from the seed."""
    candidate, week_start = _drift_choice(seed)
    route = next(r for r in ROUTES if r.key_alias == candidate.key_alias)
    return UsageDrift(
        route.application_id,
        candidate.key_alias,
        week_start,
        candidate.from_model_id,
        candidate.model_id,
        DRIFT_TOKEN_FACTOR,
        DRIFT_MEASURES,
    )


def drifted_route(route: Route, seed: int) -> Route:
    """The route as the planted drift changes it."""
    candidate, _ = _drift_choice(seed)
    return replace(
        route,
        model=candidate.model,
        model_group=candidate.model_group,
        input_per_request=route.input_per_request * DRIFT_TOKEN_FACTOR,
        output_per_request=route.output_per_request * DRIFT_TOKEN_FACTOR,
        prices=candidate.prices,
    )


@dataclass(frozen=True)
class SpendLog:
    """One proxied request as LiteLLM logs it."""

    request_id: str
    route: int
    api_key: str
    start: datetime
    duration_ms: int
    ttft_ms: int | None
    status: str
    prompt_tokens: int
    completion_tokens: int
    cache_read: int
    cache_creation: int
    spend: float
    attempted_fallbacks: int
    error: tuple[str, str] | None
    n: int = 0  # the request's number in its route's day

    @property
    def end(self) -> datetime:
        return self.start + timedelta(milliseconds=self.duration_ms)

    @property
    def spend_decimal(self) -> Decimal:
        return Decimal(repr(self.spend))


def hashed_key(seed: int, alias: str) -> str:
    """LiteLLM stores sha256 of the virtual key (`sk-...`), never the key."""
    return hashlib.sha256(f"sk-{alias}-{seed}".encode()).hexdigest()


def upstream_of(route: Route) -> str:
    return UPSTREAM[route.provider]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def _pg(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") + "+00"


def _pg_from_iso(text: str) -> str:
    """`_iso`'s text as `_pg` writes the same moment, without parsing it (an export writes three per request)."""
    return f"{text[:10]} {text[11:-1]}+00"


class LiteLLMProvider:
    name = "litellm"
    prefixes = (PREFIX,)

    def __init__(
        self,
        enterprise: Enterprise,
        activity: Activity,
        clock: Callable[[], datetime],
        secrets: Mapping[str, str],
    ) -> None:
        self.enterprise, self.activity, self.clock = enterprise, activity, clock
        self.key = secrets.get(SECRET_ENV, "")
        self._logs = lru_cache(maxsize=512)(self._generate)
        self.owner = next(p for p in enterprise.people if p.team_id == "analytics").email
        self.corrupt_days: set[date] = set()
        self._last_selection: tuple[tuple | None, list] = (None, [])
        self.drift = planted_drift(enterprise.seed)
        self._drift_index = next(
            i for i, r in enumerate(ROUTES) if r.key_alias == self.drift.key_alias
        )
        self._drifted = drifted_route(ROUTES[self._drift_index], enterprise.seed)

    def route(self, index: int, day: date) -> Route:
        """Route `index` as it runs on `day` (the planted drift changes one from its week on)."""
        if index == self._drift_index and day >= self.drift.week_start:
            return self._drifted
        return ROUTES[index]

    def logs(self, day: date) -> list[SpendLog]:
        return self._logs(day)

    def _generate(self, day: date) -> list[SpendLog]:
        if day < EPOCH:
            return []
        seed = self.enterprise.seed
        logs = []
        for index in range(len(ROUTES)):
            route = self.route(index, day)
            customer_facing = route.application_id in ("app-support-assistant", "app-mobile-chat")
            factor = self.activity.volume_factor(day, route.application_id, customer_facing)
            rng = random.Random(stable_int(seed, "litellm", day.isoformat(), index))
            count = int(
                route.requests_per_day * VOLUME_SCALE * factor * math.exp(rng.gauss(0, 0.1))
            )
            api_key = hashed_key(seed, route.key_alias)
            logs.extend(self._request(rng, day, index, route, n, api_key) for n in range(count))
        logs.sort(key=lambda log: (log.start, log.request_id))
        return logs

    def _request(
        self, rng: random.Random, day: date, index: int, route: Route, n: int, api_key: str
    ) -> SpendLog:
        start = datetime.fromtimestamp(unix(day), UTC).replace(tzinfo=None) + timedelta(
            microseconds=rng.randrange(0, 86_400_000_000)
        )
        digest = f"{stable_int(self.enterprise.seed, 'litellm-id', day, index, n):016x}"
        prefix = "msg_01" if route.provider == "anthropic" else "chatcmpl-"
        failed = rng.random() < route.failure_rate
        fallbacks = (
            1 if not failed and route.provider != "hosted_vllm" and rng.random() < 0.04 else 0
        )
        prompt = max(1, int(route.input_per_request * math.exp(rng.gauss(0, 0.5))))
        completion = max(1, int(route.output_per_request * math.exp(rng.gauss(0, 0.6))))
        cache_read = cache_creation = 0
        if route.cached_share and rng.random() < 0.8:
            cache_read = min(prompt, int(prompt * route.cached_share * rng.uniform(0.6, 1.2)))
        if route.provider == "anthropic" and rng.random() < 0.15:
            cache_creation = int((prompt - cache_read) * rng.uniform(0.3, 0.8))
        per_token_ms = 6 if route.provider == "hosted_vllm" else 12
        ttft = int(180 + prompt * 0.02 + rng.expovariate(1 / 150))
        duration = ttft + int(completion * per_token_ms * math.exp(rng.gauss(0, 0.25)))
        duration += 1500 * fallbacks
        if failed:
            error = ERRORS[rng.randrange(len(ERRORS))]
            duration = int(rng.uniform(40, 30_000 if error[0] == "Timeout" else 1_200))
            return SpendLog(
                str(
                    uuid.UUID(
                        int=stable_int(self.enterprise.seed, "litellm-call", digest) << 64 | n
                    )
                ),
                index,
                api_key,
                start,
                duration,
                None,
                "failure",
                0,
                0,
                0,
                0,
                0.0,
                0,
                error,
                n,
            )
        input_price, read_price, write_price, output_price = route.prices
        uncached = prompt - cache_read - cache_creation
        spend = (
            (
                uncached * input_price
                + cache_read * read_price
                + cache_creation * write_price
                + completion * output_price
            )
            / MTOK
        ).quantize(SPEND_QUANTUM, ROUND_HALF_EVEN)
        return SpendLog(
            f"{prefix}{digest}{index:02d}",
            index,
            api_key,
            start,
            duration,
            ttft,
            "success",
            prompt,
            completion,
            cache_read,
            cache_creation,
            float(spend),
            fallbacks,
            None,
            n,
        )

    def planted(self, log: SpendLog) -> prompt_content.Content | None:
        """The prompt and response the proxy kept for the request, if its team keeps them."""
        route = ROUTES[log.route]
        pool = prompt_content.LITELLM_POOLS.get((route.application_id, route.provider))
        return prompt_content.content(pool, log.n) if pool else None

    def sensitive_data(self, start: date, end: date, as_of: datetime) -> SensitiveCounts:
        """Requests per (application, upstream provider, day, entity type) whose kept text holds it."""
        counts = SensitiveCounts()
        for day in days(start, end, as_of):
            for log in self.logs(day):
                planted = self.planted(log)
                route = ROUTES[log.route]
                for entity in planted.entities if planted else ():
                    counts[(route.application_id, upstream_of(route), day, entity)] += 1
        return counts

    def row(self, log: SpendLog) -> dict:
        """The spend-log row as the API returns it (JSON columns as objects)."""
        route = self.route(log.route, log.start.date())
        planted = self.planted(log)
        messages: dict | list = {}
        response: dict = {}
        if planted:
            messages = [{"role": "user", "content": planted.prompt}]
            if log.status == "success":
                response = {
                    "id": log.request_id,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": planted.completion},
                        }
                    ],
                }
        owner = self.owner if route.personal else None
        usage_object: dict = {
            "prompt_tokens": log.prompt_tokens,
            "completion_tokens": log.completion_tokens,
            "total_tokens": log.prompt_tokens + log.completion_tokens,
            "prompt_tokens_details": {"cached_tokens": log.cache_read},
        }
        if route.provider == "anthropic":
            usage_object["cache_read_input_tokens"] = log.cache_read
            usage_object["cache_creation_input_tokens"] = log.cache_creation
        metadata: dict = {
            "user_api_key_alias": route.key_alias,
            "user_api_key_team_id": route.team_id,
            "user_api_key_user_id": f"user-{stable_int(owner) % 10**6:06d}" if owner else None,
            "user_api_key_user_email": owner,
            "spend_logs_metadata": None,
            "usage_object": usage_object if log.status == "success" else None,
        }
        if log.attempted_fallbacks:
            metadata["attempted_fallbacks"] = log.attempted_fallbacks
        if log.error:
            metadata["error_information"] = {
                "error_class": log.error[0],
                "error_code": log.error[1],
                "llm_provider": route.provider,
                "error_message": f"litellm.{log.error[0]}: upstream returned {log.error[1]}",
            }
        model = (
            f"{route.provider}/{route.model}" if route.provider == "hosted_vllm" else route.model
        )
        return {
            "request_id": log.request_id,
            "call_type": "acompletion",
            "api_key": log.api_key,
            "spend": log.spend,
            "total_tokens": log.prompt_tokens + log.completion_tokens,
            "prompt_tokens": log.prompt_tokens,
            "completion_tokens": log.completion_tokens,
            "startTime": _iso(log.start),
            "endTime": _iso(log.end),
            "request_duration_ms": log.duration_ms,
            "completionStartTime": _iso(log.start + timedelta(milliseconds=log.ttft_ms))
            if log.ttft_ms is not None
            else None,
            "model": model,
            "model_id": f"{stable_int('deployment', route.provider, route.model):x}"[:12],
            "model_group": route.model_group,
            "custom_llm_provider": route.provider,
            "api_base": API_BASES[route.provider],
            "user": owner or "",
            "metadata": metadata,
            "cache_hit": "False",
            "cache_key": "Cache OFF",
            "request_tags": [f"app:{route.application_id.removeprefix('app-')}"]
            if route.application_id
            else [],
            "team_id": route.team_id,
            "organization_id": None,
            "end_user": "",
            "requester_ip_address": "",
            "messages": messages,
            "response": response,
            "session_id": None,
            "status": log.status,
            "mcp_namespaced_tool_name": None,
            "agent_id": None,
            "proxy_server_request": {},
        }

    def _selection(self, start: datetime, end: datetime, now: datetime, descending: bool) -> list:
        """The window's logs in order; kept for the next page, as a database keeps its result set
        (selecting the whole window again for every page made paging quadratic)."""
        key = (start, end, now, descending)
        if self._last_selection[0] != key:
            selected = [
                log
                for i in range((end.date() - start.date()).days + 1)
                for log in self.logs(start.date() + timedelta(days=i))
                if start <= log.start <= end and log.start < now
            ]
            if descending:
                selected.reverse()
            self._last_selection = (key, selected)
        return self._last_selection[1]

    def handle(self, path: str, query: Query, headers: Mapping[str, str]) -> Response:
        presented = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if not self.key or presented != self.key:
            return _error(
                401, "Authentication Error, Invalid proxy server token passed.", "auth_error"
            )
        if path.rstrip("/") != "/litellm/spend/logs/v2":
            return _error(404, f"Not Found: {path}", "not_found")
        try:
            start = _parse_query_time(query.one("start_date"), "start_date")
            end = _parse_query_time(query.one("end_date"), "end_date")
            page = int(query.one("page") or 1)
            page_size = int(query.one("page_size") or 50)
        except ValueError as error:
            return _error(400, str(error), "bad_request")
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            return _error(400, f"page >= 1 and 1 <= page_size <= {MAX_PAGE_SIZE}", "bad_request")
        # to the minute, so the pages of one listing share one result set
        now = self.clock().astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
        descending = (query.one("sort_order") or "desc").lower() == "desc"
        selected = self._selection(start, end, now, descending)
        total = len(selected)
        chunk = selected[(page - 1) * page_size : page * page_size]
        rows = [self.row(log) for log in chunk]
        for row, log in zip(rows, chunk, strict=True):
            if log.start.date() in self.corrupt_days:
                row["prompt_tokens"] = -abs(row["prompt_tokens"]) - 1
        return Response.json(
            {
                "data": rows,
                "total": total,
                "page": page,
                "page_size": page_size,
                "total_pages": math.ceil(total / page_size) if total else 0,
            }
        )

    def _served(self, start: date, end: date, as_of: datetime) -> list[SpendLog]:
        return [log for day in days(start, end, as_of) for log in self.logs(day)]

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        """Measured cost only: the requests' usage belongs to their upstream providers."""
        totals = empty_totals()
        spend = sum((log.spend_decimal for log in self._served(start, end, as_of)), Decimal(0))
        totals["measured_cost_usd"] = str(spend)
        return totals

    def gateway_usage_by_provider(self, start: date, end: date, as_of: datetime) -> dict:
        """Canonical usage and measured cost per upstream provider (successful requests)."""
        return _by_provider(
            (
                upstream_of(ROUTES[log.route]),
                log.status == "success",
                log.prompt_tokens,
                log.cache_read,
                log.cache_creation,
                log.completion_tokens,
                log.spend_decimal,
            )
            for log in self._served(start, end, as_of)
        )

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        """One gzip CSV per complete day, as a nightly `COPY ... CSV HEADER` of the table."""
        directory = root / SOURCE_TYPE
        directory.mkdir(parents=True, exist_ok=True)
        for day in days(start, end, as_of):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(_export_row(self.row(log)) for log in self.logs(day))
            path = directory / f"LiteLLM_SpendLogs_{day.isoformat()}.csv.gz"
            # gzip's own default level: level 9 took a third of the export's time for 2% less
            data = gzip.compress(buffer.getvalue().encode(), compresslevel=6, mtime=0)
            write_export(path, data)
        return {PATH_ENV: str(directory)}

    def environment(self, base_url: str) -> dict[str, str]:
        return {"LITELLM_BASE_URL": f"{base_url}/litellm"}

    def declared_credentials(self) -> list[dict]:
        seen = []
        for route in ROUTES:
            credential = {
                "application_id": route.application_id,
                "provider": "litellm",
                "kind": "project",
                "id": route.team_id,
            }
            if route.team_id and credential not in seen:
                seen.append(credential)
        return seen

    def corrupt(self, day: date) -> None:
        self.corrupt_days.add(day)

    def reset(self) -> None:
        self.corrupt_days.clear()


_compact_json = json.JSONEncoder(separators=(",", ":")).encode
_export_values = operator.itemgetter(*EXPORT_COLUMNS)
_TIME_INDEXES = [EXPORT_COLUMNS.index(c) for c in ("startTime", "endTime", "completionStartTime")]
_JSON_INDEXES = [
    EXPORT_COLUMNS.index(c)
    for c in ("metadata", "request_tags", "messages", "response", "proxy_server_request")
]
_SPEND_INDEX = EXPORT_COLUMNS.index("spend")


def _export_row(row: dict) -> list:
    """The API row as the export's CSV cells (an export writes a quarter of a million of them)."""
    out = list(_export_values(row))
    for i in _TIME_INDEXES:
        if out[i]:
            out[i] = _pg_from_iso(out[i])
    for i in _JSON_INDEXES:
        if out[i] is not None:
            out[i] = _compact_json(out[i])
    out[_SPEND_INDEX] = repr(out[_SPEND_INDEX])
    return ["" if value is None else value for value in out]


def _error(status: int, message: str, kind: str) -> Response:
    return Response.json(
        {"error": {"message": message, "type": kind, "param": "None", "code": str(status)}}, status
    )


def _parse_query_time(value: str | None, name: str) -> datetime:
    if not value:
        raise ValueError(f"{name} is required, format 'YYYY-MM-DD HH:MM:SS'")
    text = value.strip().strip("'\"")
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return datetime.strptime(text, "%Y-%m-%d")


def _by_provider(rows) -> dict:
    """{provider: {"usage": canonical measures, "measured_cost_usd": text}} from request tuples."""
    out: dict[str, dict] = {}
    for provider, ok, prompt, cache_read, cache_creation, completion, spend in rows:
        entry = out.setdefault(provider, {"usage": dict.fromkeys(MEASURES, 0), "cost": Decimal(0)})
        entry["cost"] += spend
        if ok:
            usage = entry["usage"]
            usage["request_count"] += 1
            usage["input_tokens"] += prompt
            usage["cache_read_input_tokens"] += cache_read
            usage["cache_creation_input_tokens"] += cache_creation
            usage["output_tokens"] += completion
    return {
        provider: {"usage": entry["usage"], "measured_cost_usd": str(entry["cost"])}
        for provider, entry in sorted(out.items())
    }


def build(
    enterprise: Enterprise,
    activity: Activity,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str],
) -> LiteLLMProvider:
    return LiteLLMProvider(enterprise, activity, clock, secrets)


# Upstream providers that no sandbox provider serves directly: only gateways see their usage.
GATEWAY_ONLY_PROVIDERS = frozenset({"vllm"})


def gateway_only_usage(
    start: date, end: date, as_of: datetime, seed: int = DEFAULT_SEED
) -> dict[str, dict]:
    """Canonical usage per gateway-only upstream provider, over both gateways (LiteLLM and OTel).

    `{"vllm": {"usage": {...}, "measured_cost_usd": "..."}}`: what fct_ai_usage_daily must publish
    under those providers (gateway rows count only where no direct source reports the provider).
    """
    from sandbox.providers import otel

    enterprise = Enterprise(seed)
    activity = Activity(enterprise)
    clock = lambda: as_of  # noqa: E731
    merged: dict[str, dict] = {}
    for provider in (
        LiteLLMProvider(enterprise, activity, clock, {}),
        otel.build(enterprise, activity, clock, {}),
    ):
        for name, figures in provider.gateway_usage_by_provider(start, end, as_of).items():
            if name not in GATEWAY_ONLY_PROVIDERS:
                continue
            entry = merged.setdefault(
                name, {"usage": dict.fromkeys(MEASURES, 0), "measured_cost_usd": "0"}
            )
            for measure, value in figures["usage"].items():
                entry["usage"][measure] += value
            entry["measured_cost_usd"] = str(
                Decimal(entry["measured_cost_usd"]) + Decimal(figures["measured_cost_usd"])
            )
    return merged
