"""OpenTelemetry GenAI spans in the sandbox: OTLP JSON files as a Collector file exporter writes them.

The code-review bot is instrumented with the OpenTelemetry GenAI conventions and exports its traces
through a Collector (file exporter, one `ExportTraceServiceRequest` per line). Each review is an
HTTP server span, an `invoke_agent` span, tool spans and model calls to OpenAI, Anthropic (both also
in the providers' own reports) and a self-hosted Llama on vLLM (only gateways see it). An undeclared
notebook service uses the deprecated attribute names (`gen_ai.system`, `gen_ai.usage.prompt_tokens`).
Some calls fail (span status ERROR, `error.type`). A few spans capture content, as opt-in content
attributes or on a `gen_ai.client.inference.operation.details` event, which the warehouse must never
land; the code-review bot's hold the secrets planted in sandbox/prompt_content.py. There is no cost in the conventions: ground truth (name `otel`)
is empty, and the usage per upstream provider is in `gateway_usage_by_provider`.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sandbox import prompt_content
from sandbox.activity import Activity
from sandbox.enterprise import EPOCH, Enterprise, stable_int, unix
from sandbox.ground_truth import SensitiveCounts, days, empty_totals
from sandbox.providers import Response, write_export
from sandbox.providers.litellm import _by_provider

SOURCE_TYPE = "otlp_genai"
PATH_ENV = "OTLP_GENAI_PATH"
SPANS_PER_LINE = 100
VOLUME_SCALE = 0.5
CONTENT_MARKER = "SYNTHETIC-CONTENT"
# gen_ai.provider.name (or gen_ai.system) -> warehouse provider
UPSTREAM = {"openai": "openai", "anthropic": "anthropic", "vllm": "vllm"}


@dataclass(frozen=True)
class Call:
    service: str
    application_id: str
    provider: str
    request_model: str
    response_model: str
    server: str
    requests_per_day: int
    input_per_request: int
    output_per_request: int
    cached_share: float
    reasoning_share: float = 0.0
    deprecated_names: bool = False


CALLS = (
    Call(
        "code-review-bot",
        "app-code-review-bot",
        "openai",
        "o4-mini",
        "o4-mini-2025-04-16",
        "api.openai.com",
        260,
        6500,
        1400,
        0.4,
        0.6,
    ),
    Call(
        "code-review-bot",
        "app-code-review-bot",
        "anthropic",
        "claude-sonnet-4-5",
        "claude-sonnet-4-5-20250929",
        "api.anthropic.com",
        90,
        9000,
        1200,
        0.5,
    ),
    Call(
        "code-review-bot",
        "app-code-review-bot",
        "vllm",
        "llama-3-3-70b-instruct",
        "llama-3-3-70b-instruct",
        "vllm-llama.ml-platform.svc.cluster.local",
        140,
        2200,
        300,
        0.0,
    ),
    Call(
        "notebook-experiments",
        "",
        "openai",
        "gpt-4o",
        "gpt-4o-2024-08-06",
        "api.openai.com",
        15,
        2000,
        700,
        0.0,
        deprecated_names=True,
    ),
)
ERRORS = ("429", "timeout", "500", "anthropic.RateLimitError")


@dataclass(frozen=True)
class Span:
    """One model call as its GenAI span records it."""

    call: int
    trace_id: str
    span_id: str
    parent_id: str
    start_ns: int
    end_ns: int
    ok: bool
    error_type: str | None
    input_tokens: int
    cache_read: int
    cache_creation: int
    output_tokens: int
    reasoning_tokens: int
    with_content: bool
    n: int = 0  # the call's number in its day


def _kv(key: str, value: object) -> dict:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}
    if isinstance(value, list):
        return {
            "key": key,
            "value": {"arrayValue": {"values": [{"stringValue": v} for v in value]}},
        }
    return {"key": key, "value": {"stringValue": str(value)}}


class OtelProvider:
    name = "otel"
    prefixes: tuple[str, ...] = ()

    def __init__(self, enterprise: Enterprise, activity: Activity) -> None:
        self.enterprise, self.activity = enterprise, activity
        self._spans = lru_cache(maxsize=512)(self._generate)

    def spans(self, day: date) -> list[Span]:
        return self._spans(day)

    def _generate(self, day: date) -> list[Span]:
        if day < EPOCH:
            return []
        seed = self.enterprise.seed
        spans = []
        for index, call in enumerate(CALLS):
            factor = self.activity.volume_factor(day, call.application_id or "shadow", False)
            rng = random.Random(stable_int(seed, "otel", day.isoformat(), index))
            count = int(call.requests_per_day * VOLUME_SCALE * factor * math.exp(rng.gauss(0, 0.1)))
            spans.extend(self._span(rng, day, index, call, n) for n in range(count))
        spans.sort(key=lambda s: (s.start_ns, s.span_id))
        return spans

    def _span(self, rng: random.Random, day: date, index: int, call: Call, n: int) -> Span:
        ids = f"{stable_int(self.enterprise.seed, 'otel-id', day, index, n):016x}"
        start = unix(day) * 10**9 + rng.randrange(0, 86_400 * 10**9)
        ok = rng.random() >= 0.04
        prompt = max(1, int(call.input_per_request * math.exp(rng.gauss(0, 0.45))))
        output = max(1, int(call.output_per_request * math.exp(rng.gauss(0, 0.5))))
        cache_read = int(prompt * call.cached_share * rng.uniform(0.5, 1.1)) if ok else 0
        cache_read = min(cache_read, prompt)
        cache_creation = 0
        if call.provider == "anthropic" and ok and rng.random() < 0.2:
            cache_creation = int((prompt - cache_read) * rng.uniform(0.2, 0.6))
        reasoning = int(output * call.reasoning_share * rng.uniform(0.5, 1.0)) if ok else 0
        per_token_ms = 5 if call.provider == "vllm" else 14
        duration_ms = 250 + output * per_token_ms * math.exp(rng.gauss(0, 0.3))
        if not ok:
            duration_ms = rng.uniform(30, 1500)
        return Span(
            index,
            f"{stable_int(ids, 'trace'):016x}{ids}",
            ids,
            f"{stable_int(ids, 'agent'):016x}",
            start,
            start + int(duration_ms * 1_000_000),
            ok,
            None if ok else ERRORS[rng.randrange(len(ERRORS))],
            prompt if ok else 0,
            cache_read,
            cache_creation,
            output if ok else 0,
            reasoning,
            ok and rng.random() < 0.05,
            n,
        )

    def otlp_span(self, span: Span) -> dict:
        """The model-call span in OTLP JSON."""
        call = CALLS[span.call]
        provider_key = "gen_ai.system" if call.deprecated_names else "gen_ai.provider.name"
        attrs = [
            _kv("gen_ai.operation.name", "chat"),
            _kv(provider_key, call.provider),
            _kv("gen_ai.request.model", call.request_model),
            _kv("server.address", call.server),
            _kv("gen_ai.request.temperature", 0.2),
            _kv("gen_ai.request.max_tokens", 4096),
        ]
        if span.ok:
            input_key, output_key = (
                ("gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens")
                if call.deprecated_names
                else ("gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens")
            )
            attrs += [
                _kv("gen_ai.response.model", call.response_model),
                _kv("gen_ai.response.id", f"resp_{span.span_id}"),
                _kv("gen_ai.response.finish_reasons", ["stop"]),
                _kv(input_key, span.input_tokens),
                _kv(output_key, span.output_tokens),
            ]
            if span.cache_read:
                attrs.append(_kv("gen_ai.usage.cache_read.input_tokens", span.cache_read))
            if span.cache_creation:
                attrs.append(_kv("gen_ai.usage.cache_creation.input_tokens", span.cache_creation))
            if span.reasoning_tokens:
                attrs.append(_kv("gen_ai.usage.reasoning.output_tokens", span.reasoning_tokens))
        else:
            attrs.append(_kv("error.type", span.error_type))
        events = []
        if span.with_content:
            planted = self.planted(span)
            prompt = f"{CONTENT_MARKER} {planted.prompt}" if planted else CONTENT_MARKER
            reply = f"{CONTENT_MARKER} {planted.completion}" if planted else CONTENT_MARKER
            content = [
                _kv("gen_ai.input.messages", json.dumps([{"role": "user", "parts": [prompt]}])),
                _kv(
                    "gen_ai.output.messages", json.dumps([{"role": "assistant", "parts": [reply]}])
                ),
            ]
            # every other capture is an event on the span, as newer instrumentations write it
            if span.n % 2:
                events.append(
                    {
                        "timeUnixNano": str(span.end_ns),
                        "name": "gen_ai.client.inference.operation.details",
                        "attributes": content,
                    }
                )
            else:
                attrs += content
        body = {
            "traceId": span.trace_id,
            "spanId": span.span_id,
            "parentSpanId": span.parent_id,
            "name": f"chat {call.request_model}",
            "kind": 3,
            "startTimeUnixNano": str(span.start_ns),
            "endTimeUnixNano": str(span.end_ns),
            "attributes": attrs,
            "status": {} if span.ok else {"code": 2, "message": f"{span.error_type}"},
        }
        if events:
            body["events"] = events
        return body

    def planted(self, span: Span) -> prompt_content.Content | None:
        """The text planted in the span's captured content, if its application's pool has any."""
        pool = prompt_content.SPAN_POOLS.get(CALLS[span.call].application_id)
        return prompt_content.content(pool, span.n) if pool else None

    def sensitive_data(self, start: date, end: date, as_of: datetime) -> SensitiveCounts:
        """Model calls per (application, upstream provider, day, entity type) whose captured
        content holds it."""
        counts = SensitiveCounts()
        for day in days(start, end, as_of):
            for span in self.spans(day):
                planted = self.planted(span) if span.with_content else None
                call = CALLS[span.call]
                for entity in planted.entities if planted else ():
                    counts[(call.application_id, UPSTREAM[call.provider], day, entity)] += 1
        return counts

    def _context_spans(self, span: Span) -> list[dict]:
        """The HTTP server span and the agent span around a bot's model call (no usage)."""
        if CALLS[span.call].service != "code-review-bot":
            return []
        root = f"{stable_int(span.span_id, 'root'):016x}"
        return [
            {
                "traceId": span.trace_id,
                "spanId": root,
                "name": "POST /webhooks/github",
                "kind": 2,
                "startTimeUnixNano": str(span.start_ns - 2_000_000),
                "endTimeUnixNano": str(span.end_ns + 5_000_000),
                "attributes": [_kv("http.request.method", "POST"), _kv("http.route", "/webhooks")],
                "status": {},
            },
            {
                "traceId": span.trace_id,
                "spanId": span.parent_id,
                "parentSpanId": root,
                "name": "invoke_agent code-reviewer",
                "kind": 1,
                "startTimeUnixNano": str(span.start_ns - 1_000_000),
                "endTimeUnixNano": str(span.end_ns + 2_000_000),
                "attributes": [
                    _kv("gen_ai.operation.name", "invoke_agent"),
                    _kv("gen_ai.agent.name", "code-reviewer"),
                    _kv("gen_ai.provider.name", CALLS[span.call].provider),
                ],
                "status": {},
            },
        ]

    def requests(self, day: date) -> Iterator[str]:
        """The day's export lines: one ExportTraceServiceRequest per service and batch."""
        by_service: dict[str, list[dict]] = {}
        for span in self.spans(day):
            service = CALLS[span.call].service
            by_service.setdefault(service, []).extend(
                [*self._context_spans(span), self.otlp_span(span)]
            )
        for service, spans in sorted(by_service.items()):
            for offset in range(0, len(spans), SPANS_PER_LINE):
                yield json.dumps(
                    {
                        "resourceSpans": [
                            {
                                "resource": {
                                    "attributes": [
                                        _kv("service.name", service),
                                        _kv("deployment.environment.name", "production"),
                                        _kv("telemetry.sdk.language", "python"),
                                    ]
                                },
                                "scopeSpans": [
                                    {
                                        "scope": {
                                            "name": "opentelemetry.instrumentation.genai",
                                            "version": "0.4b0",
                                        },
                                        "spans": spans[offset : offset + SPANS_PER_LINE],
                                    }
                                ],
                            }
                        ]
                    },
                    separators=(",", ":"),
                )

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        """Empty: the spans' usage belongs to the upstream providers and they carry no cost."""
        return empty_totals()

    def gateway_usage_by_provider(self, start: date, end: date, as_of: datetime) -> dict:
        """Canonical usage per upstream provider of the model-call spans (successful calls)."""
        return _by_provider(
            (
                UPSTREAM[CALLS[s.call].provider],
                s.ok,
                s.input_tokens,
                s.cache_read,
                s.cache_creation,
                s.output_tokens,
                Decimal(0),
            )
            for day in days(start, end, as_of)
            for s in self.spans(day)
        )

    def handle(self, path: str, query: object, headers: Mapping[str, str]) -> Response:
        return Response.json({"error": {"message": "not an API source"}}, 404)

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        """One file per complete day, as the Collector's file exporter rotates them."""
        directory = root / SOURCE_TYPE / "collector-0"
        directory.mkdir(parents=True, exist_ok=True)
        for day in days(start, end, as_of):
            path = directory / f"traces-{day.isoformat()}.json"
            write_export(path, "".join(line + "\n" for line in self.requests(day)).encode())
        return {PATH_ENV: str(root / SOURCE_TYPE)}

    def environment(self, base_url: str) -> dict[str, str]:
        return {}

    def declared_credentials(self) -> list[dict]:
        services = {(c.application_id, c.service) for c in CALLS if c.application_id}
        return [
            {"application_id": app, "provider": "otel", "kind": "project", "id": service}
            for app, service in sorted(services)
        ]

    def corrupt(self, day: date) -> None:
        pass

    def reset(self) -> None:
        pass


def build(
    enterprise: Enterprise,
    activity: Activity,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str],
) -> OtelProvider:
    return OtelProvider(enterprise, activity)
