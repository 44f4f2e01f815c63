"""Run a Great Expectations suite from expectations/suites/ against a DataFrame, in an ephemeral context.

Suites are plain JSON (`name`, `expectations: [{type, severity, kwargs, meta}]`), reviewed like code.
Every expectation states its severity, GX's own field: `critical` (integrity: a failure blocks
publishing) or `warning` (a business signal: recorded and alerted, never blocking). Results are
summarized for the run log (which expectation failed, with example values) and stored as JSON.

Beyond GX's own types a suite may use:
- `aiuw_expect_*` types (quality/gx_rules.py) for rules GX has no built-in for;
- `"table": "<model>"` on an expectation, to check a model the mart is built from (the check reads it
  from the warehouse next to the mart);
- `{"$PARAMETER": "<name>"}` as a kwarg value, filled from governance/thresholds.yml `data_quality`
  (see governance_parameters), so thresholds live with the other thresholds.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warehouse.paths import EXPECTATIONS_DIR

if TYPE_CHECKING:  # pandas is imported by the checks that read frames, not by every process
    import pandas as pd

EXAMPLES_PER_FAILURE = 5
BLOCKING, WARNING = "critical", "warning"
SEVERITIES = (BLOCKING, WARNING)
# expectations about a mart's size: they only apply when a configured source feeds the mart
SIZE_EXPECTATIONS = frozenset(
    {
        "expect_table_row_count_to_be_between",
        "aiuw_expect_daily_value_within_trailing_bounds",
    }
)


@dataclass
class FailedExpectation:
    expectation: str
    kwargs: dict[str, Any]
    unexpected_count: int | None
    examples: list[Any]
    table: str | None = None  # a model the mart is built from, when the expectation names one
    severity: str = BLOCKING

    def describe(self) -> str:
        target = (
            self.kwargs.get("column")
            or ", ".join(str(v) for k, v in self.kwargs.items() if k.startswith("column"))
            or self.kwargs.get("sum_column")
            or self.kwargs.get("weight_column")
            or self.kwargs.get("cost_column")
            or ""
        )
        where = f"{self.table}." if self.table else ""
        return f"{self.expectation}({where}{target}): {self.unexpected_count} unexpected, e.g. {self.examples}"

    @property
    def blocks(self) -> bool:
        return self.severity == BLOCKING


@dataclass
class SuiteOutcome:
    suite: str
    success: bool
    evaluated: int
    successful: int
    rows: int
    failures: list[FailedExpectation] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)
    # expectations not evaluated, each with why (a size expectation on a mart no source feeds)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    validated_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def blocking_failures(self) -> list[FailedExpectation]:
        return [f for f in self.failures if f.blocks]

    @property
    def warnings(self) -> list[FailedExpectation]:
        return [f for f in self.failures if not f.blocks]

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            # success: nothing blocking failed (the mart may publish); warnings are listed apart
            "success": self.success,
            "evaluated_expectations": self.evaluated,
            "successful_expectations": self.successful,
            "rows": self.rows,
            "validated_at": self.validated_at,
            "failures": [f.__dict__ for f in self.blocking_failures],
            "warnings": [f.__dict__ for f in self.warnings],
            "skipped": self.skipped,
            "observations": self.observations,
        }


def suite_path(name: str) -> Path:
    return EXPECTATIONS_DIR / f"{name}.json"


def load_suite_definition(name: str) -> dict[str, Any]:
    path = suite_path(name)
    if not path.is_file():
        raise FileNotFoundError(f"no Great Expectations suite for {name}: expected {path}")
    definition = json.loads(path.read_text())
    check_severities(definition, path)
    return definition


def check_severities(definition: dict[str, Any], path: Path | str) -> None:
    """Every expectation says whether it blocks publishing: no default to fall back on."""
    for index, expectation in enumerate(definition["expectations"]):
        if expectation.get("severity") not in SEVERITIES:
            raise ValueError(
                f"{path}: expectation {index} ({expectation.get('type')}) has severity "
                f'{expectation.get("severity")!r}: set "severity" to "{BLOCKING}" (integrity: '
                f'a failure blocks publishing) or "{WARNING}" (a business signal: alerted, '
                "never blocking)"
            )


def related_tables(definition: dict[str, Any]) -> list[str]:
    """Models other than the mart that the suite's expectations name with `table`."""
    return sorted({e["table"] for e in definition["expectations"] if e.get("table")})


