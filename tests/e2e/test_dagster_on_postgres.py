"""Dagster on PostgreSQL, started for real: a PostgreSQL server from the system's binaries on
127.0.0.1, the instance built from the repository's PostgreSQL profile (deploy/postgres/dagster.yaml,
as `AIUW_DAGSTER_PROFILE=postgres make ...` selects it), and two daily cycles on it as the daemon
runs them: the ingest run for a day, the ingest-to-transform sensor evaluated against the instance,
the transform run it requests. Runs, events, the sensor's cursor and the pools' slots all live in
PostgreSQL; the releases are published as on SQLite.

Kept cheap: two sources (OpenAI, Anthropic) and one day per cycle.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import duckdb
import httpx
import pytest

from orchestration.automation_names import INGEST_JOB, TRANSFORM_JOB
from orchestration.cli.summary import provider_totals
from orchestration.lib.partitions import INGEST_RUN_TAG, window_tags
from orchestration.lib.sources import sources_config
from sandbox.server import SandboxServer, SandboxState
from tests.conftest import ROOT
from tests.e2e.deployment import sources_subset
from tests.postgres_server import postgres_server, unavailable_reason
from warehouse.publish import current_dir

pytestmark = pytest.mark.e2e

PROFILE = ROOT / "deploy" / "postgres" / "dagster.yaml"
START = date(2026, 9, 1)
DAYS = (date(2026, 9, 1), date(2026, 9, 2))
CLOCK = datetime(2026, 9, 12, 6, tzinfo=UTC)  # both days have settled
PROVIDERS = ("openai", "anthropic")
SENSOR = "transform_after_ingest"
PUBLISHED = dg.AssetKey(["published", "warehouse"])


class Cycles:
    """The instance on PostgreSQL, the definitions and what each daily cycle ran."""

    def __init__(self, instance: dg.DagsterInstance, data, sandbox: SandboxServer) -> None:
        from orchestration.definitions import defs

        self.instance, self.data, self.sandbox = instance, data, sandbox
        self.definitions = defs()
        self.ingest = self.definitions.resolve_job_def(INGEST_JOB)
        self.transform = self.definitions.resolve_job_def(TRANSFORM_JOB)
        self.sensor = self.definitions.resolve_sensor_def(SENSOR)
        self.cursor: str | None = None
        self.cycles: list[dict] = []

    def tick(self) -> list[dg.RunRequest]:
        """One evaluation of the sensor as the daemon does it: its cursor carried between ticks."""
        context = dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, definitions=self.definitions
        )
        result = self.sensor.evaluate_tick(context)
        self.cursor = result.cursor
        return list(result.run_requests or [])

    def day(self, day: date) -> dict:
        ingest = self.ingest.execute_in_process(
            instance=self.instance, partition_key=day.isoformat(), raise_on_error=False
        )
        requests = self.tick()
        transforms = [
            self.transform.execute_in_process(
                instance=self.instance, tags=request.tags, raise_on_error=False
            )
            for request in requests
        ]
        cycle = {
            "day": day,
            "ingest": ingest,
            "requests": requests,
            "transforms": transforms,
            "release": current_dir(self.data / "published").resolve(),
            "again": self.tick(),  # the cursor has moved past the ingest run: nothing twice
        }
        self.cycles.append(cycle)
        return cycle


@pytest.fixture(scope="module")
def on_postgres(tmp_path_factory):
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("dagster_on_postgres")
    data, home = base / "data", base / "dagster_home"
    home.mkdir()
    shutil.copy(PROFILE, home / "dagster.yaml")
    with (
        postgres_server() as server,
        pytest.MonkeyPatch.context() as patch,
        SandboxServer(SandboxState()) as sandbox,
    ):
        server.create_database("dagster")
        for name, value in server.environment("dagster").items():
            patch.setenv(name, value)
        patch.setenv("DAGSTER_HOME", str(home))
        patch.setenv("AIUW_DAGSTER_STORAGE", str(data / "dagster"))
        patch.setenv("AIUW_DATA_DIR", str(data))
        patch.setenv("DBT_LOG_PATH", str(data / "dbt_logs"))
        patch.setenv("AIUW_SOURCES", str(sources_subset(base / "sources.yml", PROVIDERS, START)))
        for name, value in sandbox.environment().items():
            patch.setenv(name, value)
        sources_config.cache_clear()
        httpx.post(
            f"{sandbox.url}/_sandbox/clock", json={"as_of": CLOCK.isoformat()}
        ).raise_for_status()
        instance = dg.DagsterInstance.get()
        try:
            cycles = Cycles(instance, data, sandbox)
            # the daemon's first tick of a new sensor sets its cursor to the latest run event
            assert cycles.tick() == []
            for day in DAYS:
                cycles.day(day)
            yield cycles
        finally:
            instance.dispose()
            sources_config.cache_clear()


def test_the_profile_puts_runs_events_schedules_and_the_run_queue_in_postgres(on_postgres):
    from dagster_postgres import (
        PostgresEventLogStorage,
        PostgresRunStorage,
        PostgresScheduleStorage,
    )

    instance = on_postgres.instance
    assert isinstance(instance.run_storage, PostgresRunStorage)
    assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
    assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
    assert isinstance(instance.run_coordinator, dg.QueuedRunCoordinator)
    # one run at a time and one step per pool, as on SQLite
    concurrency = instance.get_concurrency_config()
    assert concurrency.run_queue_config.max_concurrent_runs == 1
    assert concurrency.pool_config.default_pool_limit == 1
    assert instance.event_log_storage.supports_global_concurrency_limits


def test_each_day_runs_its_ingest_then_the_transform_the_sensor_requests(on_postgres):
    for cycle in on_postgres.cycles:
        day, ingest = cycle["day"], cycle["ingest"]
        assert ingest.success, day
        (request,) = cycle["requests"]
        assert request.run_key == f"transform-after-{ingest.run_id}"
        assert request.tags == {
            **window_tags(day, day),
            INGEST_RUN_TAG: ingest.run_id,
            "aiuw/ingest_status": "SUCCESS",
            "dagster/sensor_name": SENSOR,
        }
        (transform,) = cycle["transforms"]
        assert transform.success, day
        assert cycle["again"] == []

    # every run of both cycles is in PostgreSQL, newest first, with its job and its tags
    runs = on_postgres.instance.get_runs()
    expected = [
        (run.job_def.name, run.run_id)
        for cycle in reversed(on_postgres.cycles)
        for run in (cycle["transforms"][0], cycle["ingest"])
    ]
    assert [(r.job_name, r.run_id) for r in runs] == expected
    assert {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
    for cycle in on_postgres.cycles:
        stored = on_postgres.instance.get_run_by_id(cycle["transforms"][0].run_id)
        assert stored.tags[INGEST_RUN_TAG] == cycle["ingest"].run_id
        assert stored.tags["aiuw/window_end"] == cycle["day"].isoformat()


def test_materializations_of_both_cycles_are_in_postgres(on_postgres):
    instance = on_postgres.instance
    for cycle in on_postgres.cycles:
        day = cycle["day"].isoformat()
        ingest, transform = cycle["ingest"], cycle["transforms"][0]
        ingested = {
            (e.asset_key, e.partition)
            for e in instance.get_records_for_run(
                ingest.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
            for e in [e.event_log_entry.dagster_event]
        }
        assert ingested and {partition for _key, partition in ingested} == {day}
        assert {key.path[0] for key, _partition in ingested} == {"raw"}
        providers = {key.path[1] for key, _partition in ingested}
        assert set(PROVIDERS) <= providers
        built = {
            e.event_log_entry.dagster_event.asset_key
            for e in instance.get_records_for_run(
                transform.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
        }
        assert PUBLISHED in built
        assert dg.AssetKey(["marts", "fct_ai_usage_daily"]) in built
    # the first cycle's records are still there after the second, and the latest is the second's
    published = instance.fetch_materializations(PUBLISHED, limit=10).records
    assert [r.run_id for r in published] == [
        c["transforms"][0].run_id for c in reversed(on_postgres.cycles)
    ]
    # the warehouse steps took their slot in the "duckdb" pool, kept in PostgreSQL
    assert "duckdb" in instance.event_log_storage.get_concurrency_keys()


def test_each_cycle_publishes_a_release_with_every_token_and_cent_so_far(on_postgres):
    first, second = on_postgres.cycles
    assert first["release"] != second["release"]
    assert first["release"].exists()  # the earlier release is kept beside the current one
    for cycle in on_postgres.cycles:
        with duckdb.connect(str(cycle["release"] / "warehouse.duckdb"), read_only=True) as con:
            published = provider_totals(con)
            days = con.execute(
                "select min(usage_date), max(usage_date) from fct_ai_usage_daily"
            ).fetchone()
        assert days == (DAYS[0], cycle["day"])
        assert set(published) == set(PROVIDERS)
        for provider in PROVIDERS:
            truth = on_postgres.sandbox.state.provider(provider).ground_truth(
                DAYS[0], cycle["day"] + timedelta(days=1), CLOCK
            )
            assert published[provider]["usage"] == truth["usage"], (cycle["day"], provider)
