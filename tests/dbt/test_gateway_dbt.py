"""LiteLLM (API and export) and OpenTelemetry GenAI spans through landing and dbt: each request
counted once, measured cost and gateway-only usage equal the sandbox's ground truth, and the gateway
mart's latency percentiles and failure counts hold on pinned requests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import duckdb
import pytest

from connectors.config import SourceConfig
from orchestration.defs.ingest.litellm import assets as api_assets
from orchestration.defs.ingest.litellm_export import assets as export_assets
from orchestration.defs.ingest.otlp_genai import assets as otel_assets
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow
from sandbox.ground_truth import MEASURES
from sandbox.providers import litellm, otel
from sandbox.server import SandboxServer, SandboxState
from tests.conftest import TEST_SECRETS
from tests.dbt_build import dbt_build
from warehouse.paths import Paths

AS_OF = datetime(2026, 9, 10, 6, tzinfo=UTC)
START, END = date(2026, 9, 1), date(2026, 9, 5)
MODELS = [
    "stg_litellm__spend_logs",
    "stg_litellm_export__spend_logs",
    "stg_otlp_genai__genai_spans",
    "int_litellm_requests",
    "int_otel_requests",
    "int_litellm_usage_normalized",
    "int_otel_usage_normalized",
    "int_litellm_costs_normalized",
    "int_gateway_requests_daily",
    "fct_gateway_requests_daily",
]
PINNED_DURATIONS = [100, 200, 300, 400, 1000]
FAILED_DURATIONS = [50, 150]


def pinned_rows(duplicate: dict) -> list[dict]:
    """Seven requests of one team on 2026-09-02 with known durations, plus a copy of an API row."""
    rows = [duplicate]
    for n, duration in enumerate(PINNED_DURATIONS + FAILED_DURATIONS):
        failed = n >= len(PINNED_DURATIONS)
        metadata: dict = {"usage_object": {"prompt_tokens_details": {"cached_tokens": 400}}}
        if n == 0:
            metadata["attempted_fallbacks"] = 1
        if failed:
            metadata = {"error_information": {"error_class": "RateLimitError", "error_code": "429"}}
        rows.append(
            {
                "request_id": f"chatcmpl-pinned-{n}",
                "call_type": "acompletion",
                "api_key": "pinnedkeyhash",
                "spend": 0 if failed else 0.25,
                "prompt_tokens": 0 if failed else 1000,
                "completion_tokens": 0 if failed else 100,
                "startTime": f"2026-09-02T08:00:0{n}.000Z",
                "endTime": f"2026-09-02T08:00:1{n}.000Z",
                "request_duration_ms": duration,
                "model": "gpt-4.1-mini-2025-04-14",
                "custom_llm_provider": "openai",
                "team_id": "team-pinned",
                "status": "failure" if failed else "success",
                "metadata": metadata,
            }
        )
    return rows


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("gateways")
    state = SandboxState(as_of=AS_OF)
    gateway = state.provider("litellm")
    spans = state.provider("otel")
    state.providers = [gateway]
    env = gateway.write_exports(base / "exports", START, END, AS_OF)
    env.update(spans.write_exports(base / "exports", START, END, AS_OF))
    duplicate = gateway.row(gateway.logs(date(2026, 9, 2))[0])
    pinned = base / "pinned" / "spend_logs.ndjson"
    pinned.parent.mkdir()
    pinned.write_text("".join(json.dumps(r) + "\n" for r in pinned_rows(duplicate)))

    window = RefreshWindow(START, END)
    with pytest.MonkeyPatch.context() as patch, SandboxServer(state) as server:
        patch.setenv("AIUW_DATA_DIR", str(base / "data"))
        patch.setenv("AIUW_LANDING_DIR", str(base / "data" / "landing"))
        paths = Paths.from_env()
        for source_type, assets, source in (
            (
                "litellm",
                api_assets,
                SourceConfig(
                    id="litellm_test",
                    type="litellm",
                    base_url=f"{server.url}/litellm",
                    secret_env="LITELLM_MASTER_KEY",
                    backoff_base_seconds=0.05,
                ),
            ),
            (
                "litellm_export",
                export_assets,
                SourceConfig(
                    id="litellm_export_test",
                    type="litellm_export",
                    path=env["LITELLM_EXPORT_PATH"],
                ),
            ),
            (
                "litellm_export",
                export_assets,
                SourceConfig(
                    id="litellm_export_pinned", type="litellm_export", path=str(pinned.parent)
                ),
            ),
            (
                "otlp_genai",
                otel_assets,
                SourceConfig(id="otel_test", type="otlp_genai", path=env["OTLP_GENAI_PATH"]),
            ),
        ):
            (entity,) = assets.ENTITIES
            land_entity(source_type, entity, source, window, paths, assets.open_client)
    database = base / "warehouse.duckdb"
    dbt_build(base, database, base / "data" / "landing", MODELS)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, gateway, spans, duplicate


def usage_by_provider(con, model: str) -> dict:
    sums = ", ".join(f"sum({m})" for m in MEASURES)
    rows = con.execute(
        f"select provider, {sums} from intermediate.{model} group by provider"
    ).fetchall()
    return {p: dict(zip(MEASURES, map(int, values), strict=True)) for p, *values in rows}


def test_a_request_seen_by_the_api_and_two_exports_counts_once(warehouse):
    con, gateway, _, duplicate = warehouse
    served = sum(len(gateway.logs(date(2026, 9, d))) for d in range(1, 5))
    copies = con.execute(
        """
        select (select count(*) from staging.stg_litellm__spend_logs where request_id = $1)
             + (select count(*) from staging.stg_litellm_export__spend_logs where request_id = $1)
        """,
        [duplicate["request_id"]],
    ).fetchone()[0]
    assert copies == 3
    kept = con.execute(
        "select source_id from intermediate.int_litellm_requests where request_id = ?",
        [duplicate["request_id"]],
    ).fetchall()
    assert kept == [("litellm_test",)]  # the API source's row wins
    (requests,) = con.execute("select count(*) from intermediate.int_litellm_requests").fetchone()
    assert requests == served + len(PINNED_DURATIONS) + len(FAILED_DURATIONS)


def test_measured_cost_equals_the_ground_truth(warehouse):
    con, gateway, _, _ = warehouse
    truth = Decimal(gateway.ground_truth(START, END, AS_OF)["measured_cost_usd"])
    pinned = Decimal("0.25") * len(PINNED_DURATIONS)
    cost, kinds = con.execute(
        """
        select sum(billed_cost), string_agg(distinct cost_kind || '/' || charge_category)
        from intermediate.int_litellm_costs_normalized
        """
    ).fetchone()
    assert kinds == "measured/Usage"
    assert (cost - pinned).quantize(Decimal("0.01")) == truth.quantize(Decimal("0.01"))
    assert cost - pinned == truth
    (mart,) = con.execute(
        "select sum(measured_cost_usd) from marts.fct_gateway_requests_daily where gateway = 'litellm'"
    ).fetchone()
    assert mart == cost


def test_usage_per_upstream_provider_equals_the_ground_truth(warehouse):
    con, gateway, spans, _ = warehouse
    litellm_usage = usage_by_provider(con, "int_litellm_usage_normalized")
    expected = {
        p: v["usage"] for p, v in gateway.gateway_usage_by_provider(START, END, AS_OF).items()
    }
    pinned = {
        "request_count": 5,
        "input_tokens": 5000,
        "cache_read_input_tokens": 2000,
        "cache_creation_input_tokens": 0,
        "output_tokens": 500,
    }
    expected["openai"] = {m: expected["openai"][m] + pinned[m] for m in MEASURES}
    assert litellm_usage == expected
    otel_usage = usage_by_provider(con, "int_otel_usage_normalized")
    assert otel_usage == {
        p: v["usage"] for p, v in spans.gateway_usage_by_provider(START, END, AS_OF).items()
    }
    only = litellm.gateway_only_usage(START, END, AS_OF)
    assert set(only) == {"vllm"}
    both = {m: litellm_usage["vllm"][m] + otel_usage["vllm"][m] for m in MEASURES}
    assert both == only["vllm"]["usage"] and both["request_count"] > 1000
    assert otel.UPSTREAM["vllm"] == "vllm"


def test_latency_percentiles_and_failures_on_pinned_requests(warehouse):
    con, _, _, _ = warehouse
    rows = con.execute(
        """
        select status, model_id, request_count, failure_count, fallback_count,
            round(latency_p50_ms, 6), round(latency_p95_ms, 6), input_tokens, measured_cost_usd
        from marts.fct_gateway_requests_daily
        where application_key = 'team-pinned' order by status
        """
    ).fetchall()
    assert rows == [
        ("failure", "gpt-4.1-mini", 2, 2, 0, 100.0, 145.0, 0, Decimal("0E-10")),
        ("success", "gpt-4.1-mini", 5, 0, 1, 300.0, 880.0, 5000, Decimal("1.25")),
    ]


def test_the_gateway_mart_counts_every_request_and_failure(warehouse):
    con, gateway, spans, _ = warehouse
    logs = [log for d in range(1, 5) for log in gateway.logs(date(2026, 9, d))]
    calls = [s for d in range(1, 5) for s in spans.spans(date(2026, 9, d))]
    totals = dict(
        con.execute(
            """
            select gateway || '/' || status, sum(request_count)
            from marts.fct_gateway_requests_daily group by all
            """
        ).fetchall()
    )
    assert totals == {
        "litellm/success": sum(log.status == "success" for log in logs) + 5,
        "litellm/failure": sum(log.status == "failure" for log in logs) + 2,
        "otel/success": sum(s.ok for s in calls),
        "otel/failure": sum(not s.ok for s in calls),
    }
    (bad,) = con.execute(
        """
        select count(*) from marts.fct_gateway_requests_daily
        where failure_count > request_count or latency_p50_ms > latency_p95_ms
        """
    ).fetchone()
    assert bad == 0
    assert TEST_SECRETS["LITELLM_MASTER_KEY"] not in json.dumps(
        con.execute("select * from staging.stg_litellm__spend_logs limit 50").fetchall(),
        default=str,
    )
