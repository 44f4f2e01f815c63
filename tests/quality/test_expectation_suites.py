"""Every published mart has a suite, and the suites catch what they claim to."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from orchestration.defs.quality.gx_checks import read_mart
from orchestration.lib.dbt import published_models
from quality.gx import governance_parameters, suite_columns, validate_dataframe
from warehouse.paths import EXPECTATIONS_DIR


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
        "is_attributed": True,
        "total_tokens": 1050,
    }
    rows = [row, {**row, "usage_key": "k2"}]
    rows[1].update(overrides)
    return pd.DataFrame(rows)


def test_a_clean_frame_passes(capfd):
    outcome = validate_dataframe("fct_ai_usage_daily", usage_frame())
    assert outcome.success and outcome.evaluated == 16 and outcome.failures == []
    assert "Calculating Metrics" not in capfd.readouterr().err  # no GX progress bar in run logs


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
    assert between.unexpected_count == 1  # the failed group is validated again with its details
    assert outcome.evaluated == 16 and outcome.successful == 14
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


# -- distributions and business rules GX has no built-in for (quality/gx_rules.py) ---------

LAST_DAY = date(2026, 9, 30)  # a Wednesday
PARAMETERS = {"min_attributed_usage_pct": "90", "reconciliation_max_out_of_tolerance_pct": "10"}


def usage_history(rows_per_day: dict[date, int], attributed_share: dict[date, float] | None = None):
    """35 days of usage, 8 rows a day unless `rows_per_day` says otherwise; every token attributed
    unless `attributed_share` gives a day's attributed share of tokens."""
    rows = []
    for offset in range(35):
        day = LAST_DAY - timedelta(days=34 - offset)
        count = rows_per_day.get(day, 8)
        share = (attributed_share or {}).get(day, 1.0)
        for n in range(count):
            frame = usage_frame().iloc[0].to_dict()
            attributed = n < round(count * share)
            rows.append(
                {**frame, "usage_key": f"{day}-{n}", "usage_date": pd.Timestamp(day),
                 "is_attributed": attributed, "credential_id": f"key-{n}"}
            )  # fmt: skip
    return pd.DataFrame(rows)


def failure(outcome, expectation: str):
    (found,) = [f for f in outcome.failures if f.expectation == expectation]
    return found


def test_a_recent_day_with_half_its_rows_missing_or_doubled_fails_with_the_day_and_its_bounds():
    clean = validate_dataframe("fct_ai_usage_daily", usage_history({}), parameters=PARAMETERS)
    assert clean.success, [f.describe() for f in clean.failures]
    bounds = next(o for o in clean.observations if o["expectation"].endswith("trailing_bounds"))
    assert [d["date"] for d in bounds["observed"]["days"]] == [
        "2026-09-28",
        "2026-09-29",
        "2026-09-30",
    ]
    # a day's row count against the same weekday of the four weeks before it (0.5x .. 2x)
    short = {LAST_DAY: 3, LAST_DAY - timedelta(days=7): 8}
    outcome = validate_dataframe("fct_ai_usage_daily", usage_history(short), parameters=PARAMETERS)
    bound = failure(outcome, "aiuw_expect_daily_value_within_trailing_bounds")
    assert bound.examples == [
        {"date": "2026-09-30", "value": "3", "trailing_median": "8", "lower": "4", "upper": "16"}
    ]
    doubled = validate_dataframe(
        "fct_ai_usage_daily",
        usage_history({LAST_DAY - timedelta(days=1): 17}),
        parameters=PARAMETERS,
    )
    assert (
        failure(doubled, "aiuw_expect_daily_value_within_trailing_bounds").examples[0]["date"]
        == "2026-09-29"
    )
    # a quiet weekday in the trailing weeks moves nothing: the baseline is a median
    assert validate_dataframe(
        "fct_ai_usage_daily",
        usage_history({LAST_DAY - timedelta(days=14): 1}),
        parameters=PARAMETERS,
    ).success


