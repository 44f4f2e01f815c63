"""The sandbox enterprise at scale, written straight to the landing zone.

Writes, per day, what the ingest assets would land for the sandbox's gateways and OpenAI at a chosen
volume: LiteLLM spend logs through the API source (`litellm/spend_logs/litellm_proxy`), the same
proxy's file export holding a tenth of those requests again (`litellm_export/spend_logs/...`, so
the request-id deduplication has work to do), OpenTelemetry GenAI spans (`otlp_genai/genai_spans`)
and OpenAI's daily usage and cost buckets for the OpenAI traffic the proxy saw. Routes, keys, teams,
models and prices are the sandbox's own (sandbox.providers.litellm / otel), so the governance
example attributes the traffic as it does on the sandbox.

Rows are computed by DuckDB from `range()` and seeded hashes of the row number, and copied to Parquet
in streaming fashion: no day is ever held in Python memory. The same seed, size and days give the
same files (for one DuckDB version). Each file carries the entity's landing schema exactly
(orchestration.lib.ingest.LANDING_SCHEMAS plus the lineage columns), written to a temporary name and
renamed into place like the ingest does.

    python -m benchmarks.generate --requests-per-day 10000000 --days 7 --end 2026-11-20 \\
        --seed 7 --landing data/landing
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from connectors.litellm.schemas import SCHEMAS as LITELLM_SCHEMAS
from connectors.openai.schemas import SCHEMAS as OPENAI_SCHEMAS
from connectors.otlp_genai.schemas import SCHEMAS as OTLP_SCHEMAS
from sandbox.enterprise import Enterprise, stable_int
from sandbox.providers.litellm import API_BASES, ERRORS, ROUTES, hashed_key
from sandbox.providers.otel import CALLS
from sandbox.providers.otel import ERRORS as SPAN_ERRORS
from warehouse.landing import LINEAGE_FIELDS

# Share of the day's requests that go through LiteLLM (the rest are OpenTelemetry spans), and the
# share of LiteLLM requests the file export holds again.
LITELLM_SHARE = 0.8
EXPORT_EVERY = 10
# Source ids of config/sources.sandbox.yml.
LITELLM_SOURCE, EXPORT_SOURCE, OTEL_SOURCE, OPENAI_SOURCE = (
    "litellm_proxy",
    "litellm_export",
    "otel_genai",
    "openai_main",
)
DAY_US = 86_400_000_000
BATCH_ROWS = 262_144


@dataclass(frozen=True)
class LandedFile:
    source_type: str
    entity: str
    source_id: str
    day: date
    path: Path
    rows: int


@dataclass
class Generated:
    files: list[LandedFile] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    def requests(self) -> int:
        """Distinct gateway requests (the export's copies are not new requests)."""
        return sum(f.rows for f in self.files if f.source_id in (LITELLM_SOURCE, OTEL_SOURCE))


def full_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema(list(schema) + [pa.field(n, t) for n, t in LINEAGE_FIELDS])


def duck_type(kind: pa.DataType) -> str:
    if pa.types.is_timestamp(kind):
        return "timestamptz" if kind.tz else "timestamp"
    names = {
        pa.string(): "varchar",
        pa.int64(): "bigint",
        pa.float64(): "double",
        pa.bool_(): "boolean",
        pa.date32(): "date",
    }
    if kind not in names:
        raise TypeError(f"no DuckDB type for landing type {kind}; add it to benchmarks/generate.py")
    return names[kind]


def project(schema: pa.Schema, expressions: dict[str, str]) -> str:
    """Select list in the landing schema's order and types; columns without an expression are null."""
    unknown = set(expressions) - set(schema.names)
    if unknown:
        raise ValueError(f"expressions for columns not in the landing schema: {sorted(unknown)}")
    return ",\n".join(
        f'cast({expressions.get(f.name, "null")} as {duck_type(f.type)}) as "{f.name}"'
        for f in schema
    )


def literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def pick(values: list, index: str = "r") -> str:
    """`values[index]` for a 1-based index column, as a constant list lookup."""
    return f"[{', '.join(literal(v) for v in values)}][{index}]"


def choose(weights: list[float], uniform: str) -> str:
    """A 1-based index drawn with the given weights from a uniform [0, 1) column."""
    total, bounds = sum(weights), []
    for weight in weights[:-1]:
        bounds.append((bounds[-1] if bounds else 0.0) + weight / total)
    cases = " ".join(f"when {uniform} < {b!r} then {i + 1}" for i, b in enumerate(bounds))
    return f"case {cases} else {len(weights)} end"


def uniforms(seed: int, stream: str, day: date, names: list[str]) -> str:
    """Independent uniform (0, 1) columns: a hash of the row number and a per-draw constant."""
    salts = {name: stable_int(seed, stream, day.isoformat(), name) % (1 << 62) for name in names}
    return ",\n".join(
        f"((hash(i, {salt}) % 4294967291) + 0.5) / 4294967291.0 as u_{name}"
        for name, salt in salts.items()
    )


def normal(a: str, b: str) -> str:
    return f"(sqrt(-2 * ln(u_{a})) * cos(2 * pi() * u_{b}))"


def litellm_sql(seed: int, day: date, requests: int, enterprise: Enterprise) -> str:
    """One day of LiteLLM spend logs, rows `i` in [0, requests), as the API source lands them."""
    day_number = (day - date(1970, 1, 1)).days
    owner = next(p for p in enterprise.people if p.team_id == "analytics").email
    day_start = f"timestamp '{day.isoformat()}'"
    routes = list(ROUTES)
    fields = {
        "prompt_mean": [r.input_per_request for r in routes],
        "completion_mean": [r.output_per_request for r in routes],
        "cached_share": [r.cached_share for r in routes],
        "failure_rate": [r.failure_rate for r in routes],
        "provider": [r.provider for r in routes],
        "per_token_ms": [6 if r.provider == "hosted_vllm" else 12 for r in routes],
    }
    prices = [[str(r.prices[k]) for r in routes] for k in range(4)]
    lookups = ",\n".join(f"{pick(values)} as {name}" for name, values in fields.items())
    draws = ["route", "fail", "p1", "p2", "c1", "c2", "cache", "cw", "cw2", "fb", "t"]
    draws += ["d1", "d2", "err", "start", "fdur"]
    error_pick = f"1 + cast(floor(u_err * {len(ERRORS)}) as integer)"
    expressions = {
        "request_id": f"case when provider = 'anthropic' then 'msg_01' else 'chatcmpl-' end"
        f" || printf('%016x', hash({seed}, 'litellm-id', {day_number}, i)) || printf('%05x%08x', {day_number}, i)",
        "call_type": "'acompletion'",
        "api_key": pick([hashed_key(enterprise.seed, r.key_alias) for r in routes]),
        "spend": "cast(spend as varchar)",
        "total_tokens": "prompt_tokens + completion_tokens",
        "prompt_tokens": "prompt_tokens",
        "completion_tokens": "completion_tokens",
        "request_duration_ms": "duration_ms",
        "cached_tokens": "case when failed then null else cache_read end",
        "cache_read_input_tokens": "case when provider = 'anthropic' and not failed then cache_read end",
        "cache_creation_input_tokens": "case when provider = 'anthropic' and not failed then cache_creation end",
        "attempted_fallbacks": "fallbacks",
        "startTime": "started_at",
        "endTime": "started_at + to_milliseconds(duration_ms)",
        "completionStartTime": "case when not failed then started_at + to_milliseconds(ttft_ms) end",
        "model": pick(
            [f"{r.provider}/{r.model}" if r.provider == "hosted_vllm" else r.model for r in routes]
        ),
        "model_id": pick(
            [f"{stable_int('deployment', r.provider, r.model):x}"[:12] for r in routes]
        ),
        "model_group": pick([r.model_group for r in routes]),
        "custom_llm_provider": "provider",
        "api_base": pick([API_BASES[r.provider] for r in routes]),
        "user": pick([owner if r.personal else "" for r in routes]),
        "cache_hit": "'False'",
        "cache_key": "'Cache OFF'",
        "team_id": pick([r.team_id for r in routes]),
        "status": "case when failed then 'failure' else 'success' end",
        "user_api_key_alias": pick([r.key_alias for r in routes]),
        "user_api_key_user_email": pick([owner if r.personal else None for r in routes]),
        "error_class": f"case when failed then {pick([e[0] for e in ERRORS], error_pick)} end",
        "error_code": f"case when failed then {pick([e[1] for e in ERRORS], error_pick)} end",
        "metadata": "'{\"spend_logs_metadata\": null}'",
        "request_tags": "'[]'",
        "_source_id": f"'{LITELLM_SOURCE}'",
        "_partition_date": f"date '{day.isoformat()}'",
        "_pulled_at": f"timestamptz '{(day + timedelta(days=1)).isoformat()} 03:05:00+00'",
    }
    return f"""
with draws as (
    select i, {uniforms(seed, "litellm", day, draws)}
    from range({requests}) as t(i)
),
routed as (
    select *, {choose([r.requests_per_day for r in routes], "u_route")} as r from draws
),
attributes as (
    select *, {lookups} from routed
),
shaped as (
    select
        *,
        u_fail < failure_rate as failed,
        greatest(1, cast(floor(prompt_mean * exp(0.5 * {normal("p1", "p2")})) as bigint)) as prompt_raw,
        greatest(1, cast(floor(completion_mean * exp(0.6 * {normal("c1", "c2")})) as bigint)) as completion_raw,
        {day_start} + to_microseconds(cast(floor(u_start * {DAY_US}) as bigint)) as started_at
    from attributes
),
tokens as (
    select
        *,
        case when cached_share > 0 and u_cache < 0.8
            then least(prompt_raw, cast(floor(prompt_raw * cached_share * (0.6 + 0.6 * u_c1)) as bigint))
            else 0 end as cache_read_raw
    from shaped
),
request as (
    select
        *,
        case when failed then 0 else prompt_raw end as prompt_tokens,
        case when failed then 0 else completion_raw end as completion_tokens,
        case when failed then 0 else cache_read_raw end as cache_read,
        case when failed or provider <> 'anthropic' or u_cw >= 0.15 then 0
            else cast(floor((prompt_raw - cache_read_raw) * (0.3 + 0.5 * u_cw2)) as bigint) end as cache_creation,
        case when not failed and provider <> 'hosted_vllm' and u_fb < 0.04 then 1 else 0 end as fallbacks,
        cast(180 + prompt_raw * 0.02 - 150 * ln(u_t) as bigint) as ttft_ms
    from tokens
),
timed as (
    select
        *,
        case when failed then cast(40 + u_fdur * 1160 as bigint)
            else ttft_ms + cast(completion_tokens * per_token_ms * exp(0.25 * {normal("d1", "d2")}) as bigint)
                + 1500 * fallbacks end as duration_ms,
        cast(round((
            (prompt_tokens - cache_read - cache_creation) * cast({pick(prices[0])} as decimal(18, 6))
            + cache_read * cast({pick(prices[1])} as decimal(18, 6))
            + cache_creation * cast({pick(prices[2])} as decimal(18, 6))
            + completion_tokens * cast({pick(prices[3])} as decimal(18, 6))
        ) / 1000000, 10) as decimal(38, 10)) as spend
    from request
)
select {project(full_schema(LITELLM_SCHEMAS["spend_logs"]), expressions)}
from timed
"""


def otel_sql(seed: int, day: date, spans: int) -> str:
    """One day of GenAI model-call spans, rows `i` in [0, spans)."""
    day_number = (day - date(1970, 1, 1)).days
    calls = list(CALLS)
    fields = {
        "prompt_mean": [c.input_per_request for c in calls],
        "completion_mean": [c.output_per_request for c in calls],
        "cached_share": [c.cached_share for c in calls],
        "reasoning_share": [c.reasoning_share for c in calls],
        "provider": [c.provider for c in calls],
        "deprecated": [c.deprecated_names for c in calls],
        "per_token_ms": [5 if c.provider == "vllm" else 14 for c in calls],
    }
    lookups = ",\n".join(f"{pick(values)} as {name}" for name, values in fields.items())
    draws = ["call", "ok", "p1", "p2", "c1", "c2", "cache", "cw", "t", "err", "start"]
    error_pick = f"1 + cast(floor(u_err * {len(SPAN_ERRORS)}) as integer)"
    expressions = {
        "trace_id": f"printf('%016x%016x', hash({seed}, 'trace', {day_number}, i), hash({seed}, 'trace2', {day_number}, i))",
        "span_id": f"printf('%06x%010x', {day_number}, i)",
        "span_name": f"'chat ' || {pick([c.request_model for c in calls])}",
        "span_kind": "'CLIENT'",
        "start_time": "started_at",
        "end_time": "started_at + to_milliseconds(duration_ms)",
        "duration_ms": "duration_ms",
        "status_code": "case when ok then 'UNSET' else 'ERROR' end",
        "status_message": "case when not ok then error_type end",
        "service_name": pick([c.service for c in calls]),
        "scope_name": "'opentelemetry.instrumentation.genai'",
        "scope_version": "'0.48b0'",
        "records_prompts": "false",
        "gen_ai_operation_name": "'chat'",
        "gen_ai_provider_name": "case when not deprecated then provider end",
        "gen_ai_system": "case when deprecated then provider end",
        "gen_ai_request_model": pick([c.request_model for c in calls]),
        "gen_ai_response_model": f"case when ok then {pick([c.response_model for c in calls])} end",
        "gen_ai_response_id": f"case when ok then 'resp_' || printf('%016x', hash({seed}, 'resp', {day_number}, i)) end",
        "gen_ai_response_finish_reasons": "case when ok then '[\"stop\"]' end",
        "gen_ai_usage_input_tokens": "case when ok and not deprecated then input_tokens end",
        "gen_ai_usage_output_tokens": "case when ok and not deprecated then output_tokens end",
        "gen_ai_usage_cache_read_input_tokens": "case when ok and cache_read > 0 then cache_read end",
        "gen_ai_usage_cache_creation_input_tokens": "case when ok and cache_creation > 0 then cache_creation end",
        "gen_ai_usage_reasoning_output_tokens": "case when ok and reasoning > 0 then reasoning end",
        "gen_ai_usage_prompt_tokens": "case when ok and deprecated then input_tokens end",
        "gen_ai_usage_completion_tokens": "case when ok and deprecated then output_tokens end",
        "server_address": pick([c.server for c in calls]),
        "error_type": "error_type",
        "_source_id": f"'{OTEL_SOURCE}'",
        "_partition_date": f"date '{day.isoformat()}'",
        "_pulled_at": f"timestamptz '{(day + timedelta(days=1)).isoformat()} 03:10:00+00'",
    }
    return f"""
with draws as (
    select i, {uniforms(seed, "otel", day, draws)}
    from range({spans}) as t(i)
),
routed as (
    select *, {choose([c.requests_per_day for c in calls], "u_call")} as r from draws
),
attributes as (
    select *, {lookups} from routed
),
shaped as (
    select
        *,
        u_ok >= 0.03 as ok,
        greatest(1, cast(floor(prompt_mean * exp(0.5 * {normal("p1", "p2")})) as bigint)) as input_tokens,
        greatest(1, cast(floor(completion_mean * exp(0.6 * {normal("c1", "c2")})) as bigint)) as output_tokens,
        timestamp '{day.isoformat()}' + to_microseconds(cast(floor(u_start * {DAY_US}) as bigint)) as started_at
    from attributes
),
tokens as (
    select
        *,
        case when cached_share > 0 and u_cache < 0.8
            then cast(floor(input_tokens * cached_share) as bigint) else 0 end as cache_read,
        case when provider = 'anthropic' and u_cw < 0.2
            then cast(floor(input_tokens * 0.1) as bigint) else 0 end as cache_creation,
        cast(floor(output_tokens * reasoning_share) as bigint) as reasoning,
        case when u_ok < 0.03 then {pick(list(SPAN_ERRORS), error_pick)} end as error_type,
        cast(200 + output_tokens * per_token_ms - 150 * ln(u_t) as double) as duration_ms
    from shaped
)
select {project(full_schema(OTLP_SCHEMAS["genai_spans"]), expressions)}
from tokens
"""


def openai_buckets_sql(litellm_file: Path, day: date, enterprise: Enterprise) -> tuple[str, str]:
    """OpenAI's own daily usage and cost buckets for the OpenAI traffic the proxy saw that day.

    Each proxy key maps to its application's production OpenAI project and that project's first key;
    usage is one bucket per project, key and model, costs one line per project, model and direction.
    """
    start = int(datetime(day.year, day.month, day.day).timestamp())
    production = {
        p.application_id: p.project_id for p in enterprise.projects if p.environment == "production"
    }
    first_key: dict[str, str] = {}
    for key in enterprise.api_keys:
        first_key.setdefault(key.project_id, key.api_key_id)
    rows = []
    for route in ROUTES:
        project_id = production.get(route.application_id)
        if route.provider != "openai" or project_id is None:
            continue
        prices = ", ".join(f"cast('{p}' as decimal(18, 6))" for p in route.prices)
        rows.append(
            f"('{route.key_alias}', '{route.model}', '{project_id}', '{first_key.get(project_id)}', {prices})"
        )
    keys = f"(values {', '.join(rows)}) as keys(alias, model, project_id, api_key_id, p_in, p_read, p_write, p_out)"
    aggregated = f"""
        select
            keys.project_id, keys.api_key_id, logs.model,
            count(*) as requests,
            sum(logs.prompt_tokens) as input_tokens,
            sum(logs.completion_tokens) as output_tokens,
            sum(coalesce(logs.cached_tokens, 0)) as cached_tokens,
            sum((logs.prompt_tokens - coalesce(logs.cached_tokens, 0)) * keys.p_in
                + coalesce(logs.cached_tokens, 0) * keys.p_read) / 1000000 as input_cost,
            sum(logs.completion_tokens * keys.p_out) / 1000000 as output_cost
        from read_parquet('{litellm_file}') as logs
        join {keys} on logs.user_api_key_alias = keys.alias and logs.model = keys.model
        where logs.status = 'success'
        group by all
    """
    lineage = {
        "_source_id": f"'{OPENAI_SOURCE}'",
        "_partition_date": f"date '{day.isoformat()}'",
        "_pulled_at": f"timestamptz '{(day + timedelta(days=1)).isoformat()} 03:00:00+00'",
        "bucket_start_time": str(start),
        "bucket_end_time": str(start + 86_400),
    }
    usage = {
        **lineage,
        "project_id": "project_id",
        "api_key_id": "api_key_id",
        "model": "model",
        "batch": "false",
        "service_tier": "'default'",
        "input_tokens": "input_tokens",
        "output_tokens": "output_tokens",
        "num_model_requests": "requests",
        "input_cached_tokens": "cached_tokens",
        "input_uncached_tokens": "input_tokens - cached_tokens",
    }
    costs = {
        **lineage,
        "project_id": "project_id",
        "api_key_id": "api_key_id",
        "line_item": "model || ', ' || direction",
        "amount_value": "cast(cast(round(amount, 10) as decimal(38, 10)) as varchar)",
        "amount_currency": "'usd'",
    }
    usage_sql = f"select {project(full_schema(OPENAI_SCHEMAS['usage_completions']), usage)} from ({aggregated}) order by all"
    costs_sql = f"""
        select {project(full_schema(OPENAI_SCHEMAS["costs"]), costs)}
        from ({aggregated}) as a,
        lateral (select 'input' as direction, a.input_cost as amount
                 union all select 'output', a.output_cost) as lines
        order by project_id, api_key_id, model, direction
    """
    return usage_sql, costs_sql


def copy_to_landing(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    schema: pa.Schema,
    landing: Path,
    source_type: str,
    entity: str,
    source_id: str,
    day: date,
) -> LandedFile:
    """Stream the query's rows into the day's landing file, batch by batch, in the landing schema."""
    directory = landing / source_type / entity / source_id
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{day.isoformat()}.parquet"
    temp = directory / f".{day.isoformat()}.{uuid.uuid4().hex}.tmp"
    full = full_schema(schema)
    rows = 0
    try:
        batches = con.sql(sql).to_arrow_reader(BATCH_ROWS)
        with pq.ParquetWriter(temp, full, compression="zstd") as writer:
            for batch in batches:
                # DuckDB marks constant columns NOT NULL; the landing schema is nullable throughout.
                writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=full))
                rows += batch.num_rows
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, target)
    return LandedFile(source_type, entity, source_id, day, target, rows)


