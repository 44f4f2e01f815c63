"""OTLP JSON GenAI spans: attribute decoding (intValue strings), optional and unknown attributes,
content attributes dropped, malformed files named, and the sandbox's Collector exports."""

from __future__ import annotations

import gzip
import json
import os
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from connectors.export_files import FileIndex, RowTimes
from connectors.otlp_genai.reader import ExportFileError, OtlpGenAiReader
from connectors.otlp_genai.schemas import SCHEMAS
from sandbox import prompt_content
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from sandbox.providers import otel
from warehouse.landing import LandingWindow

START, END = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 4, tzinfo=UTC)
T0 = 1788264000000000000  # 2026-09-01T12:00:00Z in ns


def kv(key: str, value: dict) -> dict:
    return {"key": key, "value": value}


def request(*spans: dict, service: str = "search-api") -> dict:
    return {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [
                        kv("service.name", {"stringValue": service}),
                        kv("host.name", {"stringValue": "pod-7"}),
                    ]
                },
                "scopeSpans": [
                    {"scope": {"name": "openai-v2", "version": "2.1b0"}, "spans": list(spans)}
                ],
            }
        ]
    }


CHAT = {
    "traceId": "0af7651916cd43dd8448eb211c80319c",
    "spanId": "b7ad6b7169203331",
    "parentSpanId": "",
    "name": "chat gpt-4.1-mini",
    "kind": 3,
    "startTimeUnixNano": str(T0),
    "endTimeUnixNano": str(T0 + 2_750_000_000),
    "attributes": [
        kv("gen_ai.operation.name", {"stringValue": "chat"}),
        kv("gen_ai.provider.name", {"stringValue": "azure.ai.openai"}),
        kv("gen_ai.request.model", {"stringValue": "gpt-4.1-mini"}),
        kv("gen_ai.response.model", {"stringValue": "gpt-4.1-mini-2025-04-14"}),
        kv("gen_ai.usage.input_tokens", {"intValue": "2110"}),
        kv("gen_ai.usage.cache_read.input_tokens", {"intValue": "1536"}),
        kv("gen_ai.usage.output_tokens", {"intValue": "361"}),
        kv("gen_ai.response.finish_reasons", {"arrayValue": {"values": [{"stringValue": "stop"}]}}),
        kv("gen_ai.request.temperature", {"doubleValue": 0.2}),
        kv("gen_ai.request.stream", {"boolValue": True}),
        kv("app.tenant", {"stringValue": "acme"}),
        kv("gen_ai.input.messages", {"stringValue": '[{"role":"user","parts":["SECRET-PROMPT"]}]'}),
        kv("gen_ai.output.messages", {"stringValue": '[{"parts":["SECRET-ANSWER"]}]'}),
        kv("gen_ai.system_instructions", {"stringValue": "SECRET-SYSTEM"}),
        kv("gen_ai.prompt.0.content", {"stringValue": "SECRET-LEGACY"}),
    ],
    "status": {},
}
FAILED = {
    "traceId": "0af7651916cd43dd8448eb211c80319c",
    "spanId": "c8be7c827a314442",
    "name": "chat claude-haiku-4-5",
    "kind": "SPAN_KIND_CLIENT",
    "startTimeUnixNano": str(T0 + 10**9),
    "endTimeUnixNano": str(T0 + 10**9 + 412_000_000),
    "attributes": [
        kv("gen_ai.operation.name", {"stringValue": "chat"}),
        kv("gen_ai.system", {"stringValue": "anthropic"}),
        kv("gen_ai.request.model", {"stringValue": "claude-haiku-4-5"}),
        kv("error.type", {"stringValue": "429"}),
    ],
    "status": {"code": "STATUS_CODE_ERROR", "message": "rate limited"},
}
HTTP = {
    "traceId": "0af7651916cd43dd8448eb211c80319c",
    "spanId": "a1a1a1a1a1a1a1a1",
    "name": "GET /search",
    "kind": 2,
    "startTimeUnixNano": str(T0),
    "endTimeUnixNano": str(T0 + 3 * 10**9),
    "attributes": [kv("http.request.method", {"stringValue": "GET"})],
}


