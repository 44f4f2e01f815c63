"""One sandbox deployment shared by the e2e modules: the first backfill runs once per session."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import dagster as dg
import duckdb
import httpx
import pytest
import yaml

from orchestration.automation_names import INGEST_JOB, TRANSFORM_JOB
from orchestration.cli.summary import provider_totals
from orchestration.lib.partitions import RANGE_END_TAG, RANGE_START_TAG, window_tags
from orchestration.lib.run_evidence import record_run
from orchestration.lib.sources import sources_config
from sandbox.providers.litellm import UsageDrift, planted_drift
from sandbox.server import SandboxServer, SandboxState
from tests.conftest import FIXTURES, ROOT
from warehouse.pseudonym import reidentify
from warehouse.publish import current_dir, read_directory

FIRST, LAST = date(2026, 9, 1), date(2026, 9, 20)


@lru_cache(maxsize=16)
def release_directory(release: Path) -> dict[str, str]:
    """A published release's restricted mart as person key -> email, read once per release (a
    release never changes once published)."""
    return read_directory(release)


AS_OF_FIRST_RUN = datetime(2026, 9, 22, 6, tzinfo=UTC)  # 2026-09-20 is still provisional
AS_OF_LATER = datetime(2026, 9, 30, 6, tzinfo=UTC)


def sources_subset(path: Path, source_types: tuple[str, ...], history_start: date) -> Path:
    """The test sources file cut down to the sources of `source_types`, history from
    `history_start`, written to `path`: the sources file of a module's own deployment."""
    config = yaml.safe_load((FIXTURES / "sources.test.yml").read_text())
    config["warehouse"]["history_start"] = history_start
    config["sources"] = [s for s in config["sources"] if s["type"] in source_types]
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def repository_storage(base: Path) -> dict:
    """The storage blocks of the repository's dagster.yaml with their base directory at `base`: the
    deployment stores runs and events as `make run` and the daemon do."""
    config = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    return {
        key: {**config[key], "config": {"base_dir": str(base)}}
        for key in ("run_storage", "event_log_storage", "schedule_storage")
    }


class Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class Deployment:
    def __init__(self, data: Path, sandbox: SandboxServer, patch: pytest.MonkeyPatch) -> None:
        from orchestration.definitions import defs

        self.data, self.sandbox, self.patch = data, sandbox, patch
        definitions = defs()
        self.ingest = definitions.resolve_job_def(INGEST_JOB)
        self.transform = definitions.resolve_job_def(TRANSFORM_JOB)
        (data / "dagster").mkdir(parents=True, exist_ok=True)
        self.instance = dg.DagsterInstance.local_temp(
            tempdir=str(data / "dagster"),
            overrides={"telemetry": {"enabled": False}, **repository_storage(data / "dagster")},
        )

    def run_job(
        self,
        job,
        partition: date | None,
        tags: dict | None = None,
        partition_range: tuple[date, date] = (FIRST, LAST),
    ) -> dg.ExecuteInProcessResult:
        """The ingest job for the partition (or the range), the transform job with the same days as
        its window tags, as the schedule and the sensors start them."""
        first, last = (partition, partition) if partition else partition_range
        if job.partitions_def is None:
            days_tags, partition_key = window_tags(first, last), None
        elif partition:
            days_tags, partition_key = {}, partition.isoformat()
        else:
            days_tags = {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}
            partition_key = None
        return job.execute_in_process(
            instance=self.instance,
            tags={**days_tags, **(tags or {})},
            partition_key=partition_key,
            raise_on_error=False,
        )

    def run(
        self,
        partition: date | None = None,
        partition_range: tuple[date, date] = (FIRST, LAST),
    ) -> tuple[dg.ExecuteInProcessResult, dg.ExecuteInProcessResult]:
        """Ingest then transform one partition or a range of them (the whole range by default), as
        the schedule and its sensors do, and record the evidence."""
        ingest = self.run_job(self.ingest, partition, partition_range=partition_range)
        tags = {
            "aiuw/ingest_run_id": ingest.run_id,
            "aiuw/ingest_status": "SUCCESS" if ingest.success else "FAILURE",
        }
        transform = self.run_job(self.transform, partition, tags, partition_range)
        record_run(self.instance, transform.run_id, self.data / "evidence" / "ledger.jsonl")
        return ingest, transform

    def transform_only(self) -> dg.ExecuteInProcessResult:
        """The transform job over the whole range, recorded in the evidence ledger like every run."""
        result = self.run_job(self.transform, None)
        record_run(self.instance, result.run_id, self.data / "evidence" / "ledger.jsonl")
        return result

    def set_clock(self, as_of: datetime) -> dict[str, str]:
        """Move the sandbox clock; file sources see it through freshly written exports."""
        httpx.post(
            f"{self.sandbox.url}/_sandbox/clock", json={"as_of": as_of.isoformat()}
        ).raise_for_status()
        exports = self.sandbox.state.write_exports(
            self.data / "sandbox_exports", FIRST, date(2026, 9, 21)
        )
        # through the monkeypatch, so no export path outlives this module's tests
        for name, value in exports.items():
            self.patch.setenv(name, value)
        return exports

    @property
    def published_db(self) -> Path:
        return current_dir(self.data / "published") / "warehouse.duckdb"

    def named(self, value: str | None) -> str | None:
        """A published value with its people's keys replaced by their emails, from the release's
        restricted people_directory (as the reports that name people read it)."""
        return reidentify(value, release_directory(self.published_db.parent.resolve()))

    def published_totals(self) -> dict:
        with duckdb.connect(str(self.published_db), read_only=True) as con:
            return provider_totals(con)

    def truth(self) -> dict:
        return self.sandbox.state.expected_published(FIRST, date(2026, 9, 21))


