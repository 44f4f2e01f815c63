"""Write the price catalog's tables as Parquet, each replaced atomically."""

from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from prices.catalog import Catalog, bundled_catalog

MODEL_CATALOG_SEED = (
    Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "model_catalog.csv"
)


def canonical_model_ids(seed: Path = MODEL_CATALOG_SEED) -> list[str]:
    """The warehouse's canonical model ids, resolved against the catalog with its own matching."""
    with seed.open(newline="") as handle:
        return [row["model_id"] for row in csv.DictReader(handle)]


def land_catalog(directory: Path, catalog: Catalog | None = None) -> dict[str, Path]:
    catalog = catalog or bundled_catalog(tuple(canonical_model_ids()))
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, table in (("catalog", catalog.prices), ("model_aliases", catalog.aliases)):
        written[name] = _replace(directory, name, table)
    return written


def _replace(directory: Path, name: str, table: pa.Table) -> Path:
    path = directory / f"{name}.parquet"
    temp = directory / f".{name}.{uuid.uuid4().hex}.tmp"
    try:
        pq.write_table(table, temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path