def connect(
    threads: int | None = None, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"set threads = {threads or os.cpu_count() or 1}")
    con.execute(
        f"set memory_limit = '{memory_limit or os.environ.get('AIUW_DUCKDB_MEMORY_LIMIT', '2GB')}'"
    )
    return con


def generate_day(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    day: date,
    requests_per_day: int,
    seed: int,
    enterprise: Enterprise,
) -> list[LandedFile]:
    litellm_rows = round(requests_per_day * LITELLM_SHARE)
    span_rows = requests_per_day - litellm_rows
    litellm_select = litellm_sql(seed, day, litellm_rows, enterprise)
    api = copy_to_landing(
        con,
        litellm_select,
        LITELLM_SCHEMAS["spend_logs"],
        landing,
        "litellm",
        "spend_logs",
        LITELLM_SOURCE,
        day,
    )
    export_select = f"""
        select * replace (
            '{EXPORT_SOURCE}' as _source_id,
            timestamptz '{(day + timedelta(days=1)).isoformat()} 04:00:00+00' as _pulled_at
        )
        from read_parquet('{api.path}')
        where hash(request_id, {seed}) % {EXPORT_EVERY} = 0
    """
    export = copy_to_landing(
        con,
        export_select,
        LITELLM_SCHEMAS["spend_logs"],
        landing,
        "litellm_export",
        "spend_logs",
        EXPORT_SOURCE,
        day,
    )
    spans = copy_to_landing(
        con,
        otel_sql(seed, day, span_rows),
        OTLP_SCHEMAS["genai_spans"],
        landing,
        "otlp_genai",
        "genai_spans",
        OTEL_SOURCE,
        day,
    )
    usage_sql, costs_sql = openai_buckets_sql(api.path, day, enterprise)
    usage = copy_to_landing(
        con,
        usage_sql,
        OPENAI_SCHEMAS["usage_completions"],
        landing,
        "openai",
        "usage_completions",
        OPENAI_SOURCE,
        day,
    )
    costs = copy_to_landing(
        con, costs_sql, OPENAI_SCHEMAS["costs"], landing, "openai", "costs", OPENAI_SOURCE, day
    )
    return [api, export, spans, usage, costs]