def write(path: Path, *requests: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in requests))
    return path


def test_spans_decode_int_strings_keep_extras_and_drop_content(tmp_path):
    write(tmp_path / "traces.json", request(HTTP, CHAT, FAILED))
    spans = list(OtlpGenAiReader(tmp_path).spans(START, END))
    assert [s["span_id"] for s in spans] == ["b7ad6b7169203331", "c8be7c827a314442"]
    chat, failed = spans
    assert chat["gen_ai_usage_input_tokens"] == 2110  # intValue is a string in OTLP JSON
    assert chat["gen_ai_usage_cache_read_input_tokens"] == 1536
    assert chat["gen_ai_usage_output_tokens"] == 361
    assert chat["gen_ai_provider_name"] == "azure.ai.openai"
    assert chat["gen_ai_response_finish_reasons"] == '["stop"]'
    assert chat["duration_ms"] == 2750.0 and chat["span_kind"] == "CLIENT"
    assert chat["start_time"] == datetime(2026, 9, 1, 12, 0)
    assert chat["parent_span_id"] is None and chat["status_code"] == "UNSET"
    assert (chat["service_name"], chat["scope_name"]) == ("search-api", "openai-v2")
    # unknown attributes are kept under their own names (they land in _extra_json)
    assert chat["gen_ai.request.temperature"] == 0.2 and chat["gen_ai.request.stream"] is True
    assert chat["app.tenant"] == "acme" and chat["resource.host.name"] == "pod-7"
    assert "SECRET" not in json.dumps(spans, default=str)
    # only the fact that content was captured lands: prompt logging is on for that service
    assert (chat["records_prompts"], failed["records_prompts"]) == (True, False)
    # and what the content held: classified (nothing sensitive), or not classified (no content)
    assert (chat["sensitive_entity_counts"], failed["sensitive_entity_counts"]) == ("{}", None)
    # missing optional attributes are null; the deprecated provider attribute is kept apart
    assert failed["gen_ai_usage_input_tokens"] is None and failed["gen_ai_response_model"] is None
    assert (failed["gen_ai_system"], failed["gen_ai_provider_name"]) == ("anthropic", None)
    assert (failed["status_code"], failed["error_type"]) == ("ERROR", "429")
    assert failed["span_kind"] == "CLIENT" and failed["status_message"] == "rate limited"


# Content as span events: the older `gen_ai.content.prompt` / `gen_ai.content.completion` events and
# the current `gen_ai.client.inference.operation.details` event (semantic conventions for GenAI).
EVENTS = {
    **FAILED,
    "spanId": "d9cf8d938b425553",
    "status": {},
    "events": [
        {
            "timeUnixNano": str(T0 + 10**9),
            "name": "gen_ai.content.prompt",
            "attributes": [kv("gen_ai.prompt", {"stringValue": "Bill 4111 1111 1111 1111 now"})],
        },
        {
            "timeUnixNano": str(T0 + 2 * 10**9),
            "name": "gen_ai.client.inference.operation.details",
            "attributes": [
                kv(
                    "gen_ai.input.messages",
                    {
                        "stringValue": json.dumps(
                            [
                                {
                                    "role": "user",
                                    "parts": [{"type": "text", "content": "Call +1 212-555-0143"}],
                                }
                            ]
                        )
                    },
                ),
                kv(
                    "gen_ai.output.messages",
                    {"stringValue": '[{"role": "assistant", "parts": ["Mail bo@example.net"]}]'},
                ),
            ],
        },
        {"timeUnixNano": str(T0 + 3 * 10**9), "name": "exception", "attributes": []},
    ],
}


def test_content_on_span_events_is_classified_and_dropped(tmp_path):
    write(tmp_path / "traces.json", request(EVENTS, FAILED))
    events, failed = OtlpGenAiReader(tmp_path).spans(START, END)
    assert events["records_prompts"] is True and failed["records_prompts"] is False
    assert json.loads(events["sensitive_entity_counts"]) == {
        "CREDIT_CARD": 1,
        "EMAIL_ADDRESS": 1,
        "PHONE_NUMBER": 1,
    }
    assert failed["sensitive_entity_counts"] is None
    text = json.dumps([events, failed], default=str)
    assert not [v for v in ("4111", "212-555", "bo@example", "Bill", "Call") if v in text]


