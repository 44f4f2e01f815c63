"""The same content publishes the same Parquet bytes and content hashes, whatever order the warehouse
holds its rows in; one changed value changes exactly its table's hashes."""

from __future__ import annotations

import json

import duckdb

from tests.orchestration.test_table_metadata import warehouse_with_cost_table
from warehouse.landing import file_sha256
from warehouse.publish import content_sha256, publish

MARTS = ["fct_usage", "fct_cost", "dim_plain"]


def warehouse(path, seed: int):
    """The cost fixture plus 60,000 usage rows (duplicates and nulls) stored in an order set by seed,
    as two dbt rebuilds of the same data store them."""
    warehouse_with_cost_table(path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table marts.fct_usage as select date '2026-09-01' + (i % 30)::int as day, "
            "'team-' || (i % 17) as team, if(i % 11 = 0, null, 'model-' || (i % 5)) as model, "
            "(i % 997)::bigint as tokens, cast((i % 89) / 7 as decimal(38,10)) as cost_usd "
            f"from range(60000) t(i) order by hash(i + {seed})"
        )
    return path


def manifest(release) -> dict:
    return json.loads((release.directory / "manifest.json").read_text())


def test_same_content_publishes_the_same_bytes_and_hashes(tmp_path):
    first_warehouse = warehouse(tmp_path / "first.duckdb", seed=1)
    rebuilt = warehouse(tmp_path / "rebuilt.duckdb", seed=2)
    with duckdb.connect(str(first_warehouse)) as a, duckdb.connect(str(rebuilt)) as b:
        stored = "select * from marts.fct_usage limit 5"
        assert a.execute(stored).fetchall() != b.execute(stored).fetchall()  # stored differently

    published = tmp_path / "published"
    releases = [
        publish(first_warehouse, published, MARTS, "run-1"),
        publish(first_warehouse, published, list(reversed(MARTS)), "run-2"),
        publish(rebuilt, published, MARTS, "run-3"),
    ]
    manifests = [manifest(r) for r in releases]
    assert len({m["release_id"] for m in manifests}) == 3
    for release, entry in zip(releases, manifests, strict=True):
        assert set(entry["tables"]) == set(MARTS)
        for table in entry["tables"].values():
            assert file_sha256(release.directory / table["parquet"]) == table["parquet_sha256"]
        assert file_sha256(release.database) == entry["database_sha256"]

    first = manifests[0]["tables"]
    assert first["fct_usage"]["rows"] == 60000
    for other in manifests[1:]:
        assert other["tables"] == first  # rows, content and Parquet hashes alike
    assert len({first[name]["content_sha256"] for name in MARTS}) == 3


def test_the_content_hash_does_not_depend_on_the_file_it_is_read_from(tmp_path):
    release = publish(warehouse(tmp_path / "w.duckdb", seed=3), tmp_path / "published", MARTS, "r")
    with duckdb.connect() as con:
        for name, table in manifest(release)["tables"].items():
            parquet = release.directory / table["parquet"]
            con.execute(f"create view main.{name} as select * from read_parquet('{parquet}')")
            assert content_sha256(con, name) == table["content_sha256"]


def test_one_changed_value_changes_exactly_that_tables_hashes(tmp_path):
    published = tmp_path / "published"
    before = manifest(publish(warehouse(tmp_path / "a.duckdb", seed=4), published, MARTS, "a"))
    changed = warehouse(tmp_path / "b.duckdb", seed=4)
    with duckdb.connect(str(changed)) as con:
        con.execute("update marts.fct_usage set tokens = tokens + 1 where rowid = 12345")
    after = manifest(publish(changed, published, MARTS, "b"))

    def differing(field: str) -> list[str]:
        return [n for n in MARTS if before["tables"][n][field] != after["tables"][n][field]]

    assert differing("content_sha256") == ["fct_usage"]
    assert differing("parquet_sha256") == ["fct_usage"]
    assert after["tables"]["fct_usage"]["rows"] == before["tables"]["fct_usage"]["rows"]
