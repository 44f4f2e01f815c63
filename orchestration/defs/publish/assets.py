"""Publish validated marts for BI tools and reports: a new release, switched in atomically; where
configured (`warehouse.serve`), the release is then served from PostgreSQL too."""

import os

import dagster as dg

from connectors.config import ServeSettings
from governance.load import load_bi_access
from orchestration.asset_groups import PUBLISHED
from orchestration.lib.dbt import published_docs, published_models, published_person_columns
from orchestration.lib.sources import sources_config
from orchestration.lib.table_metadata import release_totals
from quality.gx import latest_outcome
from warehouse.paths import Paths
from warehouse.pseudonym import person_key
from warehouse.publish import People, current_dir, publish
from warehouse.run_status import error_summary, record, serve_path
from warehouse.serve_postgres import ServeError, serve

PUBLISHED_WAREHOUSE = dg.AssetKey(["published", "warehouse"])


def build_publish_asset(marts: list[str]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_WAREHOUSE,
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


def build_serve_asset(settings: ServeSettings) -> dg.AssetsDefinition:
    @dg.asset(
        key=["published", "postgres"],
        description=(
            "The served release: the current published release loaded into PostgreSQL (schema "
            f"`{settings.schema_name}`, switched atomically), with the BI roles and row-level security "
            "by cost centre (docs/BI.md). It runs only after a publish: a failed gate serves nothing."
        ),
        group_name=PUBLISHED,
        deps=[PUBLISHED_WAREHOUSE],
        kinds={"postgres"},
        owners=["team:data-platform"],
    )
    def served_release(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        paths = Paths.from_env()
        uri = os.environ.get(settings.postgres_dsn_env)
        if not uri:
            message = (
                f"not serving: {settings.postgres_dsn_env} is not set (warehouse.serve in the "
                "sources config names it); the published release is unaffected"
            )
            record(serve_path(paths.data), context.run_id, message)  # the serve_failed alert
            raise dg.Failure(description=message)
        release = current_dir(paths.published).resolve()
        try:
            served = serve(release, uri, load_bi_access(), settings.schema_name)
        except ServeError as error:
            message = (
                f"published release {release.name} was not served from PostgreSQL: {error}. "
                "The published (DuckDB and Parquet) release is in place."
            )
            record(serve_path(paths.data), context.run_id, error_summary(message))
            raise dg.Failure(description=message) from None
        record(serve_path(paths.data), context.run_id, None)
        if served.already_served:
            context.log.info(f"release {served.release_id} is already the served release")
        for login in served.missing_logins:
            context.log.warning(f"bi_access.yml names login {login}, which the database lacks")
        for release_id in served.still_read:
            context.log.warning(f"release {release_id} is still being read; dropped later")
        context.log.info(
            f"serving release {served.release_id} in schema {served.schema} "
            f"(previous {served.previous})"
        )
        return dg.MaterializeResult(
            metadata={
                "release_id": served.release_id,
                "schema": served.schema,
                "previous_release_id": served.previous or "",
                "dagster/row_count": sum(served.rows.values()),
                "tables": dg.MetadataValue.json(served.rows),
                "dropped": dg.MetadataValue.json(served.dropped),
                "still_read": dg.MetadataValue.json(served.still_read),
                "missing_logins": dg.MetadataValue.json(served.missing_logins),
            }
        )

    return served_release


@dg.definitions
def publish_defs() -> dg.Definitions:
    assets = [build_publish_asset(published_models())]
    settings = sources_config().warehouse.serve
    if settings:  # the served release is optional: no asset without its settings
        assets.append(build_serve_asset(settings))
    return dg.Definitions(assets=assets)
