"""One Great Expectations check per published mart: a failed critical expectation stops publishing,
a failed warning is shown (WARN) and alerted while the mart publishes."""

import dagster as dg
import duckdb

from connectors.config import SOURCE_TYPES
from orchestration.lib.dbt import model_schema, published_models, upstream_source_names
from orchestration.lib.gx import (
    load_suite_definition,
    related_tables,
    store_outcome,
    validate_dataframe,
)
from orchestration.lib.settings import Paths
from orchestration.lib.sources import sources_config


def read_mart(paths: Paths, name: str, schema: str = "marts"):
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.sql(f'select * from {schema}."{name}"').df()


def unfed_reason(name: str) -> str | None:
    """Why the mart's size is not checked: no configured source feeds it (None when one does, or
    when it is built from governance alone)."""
    feeding = upstream_source_names(name) & set(SOURCE_TYPES)
    configured = {s.type for s in sources_config().sources if s.enabled}
    if not feeding or feeding & configured:
        return None
    return f"no configured source feeds {name} (it is built from {', '.join(sorted(feeding))})"


def build_gx_check(name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["marts", name]),
        name=f"gx_{name}",
        description=(
            f"Great Expectations suite expectations/suites/{name}.json: a failed critical "
            "expectation blocks publishing, a failed warning is alerted and publishes."
        ),
        blocking=True,
        pool="duckdb",
    )
    def gx_check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        paths = Paths.from_env()
        definition = load_suite_definition(name)
        related = {t: read_mart(paths, t, model_schema(t)) for t in related_tables(definition)}
        outcome = validate_dataframe(
            name, read_mart(paths, name), definition, related, unfed_reason=unfed_reason(name)
        )
        stored = store_outcome(outcome, paths.quality, context.run.run_id)
        for failure in outcome.blocking_failures:
            context.log.error(f"{name}: expectation failed: {failure.describe()}")
        for failure in outcome.warnings:
            context.log.warning(f"{name}: warning (publishes): {failure.describe()}")
        for skipped in outcome.skipped:
            context.log.info(f"{name}: {skipped['expectation']} not evaluated: {skipped['reason']}")
        context.log.info(
            f"{name}: {outcome.successful}/{outcome.evaluated} expectations passed on {outcome.rows} rows; result {stored}"
        )
        return dg.AssetCheckResult(
            passed=not outcome.failures,
            # WARN does not block publishing even on a blocking check
            severity=(
                dg.AssetCheckSeverity.ERROR
                if outcome.blocking_failures
                else dg.AssetCheckSeverity.WARN
            ),
            metadata={
                "rows": outcome.rows,
                "evaluated_expectations": outcome.evaluated,
                "successful_expectations": outcome.successful,
                "failed_expectations": dg.MetadataValue.json(
                    [f.__dict__ for f in outcome.blocking_failures]
                ),
                "warnings": dg.MetadataValue.json([f.__dict__ for f in outcome.warnings]),
                "skipped_expectations": dg.MetadataValue.json(outcome.skipped),
                "result_file": str(stored),
            },
        )

    return gx_check


@dg.definitions
def gx_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_gx_check(name) for name in published_models()])
