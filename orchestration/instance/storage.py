"""The instance's storage (`dagster.yaml`): Dagster's own SQLite storage, laid out as `storage: sqlite`
lays it out under one base directory, with asset materializations written a batch at a time.

This is the one module that imports Dagster's internals (`dagster._core`): the storage classes have
no public import path, and `dagster.yaml` names them through this module. Upgrading Dagster past the
pinned minor version means reading this file again (tests/orchestration/test_instance_storage.py
checks that it stays the only one).

A range run materializes each daily-partitioned asset once per day: a backfill of 125 days writes
about 5,600 materialization events. Dagster's SQLite event log writes each event on its own (a new
engine, then a commit on the run's file and another on the index file), about 12 ms each: that was
a quarter of `make run`. Dagster hands an asset's partition events over as one batch when
`DAGSTER_EVENT_BATCH_SIZE` is set, and a run's planned materializations and checks as one batch
when it starts (about 200 for a daily transform), but its SQLite storage then stores them one by
one again. `BatchedSqliteEventLogStorage` stores such a batch with one insert on the run's file and
one transaction on the index, writing the same rows through Dagster's own code; every other event
takes the stock path.

Dagster's SQLite storage also builds a new SQLAlchemy engine for every connection it opens (one
per stored event), and opens and closes a connection for every event. In WAL mode (Dagster's) the
last connection's close checkpoints the log into the file and deletes it, and every commit waits
for the disk: about 9 ms an event on this project's two-core machine, 13 s of a daily transform's
800 events. The event log keeps one engine and one open connection per file (the few files used
last), with `synchronous=NORMAL`, SQLite's setting for WAL: a commit waits for no disk, a process
that crashes or is killed loses nothing committed, and a machine that loses power keeps a
consistent file that may lack the last events. The webserver's live log view watches a run's file
for changes, which a checkpoint no longer makes after each event: the storage touches the run's file
after each write instead. The run storage keeps one engine, which pools nothing.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from dagster import DagsterEventType, EventLogEntry
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.local_compute_log_manager import LocalComputeLogManager
from dagster._core.storage.root import LocalArtifactStorage
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.storage.schedules import SqliteScheduleStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.pool import NullPool, QueuePool

# Dagster's own classes for the artifact and compute-log storage, named in dagster.yaml from here.
__all__ = [
    "BatchedSqliteEventLogStorage",
    "LayoutSqliteRunStorage",
    "LayoutSqliteScheduleStorage",
    "LocalArtifactStorage",
    "LocalComputeLogManager",
    "SqliteEventLogStorage",
]

# What a batch may hold to take the batched path: the events Dagster hands over in batches.
BATCHED_EVENT_TYPES = frozenset(
    {
        DagsterEventType.ASSET_MATERIALIZATION,
        DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
        DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
    }
)
CHECK_EVENT_TYPES = frozenset({DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED})

# How many files' connections the event log keeps open: a run's file and the index while a run
# writes; the webserver reading older runs opens and closes the rest as it goes.
KEPT_CONNECTIONS = 8

# Dagster's switch for handing events over in batches; read when each event is handled.
EVENT_BATCH_SIZE_ENV = "DAGSTER_EVENT_BATCH_SIZE"
EVENT_BATCH_SIZE = "1000"


def _under(config_value: Mapping[str, Any], *parts: str) -> str:
    """The directory `storage: sqlite` uses for one part, below the configured base directory."""
    return os.path.join(config_value["base_dir"], *parts, "")


class LayoutSqliteRunStorage(SqliteRunStorage):
    """Runs under `<base_dir>/history`."""

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value):
        return cls.from_local(_under(config_value, "history"), inst_data=inst_data)

    @contextmanager
    def connect(self) -> Iterator[Any]:
        # the stock method, with one engine kept (it pools nothing) instead of one built per use
        engine = self.__dict__.get("_engine")
        if engine is None:
            engine = self.__dict__["_engine"] = create_engine(self._conn_string, poolclass=NullPool)
        with engine.connect() as conn, conn.begin():
            yield conn


class LayoutSqliteScheduleStorage(SqliteScheduleStorage):
    """Schedules and sensors' ticks under `<base_dir>/schedules`."""

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value):
        return cls.from_local(_under(config_value, "schedules"), inst_data=inst_data)


