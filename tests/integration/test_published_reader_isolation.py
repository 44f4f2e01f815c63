"""A BI-style reader in another process never sees a half-written release while publishes replace it.

The reader opens `current/warehouse.duckdb` read-only in a loop, as a BI tool's DuckDB driver does, and
separately resolves `current` once and reads the release's Parquet files (the documented way to read
several Parquet files of one release). Every read must be one whole release: the same table set and
the totals of exactly one published version.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb

from warehouse.publish import publish

MARTS = ["fct_spend", "fct_tokens", "dim_version"]
ROWS = 200_000
PUBLISHES = 6

READER = r"""
import json, os, sys, time
from pathlib import Path
import duckdb

published, stop = Path(sys.argv[1]), Path(sys.argv[2])
tables_sql = "select table_name from information_schema.tables where table_schema = 'main' order by 1"

while not stop.exists():
    started = time.time()
    record = {"started": started}
    try:
        with duckdb.connect(str(published / "current" / "warehouse.duckdb"), read_only=True) as con:
            record["tables"] = [r[0] for r in con.execute(tables_sql).fetchall()]
            record["version"] = con.execute("select max(version) from dim_version").fetchone()[0]
            record["spend"] = [str(v) for v in con.execute("select count(*), sum(amount) from fct_spend").fetchone()]
            record["tokens"] = list(con.execute("select count(*), sum(tokens) from fct_tokens").fetchone())
        release = Path(os.path.realpath(published / "current"))
        with duckdb.connect() as con:
            parquet = lambda name: f"read_parquet('{release / 'parquet' / (name + '.parquet')}')"
            record["parquet_version"] = con.execute(f"select max(version) from {parquet('dim_version')}").fetchone()[0]
            record["parquet_spend"] = [str(v) for v in con.execute(f"select count(*), sum(amount) from {parquet('fct_spend')}").fetchone()]
            record["parquet_tokens"] = list(con.execute(f"select count(*), sum(tokens) from {parquet('fct_tokens')}").fetchone())
        manifest = json.loads((release / "manifest.json").read_text())
        record["manifest_rows"] = {name: table["rows"] for name, table in manifest["tables"].items()}
    except Exception as error:
        record["error"] = f"{type(error).__name__}: {error}"
    record["ended"] = time.time()
    print(json.dumps(record), flush=True)
"""


def expected(version: int) -> dict:
    """Totals of the release published with `version` (computed here, independently of DuckDB)."""
    spend_rows = ROWS + version
    return {
        "tables": sorted(MARTS),
        "version": version,
        # amount = version + i / 100 for i in 0..spend_rows-1, DECIMAL(38,10)
        "spend": [
            str(spend_rows),
            f"{version * spend_rows + Decimal(sum(range(spend_rows))) / 100:.10f}",
        ],
        "tokens": [ROWS, version * 1000 * ROWS],
    }


def write_warehouse(path: Path, version: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.fct_spend as select i as line, "
            f"cast({version} + i / 100 as decimal(38,10)) as amount from range({ROWS + version}) t(i)"
        )
        con.execute(
            "create or replace table marts.fct_tokens as select i as line, "
            f"cast({version * 1000} as bigint) as tokens from range({ROWS}) t(i)"
        )
        con.execute(f"create or replace table marts.dim_version as select {version} as version")


def test_reader_sees_only_whole_releases_while_publishing(tmp_path):
    warehouse, published, stop = tmp_path / "w.duckdb", tmp_path / "published", tmp_path / "stop"
    write_warehouse(warehouse, 1)
    publish(warehouse, published, MARTS, "run-00001")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    publishing: list[tuple[float, float]] = []
    try:
        time.sleep(0.5)
        for version in range(2, PUBLISHES + 2):
            write_warehouse(warehouse, version)
            started = time.time()
            publish(warehouse, published, MARTS, f"run-{version:05d}")
            publishing.append((started, time.time()))
            time.sleep(0.1)
        time.sleep(0.3)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    reads = [json.loads(line) for line in out.splitlines()]
    assert reader.returncode == 0, err[-2000:]
    errors = [r["error"] for r in reads if "error" in r]
    assert not errors, errors[:5]
    versions = set()
    for read in reads:
        whole = expected(read["version"])
        assert {k: read[k] for k in whole} == whole, read
        # The Parquet files and manifest of the release `current` pointed to when resolved once.
        release = expected(read["parquet_version"])
        assert [read["parquet_spend"], read["parquet_tokens"]] == [
            release["spend"],
            release["tokens"],
        ]
        assert read["manifest_rows"] == {
            "fct_spend": int(release["spend"][0]),
            "fct_tokens": release["tokens"][0],
            "dim_version": 1,
        }
        versions.add(read["version"])
    # The reader really overlapped the publishes and saw old and new releases.
    overlapping = [
        r
        for r in reads
        if any(r["started"] < end and r["ended"] > start for start, end in publishing)
    ]
    print(
        f"{len(reads)} reads, {len(overlapping)} during a publish, versions seen {sorted(versions)}"
    )
    assert len(overlapping) >= PUBLISHES
    assert len(versions) >= 3
    # Old releases were pruned to the retention while the reader was running.
    assert len(list((published / "releases").iterdir())) == 5