# kwargs that name one column, or a list of them
COLUMN_KWARGS = frozenset(
    {
        "column",
        "column_A",
        "column_B",
        "date_column",
        "sum_column",
        "cost_column",
        "flag_column",
        "weight_column",
        "status_column",
    }
)
COLUMN_LIST_KWARGS = frozenset({"column_list", "token_columns", "example_columns"})
# expectations that read no column (the row count)
TABLE_EXPECTATIONS = frozenset({"expect_table_row_count_to_be_between"})


def suite_columns(definition: dict[str, Any], table: str | None, available: list[str]) -> list[str]:
    """The columns of `table` (the mart itself when None) that the suite's expectations read, in
    the table's order: reading only those keeps each check's frame narrow, and GX filters the
    whole frame for every expectation. Every column when an expectation reads rows whole."""
    wanted: set[str] = set()
    for expectation in definition["expectations"]:
        if expectation.get("table") != table:
            continue
        kwargs = expectation["kwargs"]
        names = [kwargs[k] for k in COLUMN_KWARGS & kwargs.keys()]
        names += [c for k in COLUMN_LIST_KWARGS & kwargs.keys() for c in kwargs[k] or []]
        if expectation["type"] == "aiuw_expect_weighted_share_to_be_between" and not kwargs.get(
            "example_columns"
        ):
            return list(available)  # its examples show whole rows
        if not names and expectation["type"] not in TABLE_EXPECTATIONS:
            return list(available)
        wanted.update(names)
        condition = kwargs.get("row_condition") or ""
        wanted.update(c for c in available if re.search(rf"\b{re.escape(c)}\b", condition))
    chosen = [c for c in available if c in wanted]
    return chosen or list(available[:1])


def governance_parameters() -> dict[str, Any]:
    """`$PARAMETER` values: governance/thresholds.yml `data_quality` (its thresholds, as text)."""
    from governance.load import load_governance

    settings = load_governance().thresholds.data_quality
    return {
        k: str(v)
        for k, v in settings.model_dump().items()
        if k not in ("enabled", "severity", "warning_severity")
    }


def _resolve(value: Any, parameters: dict[str, Any] | None, suite: str) -> Any:
    if isinstance(value, dict) and set(value) == {"$PARAMETER"}:
        name = value["$PARAMETER"]
        if parameters is None or name not in parameters:
            raise ValueError(
                f"suite {suite} needs parameter {name!r}: set data_quality.{name} in "
                "governance/thresholds.yml"
            )
        return parameters[name]
    return value


