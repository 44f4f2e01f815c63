"""The scale generator (benchmarks.generate): deterministic from its seed, the landing layout and
schemas the ingest assets write, the requested row counts, and totals the dbt marts agree with."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from benchmarks.generate import EXPORT_EVERY, LITELLM_SHARE, full_schema, generate
from orchestration.defs.ingest.litellm import assets as litellm_assets
from orchestration.defs.ingest.litellm_export import assets as export_assets
from orchestration.defs.ingest.openai import assets as openai_assets
from orchestration.defs.ingest.otlp_genai import assets as otel_assets
from orchestration.lib.ingest import LANDING_SCHEMAS
from tests.dbt_build import GATEWAY_MODELS, dbt_build

DAYS = [date(2026, 11, 19), date(2026, 11, 20)]
REQUESTS = 3_000


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    landing = tmp_path_factory.mktemp("scale") / "landing"
    return landing, generate(landing, DAYS, REQUESTS, seed=11)


def test_the_same_seed_gives_the_same_files_and_another_seed_does_not(landed, tmp_path):
    landing, first = landed
    again = generate(tmp_path / "again", DAYS[-1:], REQUESTS, seed=11)
    other = generate(tmp_path / "other", DAYS[-1:], REQUESTS, seed=12)
    for repeat, different in zip(again.files, other.files, strict=True):
        original = landing / repeat.path.relative_to(tmp_path / "again")
        assert pq.read_table(repeat.path).equals(pq.read_table(original)), repeat.path
        if repeat.entity != "costs" and repeat.entity != "usage_completions":
            assert not pq.read_table(different.path).equals(pq.read_table(original))
    assert [f.rows for f in again.files] == [f.rows for f in first.files if f.day == DAYS[-1]]


def test_files_have_the_landing_layout_and_schemas_of_the_ingest_assets(landed):
    for definitions in (
        litellm_assets.litellm_ingest,
        export_assets.litellm_export_ingest,
        otel_assets.otlp_genai_ingest,
        openai_assets.openai_ingest,
    ):
        definitions()  # registers the entities' landing schemas
    landing, result = landed
    expected_paths = {
        f"{source_type}/{entity}/{source_id}/{day.isoformat()}.parquet"
        for day in DAYS
        for source_type, entity, source_id in (
            ("litellm", "spend_logs", "litellm_proxy"),
            ("litellm_export", "spend_logs", "litellm_export"),
            ("otlp_genai", "genai_spans", "otel_genai"),
            ("openai", "usage_completions", "openai_main"),
            ("openai", "costs", "openai_main"),
        )
    }
    written = {str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file()}
    assert written == expected_paths  # no temporary files left behind
    for landed_file in result.files:
        schema = LANDING_SCHEMAS[(landed_file.source_type, landed_file.entity)]
        assert pq.read_schema(landed_file.path).equals(full_schema(schema)), landed_file.path
        partition_days = pq.read_table(landed_file.path, columns=["_partition_date"]).column(0)
        assert set(partition_days.to_pylist()) <= {landed_file.day}


def test_row_counts_are_as_asked(landed):
    _, result = landed
    assert result.requests() == REQUESTS * len(DAYS)
    for day in DAYS:
        rows = {f.source_id: f.rows for f in result.files if f.day == day}
        assert rows["litellm_proxy"] == round(REQUESTS * LITELLM_SHARE)
        assert rows["otel_genai"] == REQUESTS - round(REQUESTS * LITELLM_SHARE)
        # the export repeats about one request in EXPORT_EVERY
        expected = rows["litellm_proxy"] / EXPORT_EVERY
        assert 0.6 * expected < rows["litellm_export"] < 1.4 * expected
        assert rows["openai_main"] > 0


def test_the_gateway_mart_totals_equal_the_generated_requests(landed, tmp_path):
    landing, result = landed
    database = tmp_path / "warehouse.duckdb"
    dbt_build(tmp_path, database, landing, GATEWAY_MODELS)
    expected: dict[date, tuple[int, int, int, Decimal]] = {}
    for day in DAYS:
        api = next(f for f in result.files if f.day == day and f.source_id == "litellm_proxy")
        spans = next(f for f in result.files if f.day == day and f.source_id == "otel_genai")
        logs = pq.read_table(api.path)
        calls = pq.read_table(spans.path)
        input_tokens = pc.sum(logs["prompt_tokens"]).as_py() + (
            pc.sum(
                pc.coalesce(calls["gen_ai_usage_input_tokens"], calls["gen_ai_usage_prompt_tokens"])
            ).as_py()
        )
        cost = sum((Decimal(v) for v in logs["spend"].to_pylist()), Decimal(0))
        failures = (
            pc.sum(pc.equal(logs["status"], "failure")).as_py()
            + pc.sum(pc.equal(calls["status_code"], "ERROR")).as_py()
        )
        expected[day] = (logs.num_rows + calls.num_rows, failures, input_tokens, cost)
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            """
            select usage_date, sum(request_count), sum(failure_count), sum(input_tokens),
                sum(measured_cost_usd)
            from marts.fct_gateway_requests_daily group by usage_date order by usage_date
            """
        ).fetchall()
    assert {r[0]: (r[1], r[2], r[3], r[4]) for r in rows} == expected