def test_a_recent_day_with_too_little_attributed_usage_fails_with_its_share():
    low = {LAST_DAY: 0.5}
    outcome = validate_dataframe(
        "fct_ai_usage_daily", usage_history({}, low), parameters=PARAMETERS
    )
    share = failure(outcome, "aiuw_expect_weighted_share_to_be_between")
    assert share.examples == [
        {"group": "2026-09-30", "share_pct": "50", "flagged_rows": 4, "rows": 8,
         "flagged_weight": "4200", "total_weight": "8400"}
    ]  # fmt: skip
    # the threshold is governance's: at 40% the same day passes
    assert validate_dataframe(
        "fct_ai_usage_daily", usage_history({}, low),
        parameters={**PARAMETERS, "min_attributed_usage_pct": "40"},
    ).success  # fmt: skip
    assert governance_parameters()["min_attributed_usage_pct"] == "90"


def cost_history(invoiced: dict[date, str]) -> pd.DataFrame:
    """35 days of one invoiced usage line a day ($100 unless `invoiced` says otherwise)."""
    rows = []
    for offset in range(35):
        day = LAST_DAY - timedelta(days=34 - offset)
        rows.append(
            {"cost_key": str(day), "usage_date": pd.Timestamp(day), "cost_kind": "invoiced",
             "charge_category": "Usage", "billing_currency": "USD",
             "billed_cost": Decimal(invoiced.get(day, "100.00"))}
        )  # fmt: skip
    return pd.DataFrame(rows)


def test_a_collapsed_bill_fails_but_a_spike_is_left_to_the_cost_alerts():
    assert validate_dataframe("fct_ai_cost_daily", cost_history({})).success
    spike = validate_dataframe("fct_ai_cost_daily", cost_history({LAST_DAY: "700.00"}))
    assert spike.success  # seven times the baseline: fct_alerts raises it, the data is published
    outcome = validate_dataframe("fct_ai_cost_daily", cost_history({LAST_DAY: "20.00"}))
    (bound,) = outcome.failures
    assert bound.kwargs["sum_column"] == "billed_cost"
    assert bound.examples == [
        {
            "date": "2026-09-30",
            "value": "20",
            "trailing_median": "100",
            "lower": "25",
            "upper": None,
        }
    ]


def reconciliation(variances: list[tuple[str, bool]]) -> pd.DataFrame:
    """Account lines (invoiced cost, within tolerance) plus the provider's unattributed line."""
    base = {
        "usage_date": pd.Timestamp("2026-09-01"), "provider": "openai", "billing_currency": "USD",
        "compared_cost_kinds": "rated_vs_invoiced", "unpriced_usage_rows": 0,
        "has_approximate_price": False, "unattributed_account_count": 0, "measured_cost": None,
        "tolerance_cost": Decimal("1"), "coverage_pct": Decimal("100"),
        "unrated_invoiced_cost": Decimal("0"), "is_provisional": False,
    }  # fmt: skip
    rows = [
        {**base, "reconciliation_key": f"r{n}", "line_type": "account", "account_id": f"proj_{n}",
         "invoiced_cost": Decimal(invoiced), "rated_cost": Decimal(invoiced),
         "variance_cost": Decimal(0) if within else Decimal("-5"), "is_within_tolerance": within}
        for n, (invoiced, within) in enumerate(variances)
    ]  # fmt: skip
    rows.append(
        {**base, "reconciliation_key": "u", "line_type": "unattributed",
         "account_id": "(unattributed)", "invoiced_cost": Decimal("500"), "rated_cost": None,
         "variance_cost": Decimal("-500"), "is_within_tolerance": False}
    )  # fmt: skip
    return pd.DataFrame(rows)


