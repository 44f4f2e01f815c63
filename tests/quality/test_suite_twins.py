"""Which dbt tests a daily build leaves to the published marts' quality suites."""

from __future__ import annotations

import json

from orchestration.lib.dbt import WHOLE_HISTORY_TAG, daily_build_excludes, published_models
from quality.gx import load_suite_definition
from quality.suite_twins import suite_twins
from tests.conftest import ROOT


def dbt_test(name: str, model: str, kind: str, severity: str = "ERROR", tags=(), **kwargs):
    return {
        "resource_type": "test",
        "name": name,
        "attached_node": f"model.project.{model}",
        "tags": list(tags),
        "config": {"severity": severity},
        "test_metadata": {"name": kind, "kwargs": kwargs},
    }


def expectation(kind: str, severity: str = "critical", **kwargs):
    return {"type": kind, "severity": severity, "kwargs": kwargs}


SUITE = {
    "expectations": [
        expectation("expect_column_values_to_be_unique", column="key"),
        expectation("expect_column_values_to_not_be_null", column="key"),
        expectation("expect_column_values_to_not_be_null", column="day"),
        expectation("expect_column_values_to_not_be_null", column="note", mostly=0.9),
        expectation("expect_column_values_to_not_be_null", column="team", severity="warning"),
        expectation("expect_column_values_to_not_be_null", column="kind", row_condition="x > 1"),
        expectation("expect_column_values_to_be_in_set", column="status", value_set=["a", "b"]),
        expectation("expect_column_values_to_be_in_set", column="tier", value_set=["a", "z"]),
    ]
}


def twins(*nodes, published=("mart",)) -> list[str]:
    manifest = {"nodes": {n["name"]: n for n in nodes}}
    return suite_twins(manifest, published, lambda model: SUITE, WHOLE_HISTORY_TAG)


def test_a_rule_the_suite_checks_as_strictly_is_a_twin():
    assert twins(
        dbt_test("unique_key", "mart", "unique", column_name="key"),
        dbt_test("not_null_day", "mart", "not_null", column_name="day"),
        dbt_test("not_null_columns_key_day", "mart", "not_null_columns", columns=["key", "day"]),
        # the suite allows fewer values than the test: stricter
        dbt_test(
            "accepted_status",
            "mart",
            "accepted_values",
            column_name="status",
            values=["a", "b", "c"],
        ),
    ) == ["accepted_status", "not_null_columns_key_day", "not_null_day", "unique_key"]


def test_a_rule_the_suite_checks_more_loosely_or_not_at_all_is_kept():
    assert (
        twins(
            dbt_test("unique_day", "mart", "unique", column_name="day"),  # no such expectation
            dbt_test("not_null_note", "mart", "not_null", column_name="note"),  # mostly 0.9
            dbt_test("not_null_team", "mart", "not_null", column_name="team"),  # a warning
            dbt_test("not_null_kind", "mart", "not_null", column_name="kind"),  # some rows only
            # one column of the list is not checked by the suite
            dbt_test("not_null_columns_key_x", "mart", "not_null_columns", columns=["key", "x"]),
            # the suite allows a value the test refuses
            dbt_test("accepted_tier", "mart", "accepted_values", column_name="tier", values=["a"]),
            # a test that only warns: its twin would block
            dbt_test("unique_key_warn", "mart", "unique", severity="warn", column_name="key"),
            # already a whole-history test
            dbt_test(
                "unique_key_weekly", "mart", "unique", tags=[WHOLE_HISTORY_TAG], column_name="key"
            ),
            # a rule no suite expectation states
            dbt_test("expression_key", "mart", "expression_is_true", expression="key > 0"),
            # a model without a suite
            dbt_test("unique_key_int", "int_model", "unique", column_name="key"),
        )
        == []
    )


def test_the_daily_build_leaves_the_marts_key_tests_to_their_suites():
    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    excluded = daily_build_excludes()
    assert excluded[0] == f"tag:{WHOLE_HISTORY_TAG}"
    assert "unique_fct_ai_usage_daily_usage_key" in excluded
    assert "unique_fct_ai_cost_daily_cost_key" in excluded
    # every excluded test is on a published mart whose suite checks its column
    published = set(published_models())
    nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    for name in excluded[1:]:
        model = nodes[name]["attached_node"].rpartition(".")[2]
        assert model in published, name
        kwargs = nodes[name]["test_metadata"]["kwargs"]
        columns = kwargs.get("columns") or [kwargs["column_name"]]
        suite_columns = {
            e["kwargs"].get("column") for e in load_suite_definition(model)["expectations"]
        }
        assert set(columns) <= suite_columns, name
    # tests on intermediate models and the marts' other rules still run every day
    assert not [n for n in excluded if "int_usage_rated" in n]
    assert not [n for n in excluded if n.startswith(("expression_is_true", "relationships"))]
