"""A release carries the dbt descriptions where BI tools look for them: as table and column comments
in the DuckDB file, and in each Parquet file's key-value metadata."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq

from orchestration.lib.dbt import published_docs, published_models
from tests.orchestration.test_table_metadata import warehouse_with_cost_table
from warehouse.landing import file_sha256
from warehouse.publish import publish

DOCS = {
    "fct_cost": {
        "description": "Cost per key; the provider's bill, not an estimate.",
        "columns": {
            "cost_key": "The line's key.",
            "billed_cost": "What the provider's invoice says, in billing_currency.",
            "retired_column": "A documented column the table no longer has.",
        },
    }
}


def comments(database) -> tuple[dict, dict]:
    with duckdb.connect(str(database), read_only=True) as con:
        tables = dict(
            con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'main'"
            ).fetchall()
        )
        columns = {
            (t, c): comment
            for t, c, comment in con.execute(
                "select table_name, column_name, comment from duckdb_columns() "
                "where schema_name = 'main'"
            ).fetchall()
        }
    return tables, columns


def test_descriptions_are_comments_and_parquet_metadata(tmp_path):
    warehouse = warehouse_with_cost_table(tmp_path / "warehouse.duckdb")
    release = publish(warehouse, tmp_path / "published", ["fct_cost", "dim_plain"], "run-1", DOCS)

    tables, columns = comments(release.database)
    # a quote inside a description is kept as written
    assert tables == {"fct_cost": DOCS["fct_cost"]["description"], "dim_plain": None}
    assert columns[("fct_cost", "cost_key")] == "The line's key."
    assert columns[("fct_cost", "billed_cost")] == DOCS["fct_cost"]["columns"]["billed_cost"]
    assert columns[("fct_cost", "billing_currency")] is None  # undocumented
    assert ("fct_cost", "retired_column") not in columns

    metadata = pq.read_metadata(release.directory / "parquet" / "fct_cost.parquet").metadata
    assert metadata[b"description"].decode() == DOCS["fct_cost"]["description"]
    assert json.loads(metadata[b"column_descriptions"]) == {
        "billed_cost": DOCS["fct_cost"]["columns"]["billed_cost"],
        "cost_key": "The line's key.",
    }
    assert b"description" not in (
        pq.read_metadata(release.directory / "parquet" / "dim_plain.parquet").metadata or {}
    )

    # the same content and docs publish the same Parquet bytes
    again = publish(warehouse, tmp_path / "published", ["fct_cost", "dim_plain"], "run-2", DOCS)
    for name in ("fct_cost", "dim_plain"):
        assert file_sha256(again.directory / "parquet" / f"{name}.parquet") == file_sha256(
            release.directory / "parquet" / f"{name}.parquet"
        )


def test_every_published_mart_is_documented_for_the_release():
    docs = published_docs()
    assert sorted(docs) == published_models()
    assert all(d["description"].strip() for d in docs.values())
    assert all(d["columns"] for d in docs.values())
