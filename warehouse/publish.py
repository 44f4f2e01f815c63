"""Publishing: validated marts copied into a new release, then switched in with one atomic rename.

Layout under the published directory:
    releases/<release id>/warehouse.duckdb      every published mart as a table
    releases/<release id>/parquet/<mart>.parquet
    releases/<release id>/manifest.json         row counts, content and file hashes
    releases/<release id>/restricted/people_directory.duckdb and .parquet
                                                the restricted mart (below), mode 0600
    current -> releases/<release id>            a symlink, replaced atomically

People are pseudonymous in every published mart: each column its model declares a person column
(`meta.aiuw.person`) holds a keyed hash in place of the email or person id (warehouse.pseudonym).
The mapping back to email and name is one restricted mart, `people_directory`, published apart
from the marts in its own directory and files, readable by the owner only; reports that must name
people (alerts, remediation exports) read it. People who left more than the retention period ago
(`warehouse.log_retention_days`) are not in it.

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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from warehouse import pseudonym
from warehouse.landing import file_sha256

KEEP_RELEASES = 5
PARQUET_OPTIONS = "format parquet, compression zstd, row_group_size 122880"
HASH_BATCH_ROWS = 122_880
RESTRICTED = "restricted"
DIRECTORY = "people_directory"


@dataclass(frozen=True)
class People:
    """How people are published: the key, each mart's person columns (`{mart: {column: mode}}`,
    orchestration.lib.dbt.published_person_columns) and the restricted mart's retention in days."""

    key: bytes = field(repr=False)
    columns: Mapping[str, Mapping[str, str]]
    retention_days: int | None = None


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
    people: People | None = None,
) -> Release:
    """Copy `marts` from the warehouse schema `marts` into a new release and make it current, with
    `docs` (`orchestration.lib.dbt.published_docs`) as the tables' and columns' comments and the
    person columns of `people` keyed, their mapping in the restricted mart."""
    release_id = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}_{run_id[:8]}"
    directory = published / "releases" / release_id
    (directory / "parquet").mkdir(parents=True)
    tables: dict[str, dict] = {}
    # scans return rows in insertion order, which content_sha256 relies on
    config = {"preserve_insertion_order": True}
    seen: dict[str, str] = {}
    restricted = None
    with duckdb.connect(str(directory / "warehouse.duckdb"), config=config) as con:
        con.execute(f"attach '{warehouse}' as source (read_only)")
        keyed = pseudonym.register(con, people.key, seen) if people else None
        for name in sorted(marts):
            columns = (people.columns if people else {}).get(name) or {}
            replaced = ", ".join(keyed(c, mode) for c, mode in sorted(columns.items()))
            select = f"* replace ({replaced})" if replaced else "*"
            con.execute(
                f'create table main."{name}" as select {select} from source.marts."{name}" '
                "order by all"
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
        if people:
            restricted = publish_directory(con, directory / RESTRICTED, seen, people)
        con.execute("detach source")
        con.execute("checkpoint")
    manifest = {
        "release_id": release_id,
        "run_id": run_id,
        "published_at": datetime.now(UTC).isoformat(),
        "database_sha256": file_sha256(directory / "warehouse.duckdb"),
        "tables": tables,
    }
    if restricted:
        manifest[RESTRICTED] = restricted
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    switch_current(published, directory)
    prune(published, keep=KEEP_RELEASES)
    return Release(release_id, directory, tables)


def publish_directory(
    con: duckdb.DuckDBPyConnection, restricted: Path, seen: Mapping[str, str], people: People
) -> dict[str, Any]:
    """The restricted mart: each person key published in this release, the identifier it replaced
    (an email or a person id) and, where dim_person knows the person, their current email, display
    name, team and status; people who left more than `people.retention_days` ago are left out.
    Written to its own DuckDB file and Parquet file, readable by the owner only."""
    restricted.mkdir(mode=0o700)
    os.chmod(restricted, 0o700)
    keys = sorted(seen.items())
    con.register(
        "published_person_keys",
        pa.table(
            {
                "person_key": pa.array([k for k, _ in keys], pa.string()),
                "identifier": pa.array([v for _, v in keys], pa.string()),
            }
        ),
    )
    cutoff = None
    if people.retention_days is not None:
        cutoff = (datetime.now(UTC) - timedelta(days=people.retention_days)).date()
    database = restricted / f"{DIRECTORY}.duckdb"
    parquet = restricted / f"{DIRECTORY}.parquet"
    has_people = con.execute(
        "select count(*) from duckdb_tables() "
        "where database_name = 'source' and schema_name = 'marts' and table_name = 'dim_person'"
    ).fetchone()[0]
    current = (
        "select person_id, lower(email) as email, display_name, team_id, status, "
        "cast(left_at as date) as left_date from source.marts.dim_person where is_current"
        if has_people
        else "select null::varchar as person_id, null::varchar as email, null::varchar as "
        "display_name, null::varchar as team_id, null::varchar as status, null::date as left_date "
        "limit 0"
    )
    con.execute(f"attach '{database}' as restricted")
    con.execute(
        f"""
        create table restricted.main.{DIRECTORY} as
        with people as ({current})
        select
            k.person_key,
            k.identifier,
            coalesce(p.email, case when k.identifier like '%@%' then k.identifier end) as email,
            p.display_name,
            p.team_id,
            p.status,
            p.left_date
        from published_person_keys as k
        left join people as p
            on p.email = k.identifier or lower(p.person_id) = k.identifier
        where {"true" if cutoff is None else "p.left_date is null or p.left_date >= ?"}
        qualify row_number() over (partition by k.person_key order by p.email nulls last) = 1
        order by all
        """,
        [] if cutoff is None else [cutoff],
    )
    con.execute(
        f"comment on table restricted.main.{DIRECTORY} is "
        + sql_text(
            "RESTRICTED: the mapping from each person key of the published marts to the person's "
            "email and name. Read only by reports that must name people."
        )
    )
    con.execute(f"copy restricted.main.{DIRECTORY} to '{parquet}' ({PARQUET_OPTIONS})")
    rows = con.execute(f"select count(*) from restricted.main.{DIRECTORY}").fetchone()[0]
    con.execute("detach restricted")
    con.unregister("published_person_keys")
    for path in (database, parquet):
        os.chmod(path, 0o600)
    return {
        "table": DIRECTORY,
        "rows": rows,
        "database": f"{RESTRICTED}/{DIRECTORY}.duckdb",
        "parquet": f"{RESTRICTED}/{DIRECTORY}.parquet",
        "retained_from": cutoff.isoformat() if cutoff else None,
    }


def restricted_database(release_dir: Path) -> Path:
    """The restricted mart's DuckDB file of a release (`current_dir(published)` for the current)."""
    return release_dir / RESTRICTED / f"{DIRECTORY}.duckdb"


def read_directory(release_dir: Path) -> dict[str, str]:
    """Person key -> email (or the identifier it replaced) from a release's restricted mart; empty
    when the release has none or it cannot be read."""
    database = restricted_database(release_dir)
    if not database.exists():
        return {}
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            rows = con.execute(
                f"select person_key, coalesce(email, identifier) from {DIRECTORY}"
            ).fetchall()
    except duckdb.Error:
        return {}
    return dict(rows)


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
