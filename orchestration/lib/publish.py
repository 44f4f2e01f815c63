"""Publishing: validated marts copied into a new release, then switched in with one atomic rename.

Layout under the published directory:
    releases/<release id>/warehouse.duckdb      every published mart as a table
    releases/<release id>/parquet/<mart>.parquet
    releases/<release id>/manifest.json         row counts, totals and file hashes
    current -> releases/<release id>            a symlink, replaced atomically

Readers open `current/...`; a reader that opened the previous release keeps a whole, unchanged file.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.lib.landing import file_sha256

KEEP_RELEASES = 5


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


def publish(warehouse: Path, published: Path, marts: list[str], run_id: str) -> Release:
    """Copy `marts` from the warehouse schema `marts` into a new release and make it current."""
    release_id = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}_{run_id[:8]}"
    directory = published / "releases" / release_id
    (directory / "parquet").mkdir(parents=True)
    tables: dict[str, dict] = {}
    with duckdb.connect(str(directory / "warehouse.duckdb")) as con:
        con.execute(f"attach '{warehouse}' as source (read_only)")
        for name in marts:
            con.execute(f'create table main."{name}" as select * from source.marts."{name}"')
            parquet = directory / "parquet" / f"{name}.parquet"
            con.execute(f"copy main.\"{name}\" to '{parquet}' (format parquet)")
            rows = con.execute(f'select count(*) from main."{name}"').fetchone()[0]
            tables[name] = {
                "rows": rows,
                "parquet": f"parquet/{name}.parquet",
                "parquet_sha256": file_sha256(parquet),
            }
        con.execute("detach source")
    manifest = {
        "release_id": release_id,
        "run_id": run_id,
        "published_at": datetime.now(UTC).isoformat(),
        "tables": tables,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    switch_current(published, directory)
    prune(published, keep=KEEP_RELEASES)
    return Release(release_id, directory, tables)


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