def rated(**overrides) -> pd.DataFrame:
    row = {
        "usage_date": pd.Timestamp("2026-09-01"), "provider": "openai", "model_id": "gpt-4.1",
        "price_tier": "standard", "catalog_model_id": "gpt-4.1", "override_id": None,
        "unit_price_id": None, "price_status": "priced", "input_tokens": 1000, "output_tokens": 10,
        "rated_cost": Decimal("0.0021"),
    }  # fmt: skip
    return pd.DataFrame([row, {**row, "model_id": "gpt-4.1-mini", **overrides}])


def test_out_of_tolerance_lines_are_reported_and_fail_only_above_the_governance_share():
    # one planted line of 4% of the account lines' invoiced spend: counted, reported, tolerated
    # (the unattributed line is coverage, not a variance, and stays out of the share)
    lines = reconciliation([("48", True), ("48", True), ("4", False)])
    outcome = validate_dataframe(
        "rpt_cost_reconciliation", lines, related={"int_usage_rated": rated()},
        parameters=PARAMETERS,
    )  # fmt: skip
    assert outcome.success, [f.describe() for f in outcome.failures]
    (observed,) = [o["observed"] for o in outcome.observations if o["table"] is None]
    assert observed["groups"] == [
        {"group": "all", "share_pct": "4", "flagged_rows": 1, "rows": 3, "flagged_weight": "4",
         "total_weight": "100"}
    ]  # fmt: skip
    assert observed["heaviest_flagged_rows"][0]["account_id"] == "proj_2"
    # the same line at 12% of the spend is above governance's 10%
    outcome = validate_dataframe(
        "rpt_cost_reconciliation", reconciliation([("44", True), ("44", True), ("12", False)]),
        related={"int_usage_rated": rated()}, parameters=PARAMETERS,
    )  # fmt: skip
    share = failure(outcome, "aiuw_expect_weighted_share_to_be_between")
    assert share.examples[0]["share_pct"] == "12" and share.examples[0]["flagged_rows"] == 1


def test_tokens_at_zero_cost_need_a_price_status_that_says_why():
    lines = reconciliation([("50", True)])
    explained = rated(rated_cost=None, price_status="no_price_known", catalog_model_id=None)
    assert validate_dataframe(
        "rpt_cost_reconciliation", lines, related={"int_usage_rated": explained},
        parameters=PARAMETERS,
    ).success  # fmt: skip
    silent = rated(rated_cost=Decimal(0))
    outcome = validate_dataframe(
        "rpt_cost_reconciliation", lines, related={"int_usage_rated": silent},
        parameters=PARAMETERS,
    )  # fmt: skip
    zero = failure(outcome, "aiuw_expect_tokens_priced_or_explained")
    assert zero.table == "int_usage_rated" and zero.unexpected_count == 1
    assert zero.examples[0]["model_id"] == "gpt-4.1-mini" and zero.examples[0]["rated_cost"] == "0"
    assert "int_usage_rated.rated_cost" in zero.describe()


def test_a_model_unknown_to_the_catalog_is_never_rated_as_priced():
    lines = reconciliation([("50", True)])
    unknown = rated(model_id="house-llm-7b", catalog_model_id=None, price_status="priced")
    outcome = validate_dataframe(
        "rpt_cost_reconciliation", lines, related={"int_usage_rated": unknown},
        parameters=PARAMETERS,
    )  # fmt: skip
    (found,) = outcome.failures
    assert (found.expectation, found.table, found.kwargs["column"]) == (
        "expect_column_values_to_be_in_set", "int_usage_rated", "price_status",
    )  # fmt: skip
    assert found.examples == ["priced"]
    overridden = rated(
        catalog_model_id=None, override_id="PRC-001", price_status="priced_by_override"
    )
    assert validate_dataframe(
        "rpt_cost_reconciliation", lines, related={"int_usage_rated": overridden},
        parameters=PARAMETERS,
    ).success  # fmt: skip
    # web search calls: no catalog model, priced by their unit price (governance unit_prices)
    by_unit = rated(catalog_model_id=None, unit_price_id="UP-OPENAI-WEB-SEARCH")
    assert validate_dataframe(
        "rpt_cost_reconciliation", lines, related={"int_usage_rated": by_unit},
        parameters=PARAMETERS,
    ).success  # fmt: skip


