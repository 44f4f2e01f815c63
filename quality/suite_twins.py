"""dbt data tests on a published mart whose rule the mart's Great Expectations suite also checks.

A run checks such a rule once: the suite, which gates publishing, reads the rebuilt days (or the
whole mart) after dbt has built it. The dbt twin is left out of every build, a rebuild from
history_start included, and runs with the whole-history tests in the weekly validation (or on
demand).

A test is a twin only when the suite's expectation is at least as strict, on the same column, and
blocks publishing as the dbt test stops the build:
- `unique` / `expect_column_values_to_be_unique`;
- `not_null` and each column of `not_null_columns` / `expect_column_values_to_not_be_null`;
- `accepted_values` / `expect_column_values_to_be_in_set`, whose set is within the dbt test's values.
An expectation with `mostly` below 1 or a `row_condition` checks fewer rows: it is no twin. A dbt test
of severity `warn` is kept (its suite twin would block where the test only warns).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from quality.gx import BLOCKING

UNIQUE = "expect_column_values_to_be_unique"
NOT_NULL = "expect_column_values_to_not_be_null"
IN_SET = "expect_column_values_to_be_in_set"


def _whole_column(expectation: dict[str, Any]) -> bool:
    kwargs = expectation["kwargs"]
    mostly = kwargs.get("mostly", 1)
    return (
        expectation.get("severity") == BLOCKING
        and not expectation.get("table")
        and not kwargs.get("row_condition")
        and (mostly is None or float(mostly) >= 1)
    )


def _checked(suite: dict[str, Any], kind: str, column: str) -> list[dict[str, Any]]:
    return [
        e
        for e in suite["expectations"]
        if e["type"] == kind and e["kwargs"].get("column") == column and _whole_column(e)
    ]


def _unique(kwargs: dict[str, Any], suite: dict[str, Any]) -> bool:
    return bool(_checked(suite, UNIQUE, kwargs["column_name"]))


def _not_null(kwargs: dict[str, Any], suite: dict[str, Any]) -> bool:
    return bool(_checked(suite, NOT_NULL, kwargs["column_name"]))


def _not_null_columns(kwargs: dict[str, Any], suite: dict[str, Any]) -> bool:
    columns = kwargs.get("columns") or []
    return bool(columns) and all(_checked(suite, NOT_NULL, c) for c in columns)


def _accepted_values(kwargs: dict[str, Any], suite: dict[str, Any]) -> bool:
    allowed = {str(v) for v in kwargs.get("values") or []}
    return any(
        {str(v) for v in e["kwargs"].get("value_set") or []} <= allowed
        for e in _checked(suite, IN_SET, kwargs["column_name"])
    )


TWIN_RULES: dict[str, Callable[[dict[str, Any], dict[str, Any]], bool]] = {
    "unique": _unique,
    "not_null": _not_null,
    "not_null_columns": _not_null_columns,
    "accepted_values": _accepted_values,
}


def suite_twins(
    manifest: dict[str, Any],
    published: Iterable[str],
    load_suite: Callable[[str], dict[str, Any]],
    excluded_tag: str,
) -> list[str]:
    """Names of the dbt data tests (not tagged `excluded_tag`) on the `published` models whose rule
    the model's suite (`load_suite(model)`) checks as strictly, sorted."""
    published = set(published)
    suites: dict[str, dict[str, Any]] = {}
    twins = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or excluded_tag in node.get("tags", []):
            continue
        metadata = node.get("test_metadata") or {}
        rule = TWIN_RULES.get(metadata.get("name"))
        model = (node.get("attached_node") or "").rpartition(".")[2]
        if rule is None or model not in published:
            continue
        if str(node["config"].get("severity", "error")).lower() != "error":
            continue
        if model not in suites:
            suites[model] = load_suite(model)
        if rule(metadata.get("kwargs") or {}, suites[model]):
            twins.append(node["name"])
    return sorted(twins)
