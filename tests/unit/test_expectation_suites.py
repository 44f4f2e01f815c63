"""Every published mart has a suite, and the suites catch what they claim to."""

from __future__ import annotations

import json

import pandas as pd

from orchestration.lib.dbt import published_models
from orchestration.lib.gx import validate_dataframe
from orchestration.lib.settings import EXPECTATIONS_DIR


def test_every_published_mart_has_a_suite_and_every_suite_a_mart():
    published = set(published_models())
    suites = {p.stem for p in EXPECTATIONS_DIR.glob("*.json")}
    assert published >= {
        "fct_ai_usage_daily",
        "fct_ai_cost_daily",
        "fct_gateway_requests_daily",
        "fct_policy_violations",
        "rpt_shadow_ai",
        "rpt_sensitive_data_model_usage",
        "rpt_access_anomalies",
        "rpt_control_coverage",
        "dim_application",
        "dim_credential",
        "dim_model",
        "dim_team",
        "rpt_inventory_coverage",
    }
    assert suites == published
    for name in suites:
        assert json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text())["name"] == name


def usage_frame(**overrides) -> pd.DataFrame:
    row = {
        "usage_key": "k1",
        "usage_date": pd.Timestamp("2026-09-01"),
        "provider": "openai",
        "model_id": "gpt-4.1",
        "operation": "chat",
        "request_count": 10,
        "input_tokens": 1000,
        "output_tokens": 50,
        "cache_read_input_tokens": 400,
        "uncached_input_tokens": 600,
    }
    rows = [row, {**row, "usage_key": "k2"}]
    rows[1].update(overrides)
    return pd.DataFrame(rows)


def test_a_clean_frame_passes():
    outcome = validate_dataframe("fct_ai_usage_daily", usage_frame())
    assert outcome.success and outcome.evaluated == 13 and outcome.failures == []


def test_cached_above_input_fails_with_examples():
    outcome = validate_dataframe(
        "fct_ai_usage_daily", usage_frame(cache_read_input_tokens=1001, uncached_input_tokens=-1)
    )
    assert not outcome.success
    failed = {f.expectation for f in outcome.failures}
    assert failed == {
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_values_to_be_between",
    }
    between = next(
        f for f in outcome.failures if f.expectation == "expect_column_values_to_be_between"
    )
    assert between.kwargs["column"] == "uncached_input_tokens" and between.examples == [-1]
    assert "uncached_input_tokens" in between.describe()


def test_duplicate_keys_and_negative_cost_fail():
    frame = pd.DataFrame(
        {
            "cost_key": ["a", "a"],
            "usage_date": [pd.Timestamp("2026-09-01")] * 2,
            "billed_cost": [1.5, -0.25],
            "billing_currency": ["USD", "usd"],
            "cost_kind": ["invoiced"] * 2,
            "charge_category": ["Usage"] * 2,
        }
    )
    outcome = validate_dataframe("fct_ai_cost_daily", frame)
    failed = {(f.expectation, f.kwargs.get("column")) for f in outcome.failures}
    assert failed == {
        ("expect_column_values_to_be_unique", "cost_key"),
        ("expect_column_values_to_be_between", "billed_cost"),
        ("expect_column_values_to_match_regex", "billing_currency"),
    }


def test_credits_may_be_negative_but_charges_may_not():
    base = {
        "cost_key": "a",
        "usage_date": pd.Timestamp("2026-09-01"),
        "billing_currency": "USD",
        "cost_kind": "invoiced",
    }
    rows = [
        {**base, "cost_key": "a", "billed_cost": 2.0, "charge_category": "Usage"},
        {**base, "cost_key": "b", "billed_cost": -0.5, "charge_category": "Credit"},
    ]
    assert validate_dataframe("fct_ai_cost_daily", pd.DataFrame(rows)).success
    rows.append({**base, "cost_key": "c", "billed_cost": 0.25, "charge_category": "Credit"})
    rows.append({**base, "cost_key": "d", "billed_cost": -1.0, "charge_category": "Usage"})
    outcome = validate_dataframe("fct_ai_cost_daily", pd.DataFrame(rows))
    assert sorted(f.examples for f in outcome.failures) == [[-1.0], [0.25]]


def violations_frame(**overrides) -> pd.DataFrame:
    row = {
        "violation_key": "v1",
        "usage_date": pd.Timestamp("2026-09-01"),
        "policy_id": "POL-001",
        "rule": "model_not_approved_for_application",
        "severity": "high",
        "subject_type": "application",
        "subject_id": "app-design-critique",
        "status": "excepted",
        "exception_id": "EXC-001",
        "evidence_row_count": 2,
        "evidence_keys": "k1,k2",
    }
    return pd.DataFrame([{**row, **overrides}])


def test_the_violations_suite_wants_an_exception_behind_every_non_open_row():
    assert validate_dataframe("fct_policy_violations", violations_frame()).success
    assert validate_dataframe(
        "fct_policy_violations", violations_frame(status="open", exception_id=None)
    ).success
    outcome = validate_dataframe("fct_policy_violations", violations_frame(exception_id=None))
    assert not outcome.success
    assert [f.expectation for f in outcome.failures] == ["expect_column_values_to_not_be_null"]
    assert outcome.failures[0].kwargs["column"] == "exception_id"
    assert not validate_dataframe(
        "fct_policy_violations", violations_frame(status="waived")
    ).success