def test_a_suite_that_checks_another_model_says_so_when_it_is_missing():
    with pytest.raises(ValueError, match="checks int_usage_rated as well"):
        validate_dataframe("rpt_cost_reconciliation", reconciliation([("50", True)]))


# Business signals (sizes that depend on which sources exist, trailing bounds, shares); every
# other expectation guards integrity (keys, nulls, types, money identities, arithmetic) and blocks.
WARNING_TYPES = {
    "expect_table_row_count_to_be_between",
    "aiuw_expect_daily_value_within_trailing_bounds",
    "aiuw_expect_weighted_share_to_be_between",
}


def test_every_expectation_states_its_severity_by_the_rule():
    seen = {"critical": 0, "warning": 0}
    for path in sorted(EXPECTATIONS_DIR.glob("*.json")):
        for expectation in json.loads(path.read_text())["expectations"]:
            expected = "warning" if expectation["type"] in WARNING_TYPES else "critical"
            assert expectation.get("severity") == expected, (path.name, expectation["type"])
            seen[expected] += 1
    assert seen["critical"] > 250 and seen["warning"] == 20


def test_a_usage_day_after_today_blocks():
    tomorrow = pd.Timestamp(date.today() + timedelta(days=2))
    outcome = validate_dataframe("fct_ai_usage_daily", usage_frame(usage_date=tomorrow))
    assert not outcome.success
    (failure,) = outcome.blocking_failures
    assert failure.expectation == "aiuw_expect_dates_not_in_the_future"
    assert failure.examples == [tomorrow.date().isoformat()] and failure.unexpected_count == 1


def test_an_expectation_without_severity_names_the_suite_and_the_fix():
    definition = {"name": "x", "expectations": [{"type": "expect_column_values_to_be_unique",
                                                 "kwargs": {"column": "a"}}]}  # fmt: skip
    with pytest.raises(ValueError) as raised:
        validate_dataframe("x", pd.DataFrame({"a": [1]}), definition)
    assert (
        'expectation 0 (expect_column_values_to_be_unique) has severity None: set "severity"'
        in (str(raised.value))
    )


def empty_mart(name: str) -> pd.DataFrame:
    """No rows, every column the mart's suite names."""
    expectations = json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text())["expectations"]
    columns = {
        value
        for e in expectations
        for key, value in e["kwargs"].items()
        if key.startswith("column") and isinstance(value, str)
    }
    return pd.DataFrame(columns=sorted(columns))


def test_a_failed_warning_publishes_and_a_failed_critical_does_not():
    too_few = validate_dataframe("fct_policy_violations", empty_mart("fct_policy_violations"))
    assert too_few.success  # no violations is a valid state: nothing asks for rows
    empty_usage = usage_frame().iloc[0:0]
    outcome = validate_dataframe("fct_ai_usage_daily", empty_usage)
    assert outcome.success and outcome.blocking_failures == []
    assert [(f.expectation, f.severity) for f in outcome.warnings] == [
        ("expect_table_row_count_to_be_between", "warning")
    ]
    broken = validate_dataframe("fct_ai_usage_daily", usage_frame(usage_key="k1"))
    assert not broken.success
    assert [(f.expectation, f.severity) for f in broken.blocking_failures] == [
        ("expect_column_values_to_be_unique", "critical")
    ]