@contextmanager
def started_deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """A sandbox, a data directory and the first backfill over FIRST .. LAST."""
    data = tmp_path_factory.mktemp("deployment") / "data"
    collector = Collector()
    logging.getLogger().addHandler(collector)
    try:
        with pytest.MonkeyPatch.context() as patch, SandboxServer(SandboxState()) as server:
            patch.setenv("AIUW_DATA_DIR", str(data))
            patch.setenv("DBT_LOG_PATH", str(data / "dbt_logs"))
            for name, value in server.environment().items():
                patch.setenv(name, value)
            d = Deployment(data, server, patch)
            d.collector = collector
            # exports are written at the sandbox clock: set it before the first export exists
            d.set_clock(AS_OF_FIRST_RUN)
            d.first_result = d.run()
            yield d
    finally:
        logging.getLogger().removeHandler(collector)


@dataclass(frozen=True)
class DriftRelease:
    """What a gateway-only deployment around the sandbox's planted usage drift published."""

    data: Path
    published: Path
    first: date
    last: date
    drift: UsageDrift
    state: SandboxState

    @property
    def published_db(self) -> Path:
        return current_dir(self.published) / "warehouse.duckdb"

    def named(self, value: str | None) -> str | None:
        """A published value with its people named, from the release's restricted mart."""
        return reidentify(value, release_directory(self.published_db.parent.resolve()))


def drift_release(tmp_path_factory: pytest.TempPathFactory) -> DriftRelease:
    """The gateway sources only (LiteLLM export files, OpenTelemetry spans), from eight weeks
    before the planted drift's week to the Sunday after it: the baseline a verdict needs, the
    drifting week and the one after. The deployment is torn down (sandbox stopped, environment
    restored) before this returns; its published release stays on disk."""
    drift = planted_drift()
    first = drift.week_start - timedelta(weeks=8)
    last = drift.week_start + timedelta(days=13)
    base = tmp_path_factory.mktemp("usage_drift")
    data = base / "data"
    state = SandboxState()
    with pytest.MonkeyPatch.context() as patch, SandboxServer(state) as server:
        patch.setenv("AIUW_DATA_DIR", str(data))
        patch.setenv("DBT_LOG_PATH", str(data / "dbt_logs"))
        sources = sources_subset(base / "sources.yml", ("litellm_export", "otlp_genai"), first)
        patch.setenv("AIUW_SOURCES", str(sources))
        for name, value in server.environment().items():
            patch.setenv(name, value)
        as_of = datetime.combine(last + timedelta(days=2), datetime.min.time(), UTC)
        httpx.post(
            f"{server.url}/_sandbox/clock", json={"as_of": as_of.isoformat()}
        ).raise_for_status()
        exports = state.write_exports(
            data / "sandbox_exports",
            first,
            last + timedelta(days=1),
            providers=lambda provider: provider.name in ("litellm", "otel"),
        )
        for name, value in exports.items():
            patch.setenv(name, value)
        sources_config.cache_clear()
        try:
            results = Deployment(data, server, patch).run(partition_range=(first, last))
        finally:
            sources_config.cache_clear()
        assert all(result.success for result in results)
    return DriftRelease(data, data / "published", first, last, drift, state)
