"""Publishing: validated marts copied into a new release, then switched in with one atomic rename.

Layout under the published directory:
    releases/<release id>/warehouse.duckdb      every published mart as a table
    releases/<release id>/parquet/<mart>.parquet
    releases/<release id>/manifest.json         row counts, content and file hashes
    current -> releases/<release id>            a symlink, replaced atomically

Readers open `current/...`; a reader that opened the previous release keeps a whole, unchanged file.

Each table and column carries its dbt description as a comment (`COMMENT ON`), which BI tools
show beside the data; each Parquet file carries them in its key-value metadata (`description`, and
`column_descriptions` as JSON).

The same content publishes the same Parquet bytes: rows in a fixed order (every column, ascending),
fixed writer settings, and nothing time-dependent in the data files (the release id and publish time
live only in manifest.json). The DuckDB file cannot be byte-identical: DuckDB writes 16 random bytes
into the header of every new database file. `content_sha256` (sha256 of the tables' rows in order,
as DuckDB renders them as text) compares releases whatever the file encoding.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.landing import file_sha256

KEEP_RELEASES = 5
PARQUET_OPTIONS = "format parquet, compression zstd, row_group_size 122880"
HASH_BATCH_ROWS = 122_880


@dataclass(frozen=True)
class Release:
    release_id: str
    directory: Path
    tables: dict[str, dict]

    @property
    def database(self) -> Path:
        return self.directory / "warehouse.duckdb"


def current_dir(published: Path) -> Path:
    return published / "current"


def publish(
    warehouse: Path,
    published: Path,
    marts: list[str],
    run_id: str,
    docs: Mapping[str, Mapping[str, Any]] | None = None,
) -> Release:
    """Copy `marts` from the warehouse schema `marts` into a new release and make it current, with
    `docs` (`orchestration.lib.dbt.published_docs`) as the tables' and columns' comments."""
    release_id = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}_{run_id[:8]}"
    directory = published / "releases" / release_id
    (directory / "parquet").mkdir(parents=True)
    tables: dict[str, dict] = {}
    # scans return rows in insertion order, which content_sha256 relies on
    config = {"preserve_insertion_order": True}
    with duckdb.connect(str(directory / "warehouse.duckdb"), config=config) as con:
        con.execute(f"attach '{warehouse}' as source (read_only)")
        for name in sorted(marts):
            con.execute(
                f'create table main."{name}" as select * from source.marts."{name}" order by all'
            )
            described = comment(con, name, (docs or {}).get(name))
            parquet = directory / "parquet" / f"{name}.parquet"
            con.execute(
                f"copy main.\"{name}\" to '{parquet}' ({PARQUET_OPTIONS}{kv_metadata(described)})"
            )
            rows = con.execute(f'select count(*) from main."{name}"').fetchall()[0][0]
            tables[name] = {
                "rows": rows,
                "content_sha256": content_sha256(con, name),
                "parquet": f"parquet/{name}.parquet",
                "parquet_sha256": file_sha256(parquet),
            }
        con.execute("detach source")
        con.execute("checkpoint")
    manifest = {
        "release_id": release_id,
        "run_id": run_id,
        "published_at": datetime.now(UTC).isoformat(),
        "database_sha256": file_sha256(directory / "warehouse.duckdb"),
        "tables": tables,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    switch_current(published, directory)
    prune(published, keep=KEEP_RELEASES)
    return Release(release_id, directory, tables)


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def comment(
    con: duckdb.DuckDBPyConnection, table: str, docs: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The table's and its columns' descriptions as comments; returns those written."""
    if not docs:
        return {}
    columns = {d[0] for d in con.execute(f'select * from main."{table}" limit 0').description}
    written = {"description": docs.get("description") or "", "columns": {}}
    if written["description"]:
        con.execute(f'comment on table main."{table}" is {sql_text(written["description"])}')
    for column, text in sorted(docs.get("columns", {}).items()):
        if column in columns and text:
            con.execute(f'comment on column main."{table}"."{column}" is {sql_text(text)}')
            written["columns"][column] = text
    return written


def kv_metadata(described: Mapping[str, Any]) -> str:
    """The COPY option that writes the descriptions into the Parquet file's key-value metadata."""
    if not described:
        return ""
    columns = json.dumps(described["columns"], sort_keys=True)
    return (
        f", kv_metadata {{description: {sql_text(described['description'])}, "
        f"column_descriptions: {sql_text(columns)}}}"
    )


def content_sha256(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """sha256 over the sha256 of each row's text (`{'column': value, ...}`), in table order."""
    digest = hashlib.sha256()
    # the alias names the whole row as a struct; a column of the same name would shadow it
    query = f'select sha256(cast(published_row as varchar)) from main."{table}" as published_row'
    rows = con.sql(query)
    for batch in rows.to_arrow_reader(HASH_BATCH_ROWS):
        digest.update("".join(batch.column(0).to_pylist()).encode())
    return digest.hexdigest()


def switch_current(published: Path, release_dir: Path) -> None:
    link = current_dir(published)
    temp = published / f".current.{os.getpid()}.tmp"
    temp.unlink(missing_ok=True)
    temp.symlink_to(release_dir.relative_to(published), target_is_directory=True)
    os.replace(temp, link)


def prune(published: Path, keep: int) -> None:
    current = current_dir(published).resolve()
    releases = sorted((published / "releases").iterdir())
    for old in releases[:-keep]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