class BatchedSqliteEventLogStorage(SqliteEventLogStorage):
    """Event logs under `<base_dir>/history/runs`; one transaction per batch of asset events."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # (thread, connection) of the index transaction a batch is being written in; set before
        # Dagster's constructor, which opens the index
        self._batch_index: tuple[int, Any] | None = None
        self._secondary_indexes: dict[str, bool] = {}
        self._engines: OrderedDict[str, Any] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)
        # every process that writes through this storage (CLI, daemon, run workers) batches
        os.environ.setdefault(EVENT_BATCH_SIZE_ENV, EVENT_BATCH_SIZE)

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value):
        return cls(_under(config_value, "history", "runs"), inst_data=inst_data)

    def store_event(self, event: EventLogEntry) -> None:
        super().store_event(event)
        self._touch(event.run_id)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        if not _one_runs_asset_events(events):
            super().store_event_batch(events)  # event by event, through store_event
            return
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(self.prepare_insert_event_batch(events))
        self._touch(events[0].run_id)
        # the index keeps the cross-run asset and check tables, as the stock store_event fills them
        with self.index_transaction() as conn, self._index_shared(conn):
            event_ids = [
                conn.execute(self.prepare_insert_event(event)).inserted_primary_key[0]
                for event in events
            ]
            stored = list(zip(events, event_ids, strict=True))
            checks = [(e, i) for e, i in stored if e.dagster_event_type in CHECK_EVENT_TYPES]
            assets = [(e, i) for e, i in stored if e.dagster_event_type not in CHECK_EVENT_TYPES]
            if assets:
                self._store_asset_event_tags(conn, [e for e, _ in assets], [i for _, i in assets])
            for event, event_id in assets:
                self._store_asset_event(conn, event, event_id)
            for event, event_id in checks:
                self.store_asset_check_event(event, event_id)

    def _touch(self, run_id: str) -> None:
        # the webserver's watcher reads a run's new events when the run's file changes
        try:
            os.utime(self.path_for_shard(run_id))
        except FileNotFoundError:
            pass

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Any]:
        # the stock method, with the shard's engine and one connection kept (the storage's lock
        # lets one use at a time) instead of built and closed each time
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=QueuePool,
                    pool_size=1,
                    max_overflow=2,
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
                sqlalchemy_event.listen(engine, "connect", _commit_without_waiting_for_disk)
                self._engines[shard] = engine
                while len(self._engines) > KEPT_CONNECTIONS:
                    self._engines.popitem(last=False)[1].dispose()
            self._engines.move_to_end(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_secondary_index(self, name: str) -> bool:
        # asked for every asset event and record read (a query each, about a tenth of storing a
        # materialization); kept per process, as Dagster's PostgreSQL storage keeps it
        if name not in self._secondary_indexes:
            self._secondary_indexes[name] = super().has_secondary_index(name)
        return self._secondary_indexes[name]

    def enable_secondary_index(self, name: str) -> None:
        super().enable_secondary_index(name)
        self._secondary_indexes[name] = True

    def wipe(self) -> None:
        self._secondary_indexes.clear()
        with self._db_lock:
            self._close_connections()
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            self._close_connections()
        super().dispose()

    def _close_connections(self) -> None:
        while self._engines:
            self._engines.popitem()[1].dispose()

    def index_connection(self):
        # Dagster's check-event code opens the index itself: within a batch it gets the batch's
        # transaction (the storage's lock is held by it, and is not reentrant)
        shared = self._batch_index
        if shared is not None and shared[0] == threading.get_ident():
            return nullcontext(shared[1])
        return super().index_connection()

    @contextmanager
    def _index_shared(self, conn) -> Iterator[None]:
        self._batch_index = (threading.get_ident(), conn)
        try:
            yield
        finally:
            self._batch_index = None


def _commit_without_waiting_for_disk(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def _one_runs_asset_events(events: Sequence[EventLogEntry]) -> bool:
    return (
        len(events) > 1
        and len({event.run_id for event in events}) == 1
        and all(
            event.is_dagster_event and event.dagster_event_type in BATCHED_EVENT_TYPES
            for event in events
        )
    )
