"""The whole-history validation's results, stored beside the daily quality results.

Its suites are named `<suite>@whole_history`, so a failure found in the history stays in
`quality/latest/` (and alerted) until the next whole-history validation passes, whatever the daily
runs validate meanwhile, and never decides a daily publish.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quality.gx import BLOCKING, WARNING, FailedExpectation, SuiteOutcome

WHOLE_HISTORY = "@whole_history"
DBT_TESTS = f"dbt_tests{WHOLE_HISTORY}"


def is_whole_history(suite: str) -> bool:
    return suite.endswith(WHOLE_HISTORY)


def dbt_tests_outcome(run_results: Mapping[str, Any], manifest: Mapping[str, Any]) -> SuiteOutcome:
    """`dbt test`'s results as a suite: each failing (or erroring) test a critical failure, each
    warning test a warning, with the model it tests and dbt's message."""
    tests = run_results.get("results", [])
    failures = []
    for result in tests:
        if result["status"] not in ("fail", "error", "warn"):
            continue
        node = manifest["nodes"].get(result["unique_id"], {})
        tested = manifest["nodes"].get(node.get("attached_node") or "", {})
        failures.append(
            FailedExpectation(
                expectation=node.get("name") or result["unique_id"],
                kwargs={},
                unexpected_count=result.get("failures"),
                examples=[(result.get("message") or "").strip()],
                table=tested.get("name"),
                severity=WARNING if result["status"] == "warn" else BLOCKING,
            )
        )
    return SuiteOutcome(
        suite=DBT_TESTS,
        success=not any(f.blocks for f in failures),
        evaluated=len(tests),
        successful=len(tests) - len(failures),
        rows=0,
        failures=failures,
    )
