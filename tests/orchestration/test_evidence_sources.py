"""Ledger entries list every configured source with its part in the ingest run, failures included,
and a run that ended abnormally can still be recorded."""

from __future__ import annotations

import json
from contextlib import contextmanager

import dagster as dg
import pyarrow as pa
import pytest

from evidence.ledger import Ledger
from orchestration.automation_names import INGEST_JOB
from orchestration.lib.evidence_sources import AssetOutcome, source_status
from orchestration.lib.ingest import Entity, build_ingest_asset
from orchestration.lib.partitions import daily_partitions
from orchestration.lib.run_evidence import record_interrupted_run, record_run
from orchestration.lib.sources import sources_config
from warehouse.landing import file_sha256

LAB_SECRET = "sk-lab-TEST-5c9e2a7d-do-not-leak"
SOURCES = """
warehouse:
  history_start: 2026-09-01
  restatement_days: 1
sources:
  - {id: openai_main, type: openai, base_url: "http://127.0.0.1:9/v1", secret_env: OPENAI_ADMIN_KEY}
  - {id: openai_lab, type: openai, base_url: "http://127.0.0.1:9/v1", secret_env: OPENAI_LAB_KEY}
  - {id: cursor_team, type: cursor, base_url: "http://127.0.0.1:9", secret_env: CURSOR_API_KEY}
  - {id: anthropic_old, type: anthropic, secret_env: ANTHROPIC_ADMIN_KEY, enabled: false}
  - {id: scim_hr, type: scim, base_url: "http://127.0.0.1:9/scim/v2", secret_env: SCIM_TOKEN}
"""


@pytest.fixture
def config(tmp_path, monkeypatch, data_dir):
    path = tmp_path / "sources.yml"
    path.write_text(SOURCES)
    monkeypatch.setenv("AIUW_SOURCES", str(path))
    monkeypatch.setenv("OPENAI_LAB_KEY", LAB_SECRET)
    monkeypatch.delenv("AIUW_EVIDENCE_SIGNING_KEY", raising=False)
    sources_config.cache_clear()
    yield sources_config()
    sources_config.cache_clear()


def fetch(source, window):
    """Two records a day; the lab's endpoint answers 500 and echoes its key, as a careless one might."""
    if source.id == "openai_lab":
        raise RuntimeError(f"HTTP 500 from {source.base_url}/usage (sent key {LAB_SECRET})")
    for day in window.days():
        yield from ({"id": f"{source.id}-{day}-{n}", "day": day} for n in range(2))


@contextmanager
def open_client(source):
    yield source


def ingest_then_transform(config) -> tuple[dg.DagsterInstance, str, str]:
    entity = Entity(
        "usage",
        "test usage",
        pa.schema([("id", pa.string()), ("day", pa.date32())]),
        fetch,
        day_of=lambda record: record["day"],
    )
    assets = [build_ingest_asset(t, entity, open_client) for t in ("openai", "cursor")]
    ingest = dg.define_asset_job(INGEST_JOB, partitions_def=daily_partitions(config))

    @dg.op
    def build():
        return None

    @dg.job
    def transform_daily():
        build()

    definitions = dg.Definitions(assets=assets, jobs=[ingest, transform_daily])
    instance = dg.DagsterInstance.ephemeral()
    ingested = definitions.resolve_job_def(INGEST_JOB).execute_in_process(
        instance=instance, partition_key="2026-09-03", raise_on_error=False
    )
    assert not ingested.success  # the lab failed
    tags = {"aiuw/ingest_run_id": ingested.run_id, "aiuw/ingest_status": "FAILURE"}
    transformed = transform_daily.execute_in_process(instance=instance, tags=tags)
    return instance, ingested.run_id, transformed.run_id


