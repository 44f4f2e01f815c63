"""Publish validated marts for BI tools and reports: a new release, switched in atomically."""

import dagster as dg

from orchestration.asset_groups import PUBLISHED
from orchestration.lib.dbt import published_docs, published_models, published_person_columns
from orchestration.lib.sources import sources_config
from orchestration.lib.table_metadata import release_totals
from quality.gx import latest_outcome
from warehouse.paths import Paths
from warehouse.pseudonym import person_key
from warehouse.publish import People, current_dir, publish


def build_publish_asset(marts: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        key=["published", "warehouse"],
        description=(
            "The published warehouse: every mart whose Great Expectations suite passed, as one DuckDB file "
            "and one Parquet file per mart, switched in atomically. BI tools and reports read only this. "
            "People in it are keyed hashes; the restricted people_directory beside it maps them back."
        ),
        group_name=PUBLISHED,
        deps=[dg.AssetKey(["marts", name]) for name in marts],
        kinds={"duckdb", "parquet"},
        owners=["team:data-platform"],
        pool="duckdb",
    )
    def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        paths = Paths.from_env()
        # The blocking checks stop this asset in the same run; this also refuses a stand-alone
        # publish while a mart's latest validation is failing.
        failing = [m for m in marts if not (latest_outcome(paths.quality, m) or {}).get("success")]
        if failing:
            raise dg.Failure(
                description=f"not publishing: latest validation failed or missing for {', '.join(failing)}; "
                f"the current release stays in place"
            )
        settings = sources_config().warehouse
        people = People(
            key=person_key(paths.data, settings.person_key_env),
            columns=published_person_columns(),
            retention_days=settings.log_retention_days,
        )
        release = publish(
            paths.warehouse,
            paths.published,
            marts,
            context.run_id,
            docs=published_docs(),
            people=people,
        )
        context.log.info(
            f"published release {release.release_id} at {current_dir(paths.published)}"
        )
        return dg.MaterializeResult(
            metadata={
                "release_id": release.release_id,
                "path": dg.MetadataValue.path(str(current_dir(paths.published))),
                "dagster/row_count": sum(t["rows"] for t in release.tables.values()),
                "tables": dg.MetadataValue.json(release.tables),
                "totals": dg.MetadataValue.json(release_totals(release.database, marts)),
            }
        )

    return published_warehouse


@dg.definitions
def publish_defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_publish_asset(published_models())])
