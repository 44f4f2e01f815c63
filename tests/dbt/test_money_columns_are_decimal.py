"""Decimal money end to end: no finance mart and no money column of any mart is a float, every money
column of a published mart is DECIMAL, and every published mart's contract is enforced so the declared
types are the types built (dbt fails a build whose columns differ). tests/e2e/test_finance_drivers.py checks the built tables themselves."""

from __future__ import annotations

import json
import re

import pytest

from orchestration.lib.dbt import dbt_project, published_models

FLOAT_TYPES = re.compile(r"^\s*(float|double|real|float4|float8|double precision)\b", re.IGNORECASE)
MONEY_WORDS = {"cost", "costs", "price", "spend", "saving", "amount", "effect", "variance"}
NOT_MONEY_WORDS = {"id", "key", "kind", "kinds", "type", "status", "count", "rank", "currency", "ratio",
                   "pct", "tier", "method", "category", "description", "unit", "date", "name",
                   "reference", "days", "is", "has"}  # fmt: skip


def words(column: str) -> set[str]:
    """A column name's words, snake_case or CamelCase (x_CostCenterId -> x, cost, center, id)."""
    return set(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", column).lower().split("_"))


def is_money(column: str) -> bool:
    return bool(words(column) & MONEY_WORDS) and not words(column) & NOT_MONEY_WORDS


@pytest.fixture(scope="module")
def marts() -> dict[str, dict]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
    }


def test_the_money_rule_recognises_money_columns():
    assert all(
        is_money(c)
        for c in ["billed_cost", "BilledCost", "volume_effect", "list_price_per_seat_month"]
    )
    assert not any(
        is_money(c)
        for c in ["cost_key", "billing_currency", "cost_center_id", "cost_kind", "x_CostCenterId"]
    )


def float_columns(marts: dict[str, dict], keep) -> list[str]:
    return sorted(
        f"{name}.{column}: {spec['data_type']}"
        for name, node in marts.items()
        for column, spec in node["columns"].items()
        if spec.get("data_type") and FLOAT_TYPES.match(spec["data_type"]) and keep(node, column)
    )


def test_no_cost_mart_has_a_float_column(marts):
    floats = float_columns(marts, lambda node, _: node["fqn"][2:3] == ["finance"])
    assert not floats, f"float columns in finance marts (money is decimal(38, 10)): {floats}"


def test_no_money_column_of_any_mart_is_a_float(marts):
    floats = float_columns(marts, lambda _, column: is_money(column))
    assert not floats, f"float money columns (use decimal(38, 10)): {floats}"


def test_published_marts_enforce_typed_contracts_with_decimal_money(marts):
    published = set(published_models())
    assert {"fct_ai_cost_daily", "rpt_spend_drivers", "fct_focus_ai_costs"} <= published
    for name in sorted(published):
        node = marts[name]
        assert node["config"]["contract"]["enforced"], name
        untyped = [c for c, spec in node["columns"].items() if not spec.get("data_type")]
        assert not untyped, (name, untyped)
        not_decimal = [
            f"{c}: {spec['data_type']}"
            for c, spec in node["columns"].items()
            if is_money(c) and not spec["data_type"].lower().startswith("decimal")
        ]
        assert not not_decimal, (name, not_decimal)
