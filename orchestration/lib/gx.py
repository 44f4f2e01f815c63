"""Run a Great Expectations suite from expectations/suites/ against a DataFrame, in an ephemeral context.

Suites are plain JSON (`name`, `expectations: [{type, kwargs, meta}]`), reviewed like code. Results are
summarized for the run log (which expectation failed, with example values) and stored as JSON.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.lib.settings import EXPECTATIONS_DIR

EXAMPLES_PER_FAILURE = 5


@dataclass
class FailedExpectation:
    expectation: str
    kwargs: dict[str, Any]
    unexpected_count: int | None
    examples: list[Any]

    def describe(self) -> str:
        target = self.kwargs.get("column") or ", ".join(
            str(v) for k, v in self.kwargs.items() if k.startswith("column")
        )
        return f"{self.expectation}({target}): {self.unexpected_count} unexpected, e.g. {self.examples}"


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    evaluated: int
    successful: int
    rows: int
    failures: list[FailedExpectation] = field(default_factory=list)
    validated_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "success": self.success,
            "evaluated_expectations": self.evaluated,
            "successful_expectations": self.successful,
            "rows": self.rows,
            "validated_at": self.validated_at,
            "failures": [f.__dict__ for f in self.failures],
        }


def suite_path(name: str) -> Path:
    return EXPECTATIONS_DIR / f"{name}.json"


def load_suite_definition(name: str) -> dict[str, Any]:
    path = suite_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"no Great Expectations suite for {name}: expected {path}")
    return json.loads(path.read_text())


def validate_dataframe(
    name: str, frame: pd.DataFrame, definition: dict[str, Any] | None = None
) -> SuiteOutcome:
    """Validate `frame` against the suite `name` (or the given definition)."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx

    definition = definition or load_suite_definition(name)
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas(f"{name}_source")
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe("whole_table")
    )
    suite = context.suites.add(
        gx.ExpectationSuite(
            name=definition["name"],
            expectations=definition["expectations"],
            meta=definition.get("meta", {}),
        )
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )
    result = validation.run(
        batch_parameters={"dataframe": frame},
        result_format={
            "result_format": "SUMMARY",
            "partial_unexpected_count": EXAMPLES_PER_FAILURE,
        },
    )
    failures = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        details = item.result or {}
        failures.append(
            FailedExpectation(
                expectation=config.type,
                kwargs={k: v for k, v in config.kwargs.items() if k != "batch_id"},
                unexpected_count=details.get("unexpected_count"),
                examples=[
                    _plain(v)
                    for v in (details.get("partial_unexpected_list") or [])[:EXAMPLES_PER_FAILURE]
                ]
                or ([_plain(details["observed_value"])] if "observed_value" in details else []),
            )
        )
    stats = result.statistics
    return SuiteOutcome(
        suite=name,
        success=bool(result.success),
        evaluated=int(stats["evaluated_expectations"]),
        successful=int(stats["successful_expectations"]),
        rows=len(frame),
        failures=failures,
    )


def _plain(value: Any) -> Any:
    """JSON-friendly example values (numpy scalars and tuples unwrapped)."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict | str | int | float | bool) or value is None:
        return value
    return str(value)


def store_outcome(outcome: SuiteOutcome, quality_dir: Path, run_id: str) -> Path:
    """Keep every result, plus a `latest` copy that publishing consults."""
    history = quality_dir / "results" / outcome.suite
    history.mkdir(parents=True, exist_ok=True)
    stamp = outcome.validated_at.replace(":", "").replace("-", "")
    path = history / f"{stamp}_{run_id[:8]}.json"
    payload = json.dumps({**outcome.to_json(), "run_id": run_id}, indent=2, default=str)
    path.write_text(payload)
    latest = quality_dir / "latest"
    latest.mkdir(parents=True, exist_ok=True)
    (latest / f"{outcome.suite}.json").write_text(payload)
    return path


def latest_outcome(quality_dir: Path, suite: str) -> dict[str, Any] | None:
    path = quality_dir / "latest" / f"{suite}.json"
    return json.loads(path.read_text()) if path.is_file() else None