def generate(
    landing: Path,
    days: list[date],
    requests_per_day: int,
    seed: int = 7,
    headcount: int = 2400,
    threads: int | None = None,
) -> Generated:
    """Write every day's files; returns what landed and how long it took."""
    if requests_per_day < 1:
        raise ValueError(f"--requests-per-day must be at least 1, got {requests_per_day}")
    if not days:
        raise ValueError("no days to generate: --days must be at least 1")
    enterprise = Enterprise(headcount=headcount)
    result = Generated()
    began = time.perf_counter()
    with connect(threads) as con:
        for day in days:
            result.files += generate_day(con, landing, day, requests_per_day, seed, enterprise)
    result.seconds = time.perf_counter() - began
    return result


def day_range(end: date, count: int) -> list[date]:
    return [end - timedelta(days=count - 1 - n) for n in range(count)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests-per-day", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=1, help="how many days, ending at --end")
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 20))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--headcount", type=int, default=2400)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--landing", type=Path, required=True)
    args = parser.parse_args(argv)
    result = generate(
        args.landing.resolve(),
        day_range(args.end, args.days),
        args.requests_per_day,
        args.seed,
        args.headcount,
        args.threads,
    )
    sys.stdout.write(
        f"{result.rows:,} records ({result.requests():,} requests) in {len(result.files)} files, "
        f"{result.seconds:.1f} s, {result.rows / max(result.seconds, 1e-9):,.0f} records/s\n"
    )


if __name__ == "__main__":
    main()
