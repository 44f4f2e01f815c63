"""The declared side: governance/*.yml validated and landed as Parquet tables for dbt."""

import os
import uuid

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq

from governance.load import load_governance
from orchestration.lib.landing import file_sha256
from orchestration.lib.settings import Paths

TABLES = {
    "teams": "Teams with department, cost centre and owner (governance/teams.yml).",
    "applications": "Declared applications, owning team, use category and lifecycle (governance/applications.yml).",
    "application_credentials": "Provider projects and keys each application declares as its own.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", "governance", name],
            description=description,
            group_name="governance",
            kinds={"python", "yaml", "parquet"},
            owners=["team:data-platform"],
        )
        for name, description in TABLES.items()
    ],
)
def governance_tables(context: dg.AssetExecutionContext):
    """Validate governance/ and land one Parquet file per table, replaced atomically."""
    governance = load_governance()
    target = Paths.from_env().landing / "governance"
    target.mkdir(parents=True, exist_ok=True)
    snapshot = governance.snapshot_hash()
    for name, rows in governance.tables().items():
        path = target / f"{name}.parquet"
        temp = target / f".{name}.{uuid.uuid4().hex}.tmp"
        pq.write_table(pa.Table.from_pylist(rows), temp)
        os.replace(temp, path)
        context.log.info(f"governance/{name}: {len(rows)} rows")
        yield dg.MaterializeResult(
            asset_key=["raw", "governance", name],
            metadata={
                "dagster/row_count": len(rows),
                "governance_sha256": snapshot,
                "file_sha256": file_sha256(path),
            },
        )
