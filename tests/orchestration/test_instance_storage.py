"""The instance's batched SQLite event log writes what Dagster's own writes, in fewer commits."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration.instance import storage as sqlite_storage
from orchestration.instance.storage import BatchedSqliteEventLogStorage, SqliteEventLogStorage

ROOT = Path(__file__).resolve().parents[2]
DAYS = dg.DailyPartitionsDefinition(start_date="2026-11-01", end_offset=1)


@dg.asset(
    partitions_def=DAYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=[dg.AssetCheckSpec("rows_landed", asset="landed")],
)
def landed(context) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={"days": len(context.partition_keys)},
        check_results=[dg.AssetCheckResult(check_name="rows_landed", passed=True)],
    )


# the planned events of a run's start come as one batch: an asset's and its check's
PLANNED = (
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
)


def instance_at(home: Path, dagster_yaml: str) -> dg.DagsterInstance:
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml)
    return dg.DagsterInstance.from_config(str(home))


def repository_instance(tmp_path: Path, monkeypatch) -> dg.DagsterInstance:
    monkeypatch.setenv("AIUW_DAGSTER_STORAGE", str(tmp_path / "batched_storage"))
    return instance_at(tmp_path / "batched", (ROOT / "dagster.yaml").read_text())


def stock_instance(tmp_path: Path) -> dg.DagsterInstance:
    base = tmp_path / "stock_storage"
    return instance_at(tmp_path / "stock", f"storage:\n  sqlite:\n    base_dir: {base}\n")


def materialize_range(instance: dg.DagsterInstance, first: str, last: str) -> None:
    result = dg.materialize(
        [landed],
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
    )
    assert result.success


def index_rows(base: Path) -> dict[str, list]:
    index = sqlite3.connect(base / "history" / "runs" / "index.db")
    return {
        "events": index.execute(
            "SELECT dagster_event_type, asset_key, partition FROM event_logs "
            "WHERE dagster_event_type LIKE 'ASSET_%' ORDER BY id"
        ).fetchall(),
        "checks": index.execute(
            "SELECT asset_key, check_name, partition, execution_status FROM asset_check_executions "
            "ORDER BY id"
        ).fetchall(),
        "tags": index.execute(
            # values (data versions) differ by run; each event's tag keys must not
            "SELECT asset_key, key, count(*) FROM asset_event_tags GROUP BY asset_key, key ORDER BY key"
        ).fetchall(),
        "asset_keys": index.execute("SELECT asset_key FROM asset_keys").fetchall(),
    }


def test_the_repository_instance_uses_the_batched_storage_in_sqlites_usual_layout(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(sqlite_storage.EVENT_BATCH_SIZE_ENV, raising=False)
    instance = repository_instance(tmp_path, monkeypatch)

    assert isinstance(instance.event_log_storage, BatchedSqliteEventLogStorage)
    materialize_range(instance, "2026-11-01", "2026-11-03")
    base = tmp_path / "batched_storage"
    assert (base / "history" / "runs.db").exists()
    assert (base / "history" / "runs" / "index.db").exists()
    assert (base / "schedules").is_dir()
    assert instance.get_materialized_partitions(landed.key) == {
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
    }
    # a wiped instance starts again from nothing, and records as before
    instance.wipe()
    assert instance.get_materialized_partitions(landed.key) == set()
    materialize_range(instance, "2026-11-02", "2026-11-03")
    assert instance.get_materialized_partitions(landed.key) == {"2026-11-02", "2026-11-03"}


def test_a_range_run_stores_the_same_rows_as_the_stock_storage_with_one_batch(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(sqlite_storage.EVENT_BATCH_SIZE_ENV, "1000")
    # as the Makefile and dagster.yaml's deployments set it: one planned event for a range
    monkeypatch.setenv("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    single_writes = []
    original = SqliteEventLogStorage.store_event

    def counting_store_event(self, event):
        if event.dagster_event_type in (dg.DagsterEventType.ASSET_MATERIALIZATION, *PLANNED):
            single_writes.append((type(self).__name__, event.dagster_event_type))
        return original(self, event)

    monkeypatch.setattr(SqliteEventLogStorage, "store_event", counting_store_event)
    batched, stock = repository_instance(tmp_path, monkeypatch), stock_instance(tmp_path)

    for instance in (batched, stock):
        materialize_range(instance, "2026-11-01", "2026-11-06")
        materialize_range(instance, "2026-11-05", "2026-11-06")  # a re-run of two days

    # the stock storage wrote each of the 8 materializations and the 2 runs' 4 planned events on
    # its own; the batched one none
    assert sorted(single_writes) == sorted(
        [("SqliteEventLogStorage", dg.DagsterEventType.ASSET_MATERIALIZATION)] * 8
        + [("SqliteEventLogStorage", planned) for planned in PLANNED] * 2
    )
    batched_rows = index_rows(tmp_path / "batched_storage")
    assert batched_rows == index_rows(tmp_path / "stock_storage")
    # a planned check execution per day of each run, and the two evaluations
    days = [f"2026-11-0{day}" for day in (1, 2, 3, 4, 5, 6, 5, 6)]
    planned = [('["landed"]', "rows_landed", day, "PLANNED") for day in days]
    assert sorted(batched_rows["checks"], key=str) == sorted(
        planned + [('["landed"]', "rows_landed", None, "SUCCEEDED")] * 2, key=str
    )
    for instance in (batched, stock):
        assert len(instance.get_materialized_partitions(landed.key)) == 6
        latest = instance.get_latest_materialization_event(landed.key)
        assert latest.dagster_event.partition == "2026-11-06"
        assert (
            instance.get_run_by_id(latest.run_id).tags["dagster/asset_partition_range_start"]
            == "2026-11-05"
        )
        first_day = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=landed.key, asset_partitions=["2026-11-01"]), limit=5
        ).records
        assert len(first_day) == 1
        assert (
            instance.get_run_by_id(first_day[0].run_id).tags["dagster/asset_partition_range_start"]
            == "2026-11-01"
        )


@pytest.mark.parametrize("size", ["1", "0"])
def test_without_batches_every_event_takes_the_stock_path(tmp_path, monkeypatch, size):
    monkeypatch.setenv(sqlite_storage.EVENT_BATCH_SIZE_ENV, size)
    instance = repository_instance(tmp_path, monkeypatch)

    materialize_range(instance, "2026-11-01", "2026-11-04")

    assert len(instance.get_materialized_partitions(landed.key)) == 4
    events = index_rows(tmp_path / "batched_storage")["events"]
    assert [e for e in events if e[0] == "ASSET_MATERIALIZATION"] == [
        ("ASSET_MATERIALIZATION", '["landed"]', f"2026-11-0{day}") for day in range(1, 5)
    ]


def log_entry(message: str, run_id: str = "run-1") -> dg.EventLogEntry:
    return dg.EventLogEntry(
        error_info=None,
        level=20,
        user_message=message,
        run_id=run_id,
        timestamp=1.0,
        step_key="landed",
        job_name="ingest",
        dagster_event=None,
    )


def test_the_kept_connections_hold_no_lock_between_events(tmp_path):
    """Another process's storage writes the same run's file between two of ours: the connection the
    batched storage keeps open holds no lock between its events, and each side reads every event."""
    ours, theirs = BatchedSqliteEventLogStorage(str(tmp_path)), SqliteEventLogStorage(str(tmp_path))
    ours.store_event(log_entry("first"))
    theirs.store_event(log_entry("second"))
    ours.store_event(log_entry("third"))
    ours.store_event(log_entry("elsewhere", run_id="run-2"))
    for storage in (ours, theirs):
        messages = [e.user_message for e in storage.get_logs_for_run("run-1")]
        assert messages == ["first", "second", "third"]
    # a connection left in a transaction would keep the file's lock and fail this one
    with sqlite3.connect(tmp_path / "run-1.db", timeout=0) as con:
        con.execute("begin exclusive")
        con.rollback()
    ours.dispose()


def test_a_commit_does_not_wait_for_the_disk_and_a_killed_writer_loses_nothing(tmp_path):
    """WAL with synchronous=NORMAL: what a writer committed is in the file's log, read by a new
    process after the writer died without closing anything."""
    writer = tmp_path / "writer.py"
    writer.write_text(
        "import os, sys\n"
        "from tests.orchestration.test_instance_storage import log_entry\n"
        "from orchestration.instance.storage import BatchedSqliteEventLogStorage\n"
        "storage = BatchedSqliteEventLogStorage(sys.argv[1])\n"
        "for n in range(3):\n"
        "    storage.store_event(log_entry(f'event {n}'))\n"
        "with storage.run_connection('run-1') as conn:\n"
        "    print(conn.exec_driver_sql('PRAGMA synchronous').scalar(),\n"
        "          conn.exec_driver_sql('PRAGMA journal_mode').scalar(), flush=True)\n"
        "os._exit(9)  # killed: no connection closed, no checkpoint\n"
    )
    done = subprocess.run(
        [sys.executable, str(writer), str(tmp_path / "events")],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 9, done.stderr
    assert done.stdout.split() == ["1", "wal"]  # 1 is NORMAL
    assert (tmp_path / "events" / "run-1.db-wal").stat().st_size > 0
    reader = SqliteEventLogStorage(str(tmp_path / "events"))
    assert [e.user_message for e in reader.get_logs_for_run("run-1")] == [
        "event 0",
        "event 1",
        "event 2",
    ]


def test_the_webservers_watch_of_a_run_sees_each_event_as_it_is_stored(tmp_path):
    storage = BatchedSqliteEventLogStorage(str(tmp_path))
    storage.store_event(log_entry("before the watch"))
    seen: list[str] = []
    storage.watch("run-1", None, lambda entry, _cursor: seen.append(entry.user_message))
    try:
        for message in ("first", "second"):
            storage.store_event(log_entry(message))
            deadline = time.monotonic() + 10
            while message not in seen and time.monotonic() < deadline:
                time.sleep(0.05)
            assert seen[-1:] == [message], seen
    finally:
        storage.dispose()
    assert seen == ["before the watch", "first", "second"]


def test_the_storage_keeps_the_connections_of_its_last_files_only(tmp_path):
    storage = BatchedSqliteEventLogStorage(str(tmp_path))
    for n in range(sqlite_storage.KEPT_CONNECTIONS + 3):
        storage.store_event(log_entry(f"event of run {n}", run_id=f"run-{n}"))
    kept = list(storage._engines)
    assert len(kept) == sqlite_storage.KEPT_CONNECTIONS
    assert kept[-1] == f"run-{sqlite_storage.KEPT_CONNECTIONS + 2}"
    assert "run-0" not in kept
    # a file whose connection was closed is opened again when it is read
    assert [e.user_message for e in storage.get_logs_for_run("run-0")] == ["event of run 0"]
    storage.wipe()
    assert list(storage._engines) == ["index"]  # wiping the index opened it again
    assert storage.get_logs_for_run("run-0") == []


def test_only_the_instance_storage_imports_dagster_internals():
    root = Path(__file__).resolve().parents[2]
    importers = sorted(
        str(path.relative_to(root))
        for package in ("orchestration", "tests", "benchmarks", "sandbox")
        for path in (root / package).rglob("*.py")
        if any(
            line.startswith(("from dagster._", "import dagster._"))
            for line in path.read_text().splitlines()
        )
    )
    assert importers == ["orchestration/instance/storage.py"]
    for profile in (root / "dagster.yaml", root / "deploy" / "postgres" / "dagster.yaml"):
        modules = re.findall(r"module: (\S+)", profile.read_text())
        assert modules and not [m for m in modules if m.startswith("dagster._")], profile


def test_the_postgres_profile_is_the_repository_instance_with_its_storage_in_postgres():
    """deploy/postgres/dagster.yaml differs from dagster.yaml in its storage only: one `postgres`
    block, every connection setting from the environment, in place of the three SQLite blocks."""
    sqlite = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    postgres = yaml.safe_load((ROOT / "deploy" / "postgres" / "dagster.yaml").read_text())
    storage_keys = {"run_storage", "event_log_storage", "schedule_storage"}
    assert {k: v for k, v in sqlite.items() if k not in storage_keys} == {
        k: v for k, v in postgres.items() if k != "storage"
    }
    settings = postgres["storage"]["postgres"]["postgres_db"]
    assert {k: v for k, v in settings.items() if k != "scheme"} == {
        "hostname": {"env": "DAGSTER_PG_HOST"},
        "port": {"env": "DAGSTER_PG_PORT"},
        "username": {"env": "DAGSTER_PG_USERNAME"},
        "password": {"env": "DAGSTER_PG_PASSWORD"},
        "db_name": {"env": "DAGSTER_PG_DB"},
    }
    # the driver dagster-postgres installs (psycopg2), not SQLAlchemy's default for postgresql://
    assert settings["scheme"] == "postgresql+psycopg2"
