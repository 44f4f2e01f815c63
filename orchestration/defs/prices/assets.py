"""The list-price catalog: genai-prices' bundled data, effective-dated, landed as Parquet."""

import dagster as dg
import pyarrow.parquet as pq

from orchestration.asset_groups import REFERENCE_DATA
from prices.catalog import bundled_catalog
from prices.landing import canonical_model_ids, land_catalog
from warehouse.landing import file_sha256
from warehouse.paths import Paths

TABLES = {
    "catalog": "Per-million-token list prices by provider, model, tier, component and context band, "
    "valid on [effective_from, effective_to), from the installed genai-prices package (offline).",
    "model_aliases": "Model references (provider's ids and the warehouse's canonical ids) that name "
    "each catalog model.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", "prices", name],
            description=description,
            group_name=REFERENCE_DATA,
            kinds={"python", "parquet"},
            owners=["team:data-platform"],
        )
        for name, description in TABLES.items()
    ],
)
def price_catalog(context: dg.AssetExecutionContext):
    """Flatten the bundled price data; nothing is downloaded (the package's auto-update is unused)."""
    catalog = bundled_catalog(tuple(canonical_model_ids()))
    written = land_catalog(Paths.from_env().landing / "prices", catalog)
    for name, path in written.items():
        rows = pq.read_metadata(path).num_rows
        context.log.info(f"prices/{name}: {rows} rows ({catalog.version})")
        yield dg.MaterializeResult(
            asset_key=["raw", "prices", name],
            metadata={
                "dagster/row_count": rows,
                "catalog_version": catalog.version,
                "file_sha256": file_sha256(path),
            },
        )
