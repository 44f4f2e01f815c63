"""The end of a CLI run says which source entities failed or were skipped and why, and whether the
release was published or refused by the quality gate (naming the failed checks), from real Dagster
runs in an ephemeral instance."""

from __future__ import annotations

import json
from contextlib import contextmanager

import dagster as dg
import pyarrow as pa
import pytest

from connectors.errors import EndpointNotServed
from orchestration.automation_names import INGEST_JOB
from orchestration.cli.run_outcome import (
    SourceProblems,
    ingest_lines,
    release_lines,
    source_problems,
    transform_outcome,
)
from orchestration.lib.ingest import Entity, build_ingest_asset
from orchestration.lib.partitions import daily_partitions
from orchestration.lib.sources import sources_config
from warehouse.paths import Paths
from warehouse.publish import current_dir

SOURCES = """
warehouse:
  history_start: 2026-09-01
  restatement_days: 1
sources:
  - {id: openai_main, type: openai, base_url: "http://127.0.0.1:9/v1"}
  - {id: openai_lab, type: openai, base_url: "http://127.0.0.1:9/v1"}
  - {id: openai_old, type: openai, exclude_entities: [usage]}
  - {id: cursor_team, type: cursor, base_url: "http://127.0.0.1:9", enabled: false}
"""


@pytest.fixture
def config(tmp_path, monkeypatch, data_dir):
    path = tmp_path / "sources.yml"
    path.write_text(SOURCES)
    monkeypatch.setenv("AIUW_SOURCES", str(path))
    sources_config.cache_clear()
    yield sources_config()
    sources_config.cache_clear()


def fetch(source, window):
    if source.id == "openai_lab":
        raise EndpointNotServed("openai_lab", "GET", "http://127.0.0.1:9/v1/usage?x=1", 404, "gone")
    for day in window.days():
        yield {"id": f"{source.id}-{day}", "day": day}


@contextmanager
def open_client(source):
    yield source


def ingest(config, instance) -> str:
    entity = Entity(
        "usage",
        "test usage",
        pa.schema([("id", pa.string()), ("day", pa.date32())]),
        fetch,
        day_of=lambda record: record["day"],
    )
    job = dg.define_asset_job(INGEST_JOB, partitions_def=daily_partitions(config))
    definitions = dg.Definitions(
        assets=[build_ingest_asset("openai", entity, open_client)], jobs=[job]
    )
    result = definitions.resolve_job_def(INGEST_JOB).execute_in_process(
        instance=instance, partition_key="2026-09-03", raise_on_error=False
    )
    assert result.success  # an unserved endpoint does not fail the step
    return result.run_id


def transform(instance, gate_passes: bool) -> str:
    @dg.asset(key=["marts", "fct_x"])
    def fct_x():
        return None

    @dg.asset_check(asset=fct_x, name="gx_fct_x", blocking=True)
    def gx_fct_x():
        return dg.AssetCheckResult(passed=gate_passes, severity=dg.AssetCheckSeverity.ERROR)

    @dg.asset_check(asset=fct_x, name="row_count_warning")
    def row_count_warning():
        return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)

    @dg.asset(key=["published", "warehouse"], deps=[fct_x])
    def published():
        return dg.MaterializeResult(metadata={"release_id": "20261001T030000Z_abcd1234"})

    definitions = dg.Definitions(
        assets=[fct_x, published], asset_checks=[gx_fct_x, row_count_warning]
    )
    job = definitions.get_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    return result.run_id


def test_a_refused_release_with_nothing_published_says_so_and_names_the_checks(config):
    instance = dg.DagsterInstance.ephemeral()
    paths = Paths.from_env()
    problems = source_problems(instance, ingest(config, instance), config)
    outcome = transform_outcome(instance, transform(instance, gate_passes=False))
    lines = ingest_lines(problems) + release_lines(outcome, paths)
    assert unwrapped(lines) == [
        "Ingest: source entities that failed or were skipped (the others landed):",
        "  openai_lab usage: failed: HTTP 404 from /v1/usage: the account does not serve this "
        f"endpoint: add `exclude_entities: [usage]` to source openai_lab in {config.path}, or "
        "grant the key Admin API read access to usage, costs and projects",
        "  openai_old usage: skipped: listed in its exclude_entities",
        "  cursor_team: skipped: disabled in the sources config",
        "Failed sources: openai_lab. Their files from earlier runs are unchanged; fix what each "
        "line says and run again.",
        "Refused: the quality gate refused this run's release; 1 check(s) failed:",
        "  marts/fct_x gx_fct_x",
        "Nothing was published yet: no run has passed the quality gate.",
        "Fix: read the failed expectations in the transform run's log or under "
        f"{paths.quality}, correct the data or the governance files, and run again.",
    ]
    assert "make run" not in "\n".join(lines)
    assert all(len(line) < 100 for line in lines)


def unwrapped(lines: list[str]) -> list[str]:
    """The entries as written before wrapping: a line indented 4+ spaces continues the one above."""
    entries: list[str] = []
    for line in lines:
        if line.startswith("    "):
            entries[-1] += " " + line.strip()
        else:
            entries.append(line)
    return entries


def test_a_refused_release_keeps_the_current_one(config):
    instance = dg.DagsterInstance.ephemeral()
    paths = Paths.from_env()
    manifest = current_dir(paths.published) / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        json.dumps(
            {"release_id": "20260930T030000Z_feed0001", "published_at": "2026-09-30T03:00:00+00:00"}
        )
    )
    outcome = transform_outcome(instance, transform(instance, gate_passes=False))
    assert unwrapped(release_lines(outcome, paths))[2] == (
        "Still published: release 20260930T030000Z_feed0001 of 2026-09-30T03:00 (the summary below "
        "is of that release)."
    )


def test_a_published_release_and_a_clean_ingest(config):
    instance = dg.DagsterInstance.ephemeral()
    outcome = transform_outcome(instance, transform(instance, gate_passes=True))
    assert outcome.failed_checks == []  # a failed WARN check does not refuse a release
    assert release_lines(outcome, Paths.from_env()) == [
        "Published: release 20261001T030000Z_abcd1234, built by this run."
    ]
    assert ingest_lines(SourceProblems()) == ["Ingest: every source landed every entity it pulls."]
