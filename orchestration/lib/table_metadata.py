"""Materialization metadata for the dbt tables: row count, money totals per currency and a preview.

Read from the warehouse once dbt has finished: DuckDB lets one process write a file, so the counts
cannot be taken while the dbt process still holds it. Views are skipped (counting them would re-read
the landing files).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

PREVIEW_ROWS = 5
PREVIEW_CELL_CHARS = 40
CURRENCY_COLUMNS = (
    "billing_currency",
    "BillingCurrency",
    "reporting_currency",
    "currency",
    "currency_code",
)
DESCRIBED_MATERIALIZATIONS = ("table", "incremental", "seed")


def with_table_metadata(
    events: Iterable[Any], manifest: Mapping[str, Any], warehouse: Path, log: Any
) -> Iterator[Any]:
    """The dbt events, each table's materialization carrying its row count, totals and preview."""
    events = list(events)
    tables = {
        unique_id: (node["schema"], node.get("alias") or node["name"])
        for unique_id in filter(None, map(unique_id_of, events))
        if (node := manifest["nodes"].get(unique_id))
        and node["config"].get("materialized") in DESCRIBED_MATERIALIZATIONS
    }
    described = describe_tables(warehouse, tables, log) if tables else {}
    for event in events:
        extra = described.get(unique_id_of(event) or "")
        yield event.with_metadata({**event.metadata, **extra}) if extra else event


def unique_id_of(event: Any) -> str | None:
    if not isinstance(event, dg.Output | dg.AssetMaterialization):
        return None
    value = event.metadata.get("unique_id")
    return getattr(value, "text", value)


def describe_tables(
    warehouse: Path, tables: Mapping[str, tuple[str, str]], log: Any
) -> dict[str, dict]:
    if not warehouse.exists():
        log.warning(f"table metadata skipped: no warehouse at {warehouse}")
        return {}
    described: dict[str, dict] = {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            for unique_id, (schema, name) in tables.items():
                try:
                    described[unique_id] = describe_table(con, schema, name)
                except duckdb.Error as error:
                    log.warning(f"table metadata skipped for {schema}.{name}: {error}")
    except duckdb.Error as error:
        log.warning(f"table metadata skipped: cannot open {warehouse} read-only: {error}")
    return described


def columns_of(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()


def money_columns(columns: list[tuple[str, str]]) -> list[str]:
    return [column for column, data_type in columns if data_type.upper().startswith("DECIMAL")]


def release_totals(database: Path, tables: list[str], schema: str = "main") -> dict[str, dict]:
    """Money totals (per currency) of each table of a published release that has DECIMAL columns."""
    totals: dict[str, dict] = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for name in tables:
            columns = columns_of(con, schema, name)
            if money := money_columns(columns):
                totals[name] = money_totals(con, f'"{schema}"."{name}"', columns, money)
    return totals


def describe_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> dict:
    relation = f'"{schema}"."{name}"'
    columns = columns_of(con, schema, name)
    metadata: dict[str, Any] = {
        "dagster/row_count": con.execute(f"select count(*) from {relation}").fetchone()[0]
    }
    money = money_columns(columns)
    if money:
        metadata["totals"] = dg.MetadataValue.json(money_totals(con, relation, columns, money))
    names = [column for column, _ in columns]
    rows = con.execute(f"select * from {relation} limit {PREVIEW_ROWS}").fetchall()
    metadata["preview"] = dg.MetadataValue.md(markdown_table(names, rows))
    return metadata


def money_totals(con, relation: str, columns, money: list[str]) -> dict:
    """Exact sums of the DECIMAL columns (as strings), per currency when the table has one."""
    names = {column for column, _ in columns}
    currency = next((c for c in CURRENCY_COLUMNS if c in names), None)
    sums = ", ".join(f'sum("{column}")' for column in money)
    if currency is None:
        row = con.execute(f"select {sums} from {relation}").fetchone()
        return {column: none_or_str(value) for column, value in zip(money, row, strict=True)}
    rows = con.execute(
        f'select "{currency}", {sums} from {relation} group by all order by 1 nulls last'
    ).fetchall()
    return {
        f"{currency}={row[0]}": {
            column: none_or_str(value) for column, value in zip(money, row[1:], strict=True)
        }
        for row in rows
    }


def none_or_str(value: Any) -> str | None:
    return None if value is None else str(value)


def markdown_table(names: list[str], rows: list[tuple]) -> str:
    def cell(value: Any) -> str:
        text = "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")
        return text if len(text) <= PREVIEW_CELL_CHARS else text[: PREVIEW_CELL_CHARS - 1] + "…"

    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
