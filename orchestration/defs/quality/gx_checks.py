"""One Great Expectations check per published mart: a failed critical expectation stops publishing,
a failed warning is shown (WARN) and alerted while the mart publishes.

On the big incremental marts (`meta.aiuw.test_days`) a daily run reads the days it rebuilt plus the
trailing weeks its trend expectations compare against, not the whole history; the weekly
whole-history validation (whole_history.py) reads every row."""

import json
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import duckdb

from connectors.config import SOURCE_TYPES
from orchestration.lib.dbt import (
    model_schema,
    model_test_days,
    published_models,
    upstream_source_names,
)
from orchestration.lib.partitions import RefreshWindow, run_transform_window
from orchestration.lib.sources import sources_config
from quality.gx import (
    SuiteOutcome,
    governance_parameters,
    load_suite_definition,
    related_tables,
    store_outcome,
    suite_columns,
    validate_dataframe,
)
from warehouse.paths import Paths

# The trend expectations compare the latest days with the 28 before them (same weekday): six weeks
# before the rebuilt days give them their whole baseline.
TREND_LOOKBACK_DAYS = 42


def read_mart(con, name: str, schema: str = "marts", since: date | None = None, suite=None):
    """The mart's rows (from `since`). With `suite` (the suite's definition and the table as its
    expectations name it, None for the mart itself), only the columns the suite reads."""
    relation = con.table(f'{schema}."{name}"')
    if since:
        relation = relation.filter(f"usage_date >= cast('{since.isoformat()}' as date)")
    if suite is not None:
        definition, table = suite
        relation = relation.select(
            *(f'"{c}"' for c in suite_columns(definition, table, relation.columns))
        )
    return relation.df()


class SuiteRunner:
    """Runs marts' suites on one read-only connection to the warehouse, with the governance
    parameters read once (each connection and each read cost about 40 and 160 ms a suite)."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        try:
            self.parameters = governance_parameters()
            self.con = duckdb.connect(str(paths.warehouse), read_only=True)
        except Exception as error:
            raise dg.Failure(description=f"the quality suites could not start: {error!r}") from None

    def __enter__(self) -> "SuiteRunner":
        return self

    def __exit__(self, *exc: object) -> None:
        self.con.close()

    def validate_mart(self, name: str, since: date | None = None) -> SuiteOutcome:
        """The mart's suite on its rows from `since` (every row without it), in the warehouse."""
        definition = load_suite_definition(name)
        related = {
            t: read_mart(self.con, t, model_schema(t), suite=(definition, t))
            for t in related_tables(definition)
        }
        return validate_dataframe(
            name,
            read_mart(self.con, name, since=since, suite=(definition, None)),
            definition,
            related,
            self.parameters,
            unfed_reason=unfed_reason(name),
        )


def first_day_checked(
    name: str, windows: tuple[RefreshWindow, RefreshWindow] | None
) -> date | None:
    """The first day a daily run reads of a mart it rebuilds by days (None: the whole mart);
    `windows` is the run's (refresh, transform) window."""
    test_days = model_test_days(name)
    if test_days not in ("window", "landed") or windows is None:
        return None
    refresh, window = windows
    rebuilt = refresh.start if test_days == "landed" else window.start
    return rebuilt - timedelta(days=TREND_LOOKBACK_DAYS)


def unfed_reason(name: str) -> str | None:
    """Why the mart's size is not checked: no configured source feeds it (None when one does, or
    when it is built from governance alone)."""
    feeding = upstream_source_names(name) & set(SOURCE_TYPES)
    configured = {s.type for s in sources_config().sources if s.enabled}
    if not feeding or feeding & configured:
        return None
    return f"no configured source feeds {name} (it is built from {', '.join(sorted(feeding))})"


def check_name(mart: str) -> str:
    return f"gx_{mart}"


def build_gx_checks(marts: list[str]) -> dg.AssetChecksDefinition:
    """One check per mart, run in one step: 23 steps cost about 3 s of Dagster's own bookkeeping
    a run. A check can be run on its own from the UI (the step runs the selected ones)."""
    specs = [
        dg.AssetCheckSpec(
            check_name(name),
            asset=dg.AssetKey(["marts", name]),
            description=(
                f"Great Expectations suite expectations/suites/{name}.json: a failed critical "
                "expectation blocks publishing, a failed warning is alerted and publishes."
            ),
            blocking=True,
        )
        for name in marts
    ]

    @dg.multi_asset_check(specs=specs, name="gx_quality_suites", can_subset=True, pool="duckdb")
    def gx_checks(context: dg.AssetCheckExecutionContext):
        paths = Paths.from_env()
        selected = {key.name for key in context.selected_asset_check_keys}
        windows = None
        if any(model_test_days(name) in ("window", "landed") for name in marts):
            windows = run_transform_window(
                context.instance, context.run.tags, sources_config(), datetime.now(UTC).date()
            )
        errors = []
        with SuiteRunner(paths) as runner:
            for name in marts:
                if check_name(name) not in selected:
                    continue
                try:
                    yield check_mart(context, runner, name, first_day_checked(name, windows))
                except (
                    Exception
                ) as error:  # the other marts are still checked; the step fails below
                    context.log.error(f"{name}: the suite could not run: {error!r}")
                    errors.append(f"{name}: {error!r}")
        if errors:
            raise dg.Failure(description="quality suites that could not run:\n" + "\n".join(errors))

    return gx_checks


def check_mart(
    context: dg.AssetCheckExecutionContext, runner: SuiteRunner, name: str, since: date | None
) -> dg.AssetCheckResult:
    if since:
        context.log.info(
            f"{name}: checking the days from {since} (rebuilt days and their trend baseline)"
        )
    outcome = runner.validate_mart(name, since)
    stored = store_outcome(outcome, runner.paths.quality, context.run.run_id)
    for failure in outcome.blocking_failures:
        context.log.error(f"{name}: expectation failed: {failure.describe()}")
    for failure in outcome.warnings:
        context.log.warning(f"{name}: warning (publishes): {failure.describe()}")
    for skipped in outcome.skipped:
        context.log.info(f"{name}: {skipped['expectation']} not evaluated: {skipped['reason']}")
    # the result file is on the check's metadata (result_file)
    context.log.info(
        f"{name}: {outcome.successful}/{outcome.evaluated} expectations passed on {outcome.rows:,} rows"
    )
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["marts", name]),
        check_name=check_name(name),
        passed=not outcome.failures,
        # WARN does not block publishing even on a blocking check
        severity=(
            dg.AssetCheckSeverity.ERROR if outcome.blocking_failures else dg.AssetCheckSeverity.WARN
        ),
        metadata={
            "rows": outcome.rows,
            "evaluated_expectations": outcome.evaluated,
            "successful_expectations": outcome.successful,
            "failed_expectations": json_metadata([f.__dict__ for f in outcome.blocking_failures]),
            "warnings": json_metadata([f.__dict__ for f in outcome.warnings]),
            "skipped_expectations": json_metadata(outcome.skipped),
            "result_file": str(stored),
        },
    )


def json_metadata(value) -> dg.JsonMetadataValue:
    """`value` as JSON metadata, with dates, timestamps and decimals (a failed expectation's
    examples) as text, as in the stored result file: Dagster refuses them otherwise, and the
    check would fail to report the failure."""
    return dg.MetadataValue.json(json.loads(json.dumps(value, default=str)))


@dg.definitions
def gx_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_gx_checks(published_models())])