def test_landing_keeps_extras_in_extra_json_and_never_content(tmp_path):
    gz = tmp_path / "in" / "traces.json.gz"
    gz.parent.mkdir()
    gz.write_bytes(gzip.compress((json.dumps(request(CHAT)) + "\n").encode()))
    spans = OtlpGenAiReader(tmp_path / "in").spans(START, END)
    with LandingWindow(
        tmp_path / "landing",
        "otlp_genai",
        "genai_spans",
        "t",
        SCHEMAS["genai_spans"],
        [date(2026, 9, 1)],
    ) as landing:
        landing.add(spans, lambda r: r["start_time"].date())
        (day,) = landing.commit()
    rows = pq.read_table(day.path).to_pylist()
    assert len(rows) == 1
    extra = json.loads(rows[0]["_extra_json"])
    assert extra["app.tenant"] == "acme" and extra["gen_ai.request.temperature"] == 0.2
    assert b"SECRET" not in day.path.read_bytes()


def test_a_pretty_printed_request_and_malformed_files_name_the_file(tmp_path):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "one.json").write_text(json.dumps(request(CHAT), indent=2))
    assert len(list(OtlpGenAiReader(tmp_path / "ok").spans(START, END))) == 1
    bad = write(tmp_path / "bad" / "traces.jsonl", request(CHAT))
    bad.write_text(bad.read_text() + '{"resourceSpans": [\n')
    with pytest.raises(ExportFileError) as raised:
        list(OtlpGenAiReader(tmp_path / "bad").spans(START, END))
    assert str(bad) in str(raised.value) and "line 2" in str(raised.value)
    wrong = dict(CHAT, attributes=[kv("gen_ai.usage.input_tokens", {"intValue": "many"})])
    odd = write(tmp_path / "odd" / "traces.json", request(wrong))
    with pytest.raises(ExportFileError, match=r"traces\.json: line 1"):
        list(OtlpGenAiReader(odd.parent).spans(START, END))
    with pytest.raises(ExportFileError, match="does not exist"):
        list(OtlpGenAiReader(tmp_path / "missing").spans(START, END))


def test_sandbox_exports_sum_to_the_gateway_usage(tmp_path):
    as_of = datetime(2026, 9, 10, tzinfo=UTC)
    enterprise = Enterprise()
    provider = otel.build(enterprise, Activity(enterprise), lambda: as_of, {})
    env = provider.write_exports(tmp_path, date(2026, 9, 1), date(2026, 9, 4), as_of)
    spans = list(OtlpGenAiReader(Path(env["OTLP_GENAI_PATH"])).spans(START, END))
    calls = [s for s in spans if s["gen_ai_operation_name"] == "chat"]
    truth = provider.gateway_usage_by_provider(date(2026, 9, 1), date(2026, 9, 4), as_of)
    ok = [s for s in calls if s["status_code"] != "ERROR"]
    assert len(ok) == sum(v["usage"]["request_count"] for v in truth.values())
    openai_input = sum(
        s["gen_ai_usage_input_tokens"] or s["gen_ai_usage_prompt_tokens"] or 0
        for s in ok
        if (s["gen_ai_provider_name"] or s["gen_ai_system"]) == "openai"
    )
    assert openai_input == truth["openai"]["usage"]["input_tokens"]
    assert {s["gen_ai_operation_name"] for s in spans} == {"chat", "invoke_agent"}
    assert not any("content" in k or "messages" in k for s in spans for k in s)
    assert 0 < sum(s["records_prompts"] for s in spans) < len(spans)
    assert otel.CONTENT_MARKER not in json.dumps(spans, default=str)
    assert otel.CONTENT_MARKER in next(Path(env["OTLP_GENAI_PATH"]).rglob("*.json")).read_text()


