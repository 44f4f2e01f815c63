"""Landing files are written atomically: all days of a window or none."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.lib.ingest import newer_snapshot
from warehouse.landing import LandingWindow
from warehouse.landing_scan import newest_days_with_rows, scan_landing

SCHEMA = pa.schema([("day", pa.string()), ("value", pa.int64())])
DAYS = [date(2026, 9, 1), date(2026, 9, 2), date(2026, 9, 3)]


def window(root) -> LandingWindow:
    return LandingWindow(root, "openai", "things", "src", SCHEMA, DAYS)


def test_commit_writes_one_file_per_day_including_empty_days(tmp_path):
    with window(tmp_path) as landing:
        landing.add(
            [{"day": "2026-09-01", "value": 1}, {"day": "2026-09-03", "value": 3}],
            lambda r: date.fromisoformat(r["day"]),
        )
        landed = landing.commit()
    assert [(d.day, d.rows) for d in landed] == [(DAYS[0], 1), (DAYS[1], 0), (DAYS[2], 1)]
    empty = pq.read_table(tmp_path / "openai/things/src/2026-09-02.parquet")
    assert empty.num_rows == 0 and "_source_id" in empty.schema.names
    first = pq.read_table(tmp_path / "openai/things/src/2026-09-01.parquet").to_pylist()
    assert (
        first[0]["value"] == 1
        and first[0]["_source_id"] == "src"
        and first[0]["_partition_date"] == DAYS[0]
    )


def test_a_day_pulled_again_unchanged_keeps_its_file_and_a_changed_day_is_rewritten(tmp_path):
    records = [{"day": "2026-09-01", "value": 1}, {"day": "2026-09-03", "value": 3}]
    day_of = lambda r: date.fromisoformat(r["day"])  # noqa: E731
    with window(tmp_path) as landing:
        landing.add(records, day_of)
        landing.commit()
    files = {d: tmp_path / f"openai/things/src/{d}.parquet" for d in DAYS}
    before = {d: f.read_bytes() for d, f in files.items()}
    with window(tmp_path) as landing:  # pulled later: another _pulled_at, one value restated
        landing.add([records[0], {"day": "2026-09-03", "value": 4}], day_of)
        landed = landing.commit()
    assert [(d.day, d.changed) for d in landed] == [
        (DAYS[0], False),
        (DAYS[1], False),
        (DAYS[2], True),
    ]
    assert {d: files[d].read_bytes() == before[d] for d in DAYS} == {
        DAYS[0]: True,
        DAYS[1]: True,
        DAYS[2]: False,
    }
    assert pq.read_table(files[DAYS[2]]).column("value").to_pylist() == [4]
    assert not list(files[DAYS[0]].parent.glob(".*.tmp"))


def test_a_failure_midway_leaves_the_previous_files_untouched(tmp_path):
    with window(tmp_path) as landing:
        landing.add([{"day": "2026-09-01", "value": 1}], lambda r: date.fromisoformat(r["day"]))
        landing.commit()
    before = (tmp_path / "openai/things/src/2026-09-01.parquet").read_bytes()

    def broken():
        yield {"day": "2026-09-01", "value": 99}
        raise RuntimeError("page 2 failed")

    with pytest.raises(RuntimeError), window(tmp_path) as landing:
        landing.add(broken(), lambda r: date.fromisoformat(r["day"]))
        landing.commit()
    assert (tmp_path / "openai/things/src/2026-09-01.parquet").read_bytes() == before
    assert not list((tmp_path / "openai/things/src").glob(".*.tmp"))


def test_records_outside_the_window_are_refused(tmp_path):
    with (
        pytest.raises(ValueError, match="outside the requested window"),
        window(tmp_path) as landing,
    ):
        landing.add([{"day": "2026-10-01", "value": 1}], lambda r: date.fromisoformat(r["day"]))


def test_the_transform_rebuilds_from_the_month_any_source_may_have_rewritten():
    from connectors.config import load_sources
    from orchestration.lib.partitions import RefreshWindow, refresh_window, transform_window
    from tests.conftest import FIXTURES

    config = load_sources(
        FIXTURES / "sources.test.yml"
    )  # history from 2026-09-01, 2 restatement days
    from datetime import UTC, datetime

    refresh = refresh_window(
        datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 21, tzinfo=UTC), config
    )
    assert refresh == RefreshWindow(date(2026, 10, 18), date(2026, 10, 21))
    assert transform_window(refresh, config) == RefreshWindow(date(2026, 10, 1), date(2026, 10, 21))
    early = refresh_window(
        datetime(2026, 10, 3, tzinfo=UTC), datetime(2026, 10, 4, tzinfo=UTC), config
    )
    assert transform_window(early, config).start == date(2026, 9, 1)  # reaches back into September
    first = refresh_window(
        datetime(2026, 9, 2, tzinfo=UTC), datetime(2026, 9, 3, tzinfo=UTC), config
    )
    assert transform_window(first, config).start == date(2026, 9, 1)  # never before history_start
    # the ingest before it re-landed a restated day of September: the rebuild starts there
    assert transform_window(refresh, config, date(2026, 9, 12)).start == date(2026, 9, 1)
    assert transform_window(refresh, config, date(2026, 10, 19)).start == date(2026, 10, 1)


def test_a_source_that_never_landed_still_reads_as_an_empty_table(tmp_path):
    import duckdb

    from warehouse.landing import ensure_schema_file

    schema = pa.schema([("id", pa.string()), ("amount", pa.string())])
    assert ensure_schema_file(tmp_path, "okta", "users", schema)
    assert not ensure_schema_file(tmp_path, "okta", "users", schema)  # unchanged: left alone
    glob = f"{tmp_path}/okta/users/*/*.parquet"
    with duckdb.connect() as con:
        rows = con.execute(
            f"select count(*) from read_parquet('{glob}', union_by_name = true)"
        ).fetchone()
        columns = [
            c[0] for c in con.execute(f"describe select * from read_parquet('{glob}')").fetchall()
        ]
    assert rows == (0,)
    assert columns[:2] == ["id", "amount"] and "_source_id" in columns
    # a column added to the landing schema is there even before any new file carries it
    assert ensure_schema_file(
        tmp_path, "okta", "users", schema.append(pa.field("status", pa.string()))
    )
    with duckdb.connect() as con:
        described = con.execute(
            f"describe select * from read_parquet('{glob}', union_by_name = true)"
        )
        assert "status" in [c[0] for c in described.fetchall()]


def test_every_ingest_entity_registers_its_landing_schema():
    from orchestration.definitions import defs
    from orchestration.lib.ingest import LANDING_SCHEMAS

    defs()
    assert ("openai", "costs") in LANDING_SCHEMAS and ("okta", "users") in LANDING_SCHEMAS
    assert "records_prompts" in LANDING_SCHEMAS[("otlp_genai", "genai_spans")].names


def test_a_snapshot_is_not_landed_for_a_day_older_than_the_newest_one(tmp_path):
    for day in ("2026-11-19", "2026-12-02"):
        (tmp_path / f"{day}.parquet").write_bytes(b"")
    (tmp_path / ".2026-12-04.abc.tmp").write_bytes(b"")  # an unfinished pull does not count
    assert newer_snapshot(tmp_path, date(2026, 11, 20)) == date(2026, 12, 2)
    assert newer_snapshot(tmp_path, date(2026, 12, 2)) is None
    assert newer_snapshot(tmp_path, date(2026, 12, 3)) is None
    assert newer_snapshot(tmp_path / "never_landed", date(2026, 12, 3)) is None


def test_the_newest_day_with_rows_skips_empty_and_unreadable_newer_files(tmp_path):
    def day_file(entity: str, source_id: str, name: str, rows: int) -> None:
        folder = tmp_path / "openai" / entity / source_id
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(
            pa.table({"n": list(range(rows))}, schema=pa.schema([("n", pa.int64())])), folder / name
        )

    day_file("costs", "openai_main", "2026-11-02.parquet", 3)
    day_file("costs", "openai_main", "2026-11-03.parquet", 0)  # pulled, nothing in it
    (tmp_path / "openai" / "costs" / "openai_main" / "2026-11-04.parquet").write_bytes(b"torn")
    day_file("costs", "openai_eu", "2026-10-30.parquet", 1)
    day_file("users", "openai_main", "2026-11-05.parquet", 2)
    day_file("users", "openai_main", "notes.parquet", 9)  # not a day file
    fast = newest_days_with_rows(tmp_path, "openai").last_day
    assert fast == {
        ("openai", "costs", "openai_main"): date(2026, 11, 2),
        ("openai", "costs", "openai_eu"): date(2026, 10, 30),
        ("openai", "users", "openai_main"): date(2026, 11, 5),
    }
    assert fast == scan_landing(tmp_path, ["openai"]).last_day  # the full scan agrees
    assert newest_days_with_rows(tmp_path, "anthropic").last_day == {}
