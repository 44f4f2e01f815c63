"""The same daily gateway marts computed without the pipeline: the floor and the baseline.

- `duckdb` (the floor): one hand-written DuckDB query per mart straight over the day's landing
  files, with the threads and memory limit the pipeline's dbt runs with (`--duckdb-defaults`:
  DuckDB's own, which let it use most of the machine's memory). LiteLLM requests deduplicated
  across the API and export sources (the API's row wins), OpenTelemetry model-call spans
  deduplicated by trace and span, then fct_gateway_requests_daily (requests, failures, fallbacks,
  latency p50/p95, tokens, measured cost per day x gateway x provider x model x application key x
  status) and the usage of fct_ai_usage_daily (gateway usage of providers without a direct source
  plus OpenAI's own buckets).
- `pandas` (the baseline): the same computation as a team would write it with pandas.

Both return the totals the benchmark compares with the published marts:

    python -m benchmarks.baselines --engine duckdb --landing data/landing --day 2026-11-20 --out f.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

CALL_TYPES = {
    **dict.fromkeys(
        ["completion", "acompletion", "anthropic_messages", "responses", "aresponses"], "chat"
    ),
    **dict.fromkeys(["embedding", "aembedding"], "embeddings"),
}
UPSTREAM = {"hosted_vllm": "vllm", "vllm": "vllm", "openai": "openai", "anthropic": "anthropic"}
MODEL_CALLS = ("chat", "text_completion", "generate_content", "embeddings")


# exit code of a baseline that ran out of its memory
OUT_OF_MEMORY = 3


def day_files(landing: Path, day: date) -> dict[str, list[str]]:
    name = f"{day.isoformat()}.parquet"
    return {
        "litellm": sorted(str(p) for p in (landing / "litellm" / "spend_logs").glob(f"*/{name}")),
        "litellm_export": sorted(
            str(p) for p in (landing / "litellm_export" / "spend_logs").glob(f"*/{name}")
        ),
        "otel": sorted(str(p) for p in (landing / "otlp_genai" / "genai_spans").glob(f"*/{name}")),
        "openai_usage": sorted(
            str(p) for p in (landing / "openai" / "usage_completions").glob(f"*/{name}")
        ),
    }


def _list(files: list[str]) -> str:
    return "[" + ", ".join(f"'{f}'" for f in files) + "]"


def floor_sql(files: dict[str, list[str]]) -> tuple[str, str]:
    requests = f"""
    with litellm as (
        select *, 1 as priority from read_parquet({_list(files["litellm"])})
        union all by name
        select *, 2 as priority from read_parquet({_list(files["litellm_export"])})
    ),
    litellm_once as (
        select * from litellm
        qualify row_number() over (partition by request_id order by priority, _pulled_at desc, _source_id) = 1
    ),
    spans_once as (
        select * from read_parquet({_list(files["otel"])})
        where gen_ai_operation_name in {MODEL_CALLS}
        qualify row_number() over (partition by trace_id, span_id order by _pulled_at desc, _source_id) = 1
    ),
    requests as (
        select
            'litellm' as gateway, cast(startTime as date) as usage_date,
            case lower(custom_llm_provider) when 'hosted_vllm' then 'vllm' else lower(custom_llm_provider) end as provider,
            model as model_name, coalesce(team_id, api_key) as application_key,
            coalesce(api_key, team_id) as credential_id, team_id as project_id,
            lower(user_api_key_user_email) as person_id,
            status = 'failure' as is_failure, coalesce(attempted_fallbacks, 0) > 0 as is_fallback,
            cast(coalesce(request_duration_ms, datediff('millisecond', startTime, endTime)) as double) as latency_ms,
            coalesce(prompt_tokens, 0) as input_tokens,
            coalesce(cache_read_input_tokens, cached_tokens, 0) as cache_read_input_tokens,
            coalesce(cache_creation_input_tokens, 0) as cache_creation_input_tokens,
            coalesce(completion_tokens, 0) as output_tokens,
            cast(spend as decimal(38, 10)) as measured_cost_usd
        from litellm_once
        union all
        select
            'otel', cast(start_time as date),
            lower(coalesce(gen_ai_provider_name, gen_ai_system)),
            coalesce(gen_ai_response_model, gen_ai_request_model), service_name,
            service_name, service_name, null,
            upper(status_code) = 'ERROR' or error_type is not null, false, duration_ms,
            coalesce(gen_ai_usage_input_tokens, gen_ai_usage_prompt_tokens, 0),
            coalesce(gen_ai_usage_cache_read_input_tokens, 0),
            coalesce(gen_ai_usage_cache_creation_input_tokens, 0),
            coalesce(gen_ai_usage_output_tokens, gen_ai_usage_completion_tokens, 0),
            null
        from spans_once
    )
    """
    gateway = (
        requests
        + """
    select
        usage_date, gateway, provider, model_name, application_key,
        case when is_failure then 'failure' else 'success' end as status,
        count(*) as request_count,
        count(*) filter (where is_failure) as failure_count,
        count(*) filter (where is_fallback) as fallback_count,
        quantile_cont(latency_ms, 0.5) as latency_p50_ms,
        quantile_cont(latency_ms, 0.95) as latency_p95_ms,
        sum(input_tokens) as input_tokens,
        sum(cache_read_input_tokens) as cache_read_input_tokens,
        sum(cache_creation_input_tokens) as cache_creation_input_tokens,
        sum(output_tokens) as output_tokens,
        sum(measured_cost_usd) as measured_cost_usd
    from requests
    group by all
    """
    )
    usage = (
        requests
        + f"""
    , direct as (
        select
            cast(to_timestamp(bucket_start_time) as date) as usage_date, 'openai' as provider,
            model as model_name, coalesce(api_key_id, project_id) as credential_id,
            project_id, null as person_id, false as is_gateway,
            coalesce(num_model_requests, 0) as request_count, coalesce(input_tokens, 0) as input_tokens,
            coalesce(output_tokens, 0) as output_tokens
        from read_parquet({_list(files["openai_usage"])})
    )
    select usage_date, provider, model_name, credential_id, project_id, person_id, is_gateway,
        sum(request_count) as request_count, sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens
    from (
        select usage_date, provider, model_name, credential_id, project_id, person_id,
            true as is_gateway, 1 as request_count, input_tokens, output_tokens
        from requests
        where not is_failure and provider not in (select provider from direct)
        union all by name
        select * from direct
    )
    group by all
    """
    )
    return gateway, usage


def pipeline_settings() -> dict[str, str]:
    """The DuckDB settings dbt runs the pipeline with (dbt_project/profiles.yml, same defaults)."""
    return {
        "threads": os.environ.get("AIUW_DUCKDB_THREADS", "2"),
        "memory_limit": os.environ.get("AIUW_DUCKDB_MEMORY_LIMIT", "4GB"),
    }


def run_floor(landing: Path, day: date, settings: dict[str, str]) -> dict:
    gateway_sql, usage_sql = floor_sql(day_files(landing, day))
    with tempfile.TemporaryDirectory(prefix="floor-spill-") as spill, duckdb.connect() as con:
        con.execute(f"set temp_directory = '{spill}'")
        for name, value in settings.items():
            con.execute(f"set {name} = '{value}'")
        began = time.perf_counter()
        gateway = con.sql(gateway_sql).df()
        usage = con.sql(usage_sql).df()
        seconds = time.perf_counter() - began
    return {"seconds": seconds, "settings": settings, **totals(gateway, usage)}


def run_pandas(landing: Path, day: date) -> dict:
    files = day_files(landing, day)
    began = time.perf_counter()
    litellm_columns = [
        "request_id", "startTime", "endTime", "custom_llm_provider", "model", "team_id", "api_key",
        "user_api_key_user_email", "status", "attempted_fallbacks", "request_duration_ms",
        "prompt_tokens", "cache_read_input_tokens", "cached_tokens", "cache_creation_input_tokens",
        "completion_tokens", "spend", "_pulled_at", "_source_id",
    ]  # fmt: skip
    frames = []
    for priority, key in ((1, "litellm"), (2, "litellm_export")):
        for path in files[key]:
            frame = pd.read_parquet(path, columns=litellm_columns)
            frame["priority"] = priority
            frames.append(frame)
    logs = pd.concat(frames, ignore_index=True)
    logs = logs.sort_values(
        ["priority", "_pulled_at", "_source_id"], ascending=[True, False, True], kind="stable"
    ).drop_duplicates("request_id")
    litellm = pd.DataFrame(
        {
            "gateway": "litellm",
            "usage_date": logs["startTime"].dt.date,
            "provider": logs["custom_llm_provider"].str.lower().replace(UPSTREAM),
            "model_name": logs["model"],
            "application_key": logs["team_id"].fillna(logs["api_key"]),
            "credential_id": logs["api_key"].fillna(logs["team_id"]),
            "project_id": logs["team_id"],
            "person_id": logs["user_api_key_user_email"].str.lower(),
            "is_failure": logs["status"] == "failure",
            "is_fallback": logs["attempted_fallbacks"].fillna(0) > 0,
            "latency_ms": logs["request_duration_ms"]
            .astype("float64")
            .fillna((logs["endTime"] - logs["startTime"]).dt.total_seconds() * 1000),
            "input_tokens": logs["prompt_tokens"].fillna(0),
            "cache_read_input_tokens": logs["cache_read_input_tokens"]
            .fillna(logs["cached_tokens"])
            .fillna(0),
            "cache_creation_input_tokens": logs["cache_creation_input_tokens"].fillna(0),
            "output_tokens": logs["completion_tokens"].fillna(0),
            "measured_cost_usd": logs["spend"].astype("float64"),
        }
    )
    del logs, frames
    spans = pd.concat([pd.read_parquet(p) for p in files["otel"]], ignore_index=True)
    spans = spans[spans["gen_ai_operation_name"].isin(MODEL_CALLS)]
    spans = spans.sort_values(
        ["_pulled_at", "_source_id"], ascending=[False, True]
    ).drop_duplicates(["trace_id", "span_id"])
    failed = (spans["status_code"].str.upper() == "ERROR") | spans["error_type"].notna()
    otel = pd.DataFrame(
        {
            "gateway": "otel",
            "usage_date": spans["start_time"].dt.date,
            "provider": spans["gen_ai_provider_name"].fillna(spans["gen_ai_system"]).str.lower(),
            "model_name": spans["gen_ai_response_model"].fillna(spans["gen_ai_request_model"]),
            "application_key": spans["service_name"],
            "credential_id": spans["service_name"],
            "project_id": spans["service_name"],
            "person_id": None,
            "is_failure": failed,
            "is_fallback": False,
            "latency_ms": spans["duration_ms"],
            "input_tokens": spans["gen_ai_usage_input_tokens"]
            .fillna(spans["gen_ai_usage_prompt_tokens"])
            .fillna(0),
            "cache_read_input_tokens": spans["gen_ai_usage_cache_read_input_tokens"].fillna(0),
            "cache_creation_input_tokens": spans["gen_ai_usage_cache_creation_input_tokens"].fillna(
                0
            ),
            "output_tokens": spans["gen_ai_usage_output_tokens"]
            .fillna(spans["gen_ai_usage_completion_tokens"])
            .fillna(0),
            "measured_cost_usd": float("nan"),
        }
    )
    del spans
    requests = pd.concat([litellm, otel], ignore_index=True)
    del litellm, otel
    requests["status"] = requests["is_failure"].map({True: "failure", False: "success"})
    keys = ["usage_date", "gateway", "provider", "model_name", "application_key", "status"]
    grouped = requests.groupby(keys, dropna=False)
    gateway = grouped.agg(
        request_count=("is_failure", "size"),
        failure_count=("is_failure", "sum"),
        fallback_count=("is_fallback", "sum"),
        input_tokens=("input_tokens", "sum"),
        cache_read_input_tokens=("cache_read_input_tokens", "sum"),
        cache_creation_input_tokens=("cache_creation_input_tokens", "sum"),
        output_tokens=("output_tokens", "sum"),
        measured_cost_usd=("measured_cost_usd", "sum"),
    )
    gateway["latency_p50_ms"] = grouped["latency_ms"].quantile(0.5)
    gateway["latency_p95_ms"] = grouped["latency_ms"].quantile(0.95)
    gateway = gateway.reset_index()
    direct = pd.concat([pd.read_parquet(p) for p in files["openai_usage"]], ignore_index=True)
    direct_usage = pd.DataFrame(
        {
            "usage_date": pd.to_datetime(direct["bucket_start_time"], unit="s").dt.date,
            "provider": "openai",
            "model_name": direct["model"],
            "credential_id": direct["api_key_id"].fillna(direct["project_id"]),
            "project_id": direct["project_id"],
            "person_id": None,
            "is_gateway": False,
            "request_count": direct["num_model_requests"].fillna(0),
            "input_tokens": direct["input_tokens"].fillna(0),
            "output_tokens": direct["output_tokens"].fillna(0),
        }
    )
    usage_keys = [
        "usage_date",
        "provider",
        "model_name",
        "credential_id",
        "project_id",
        "person_id",
    ]
    gateway_usage = (
        requests[
            ~requests["is_failure"] & ~requests["provider"].isin(set(direct_usage["provider"]))
        ]
        .assign(is_gateway=True, request_count=1)
        .groupby([*usage_keys, "is_gateway"], dropna=False)[
            ["request_count", "input_tokens", "output_tokens"]
        ]
        .sum()
        .reset_index()
    )
    usage = pd.concat([gateway_usage, direct_usage], ignore_index=True)
    seconds = time.perf_counter() - began
    return {"seconds": seconds, **totals(gateway, usage)}


def totals(gateway: pd.DataFrame, usage: pd.DataFrame) -> dict:
    """Totals to compare with the published marts (cost to the cent: pandas sums floats)."""
    from decimal import Decimal

    cost = sum(
        (Decimal(str(v)) for v in gateway["measured_cost_usd"] if v is not None and v == v),
        Decimal(0),
    ).quantize(Decimal("0.01"))
    return {
        "gateway_rows": len(gateway),
        "gateway_requests": int(gateway["request_count"].sum()),
        "gateway_failures": int(gateway["failure_count"].sum()),
        "gateway_input_tokens": int(gateway["input_tokens"].sum()),
        "gateway_output_tokens": int(gateway["output_tokens"].sum()),
        "gateway_measured_cost_usd": str(cost),
        "usage_requests": int(usage["request_count"].sum()),
        "usage_input_tokens": int(usage["input_tokens"].sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["duckdb", "pandas"], required=True)
    parser.add_argument(
        "--duckdb-defaults",
        action="store_true",
        help="run the floor with DuckDB's own defaults instead of the pipeline's threads and memory limit",
    )
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.engine == "duckdb":
            settings = {} if args.duckdb_defaults else pipeline_settings()
            result = run_floor(args.landing, args.day, settings)
        else:
            result = run_pandas(args.landing, args.day)
    except (duckdb.OutOfMemoryException, MemoryError) as error:
        # recorded as the baseline's outcome: a query whose aggregates do not spill can run out
        args.out.write_text(json.dumps({"out_of_memory": str(error).splitlines()[0]}, indent=2))
        return OUT_OF_MEMORY
    args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