def test_sandbox_captured_content_gives_the_planted_entities(tmp_path):
    as_of = datetime(2026, 9, 10, tzinfo=UTC)
    enterprise = Enterprise()
    provider = otel.build(enterprise, Activity(enterprise), lambda: as_of, {})
    env = provider.write_exports(tmp_path, date(2026, 9, 1), date(2026, 9, 4), as_of)
    spans = list(OtlpGenAiReader(Path(env["OTLP_GENAI_PATH"])).spans(START, END))
    applications = {c.service: c.application_id for c in otel.CALLS}
    observed = Counter()
    for span in spans:
        for entity in json.loads(span["sensitive_entity_counts"] or "{}"):
            provider_name = span["gen_ai_provider_name"] or span["gen_ai_system"]
            key = (applications[span["service_name"]], otel.UPSTREAM[provider_name])
            observed[(*key, span["start_time"].date(), entity)] += 1
    assert observed == provider.sensitive_data(date(2026, 9, 1), date(2026, 9, 4), as_of)
    assert set(observed) and {k[0] for k in observed} == {"app-code-review-bot"}
    captured = [s for s in spans if s["records_prompts"]]
    assert all(s["sensitive_entity_counts"] is not None for s in captured)
    assert all(s["sensitive_entity_counts"] is None for s in spans if not s["records_prompts"])
    # some captures are span attributes, others span events: both are read
    text = Path(next(Path(env["OTLP_GENAI_PATH"]).rglob("*.json"))).read_text()
    assert "gen_ai.client.inference.operation.details" in text
    landed = json.dumps(spans, default=str)
    assert prompt_content.PLANTED_PHRASE not in landed
    assert [v for v in prompt_content.planted_values() if v in landed] == []


def test_spans_outside_the_window_are_not_flattened_but_a_bad_span_inside_fails(tmp_path):
    earlier = T0 - 5 * 86_400 * 10**9  # 2026-08-27, before START
    bad_tokens = [kv("gen_ai.usage.input_tokens", {"arrayValue": {"values": []}})]
    old_bad = {
        **FAILED,
        "spanId": "0ld",
        "startTimeUnixNano": str(earlier),
        "attributes": [*FAILED["attributes"], *bad_tokens],
    }
    write(tmp_path / "a.jsonl", request(old_bad, CHAT))
    assert [s["span_id"] for s in OtlpGenAiReader(tmp_path).spans(START, END)] == [CHAT["spanId"]]
    new_bad = {**old_bad, "startTimeUnixNano": str(T0)}
    write(tmp_path / "a.jsonl", request(new_bad))
    with pytest.raises(ExportFileError, match=r"a\.jsonl: line 1: not OTLP JSON traces"):
        list(OtlpGenAiReader(tmp_path).spans(START, END))


def test_an_unchanged_trace_file_before_the_window_is_not_opened_again(tmp_path):
    root, index = tmp_path / "traces", tmp_path / "index.json"
    earlier = T0 - 5 * 86_400 * 10**9  # 2026-08-27, before START
    write(root / "old.jsonl", request({**CHAT, "spanId": "0ld", "startTimeUnixNano": str(earlier)}))
    write(root / "new.jsonl", request(CHAT))
    reader = OtlpGenAiReader(root, index_path=index)
    assert [s["span_id"] for s in reader.spans(START, END)] == [CHAT["spanId"]]
    assert json.loads(index.read_text())["files"][str(root / "old.jsonl")]["last"].startswith(
        "2026-08-27"
    )
    old, stat = root / "old.jsonl", (root / "old.jsonl").stat()
    old.write_bytes(b"{" * stat.st_size)  # damaged, same size and time: not opened
    os.utime(old, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert [s["span_id"] for s in reader.spans(START, END)] == [CHAT["spanId"]]
    with pytest.raises(ExportFileError, match=r"old\.jsonl"):
        list(reader.spans(datetime(2026, 8, 27, tzinfo=UTC), END))


def test_a_file_with_a_row_of_no_time_is_never_skipped(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("{}")
    index, times = FileIndex(tmp_path / "index.json"), RowTimes()
    times.see(datetime(2026, 1, 1))
    index.remember(path, path.stat(), times)
    assert index.unchanged_outside(path, START.replace(tzinfo=None), END.replace(tzinfo=None))
    times.see(None)
    index.remember(path, path.stat(), times)
    assert not index.unchanged_outside(path, START.replace(tzinfo=None), END.replace(tzinfo=None))
