"""Operational alerts from small real inputs: status files as the ingest and dbt steps write them, a
landing zone with Parquet files (one unreadable), a published release. Each alert reaches a webhook
receiver on 127.0.0.1 once, is not sent again, and is resolved once when its condition clears."""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from alerting.delivery import deliver_after_run, run_pass
from connectors.config import load_sources
from governance.load import GOVERNANCE_DIR, load_governance
from tests.alert_receivers import WebhookReceiver
from tests.conftest import TEST_ADMIN_KEY
from warehouse.paths import Paths
from warehouse.publish import current_dir, publish
from warehouse.run_status import (
    dbt_build_path,
    dbt_failures,
    error_summary,
    record,
    serve_path,
    source_pull_path,
    source_pulls,
)

NOW = datetime.now(UTC)
TODAY = NOW.date()
RUN_RESULTS = {
    "results": [
        {"unique_id": "model.aiuw.stg_openai__usage", "status": "error",
         "message": "Runtime Error: IO Error: No magic bytes found at end of file"},
        {"unique_id": "model.aiuw.fct_ai_usage_daily", "status": "skipped", "message": None},
        {"unique_id": "test.aiuw.not_null_dim_team_team_id", "status": "pass", "message": None},
    ]
}  # fmt: skip


class FrozenClock(datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW.astimezone(tz) if tz else NOW.replace(tzinfo=None)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The alerts read the clock TODAY was read from: a test running past midnight sees one day."""
    monkeypatch.setattr("alerting.operational.datetime", FrozenClock)


@pytest.fixture
def paths(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    monkeypatch.delenv("AIUW_ALERTS_DIR", raising=False)
    return Paths.from_env()


def governance(tmp_path: Path, routed: bool = True):
    directory = tmp_path / "governance"
    shutil.copytree(GOVERNANCE_DIR, directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    if routed:
        (directory / "alerting.yml").write_text(
            "channels:\n  webhook:\n    url_env: TEST_ALERT_WEBHOOK_URL\n"
            "routing:\n  medium: [webhook]\n  high: [webhook]\n  critical: [webhook]\n"
        )
    return load_governance(directory)


def land(paths: Paths, source_type: str, entity: str, source_id: str, day: date, rows: int):
    directory = paths.landing / source_type / entity / source_id
    directory.mkdir(parents=True, exist_ok=True)
    table = pa.table(
        {"id": [f"r{i}" for i in range(rows)]}, schema=pa.schema([("id", pa.string())])
    )
    pq.write_table(table, directory / f"{day.isoformat()}.parquet")


def release_published(paths: Paths, hours_ago: float) -> None:
    warehouse = paths.data / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.dim_team (team_id varchar)")
    publish(warehouse, paths.published, ["dim_team"], "run-operational")
    manifest = current_dir(paths.published) / "manifest.json"
    content = json.loads(manifest.read_text())
    content["published_at"] = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()
    manifest.write_text(json.dumps(content))


def delivered(gov, paths: Paths, hook: WebhookReceiver) -> list[tuple[str, str]]:
    _, report = run_pass(paths, gov, {"TEST_ALERT_WEBHOOK_URL": hook.url("/hook")})
    assert report.failed == [] and report.no_channel is None
    return sorted((kind, key) for key, kind, _ in report.delivered)


def titles(bodies: list[dict]) -> list[str]:
    return sorted(b["text"].split(":")[0] for b in bodies)


def test_each_operational_alert_is_sent_once_then_resolved_once(tmp_path, paths):
    gov = governance(tmp_path)
    # openai_test: fresh data, but its latest usage pull failed (the error had the key in it)
    land(paths, "openai", "usage", "openai_test", TODAY - timedelta(days=1), rows=3)
    record(
        source_pull_path(paths.data, "openai", "openai_test", "usage"),
        "run-ingest-1",
        error_summary(RuntimeError(f"HTTP 401 for key {TEST_ADMIN_KEY}"), [TEST_ADMIN_KEY]),
    )
    record(source_pull_path(paths.data, "openai", "openai_test", "costs"), "run-ingest-1", None)
    # bedrock_cur_test: newest rows six days ago (limit 4 for aws_cur); the empty files don't count
    land(paths, "aws_cur", "bedrock_line_items", "bedrock_cur_test", TODAY - timedelta(days=6), 2)
    land(paths, "aws_cur", "bedrock_line_items", "bedrock_cur_test", TODAY - timedelta(days=1), 0)
    # an anthropic file cut short: not Parquet any more
    broken = paths.landing / "anthropic" / "usage" / "anthropic_test" / "2026-11-30.parquet"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"PAR1 truncated")
    record(dbt_build_path(paths.data), "run-transform-1", dbt_failures(RUN_RESULTS, "exit 1"))
    record(serve_path(paths.data), "run-transform-1", "ServeError: cannot connect")
    release_published(paths, hours_ago=60)

    with WebhookReceiver() as hook:
        opened = delivered(gov, paths, hook)
        assert [kind for kind, _ in opened] == ["opened"] * 6
        assert titles(hook.bodies) == [
            "High alert",
            "High alert",
            "High alert",
            "High alert",
            "High alert",
            "Medium alert",
        ]
        by_type = {
            b["blocks"][0]["text"]["text"].split(": ", 1)[1]: b["blocks"][1]["text"]["text"]
            for b in hook.bodies
        }
        assert sorted(by_type) == [
            "dbt build failed",
            "landing file unreadable",
            "release stale",
            "serve failed",
            "source failed",
            "source stale",
        ]
        assert by_type["source failed"].startswith(
            "Source openai/openai_test is failing since "
        ) and by_type["source failed"].endswith(
            "(latest pull of 1 of 2 entities failed after retries; its landed files are unchanged,"
            " the other sources still publish): RuntimeError: HTTP 401 for key [REDACTED]"
        )
        assert by_type["source stale"] == (
            "No new data from source aws_cur/bedrock_cur_test for 6 days: the newest day with rows"
            f" is {TODAY - timedelta(days=6)} (limit 4 days for aws_cur)."
        )
        assert "landing file anthropic/usage/anthropic_test/2026-11-30.parquet" in json.dumps(
            hook.bodies
        )
        assert (
            "1 dbt node(s) failed: model.aiuw.stg_openai__usage: Runtime Error"
            in (by_type["dbt build failed"])
        )
        assert "was published 60 hours ago (limit 48)" in by_type["release stale"]
        assert by_type["serve failed"].startswith("The published release was not served")
        assert by_type["serve failed"].endswith("ServeError: cannot connect")
        assert TEST_ADMIN_KEY not in json.dumps(hook.bodies)

        assert delivered(gov, paths, hook) == [] and len(hook.bodies) == 6

        # every condition clears
        record(source_pull_path(paths.data, "openai", "openai_test", "usage"), "run-2", None)
        land(paths, "aws_cur", "bedrock_line_items", "bedrock_cur_test", TODAY, rows=1)
        broken.unlink()
        record(dbt_build_path(paths.data), "run-transform-2", None)
        record(serve_path(paths.data), "run-transform-2", None)
        release_published(paths, hours_ago=1)
        resolved = delivered(gov, paths, hook)
        assert resolved == [("resolved", key) for _, key in opened]
        assert titles(hook.bodies[6:]) == ["Resolved"] * 6
        assert delivered(gov, paths, hook) == [] and len(hook.bodies) == 12

        # the source fails again: a new episode with a new key
        record(source_pull_path(paths.data, "openai", "openai_test", "costs"), "run-3", "timeout")
        again = delivered(gov, paths, hook)
        assert len(again) == 1 and again[0][0] == "opened" and again[0] not in opened
        assert "latest pull of 1 of 2 entities failed" in hook.bodies[-1]["text"]


def test_a_source_failing_for_two_runs_is_one_episode(tmp_path, paths):
    status = source_pull_path(paths.data, "openai", "openai_test", "usage")
    first = record(status, "run-1", "ConnectError", datetime(2026, 12, 1, 3, tzinfo=UTC))
    second = record(status, "run-2", "ConnectError", datetime(2026, 12, 2, 3, tzinfo=UTC))
    assert first.failing_since == second.failing_since == "2026-12-01T03:00:00+00:00"
    gov = governance(tmp_path)
    with WebhookReceiver() as hook:
        assert len(delivered(gov, paths, hook)) == 1
        record(status, "run-3", "ConnectError", datetime(2026, 12, 3, 3, tzinfo=UTC))
        assert delivered(gov, paths, hook) == []
        assert record(status, "run-4", None).failing_since is None


def test_deliver_without_a_channel_says_so_once_and_exits_non_zero(
    tmp_path, paths, monkeypatch, capsys
):
    from orchestration.cli.alerts import main

    for name in ("AIUW_ALERT_WEBHOOK_URL", "AIUW_ALERT_SMTP_USERNAME", "AIUW_ALERT_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    gov = governance(tmp_path, routed=False)  # the shipped alerting.yml
    monkeypatch.setenv("AIUW_GOVERNANCE_DIR", str(gov.directory))
    record(dbt_build_path(paths.data), "run-transform-1", dbt_failures({}, "dbt exited 2"))
    expected = (
        "1 pending, no channel configured (set AIUW_ALERT_WEBHOOK_URL or set"
        " AIUW_ALERT_SMTP_USERNAME and AIUW_ALERT_SMTP_PASSWORD)"
    )
    assert main(["deliver"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"release (none): {expected}\n"
    assert deliver_after_run(paths, gov) == f"alerts: {expected}"
    assert not (paths.data / "alerts" / "deliveries.jsonl").exists()
    assert main(["pending"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split("\t")[1:4] for line in lines] == [
        ["opened", "webhook", "high"],
        ["opened", "email", "high"],
    ]


@contextmanager
def probe_client(source, fail_with: str | None):
    if fail_with:
        raise RuntimeError(fail_with)
    yield None


def test_the_ingest_asset_records_each_pull_and_checks_freshness(paths, monkeypatch):
    from orchestration.lib.ingest import FRESHNESS_CHECK, Entity, build_ingest_asset
    from orchestration.lib.sources import sources_config

    sources_config.cache_clear()
    yesterday = TODAY - timedelta(days=1)
    failure: list[str] = []
    entity = Entity(
        name="probe",
        description="records for the test",
        schema=pa.schema([("id", pa.string()), ("day", pa.date32())]),
        fetch=lambda client, window: iter([{"id": "a", "day": yesterday}]),
        day_of=lambda record: record["day"],
    )
    asset = build_ingest_asset(
        "openai", entity, lambda source: probe_client(source, failure[0] if failure else None)
    )

    def materialize():
        return dg.materialize(
            [asset],
            partition_key=yesterday.isoformat(),
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )

    result = materialize()
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == FRESHNESS_CHECK and check.passed
    assert check.metadata["newest_day_with_rows"].data == {"openai_test": yesterday.isoformat()}
    pulls = source_pulls(paths.data)
    assert pulls[("openai", "openai_test", "probe")].ok

    failure.append(f"401 Unauthorized, Authorization: Bearer {TEST_ADMIN_KEY}")
    assert not materialize().success
    status = source_pulls(paths.data)[("openai", "openai_test", "probe")]
    assert not status.ok and status.failing_since == status.at
    assert status.error == "RuntimeError: 401 Unauthorized, Authorization: Bearer [REDACTED]"


def test_a_freshness_limit_for_an_unknown_source_type_names_file_line_and_field(tmp_path):
    from connectors.errors import ConfigError

    directory = governance(tmp_path).directory
    path = directory / "thresholds.yml"
    path.write_text(path.read_text().replace("      aws_cur: 4", "      aws_curr: 4"))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "aws_curr" in text)
    with pytest.raises(ConfigError) as raised:
        load_governance(directory)
    assert f"thresholds.yml:{line}: operations.source_stale.max_age_days.aws_curr" in str(
        raised.value
    )
    assert load_governance().thresholds.operations.source_stale.limit_days("openai") == 2


def test_source_episodes_stay_open_while_the_sources_config_cannot_be_read(paths):
    from alerting.operational import evaluate, track
    from governance.schema import OperationsThresholds

    record(source_pull_path(paths.data, "openai", "openai_test", "usage"), "run-1", "ConnectError")
    now = datetime.now(UTC)
    sources = load_sources().sources
    conditions, evaluated = evaluate(paths, OperationsThresholds(), sources, now)
    episodes, (opened,) = track(conditions, evaluated, {}, now)
    assert (opened.kind, opened.subject) == ("opened", "source openai/openai_test")
    unread, evaluated = evaluate(paths, OperationsThresholds(), None, now)
    assert unread == [] and "source_failed" not in evaluated
    same, (still,) = track(unread, evaluated, episodes, now)
    assert same == episodes and still == opened
    _, (resolved,) = track([], {"source_failed"}, episodes, now)
    assert (resolved.kind, resolved.alert_key) == ("resolved", opened.alert_key)
