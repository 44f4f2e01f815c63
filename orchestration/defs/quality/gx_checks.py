"""One blocking Great Expectations check per published mart: a failure stops publishing."""

import dagster as dg
import duckdb

from orchestration.lib.dbt import model_schema, published_models
from orchestration.lib.gx import (
    load_suite_definition,
    related_tables,
    store_outcome,
    validate_dataframe,
)
from orchestration.lib.settings import Paths


def read_mart(paths: Paths, name: str, schema: str = "marts"):
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return con.sql(f'select * from {schema}."{name}"').df()


def build_gx_check(name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["marts", name]),
        name=f"gx_{name}",
        description=f"Great Expectations suite expectations/suites/{name}.json; blocks publishing when it fails.",
        blocking=True,
        pool="duckdb",
    )
    def gx_check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        paths = Paths.from_env()
        definition = load_suite_definition(name)
        related = {t: read_mart(paths, t, model_schema(t)) for t in related_tables(definition)}
        outcome = validate_dataframe(name, read_mart(paths, name), definition, related)
        stored = store_outcome(outcome, paths.quality, context.run.run_id)
        for failure in outcome.failures:
            context.log.error(f"{name}: expectation failed: {failure.describe()}")
        context.log.info(
            f"{name}: {outcome.successful}/{outcome.evaluated} expectations passed on {outcome.rows} rows; result {stored}"
        )
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows": outcome.rows,
                "evaluated_expectations": outcome.evaluated,
                "successful_expectations": outcome.successful,
                "failed_expectations": dg.MetadataValue.json(
                    [f.__dict__ for f in outcome.failures]
                ),
                "result_file": str(stored),
            },
        )

    return gx_check


@dg.definitions
def gx_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_gx_check(name) for name in published_models()])