def test_every_configured_source_is_listed_with_its_status(config, data_dir, tmp_path):
    instance, ingest_run, transform_run = ingest_then_transform(config)
    ledger_path = tmp_path / "evidence" / "ledger.jsonl"
    entry = record_run(instance, transform_run, ledger_path, tmp_path / "anchor")
    sources = {s["id"]: s for s in entry["sources"]}
    assert list(sources) == ["openai_main", "openai_lab", "cursor_team", "anthropic_old", "scim_hr"]

    main = sources["openai_main"]
    assert (main["status"], main["error"]) == ("landed", None)
    [usage] = main["entities"]
    landing = data_dir / "landing"
    files = sorted(landing.glob("openai/usage/openai_main/*.parquet"))
    assert [f.name for f in files] == ["2026-09-02.parquet", "2026-09-03.parquet"]
    assert usage == {
        "asset": "raw/openai/usage",
        "status": "landed",
        "error": None,
        "window_start": "2026-09-02",
        "window_end_exclusive": "2026-09-04",
        "records": 4,
        "files_sha256": {str(f.relative_to(landing)): file_sha256(f) for f in files},
    }

    lab = sources["openai_lab"]
    assert lab["status"] == "failed"
    assert (
        lab["error"]
        == "raw/openai/usage: RuntimeError: HTTP 500 from http://127.0.0.1:9/v1/usage (sent key [REDACTED])"
    )
    assert lab["entities"][0]["files_sha256"] == {} and lab["entities"][0]["records"] is None

    assert sources["cursor_team"]["status"] == "landed"
    assert sources["cursor_team"]["entities"][0]["records"] == 4
    assert sources["anthropic_old"] == {
        "id": "anthropic_old",
        "type": "anthropic",
        "status": "skipped",
        "reason": "disabled in the sources config",
    }
    assert sources["scim_hr"]["reason"] == f"not in ingest run {ingest_run}"
    assert LAB_SECRET not in ledger_path.read_text()
    assert Ledger(ledger_path, tmp_path / "anchor").verify()[0]


def test_an_interrupted_run_gets_an_entry_with_its_reason(config, tmp_path):
    instance, ingest_run, _ = ingest_then_transform(config)
    ledger_path, anchors = tmp_path / "evidence" / "ledger.jsonl", tmp_path / "anchor"
    entry = record_interrupted_run(
        instance,
        ingest_run,
        ledger_path,
        "worker killed at 03:10, ingest resumed",
        "recovered",
        anchors,
    )
    assert entry["status"] == "RECOVERED"
    assert entry["interruption"] == {
        "reason": "worker killed at 03:10, ingest resumed",
        "dagster_status": "FAILURE",
    }
    # an ingest run stands for its own sources
    assert entry["ingest_run_id"] == ingest_run
    assert {s["id"]: s["status"] for s in entry["sources"]}["openai_lab"] == "failed"

    gone = record_interrupted_run(
        instance, "no-such-run", ledger_path, "host lost", anchor_dir=anchors
    )
    assert (gone["sequence"], gone["status"], gone["job"]) == (2, "FAILURE", None)
    assert gone["interruption"] == {"reason": "host lost", "dagster_status": None}
    with pytest.raises(ValueError, match="expected 'recovered' or 'failed'"):
        record_interrupted_run(instance, ingest_run, ledger_path, "x", "ok", anchors)  # type: ignore[arg-type]
    anchored = [
        json.loads(line) for line in (anchors / "ledger_anchors.jsonl").read_text().splitlines()
    ]
    assert [a["sequence"] for a in anchored] == [1, 2]
    assert Ledger(ledger_path, anchors).verify()[0]


def test_an_asset_the_run_never_finished_marks_the_source_interrupted(config):
    [main] = [s for s in config.sources if s.id == "openai_main"]
    outcomes = {
        "raw/openai/usage": AssetOutcome("landed", {"rows_by_source": {"openai_main": 3}}),
        "raw/openai/costs": AssetOutcome("interrupted"),
    }
    row = source_status(main, outcomes, "ingest-1")
    assert row["status"] == "interrupted"
    assert [(e["asset"], e["status"], e["records"]) for e in row["entities"]] == [
        ("raw/openai/costs", "interrupted", None),
        ("raw/openai/usage", "landed", 3),
    ]
    # a step that failed outside the per-source loop fails every source it pulls
    crashed = {"raw/openai/usage": AssetOutcome("failed", {}, "window out of range\ntrace")}
    assert (
        source_status(main, crashed, "ingest-1")["error"] == "raw/openai/usage: window out of range"
    )
