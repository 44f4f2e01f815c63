"""The whole pipeline against the sandbox, in the order a deployment lives through it:
first backfill, re-runs, a late restatement, a mart that fails its suite, a source that stays broken,
and finally a scan for the secret in everything the runs wrote.

Each step is one Dagster run of the main job (or part of it) over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import httpx
import pytest
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.automation_names import INGEST_JOB, TRANSFORM_JOB
from orchestration.cli.summary import provider_totals
from orchestration.lib.evidence import Ledger, record_run
from orchestration.lib.publish import current_dir
from sandbox.server import SandboxServer, SandboxState
from tests.conftest import TEST_SECRETS

pytestmark = pytest.mark.e2e

FIRST, LAST = date(2026, 9, 1), date(2026, 9, 20)
AS_OF_FIRST_RUN = datetime(2026, 9, 22, 6, tzinfo=UTC)  # 2026-09-20 is still provisional
AS_OF_LATER = datetime(2026, 9, 30, 6, tzinfo=UTC)


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
            tempdir=str(data / "dagster"), overrides={"telemetry": {"enabled": False}}
        )

    def run_job(
        self, job, partition: date | None, tags: dict | None = None
    ) -> dg.ExecuteInProcessResult:
        whole_range = {
            ASSET_PARTITION_RANGE_START_TAG: FIRST.isoformat(),
            ASSET_PARTITION_RANGE_END_TAG: LAST.isoformat(),
        }
        return job.execute_in_process(
            instance=self.instance,
            tags={**({} if partition else whole_range), **(tags or {})},
            partition_key=partition.isoformat() if partition else None,
            raise_on_error=False,
        )

    def run(
        self, partition: date | None = None
    ) -> tuple[dg.ExecuteInProcessResult, dg.ExecuteInProcessResult]:
        """Ingest then transform, as the schedule and its sensors do, and record the evidence."""
        ingest = self.run_job(self.ingest, partition)
        tags = {
            "aiuw/ingest_run_id": ingest.run_id,
            "aiuw/ingest_status": "SUCCESS" if ingest.success else "FAILURE",
        }
        transform = self.run_job(self.transform, partition, tags)
        record_run(self.instance, transform.run_id, self.data / "evidence" / "ledger.jsonl")
        return ingest, transform

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

    def published_totals(self) -> dict:
        with duckdb.connect(str(self.published_db), read_only=True) as con:
            return provider_totals(con)

    def truth(self) -> dict:
        return self.sandbox.state.expected_published(FIRST, date(2026, 9, 21))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    data = tmp_path_factory.mktemp("deployment") / "data"
    collector = Collector()
    logging.getLogger().addHandler(collector)
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
    logging.getLogger().removeHandler(collector)


def all_ok(results) -> bool:
    return all(r.success for r in results)


def assert_matches_truth(published: dict, truth: dict) -> None:
    """Every provider's published usage equals the sandbox's exactly, and its costs to the cent."""
    assert set(published) == set(truth)
    for provider, expected in truth.items():
        assert published[provider].get("usage") == expected["usage"], provider
        for kind in ("invoiced", "measured"):
            got = Decimal(published[provider].get(f"{kind}_cost_usd", 0)).quantize(Decimal("0.01"))
            assert got == Decimal(expected[f"{kind}_cost_usd"]).quantize(Decimal("0.01")), (
                provider,
                kind,
            )


def test_first_backfill_publishes_the_sandbox_ground_truth(deployment):
    assert all_ok(deployment.first_result)
    published = deployment.published_totals()
    truth = deployment.truth()
    assert_matches_truth(published, truth)
    # OpenAI sends dollars as JSON numbers: the DECIMAL sum is exact, not merely equal to the cent
    assert published["openai"]["invoiced_cost_usd"] == Decimal(truth["openai"]["invoiced_cost_usd"])
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        attributed = con.execute(
            "select avg(case when is_attributed then 1.0 else 0 end) from fct_ai_cost_daily where provider = 'openai'"
        ).fetchone()[0]
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns where table_name = 'fct_ai_cost_daily'"
            ).fetchall()
        )
        teams = con.execute(
            "select count(distinct team_id) from fct_ai_cost_daily where provider = 'openai'"
        ).fetchone()[0]
        cost_total = con.execute("select sum(billed_cost) from fct_ai_cost_daily").fetchone()[0]
    assert 0.8 < attributed < 1.0  # shadow projects stay unattributed
    assert types["billed_cost"] == "DECIMAL(38,10)"
    assert teams == 24
    parquet = current_dir(deployment.data / "published") / "parquet" / "fct_ai_cost_daily.parquet"
    with duckdb.connect() as con:
        assert con.execute(f"select sum(billed_cost) from '{parquet}'").fetchone()[0] == cost_total


def test_reruns_change_no_published_total(deployment):
    before = deployment.published_totals()
    assert all_ok(deployment.run())
    assert deployment.published_totals() == before
    assert all_ok(deployment.run(partition=date(2026, 9, 10)))
    assert all_ok(deployment.run(partition=date(2026, 9, 10)))
    assert deployment.published_totals() == before


def test_a_late_restatement_is_picked_up_by_the_trailing_window(deployment):
    provisional = deployment.published_totals()["openai"]["invoiced_cost_usd"]
    deployment.set_clock(AS_OF_LATER)
    assert all_ok(deployment.run(partition=LAST))  # re-pulls 2026-09-18 .. 2026-09-20
    restated = deployment.published_totals()
    assert restated["openai"]["invoiced_cost_usd"] > provisional
    assert_matches_truth(restated, deployment.truth())


def test_a_mart_that_fails_its_suite_is_not_published(deployment):
    release = deployment.published_db.resolve()
    content = release.read_bytes()
    totals = deployment.published_totals()
    httpx.post(
        f"{deployment.sandbox.url}/_sandbox/corrupt", json={"date": "2026-09-15"}
    ).raise_for_status()
    try:
        ingest, result = deployment.run(partition=date(2026, 9, 15))
    finally:
        httpx.delete(f"{deployment.sandbox.url}/_sandbox/faults").raise_for_status()
    assert ingest.success and not result.success
    evaluations = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert evaluations["gx_fct_ai_usage_daily"] is False
    published = [
        e for e in result.all_events if e.is_step_success and e.step_key == "published__warehouse"
    ]
    assert published == []
    # the previous release is still current, byte for byte, and readable
    assert deployment.published_db.resolve() == release
    assert release.read_bytes() == content
    assert deployment.published_totals() == totals
    logged = "\n".join(entry.user_message for entry in deployment.instance.all_logs(result.run_id))
    assert "expectation failed: expect_column_values_to_be_between(uncached_input_tokens)" in logged
    # fixing the source and re-running publishes again
    assert all_ok(deployment.run(partition=date(2026, 9, 15)))
    assert deployment.published_db.resolve() != release
    assert deployment.published_totals() == totals


def test_a_page_that_stays_broken_fails_its_source_only_and_keeps_landed_files(deployment):
    landing = deployment.data / "landing" / "openai" / "costs" / "openai_test"
    before = {p.name: p.read_bytes() for p in landing.glob("*.parquet")}
    release = deployment.published_db.resolve()
    totals = deployment.published_totals()
    httpx.post(
        f"{deployment.sandbox.url}/_sandbox/faults",
        json={"path": "/v1/organization/costs", "status": 500, "times": 1000},
    ).raise_for_status()
    try:
        result, transform = deployment.run(partition=date(2026, 9, 12))
    finally:
        httpx.delete(f"{deployment.sandbox.url}/_sandbox/faults").raise_for_status()
    assert not result.success
    failed_steps = [e.step_key for e in result.all_events if e.is_step_failure]
    assert failed_steps == ["raw__openai__costs"]  # the other entities landed
    # the transform run still builds and publishes from what landed
    assert transform.success
    assert deployment.published_db.resolve() != release
    assert deployment.published_totals() == totals
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.event_specific_data.error.to_string()
    assert (
        "openai_test: GET" in message
        and "/v1/organization/costs" in message
        and "HTTP 500" in message
    )
    assert "after 4 attempts" in message
    assert {p.name: p.read_bytes() for p in landing.glob("*.parquet")} == before
    assert not list(landing.glob(".*.tmp"))


def test_no_secret_is_anywhere(deployment):
    run_logs = [
        entry.user_message
        for run in deployment.instance.get_runs()
        for entry in deployment.instance.all_logs(run.run_id)
    ]
    files = [path for path in deployment.data.rglob("*") if path.is_file()]
    for secret in TEST_SECRETS.values():
        assert [str(p) for p in files if secret.encode() in p.read_bytes()] == []
        assert not any(secret in line for line in deployment.collector.lines)
        assert not any(secret in message for message in run_logs)
    # the runs did write files, logs and events where the scan looked
    assert list(deployment.data.rglob("*.parquet")) and list(deployment.data.rglob("*.db"))
    assert any("landed" in message for message in run_logs)
    assert any("failed with HTTP 500" in message for message in run_logs)


def test_the_evidence_ledger_records_every_transform_run(deployment):
    ledger = Ledger(deployment.data / "evidence" / "ledger.jsonl")
    entries = ledger.entries()
    assert ledger.verify()[0]
    transform_runs = [r for r in deployment.instance.get_runs() if r.job_name == TRANSFORM_JOB]
    assert [e["run_id"] for e in entries] == [r.run_id for r in reversed(transform_runs)]
    first = entries[0]
    assert first["partitions"] == {"range_start": "2026-09-01", "range_end": "2026-09-20"}
    costs = next(s for s in first["sources"] if s["asset"] == "raw/openai/costs")
    assert costs["window_start"] == "2026-09-01" and costs["records"] > 0
    landed = deployment.data / "landing" / "openai" / "costs" / "openai_test" / "2026-09-05.parquet"
    assert landed.exists() and len(costs["files_sha256"]) == 20
    assert {c["check"] for c in first["checks"]} >= {
        "gx_fct_ai_usage_daily",
        "gx_fct_ai_cost_daily",
    }
    assert len(first["governance_sha256"]) == 64
    latest = entries[-1]
    manifest = json.loads(
        (current_dir(deployment.data / "published") / "manifest.json").read_text()
    )
    assert latest["published"] == {
        "release_id": manifest["release_id"],
        "tables": manifest["tables"],
    }
    blocked = next(e for e in entries if e["status"] == "FAILURE")
    assert blocked["published"] is None
    assert any(c["check"] == "gx_fct_ai_usage_daily" and not c["passed"] for c in blocked["checks"])
