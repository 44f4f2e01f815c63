"""Observed sensitive data through dbt on pinned upstream rows: each classified request counted once
(a LiteLLM request the API and an export both landed; agent spans left out), entity types mapped to
their governance categories by the seed, the declared and allowed flags, requests affected and
classified per day, model and credential, and the findings: an undeclared category, a category the
model does not allow though declared, and any category from an unattributed credential."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import get_args

import duckdb
import pytest

from connectors.sensitive_data import ENTITY_TYPES
from governance.schema import DataCategory
from quality.gx import validate_dataframe
from tests.dbt_build import dbt_build

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "dbt_project" / "seeds" / "sensitive_entity_categories.csv"
SELECT = [
    "sensitive_entity_categories",
    "model_catalog",
    "int_content_classified_requests",
    "int_sensitive_entities_observed",
    "int_findings_observed_data_category_not_allowed",
    "rpt_observed_sensitive_data",
]
DAY1, DAY2 = date(2026, 9, 1), date(2026, 9, 2)
PROFILE = "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123"
# application -> declared data categories
DECLARED = {
    "app-support": ["customer_personal_data", "special_category_payment"],
    "app-analytics": ["internal", "confidential"],
}
ALL = list(get_args(DataCategory))
# governance models (claude-sonnet-4-5 is not listed: its review is model_not_reviewed's business)
MODEL_CATEGORIES = {
    "gpt-4.1": ALL,
    "llama-3-3-70b-instruct": ["public", "internal", "confidential"],
}
# (credential provider, project, credential) -> (application, team)
CREDENTIALS = {
    ("litellm", "team-support", "key-support"): ("app-support", "team-s"),
    ("litellm", "team-analytics", "key-analytics"): ("app-analytics", "team-a"),
    ("litellm", "team-shadow", "key-shadow"): (None, None),
    ("otel", "svc-support", "svc-support"): ("app-support", "team-s"),
    ("aws_bedrock", "111122223333", PROFILE): ("app-analytics", "team-a"),
}
# LiteLLM rows: (request, day, upstream, model, team, key, counts) in the API's landing and the export's
LITELLM_API = [
    ("r1", DAY1, "openai", "gpt-4.1-2025-04-14", "team-support", "key-support",
     '{"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1}'),
    ("r2", DAY1, "hosted_vllm", "hosted_vllm/llama-3-3-70b-instruct", "team-analytics",
     "key-analytics", '{"CREDIT_CARD": 1}'),
    ("r3", DAY1, "openai", "gpt-4.1-2025-04-14", "team-analytics", "key-analytics", "{}"),
    ("r4", DAY1, "openai", "gpt-4.1-2025-04-14", "team-analytics", "key-analytics", None),
    ("r6", DAY2, "hosted_vllm", "hosted_vllm/llama-3-3-70b-instruct", "team-support",
     "key-support", '{"CREDIT_CARD": 2}'),
]  # fmt: skip
LITELLM_EXPORT = [
    LITELLM_API[0],  # the same request, exported too: one request
    ("r5", DAY2, "openai", "gpt-4.1-2025-04-14", "team-shadow", "key-shadow", '{"API_KEY": 1}'),
]
# spans: (span, day, operation, counts)
SPANS = [
    ("s1", DAY1, "chat", '{"EMAIL_ADDRESS": 1}'),
    ("s2", DAY1, "invoke_agent", '{"EMAIL_ADDRESS": 1}'),  # the agent passes it on to s1
]
BEDROCK = [("b1", DAY2, PROFILE, '{"IBAN_CODE": 1}')]


def test_the_seed_maps_every_entity_type_to_a_governance_category():
    with SEED.open() as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["entity_type"] for r in rows) == sorted(ENTITY_TYPES)
    assert {r["data_category"] for r in rows} <= set(get_args(DataCategory))


def at_ten(day: date) -> datetime:
    return datetime.combine(day, time(10))


def seed(database: Path) -> None:
    with duckdb.connect(str(database)) as con:
        for schema in ("staging", "intermediate", "marts"):
            con.execute(f"create schema if not exists {schema}")
        for name, rows in (("stg_litellm__spend_logs", LITELLM_API),
                           ("stg_litellm_export__spend_logs", LITELLM_EXPORT)):  # fmt: skip
            con.execute(
                f"""create or replace table staging.{name} (source_id varchar, request_id varchar,
                usage_date date, custom_llm_provider varchar, model_name varchar, team_id varchar,
                api_key_hash varchar, sensitive_entity_counts_json varchar,
                pulled_at timestamp, started_at timestamp)"""
            )
            con.executemany(
                f"insert into staging.{name} values (?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
                [(name, *row, at_ten(row[1])) for row in rows],
            )
        con.execute(
            """create or replace table staging.stg_otlp_genai__genai_spans (source_id varchar,
            trace_id varchar, span_id varchar, usage_date date, operation_name varchar,
            provider_name varchar, system_name varchar, request_model varchar,
            response_model varchar, service_name varchar, sensitive_entity_counts_json varchar,
            pulled_at timestamp, started_at timestamp)"""
        )
        con.executemany(
            "insert into staging.stg_otlp_genai__genai_spans values "
            "('otel', 't1', ?, ?, ?, 'openai', null, 'gpt-4.1', 'gpt-4.1-2025-04-14', "
            "'svc-support', ?, now(), ?)",
            [(*span, at_ten(span[1])) for span in SPANS],
        )
        con.execute(
            """create or replace table staging.stg_aws_bedrock_invocation_logs__invocations
            (source_id varchar, request_id varchar, usage_date date, model_id varchar,
            account_id varchar, sensitive_entity_counts_json varchar, pulled_at timestamp,
            invoked_at timestamp)"""
        )
        con.executemany(
            "insert into staging.stg_aws_bedrock_invocation_logs__invocations values "
            "('logs', ?, ?, ?, '111122223333', ?, now(), ?)",
            [(*row, at_ten(row[1])) for row in BEDROCK],
        )
        con.execute(
            """create or replace table intermediate.int_usage_records_normalized
            (provider varchar, api_key_id varchar, model_id varchar)"""
        )
        con.execute(
            "insert into intermediate.int_usage_records_normalized values "
            "('aws_bedrock', ?, 'claude-sonnet-4-5')",
            [PROFILE],
        )
        con.execute(
            """create or replace table intermediate.int_credentials_attributed
            (credential_provider varchar, project_id varchar, credential_id varchar,
            application_id varchar, team_id varchar)"""
        )
        con.executemany(
            "insert into intermediate.int_credentials_attributed values (?, ?, ?, ?, ?)",
            [(*key, *value) for key, value in CREDENTIALS.items()],
        )
        con.execute(
            "create or replace table staging.stg_governance__application_data_categories "
            "(application_id varchar, data_category varchar)"
        )
        con.executemany(
            "insert into staging.stg_governance__application_data_categories values (?, ?)",
            [(app, c) for app, categories in DECLARED.items() for c in categories],
        )
        con.execute("create or replace table staging.stg_governance__models (model_id varchar)")
        con.executemany(
            "insert into staging.stg_governance__models values (?)", [[m] for m in MODEL_CATEGORIES]
        )
        con.execute(
            "create or replace table staging.stg_governance__model_data_categories "
            "(model_id varchar, data_category varchar)"
        )
        con.executemany(
            "insert into staging.stg_governance__model_data_categories values (?, ?)",
            [(m, c) for m, categories in MODEL_CATEGORIES.items() for c in categories],
        )
        con.execute(
            "create or replace table staging.stg_governance__provider_data_categories "
            "(provider varchar, data_category varchar)"
        )
        con.executemany(
            "insert into staging.stg_governance__provider_data_categories values (?, ?)",
            [(p, c) for p in ("openai", "vllm", "aws_bedrock") for c in ALL],
        )
        con.execute("create or replace table marts.dim_application (application_id varchar)")
        con.executemany("insert into marts.dim_application values (?)", [[a] for a in DECLARED])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("sensitive_data")
    database = base / "warehouse.duckdb"
    seed(database)
    dbt_build(base, database, base / "landing", SELECT)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con


def rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_each_classified_request_once_with_its_model_and_application(built):
    got = {
        r["evidence_key"]: (r["provider"], r["model_id"], r["credential_id"], r["application_id"])
        for r in rows(built, "select * from intermediate.int_content_classified_requests")
    }
    assert got == {
        "litellm:r1": ("openai", "gpt-4.1", "key-support", "app-support"),
        "litellm:r2": ("vllm", "llama-3-3-70b-instruct", "key-analytics", "app-analytics"),
        "litellm:r3": ("openai", "gpt-4.1", "key-analytics", "app-analytics"),
        "litellm:r5": ("openai", "gpt-4.1", "key-shadow", None),
        "litellm:r6": ("vllm", "llama-3-3-70b-instruct", "key-support", "app-support"),
        "span:s1": ("openai", "gpt-4.1", "svc-support", "app-support"),
        # the profile's model comes from the bill
        "bedrock:b1": ("aws_bedrock", "claude-sonnet-4-5", PROFILE, "app-analytics"),
    }


def test_the_mart_counts_requests_affected_and_says_what_governance_allows(built):
    got = {
        (r["usage_date"], r["credential_id"], r["model_id"], r["entity_type"]): (
            r["data_category"],
            r["is_declared_by_application"],
            r["is_allowed_by_model"],
            r["is_allowed_by_provider"],
            r["request_count"],
            r["entity_count"],
            r["classified_request_count"],
        )
        for r in rows(built, "select * from marts.rpt_observed_sensitive_data")
    }
    personal, payment = "customer_personal_data", "special_category_payment"
    assert got == {
        (DAY1, "key-support", "gpt-4.1", "EMAIL_ADDRESS"): (personal, True, True, True, 1, 2, 1),
        (DAY1, "key-support", "gpt-4.1", "PHONE_NUMBER"): (personal, True, True, True, 1, 1, 1),
        (DAY1, "svc-support", "gpt-4.1", "EMAIL_ADDRESS"): (personal, True, True, True, 1, 1, 1),
        (DAY1, "key-analytics", "llama-3-3-70b-instruct", "CREDIT_CARD"): (
            payment, False, False, True, 1, 1, 1
        ),
        (DAY2, "key-support", "llama-3-3-70b-instruct", "CREDIT_CARD"): (
            payment, True, False, True, 1, 2, 1
        ),
        (DAY2, "key-shadow", "gpt-4.1", "API_KEY"): ("confidential", False, True, True, 1, 1, 1),
        (DAY2, PROFILE, "claude-sonnet-4-5", "IBAN_CODE"): (payment, False, None, True, 1, 1, 1),
    }  # fmt: skip
    # r3 was classified and held nothing: no row, and it is not among the requests affected
    analytics = rows(
        built,
        "select * from marts.rpt_observed_sensitive_data where credential_id = 'key-analytics'",
    )
    assert [(r["model_id"], r["classified_request_count"]) for r in analytics] == [
        ("llama-3-3-70b-instruct", 1)
    ]
    frame = built.execute("select * from marts.rpt_observed_sensitive_data").df()
    outcome = validate_dataframe("rpt_observed_sensitive_data", frame)
    assert outcome.success, outcome.failures


def test_findings_for_undeclared_categories_and_what_the_model_does_not_allow(built):
    found = {
        r["evidence_key"]: (r["rule"], r["application_id"], r["credential_id"], r["request_count"])
        for r in rows(
            built, "select * from intermediate.int_findings_observed_data_category_not_allowed"
        )
    }
    assert found == {
        # payment card data the analytics application never declared, on a model not cleared for it
        "litellm:r2": ("observed_data_category_not_allowed", "app-analytics", "key-analytics", 1),
        # declared by the support application, but the model's review does not allow it
        "litellm:r6": ("observed_data_category_not_allowed", "app-support", "key-support", 1),
        # an undeclared credential has declared nothing
        "litellm:r5": ("observed_data_category_not_allowed", None, "key-shadow", 1),
        "bedrock:b1": ("observed_data_category_not_allowed", "app-analytics", PROFILE, 1),
    }


def test_no_column_can_hold_text(built):
    """The mart's columns are keys, names, flags and counts: nothing that could carry a prompt."""
    types = dict(
        built.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'rpt_observed_sensitive_data'"
        ).fetchall()
    )
    assert {c for c, t in types.items() if t == "VARCHAR"} == {
        "observed_sensitive_key", "provider", "model_id", "model_family", "application_id",
        "team_id", "credential_provider", "credential_id", "entity_type", "data_category",
    }  # fmt: skip


def test_a_daily_run_classifies_its_window_again_and_keeps_the_days_before(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    seed(database)
    dbt_build(tmp_path, database, tmp_path / "landing", SELECT[:3], tests=False)
    with duckdb.connect(str(database)) as con:
        # a restated record on each day; the run's window holds the second day only
        con.execute(
            "update staging.stg_litellm__spend_logs set sensitive_entity_counts_json = "
            "'{\"US_SSN\": 1}' where request_id in ('r1', 'r6')"
        )
    window = {"min_date": DAY2.isoformat(), "max_date": (DAY2 + timedelta(days=1)).isoformat()}
    dbt_build(tmp_path, database, tmp_path / "landing", SELECT[:3], tests=False, dbt_vars=window)
    with duckdb.connect(str(database), read_only=True) as con:
        found = dict(
            con.execute(
                "select evidence_key, sensitive_entity_counts_json "
                "from intermediate.int_content_classified_requests"
            ).fetchall()
        )
    assert len(found) == 7
    assert found["litellm:r1"] == '{"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1}'  # kept as built
    assert found["litellm:r6"] == '{"US_SSN": 1}'  # classified again
    assert found["bedrock:b1"] == '{"IBAN_CODE": 1}'
