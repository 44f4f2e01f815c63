"""The closed books: each closed month's chargeback as it was first published, kept for good.

Layout under the books directory (`AIUW_BOOKS_DIR`, default `<data>/books`):
    chargeback/months/<YYYY-MM>.parquet   the rows of rpt_chargeback_monthly for one closed month
    chargeback/_schema/empty.parquet      the mart's columns, so dbt reads the books before any exist

Before each dbt build, every month the current release shows as closed and the books do not hold
yet is booked from that release. dbt then keeps booked months as they are and charges any later
difference in the open month (rpt_chargeback_monthly); the `closed_months_unchanged` check refuses
a release whose closed months differ from the release before it.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.landing import ensure_empty_file

MART = "rpt_chargeback_monthly"
LEDGER = "chargeback"
DECIMAL_TYPE = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")
ARROW_TYPES = {
    "varchar": pa.string(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
    "bigint": pa.int64(),
}


def months_dir(books: Path) -> Path:
    return books / LEDGER / "months"


def book_path(books: Path, month: date) -> Path:
    return months_dir(books) / f"{month:%Y-%m}.parquet"


def booked_months(books: Path) -> list[date]:
    return sorted(
        date.fromisoformat(f"{path.stem}-01") for path in months_dir(books).glob("????-??.parquet")
    )


def mart_schema(manifest_path: Path) -> pa.Schema:
    """The chargeback mart's columns and types, from its enforced contract in dbt's manifest."""
    manifest = json.loads(manifest_path.read_text())
    node = next(
        n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["name"] == MART
    )
    fields = []
    for name, column in node["columns"].items():
        declared = (column.get("data_type") or "").lower().strip()
        decimal = DECIMAL_TYPE.match(declared)
        if decimal:
            fields.append(pa.field(name, pa.decimal128(int(decimal[1]), int(decimal[2]))))
        elif declared in ARROW_TYPES:
            fields.append(pa.field(name, ARROW_TYPES[declared]))
        else:
            raise ValueError(
                f"{MART}.{name}: data_type {declared!r} in its YAML has no Parquet type for the "
                f"books; use one of {sorted(ARROW_TYPES)} or decimal(p, s)"
            )
    return pa.schema(fields)


def ensure_books_schema(books: Path, manifest_path: Path) -> bool:
    """Keep the zero-row file that gives dbt the books' columns; True when it was (re)written."""
    return ensure_empty_file(
        books / LEDGER / "_schema" / "empty.parquet", mart_schema(manifest_path)
    )


def closed_months(database: Path) -> list[date]:
    """Months the published release at `database` shows as closed."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            f"select distinct billing_month from main.{MART} where is_closed_month order by 1"
        ).fetchall()
    return [row[0] for row in rows]


def book_closed_months(books: Path, release_database: Path) -> list[date]:
    """Book every month closed in the release that the books do not hold yet; return those booked.

    A month is written once, to a temporary file renamed into place, and never rewritten.
    """
    if not release_database.exists():
        return []
    already = set(booked_months(books))
    to_book = [m for m in closed_months(release_database) if m not in already]
    if not to_book:
        return []
    months_dir(books).mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(release_database), read_only=True) as con:
        for month in to_book:
            target = book_path(books, month)
            temp = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp")
            con.execute(
                f"copy (select * from main.{MART} where billing_month = ? "
                f"order by chargeback_key) to '{temp}' (format parquet)",
                [month],
            )
            os.replace(temp, target)
    return to_book


def closed_month_changes(warehouse: Path, previous_release: Path) -> dict[date, tuple[int, int]]:
    """Per month closed in the previous release: (its lines missing now, lines new now) in the
    warehouse's chargeback mart; empty when every closed month is unchanged."""
    if not previous_release.exists():
        return {}
    with duckdb.connect() as con:
        con.execute(f"attach '{previous_release}' as previous (read_only)")
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() where database_name = 'previous' "
                "and table_name = ? and column_name in (select column_name from duckdb_columns() "
                "where database_name = 'warehouse' and schema_name = 'marts' and table_name = ?) "
                "order by column_index",
                [MART, MART],
            ).fetchall()
        ]
        listed = ", ".join(f'"{c}"' for c in columns)
        previous = f"previous.main.{MART}"
        current = f"warehouse.marts.{MART}"
        changes = {}
        for (month,) in con.execute(
            f"select distinct billing_month from {previous} where is_closed_month order by 1"
        ).fetchall():
            counts = [
                con.execute(
                    f"select count(*) from (select {listed} from {a} where billing_month = $1 "
                    f"except all select {listed} from {b} where billing_month = $1)",
                    [month],
                ).fetchone()[0]
                for a, b in ((previous, current), (current, previous))
            ]
            if any(counts):
                changes[month] = (counts[0], counts[1])
    return changes
