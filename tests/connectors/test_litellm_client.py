"""LiteLLM spend logs: documented payload shapes, the sandbox over HTTP (paging to the last page,
429 with Retry-After, an empty window, totals, the sensitive data planted in stored prompts), and
exported files (CSV, NDJSON, malformed)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from connectors.errors import SourceRequestError
from connectors.litellm.client import LiteLLMClient
from connectors.litellm_export.reader import ExportFileError, LiteLLMExportReader
from sandbox import prompt_content
from sandbox.providers import litellm
from tests.canned_server import CannedServer
from tests.conftest import TEST_SECRETS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "litellm"
KEY = TEST_SECRETS["LITELLM_MASTER_KEY"]
START, END = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 4, tzinfo=UTC)


def client_for(url: str, **options) -> LiteLLMClient:
    options = {"backoff_base": 0.01, "backoff_max": 0.2, "max_attempts": 5, **options}
    return LiteLLMClient(KEY, url, **options)


def canned(path: str, query: dict) -> tuple[int, dict, str]:
    page = (query.get("page") or ["1"])[0]
    return 200, {}, (FIXTURES / f"spend_logs_v2_page{page}.json").read_text()


def test_documented_rows_across_two_pages():
    with CannedServer(canned) as server, client_for(server.url) as client:
        rows = list(
            client.spend_logs(datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC))
        )
        requests = server.requests
    assert [r["request_id"] for r in rows] == [
        "chatcmpl-9f2c71d0",
        "8b1f0a52-3c2d-4e51-9a0b-6f1f2b7d9e10",
        "msg_01XYZ",
    ]
    assert [q["page"] for _, q, _ in requests] == [["1"], ["2"]]
    path, query, headers = requests[0]
    assert path == "/spend/logs/v2"
    assert query["start_date"] == ["2026-03-04 00:00:00"]
    assert query["end_date"] == ["2026-03-05 00:00:00"]
    assert headers["Authorization"] == f"Bearer {KEY}"
    first, failed, last = rows
    assert first["spend"] == "0.004215" and first["cached_tokens"] == 1536
    assert first["startTime"] == datetime(2026, 3, 4, 10, 15, 1, 120000)
    assert first["request_duration_ms"] == 2750 and first["organization_id"] is None
    assert first["request_tags"] == '["job:nightly-eval"]'
    assert failed["status"] == "failure" and failed["attempted_fallbacks"] == 1
    assert (failed["error_class"], failed["error_code"]) == ("RateLimitError", "429")
    assert failed["cache_hit"] is None and failed["agent_id"] == "agent-7"
    assert last["spend"] == "0.0123456789012" and last["team_id"] is None
    assert (last["cache_read_input_tokens"], last["cache_creation_input_tokens"]) == (800, 300)
    assert last["reasoning_tokens"] == 40 and last["completionStartTime"] is None
    # content never leaves the connector: no messages/response, no error message echoing a prompt
    text = json.dumps(rows, default=str)
    assert "DOCUMENTED-PROMPT-TEXT" not in text and "DOCUMENTED-COMPLETION-TEXT" not in text
    assert not {"messages", "response"} & {k for r in rows for k in r}


# Rows of a proxy with `store_prompts_in_spend_logs`: `messages` and `response` as LiteLLM stores
# them, a row that kept only the raw request (`proxy_server_request`), and rows that kept nothing.
STORED_PROMPTS = [
    {
        "request_id": "chatcmpl-stored-1",
        "startTime": "2026-03-04T10:15:01.120Z",
        "spend": 0.0042,
        "custom_llm_provider": "openai",
        "messages": [
            {"role": "system", "content": "You answer customers of Example Corp."},
            {"role": "user", "content": "Refund jane.doe@example.com, she called +1 212-555-0143."},
        ],
        "response": {
            "choices": [{"message": {"role": "assistant", "content": "Card 4111 1111 1111 1111."}}]
        },
        "proxy_server_request": {"messages": [{"content": "jane.doe@example.com"}]},
    },
    {
        "request_id": "chatcmpl-stored-2",
        "startTime": "2026-03-04T10:16:00Z",
        "spend": 0.001,
        "messages": {},
        "response": {},
        "proxy_server_request": {
            "model": "gpt-4.1",
            "messages": [{"role": "user", "content": "Pay GB82 WEST 1234 5698 7654 32 today."}],
        },
    },
    {
        "request_id": "chatcmpl-stored-3",
        "startTime": "2026-03-04T10:17:00Z",
        "spend": 0.001,
        "messages": [{"role": "user", "content": "Summarise the meeting notes."}],
        "response": {"choices": [{"message": {"content": "Three decisions were taken."}}]},
    },
    {
        "request_id": "chatcmpl-stored-4",
        "startTime": "2026-03-04T10:18:00Z",
        "spend": 0.001,
        "messages": {},
        "response": {},
        "proxy_server_request": {},
    },
]
STORED_COUNTS = {
    # the raw request repeats the messages: read only when LiteLLM kept nothing else
    "chatcmpl-stored-1": {"CREDIT_CARD": 1, "EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1},
    "chatcmpl-stored-2": {"IBAN_CODE": 1},
    "chatcmpl-stored-3": {},
    "chatcmpl-stored-4": None,
}
MARCH_4 = datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)


def counts_of(rows: list[dict]) -> dict:
    return {
        r["request_id"]: None
        if r["sensitive_entity_counts"] is None
        else json.loads(r["sensitive_entity_counts"])
        for r in rows
    }


def test_stored_prompts_land_as_entity_counts_only(tmp_path):
    def page(path: str, query: dict) -> tuple[int, dict, str]:
        body = {"data": STORED_PROMPTS, "total": 4, "page": 1, "page_size": 100, "total_pages": 1}
        return 200, {}, json.dumps(body)

    with CannedServer(page) as server, client_for(server.url) as client:
        api = list(client.spend_logs(*MARCH_4))
    # the same rows in a CSV export of the table: JSON columns as JSON text
    columns = ["request_id", "startTime", "spend", "messages", "response", "proxy_server_request"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in STORED_PROMPTS:
        writer.writerow(
            [
                json.dumps(row[c]) if isinstance(row.get(c), dict | list) else row.get(c, "")
                for c in columns
            ]
        )
    (tmp_path / "LiteLLM_SpendLogs.csv").write_text(buffer.getvalue())
    exported = list(LiteLLMExportReader(tmp_path).spend_logs(*MARCH_4))
    assert counts_of(api) == counts_of(exported) == STORED_COUNTS
    landed = json.dumps(api + exported, default=str)
    for value in ("jane.doe", "212-555-0143", "4111", "GB82", "meeting notes", "Example Corp"):
        assert value not in landed
    assert not {"messages", "response", "proxy_server_request"} & {k for r in api for k in r}


def test_empty_window_reads_one_page():
    def empty(path: str, query: dict) -> tuple[int, dict, str]:
        body = {"data": [], "total": 0, "page": 1, "page_size": 100, "total_pages": 0}
        return 200, {}, json.dumps(body)

    with CannedServer(empty) as server, client_for(server.url) as client:
        assert list(client.spend_logs(START, END)) == []
        assert len(server.requests) == 1


def test_sandbox_pages_to_the_last_page_and_totals_equal_ground_truth(sandbox):
    provider = sandbox.state.provider("litellm")
    with client_for(f"{sandbox.url}/litellm") as client:
        rows = list(client.spend_logs(START, END))
    served = [log for d in (1, 2, 3) for log in provider.logs(date(2026, 9, d))]
    assert len(served) > 3000  # dozens of pages of 100
    assert [r["request_id"] for r in rows] == [log.request_id for log in served]
    truth = provider.ground_truth(date(2026, 9, 1), date(2026, 9, 4), sandbox.state.now())
    assert sum(Decimal(r["spend"]) for r in rows) == Decimal(truth["measured_cost_usd"])
    assert {r["custom_llm_provider"] for r in rows} == {"openai", "anthropic", "hosted_vllm"}
    assert {r["status"] for r in rows} == {"success", "failure"}
    assert any(r["attempted_fallbacks"] for r in rows)
    assert any(r["team_id"] is None for r in rows)  # the personal key: shadow AI


def observed(rows: list[dict]) -> Counter:
    """Requests per (application, upstream provider, day, entity type), from landed records."""
    applications = {r.team_id: r.application_id for r in litellm.ROUTES if r.team_id}
    counts = Counter()
    for row in rows:
        for entity in json.loads(row["sensitive_entity_counts"] or "{}"):
            application = applications[row["team_id"]]
            upstream = litellm.UPSTREAM[row["custom_llm_provider"]]
            counts[(application, upstream, row["startTime"].date(), entity)] += 1
    return counts


def test_sandbox_stored_prompts_give_the_planted_entities_and_nothing_else(sandbox, tmp_path):
    provider = sandbox.state.provider("litellm")
    with client_for(f"{sandbox.url}/litellm") as client:
        api = list(client.spend_logs(START, END))
    env = provider.write_exports(tmp_path, date(2026, 9, 1), date(2026, 9, 4), sandbox.state.now())
    exported = list(LiteLLMExportReader(Path(env["LITELLM_EXPORT_PATH"])).spend_logs(START, END))
    truth = provider.sensitive_data(date(2026, 9, 1), date(2026, 9, 4), sandbox.state.now())
    assert observed(api) == observed(exported) == truth
    assert {app for app, _, _, _ in truth} == {"app-support-assistant", "app-analytics-sql-helper"}
    by_team = {}
    for row in api:
        by_team.setdefault(row["team_id"], set()).add(row["sensitive_entity_counts"] is None)
    assert by_team["team-mobile-chat"] == {True}  # keeps no prompts: not classified
    assert by_team["team-ml-eval-harness"] == {False}  # classified, nothing found
    assert by_team[None] == {True}  # the personal key keeps none either
    landed = json.dumps(api + exported, default=str)
    assert prompt_content.PLANTED_PHRASE not in landed
    assert [v for v in prompt_content.planted_values() if v in landed] == []


def test_sandbox_429_with_retry_after_loses_nothing(sandbox):
    with client_for(f"{sandbox.url}/litellm") as client:
        clean = list(client.spend_logs(START, END))
    fault = {"path": "/litellm/spend/logs/v2", "status": 429, "times": 2, "skip": 3}
    httpx.post(
        f"{sandbox.url}/_sandbox/faults", json={**fault, "retry_after": 0}
    ).raise_for_status()
    with client_for(f"{sandbox.url}/litellm") as client:
        retried = list(client.spend_logs(START, END))
    assert len(retried) == len(clean)
    assert [r["request_id"] for r in retried] == [r["request_id"] for r in clean]
    assert sandbox.state.faults[0].seen >= 5


def test_sandbox_empty_window_and_wrong_key(sandbox):
    with client_for(f"{sandbox.url}/litellm") as client:
        assert (
            list(
                client.spend_logs(
                    datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 6, 3, tzinfo=UTC)
                )
            )
            == []
        )
    wrong = "sk-litellm-WRONG-0123456789"
    with LiteLLMClient(wrong, f"{sandbox.url}/litellm", backoff_base=0.01) as client:
        with pytest.raises(SourceRequestError) as raised:
            list(client.spend_logs(START, END))
    assert raised.value.status == 401 and wrong not in str(raised.value)


def test_sandbox_csv_export_holds_the_same_requests_as_the_api(sandbox, tmp_path):
    provider = sandbox.state.provider("litellm")
    env = provider.write_exports(tmp_path, date(2026, 9, 1), date(2026, 9, 4), sandbox.state.now())
    exported = list(LiteLLMExportReader(Path(env["LITELLM_EXPORT_PATH"])).spend_logs(START, END))
    with client_for(f"{sandbox.url}/litellm") as client:
        api = list(client.spend_logs(START, END))
    assert len(exported) == len(api)
    pick = ("request_id", "spend", "prompt_tokens", "cached_tokens", "startTime", "status")
    assert [{k: r[k] for k in pick} for r in exported] == [{k: r[k] for k in pick} for r in api]


def test_ndjson_export_and_a_malformed_file(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "logs.ndjson").write_text((FIXTURES / "spend_logs_export.ndjson").read_text())
    reader = LiteLLMExportReader(tmp_path)
    rows = list(
        reader.spend_logs(datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 6, tzinfo=UTC))
    )
    assert [(r["request_id"], r["spend"]) for r in rows] == [
        ("chatcmpl-nd-1", "0.000125"),
        ("chatcmpl-nd-2", "0.000002"),
    ]
    assert rows[0]["startTime"] == datetime(2026, 3, 4, 10, 0, 0, 500000)
    broken = tmp_path / "b" / "LiteLLM_SpendLogs_2026-03-05.csv.gz"
    broken.parent.mkdir()
    broken.write_bytes(gzip.compress(b"request_id,startTime,spend\nr1,2026-03-05 01:00:00+00\n"))
    with pytest.raises(ExportFileError) as raised:
        list(reader.spend_logs(datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 6, tzinfo=UTC)))
    assert str(broken) in str(raised.value) and "line 2" in str(raised.value)
    bad_json = tmp_path / "b" / "LiteLLM_SpendLogs_2026-03-05.csv.gz"
    bad_json.unlink()
    (tmp_path / "b" / "x.jsonl").write_text('{"request_id": "r1", "startTime": \n')
    with pytest.raises(ExportFileError, match=r"x\.jsonl: line 1: not valid JSON"):
        list(reader.spend_logs(datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 6, tzinfo=UTC)))


def test_export_rows_outside_the_window_are_not_converted_but_a_bad_start_time_still_fails(
    tmp_path,
):
    header = "request_id,startTime,spend,metadata\n"
    (tmp_path / "logs.csv").write_text(
        header
        + "old,2026-03-01 09:00:00+00,not-a-number,{broken\n"  # outside: never converted
        + 'new,2026-03-04 09:00:00+00,0.5,"{""usage_object"": {""prompt_tokens"": 3}}"\n'
    )
    reader = LiteLLMExportReader(tmp_path)
    window = datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)
    assert [(r["request_id"], r["spend"]) for r in reader.spend_logs(*window)] == [("new", "0.5")]
    (tmp_path / "logs.csv").write_text(header + "bad,yesterday,0.5,{}\n")
    with pytest.raises(ExportFileError, match=r"logs\.csv: line 2: bad spend-log row"):
        list(reader.spend_logs(*window))


def test_an_unchanged_export_file_wholly_outside_the_window_is_not_opened_again(sandbox, tmp_path):
    provider = sandbox.state.provider("litellm")
    env = provider.write_exports(tmp_path, date(2026, 9, 1), date(2026, 9, 4), sandbox.state.now())
    root = Path(env["LITELLM_EXPORT_PATH"])
    index = tmp_path / "index" / "litellm_export.json"
    reader = LiteLLMExportReader(root, index_path=index)
    day3 = datetime(2026, 9, 3, tzinfo=UTC), datetime(2026, 9, 4, tzinfo=UTC)
    rows = list(reader.spend_logs(*day3))
    assert len(rows) > 100 and {r["startTime"].date() for r in rows} == {date(2026, 9, 3)}
    first = [r["request_id"] for r in rows]
    remembered = json.loads(index.read_text())["files"]
    assert sorted(Path(name).name for name in remembered) == [
        f"LiteLLM_SpendLogs_2026-09-0{d}.csv.gz" for d in (1, 2, 3)
    ]
    assert remembered[str(root / "LiteLLM_SpendLogs_2026-09-01.csv.gz")]["last"] < "2026-09-02"

    # damage day 1 while keeping its size and modification time: the next read of day 3 skips it
    day1 = root / "LiteLLM_SpendLogs_2026-09-01.csv.gz"
    stat = day1.stat()
    day1.write_bytes(b"x" * stat.st_size)
    os.utime(day1, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert [r["request_id"] for r in reader.spend_logs(*day3)] == first
    # a window that reaches day 1 opens it, and a changed file is opened whatever the window
    with pytest.raises(ExportFileError, match="LiteLLM_SpendLogs_2026-09-01"):
        list(reader.spend_logs(datetime(2026, 9, 1, tzinfo=UTC), day3[1]))
    day2 = root / "LiteLLM_SpendLogs_2026-09-02.csv.gz"
    day2.write_bytes(gzip.compress(b"request_id,startTime\nr1,yesterday\n"))
    day1.unlink()
    with pytest.raises(ExportFileError, match=r"LiteLLM_SpendLogs_2026-09-02\.csv\.gz: line 2"):
        list(reader.spend_logs(*day3))
    # a file that failed is not remembered: it fails again, unchanged, on the next read
    with pytest.raises(ExportFileError, match=r"LiteLLM_SpendLogs_2026-09-02\.csv\.gz: line 2"):
        list(reader.spend_logs(*day3))
    assert str(day1) not in json.loads(index.read_text())["files"]