def import_gx():
    """Great Expectations, imported once per process: about 7 s of one core."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    # GX imports PySpark when it is installed (the Spark target's test dependency), and PySpark warns
    # about pandas 3 on import: a warning about a library a DuckDB run does not use. Set for the
    # process, not in catch_warnings(): that is not thread-safe and the import may run in a thread.
    warnings.filterwarnings("ignore", message="PySpark does not yet", category=FutureWarning)
    import great_expectations

    return great_expectations


def start_importing_gx() -> None:
    """Import GX in a background thread. Called while dbt builds in its own process, so the checks
    that run right after dbt do not wait for the import on the critical path."""
    threading.Thread(target=import_gx, name="import-great-expectations", daemon=True).start()


def validate_dataframe(
    name: str,
    frame: pd.DataFrame,
    definition: dict[str, Any] | None = None,
    related: dict[str, pd.DataFrame] | None = None,
    parameters: dict[str, Any] | None = None,
    unfed_reason: str | None = None,
) -> SuiteOutcome:
    """Validate `frame` against the suite `name` (or the given definition); `related` holds the
    models the suite names with `table`, `parameters` the `$PARAMETER` values (default: governance).
    With `unfed_reason` (no configured source feeds the mart), size expectations are skipped."""
    definition = definition or load_suite_definition(name)
    check_severities(definition, suite_path(name))
    skipped = [
        {"expectation": e["type"], "severity": e["severity"], "reason": unfed_reason}
        for e in definition["expectations"]
        if unfed_reason and e["type"] in SIZE_EXPECTATIONS
    ]
    expectations = [
        e
        for e in definition["expectations"]
        if not (unfed_reason and e["type"] in SIZE_EXPECTATIONS)
    ]
    if parameters is None and any(
        isinstance(v, dict) and "$PARAMETER" in v
        for e in expectations
        for v in e["kwargs"].values()
    ):
        parameters = governance_parameters()
    missing = [t for t in related_tables(definition) if t not in (related or {})]
    if missing:
        raise ValueError(f"suite {name} checks {', '.join(missing)} as well: pass it in `related`")
    frames = {None: frame, **(related or {})}
    outcome = SuiteOutcome(
        suite=name, success=True, evaluated=0, successful=0, rows=len(frame), skipped=skipped
    )
    by_table: dict[str | None, list[dict[str, Any]]] = {}
    for expectation in expectations:
        resolved = {
            **expectation,
            "kwargs": {k: _resolve(v, parameters, name) for k, v in expectation["kwargs"].items()},
        }
        by_table.setdefault(expectation.get("table"), []).append(resolved)
    for table, group in by_table.items():
        native = [
            {k: v for k, v in e.items() if k != "table"}
            for e in group
            if not e["type"].startswith("aiuw_")
        ]
        if native:
            _run_gx(name, table, frames[table], native, definition, outcome)
        for expectation in (e for e in group if e["type"].startswith("aiuw_")):
            _run_rule(table, frames[table], expectation, outcome)
    outcome.success = not outcome.blocking_failures
    return outcome


def _run_rule(
    table: str | None, frame: pd.DataFrame, expectation: dict[str, Any], outcome: SuiteOutcome
) -> None:
    from quality import gx_rules

    result = gx_rules.evaluate(expectation["type"], frame, expectation["kwargs"])
    outcome.evaluated += 1
    outcome.observations.append(
        {
            "expectation": expectation["type"],
            "table": table,
            "success": result.success,
            "observed": result.observed,
        }
    )
    if result.success:
        outcome.successful += 1
        return
    outcome.failures.append(
        FailedExpectation(
            expectation=expectation["type"],
            kwargs=expectation["kwargs"],
            unexpected_count=result.unexpected_count,
            examples=result.examples,
            table=table,
            severity=expectation["severity"],
        )
    )


def _run_gx(
    name: str,
    table: str | None,
    frame: pd.DataFrame,
    expectations: list[dict[str, Any]],
    definition: dict[str, Any],
    outcome: SuiteOutcome,
) -> None:
    # Pass or fail first: GX then computes no unexpected values or examples, about half of its time.
    # When any fails (seldom), the group again with each failure's count and examples.
    result = _validate(
        name, table, frame, expectations, definition, {"result_format": "BOOLEAN_ONLY"}
    )
    if not result.success:
        result = _validate(
            name,
            table,
            frame,
            expectations,
            definition,
            {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES_PER_FAILURE},
        )
    stats = result.statistics
    outcome.evaluated += int(stats["evaluated_expectations"])
    outcome.successful += int(stats["successful_expectations"])
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        details = item.result or {}
        outcome.failures.append(
            FailedExpectation(
                expectation=config.type,
                kwargs={k: v for k, v in config.kwargs.items() if k != "batch_id"},
                unexpected_count=details.get("unexpected_count"),
                examples=[
                    _plain(v)
                    for v in (details.get("partial_unexpected_list") or [])[:EXAMPLES_PER_FAILURE]
                ]
                or ([_plain(details["observed_value"])] if "observed_value" in details else []),
                table=table,
                severity=str(getattr(config.severity, "value", config.severity)),
            )
        )


def _validate(
    name: str,
    table: str | None,
    frame: pd.DataFrame,
    expectations: list[dict[str, Any]],
    definition: dict[str, Any],
    result_format: dict[str, Any],
):
    suite = import_gx().ExpectationSuite(
        name=definition["name"] if table is None else f"{definition['name']}.{table}",
        expectations=expectations,
        meta=definition.get("meta", {}),
    )
    return _frame_batch(table or name, frame).validate(suite, result_format=result_format)


_contexts = threading.local()


def _frame_batch(asset: str, frame: pd.DataFrame):
    """A batch of `frame` in this thread's ephemeral GX context, made once: a context, data source
    and asset per suite cost about 50 ms of GX's bookkeeping each."""
    if not hasattr(_contexts, "source"):
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = import_gx().get_context(mode="ephemeral")
        # GX draws a progress bar per suite on stderr: noise between the run's log lines
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        _contexts.source = context.data_sources.add_pandas("aiuw_frames")
    source = _contexts.source
    try:
        batches = source.get_asset(asset).get_batch_definition("whole_table")
    except LookupError:
        batches = source.add_dataframe_asset(asset).add_batch_definition_whole_dataframe(
            "whole_table"
        )
    return batches.get_batch(batch_parameters={"dataframe": frame})


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
