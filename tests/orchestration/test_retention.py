"""Log retention: six months at least by default and by config; older logs, results and packs go,
younger ones and the evidence ledger stay."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
import yaml
from pydantic import ValidationError

from connectors.config import SourcesConfig, WarehouseSettings
from orchestration.lib.retention import prune
from orchestration.lib.sources import sources_config
from warehouse.paths import Paths

NOW = datetime.now(UTC)


def paths_under(tmp_path) -> Paths:
    data = tmp_path / "data"
    return Paths(data, data / "landing", data / "w.duckdb", data / "published", data / "quality",
                 data / "evidence", data / "books")  # fmt: skip


def aged(path, days: int, text: str = "{}"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    stamp = (NOW - timedelta(days=days)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_the_default_and_the_shipped_setting_keep_at_least_six_months():
    settings = WarehouseSettings(history_start="2026-08-01")
    assert settings.log_retention_days == 365
    assert sources_config().warehouse.log_retention_days >= 184
    with pytest.raises(ValidationError, match="greater than or equal to 184"):
        WarehouseSettings(history_start="2026-08-01", log_retention_days=90)


def test_a_config_file_sets_it(tmp_path):
    raw = yaml.safe_load(open("tests/fixtures/sources.test.yml"))
    raw["warehouse"]["log_retention_days"] = 400
    assert SourcesConfig.model_validate(raw).warehouse.log_retention_days == 400


def test_prune_removes_what_is_older_than_retention_and_keeps_the_rest(tmp_path):
    paths = paths_under(tmp_path)
    old_result = aged(paths.quality / "results" / "dim_team" / "old.json", 200)
    young_result = aged(paths.quality / "results" / "dim_team" / "young.json", 150)
    latest = aged(paths.quality / "latest" / "dim_team.json", 400)
    old_pack = aged(paths.evidence / "packs" / "2026-Q3" / "manifest.json", 200).parent
    os.utime(old_pack, ((NOW - timedelta(days=200)).timestamp(),) * 2)
    ledger = aged(paths.ledger, 400, '{"sequence": 1}\n')
    instance = dg.DagsterInstance.ephemeral()

    @dg.op
    def nothing() -> None:
        pass

    @dg.job
    def noop():
        nothing()

    ran = noop.execute_in_process(instance=instance)

    dry = prune(paths, 184, instance, now=NOW, dry_run=True)
    assert dry.files == [old_result, old_pack] and old_result.exists()
    assert dry.runs == []  # the run was made today
    done = prune(paths, 184, instance, now=NOW)
    assert done.cutoff == NOW - timedelta(days=184)
    assert not old_result.exists() and not old_pack.exists()
    assert young_result.exists() and latest.exists() and ledger.read_text() == '{"sequence": 1}\n'
    assert instance.get_run_by_id(ran.run_id) is not None
    # a year later the run is past retention and goes too
    later = prune(paths, 184, instance, now=datetime.now(UTC) + timedelta(days=400))
    assert later.runs == [ran.run_id] and instance.get_run_by_id(ran.run_id) is None
    with pytest.raises(ValueError, match="under six months"):
        prune(paths, 100, instance, now=NOW)