def test_a_mart_no_configured_source_feeds_skips_its_size_expectations(monkeypatch, tmp_path):
    from orchestration.defs.quality.gx_checks import unfed_reason
    from orchestration.lib.sources import sources_config

    assert unfed_reason("fct_gateway_requests_daily") is None  # the test config has gateways
    assert unfed_reason("dim_team") is None  # governance alone feeds it
    only_openai = tmp_path / "sources.yml"
    only_openai.write_text(
        "warehouse:\n  history_start: 2026-09-01\nsources:\n"
        "  - id: openai_main\n    type: openai\n    secret_env: OPENAI_ADMIN_KEY\n"
    )
    monkeypatch.setenv("AIUW_SOURCES", str(only_openai))
    sources_config.cache_clear()
    try:
        reason = unfed_reason("fct_gateway_requests_daily")
        assert reason.startswith("no configured source feeds fct_gateway_requests_daily (it is")
        assert "litellm" in reason and "openai" not in reason.split("(")[1]
        assert unfed_reason("fct_ai_usage_daily") is None
        outcome = validate_dataframe(
            "fct_gateway_requests_daily",
            empty_mart("fct_gateway_requests_daily"),
            unfed_reason=reason,
        )
        assert outcome.success and outcome.failures == []
        assert outcome.skipped == [
            {"expectation": "expect_table_row_count_to_be_between", "severity": "warning",
             "reason": reason}
        ]  # fmt: skip
    finally:
        sources_config.cache_clear()


def test_dbt_data_tests_block_unless_a_warning_suite_decides():
    from orchestration.lib.dbt import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    severities = {n["config"]["severity"].lower() for n in tests}
    assert severities == {"error", "warn"}
    warned = [n for n in tests if n["config"]["severity"].lower() == "warn"]
    # cached tokens within input tokens on provider intermediates: fct_ai_usage_daily's suite
    # decides (its pair expectation is critical); the rest are columns some rows leave empty
    cache_rules = [n for n in warned if "cache_read_input_tokens" in n["name"]]
    assert len(cache_rules) == 7
    assert all(n["name"].startswith("expression_is_true_int_") for n in cache_rules)
    assert len(warned) - len(cache_rules) <= 5
    # every model's not-null columns block (one grouped test per model)
    grouped = [n for n in tests if (n.get("test_metadata") or {}).get("name") == "not_null_columns"]
    assert len(grouped) > 100
    assert all(n["config"]["severity"].lower() == "error" for n in grouped)


def test_a_suite_reads_only_the_columns_its_expectations_name():
    definition = {
        "name": "fct_x",
        "expectations": [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "cost"}},
            {
                "type": "expect_column_pair_values_a_to_be_greater_than_b",
                "kwargs": {"column_A": "b", "column_B": "a", "row_condition": 'kind == "x"'},
            },
            {
                "type": "expect_column_values_to_not_be_null",
                "table": "int_y",
                "kwargs": {"column": "other"},
            },
        ],
    }
    available = ["a", "b", "kind", "kindness", "cost", "wide_text"]
    assert suite_columns(definition, None, available) == ["a", "b", "kind", "cost"]
    assert suite_columns(definition, "int_y", ["other", "wide_text"]) == ["other"]
    whole = {
        "name": "fct_x",
        "expectations": [{"type": "expect_table_columns_to_match_set", "kwargs": {}}],
    }
    assert suite_columns(whole, None, available) == available


def test_the_warehouse_check_reads_the_named_columns_and_still_catches_a_bad_row(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_team as select * from (values "
        "('t1', 'CC-1', 'x'), ('t2', null, 'y')) as t(team_id, cost_center_id, display_name)"
    )
    definition = json.loads((EXPECTATIONS_DIR / "dim_team.json").read_text())
    frame = read_mart(con, "dim_team", suite=(definition, None))
    assert list(frame.columns) == ["team_id", "cost_center_id"]
    outcome = validate_dataframe("dim_team", frame, parameters={})
    (failure,) = outcome.blocking_failures
    assert failure.kwargs["column"] == "cost_center_id" and failure.unexpected_count == 1
