"""Per-source entity selection (`entities` / `exclude_entities`): names are checked against the
entities the source type has before any run, and an ingest asset skips a source that does not pull
its entity, recording it as skipped: not failed, not stale. Ingest runs over real HTTP against the
sandbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from alerting.operational import evaluate
from connectors.config import load_sources
from connectors.errors import ConfigError
from governance.schema import OperationsThresholds
from orchestration.lib.entity_selection import check_entity_selection, known_entities
from orchestration.lib.evidence_sources import ingest_outcomes, source_status
from orchestration.lib.sources import sources_config
from warehouse.paths import Paths
from warehouse.run_status import record, source_pull_path, source_pulls

OPENAI = "    type: openai\n    secret_env: OPENAI_ADMIN_KEY\n    max_attempts: 2\n"
HEAD = "warehouse:\n  history_start: 2026-09-01\n  restatement_days: 1\nsources:\n"
DAY = date(2026, 9, 10)


def sources_file(tmp_path: Path, *sources: str) -> Path:
    path = tmp_path / "sources.yml"
    path.write_text(HEAD + "".join(sources))
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_every_source_type_has_its_entities_known():
    known = known_entities()
    assert known["openai"][:3] == ["usage_completions", "usage_embeddings", "costs"]
    assert known["anthropic"] == [
        "usage_messages",
        "costs",
        "claude_code_usage",
        "workspaces",
        "users",
        "api_keys",
    ]
    assert known["scim"] == ["users"] and len(known) == 17


def test_an_unknown_entity_name_fails_with_file_line_field_valid_names_and_fix(tmp_path):
    path = sources_file(
        tmp_path,
        f"  - id: openai_main\n{OPENAI}    entities: [usage_completions, usage_complete]\n",
        "  - id: anthropic_main\n    type: anthropic\n    exclude_entities:\n      - claude_code\n",
    )
    with pytest.raises(ConfigError) as raised:
        check_entity_selection(load_sources(path))
    message = str(raised.value)
    assert message.startswith("invalid sources config (2 problem(s)):\n")
    assert (
        f"{path}:{line_of(path, 'usage_complete]')}: sources[0].entities[1]: source 'openai_main' "
        "(openai) has no entity 'usage_complete'; openai entities: usage_completions, "
        "usage_embeddings, costs, usage_moderations," in message
    )
    assert (
        f"{path}:{line_of(path, '- claude_code')}: sources[1].exclude_entities[0]: source "
        "'anthropic_main' (anthropic) has no entity 'claude_code'; anthropic entities: "
        "usage_messages, costs, claude_code_usage, workspaces, users, api_keys. "
        "Fix: use one of those names or remove it." in message
    )


def test_excluding_every_entity_or_setting_both_lists_fails(tmp_path):
    path = sources_file(tmp_path, "  - id: scim_hr\n    type: scim\n    base_url: http://x\n"
                        "    secret_env: SCIM_TOKEN\n    exclude_entities: [users]\n")  # fmt: skip
    with pytest.raises(ConfigError) as raised:
        check_entity_selection(load_sources(path))
    assert (
        f"{path}:{line_of(path, 'exclude_entities')}: sources[0].exclude_entities: source "
        "'scim_hr' excludes every scim entity. Fix: set `enabled: false`" in str(raised.value)
    )
    both = sources_file(
        tmp_path,
        f"  - id: openai_main\n{OPENAI}    entities: [costs]\n    exclude_entities: [users]\n",
    )
    with pytest.raises(ConfigError) as raised:
        load_sources(both)
    assert (
        f"{both}:5: sources[0]: source 'openai_main' sets both entities and exclude_entities; "
        "keep one of them" in str(raised.value)
    )


def test_the_run_refuses_to_start_on_an_unknown_entity(tmp_path, monkeypatch, capsys, data_dir):
    from orchestration.cli.run import main

    path = sources_file(tmp_path, f"  - id: openai_main\n{OPENAI}    exclude_entities: [cost]\n")
    monkeypatch.setenv("AIUW_SOURCES", str(path))
    sources_config.cache_clear()
    try:
        assert main(["--start", "2026-09-01", "--end", "2026-09-01"]) == 2
    finally:
        sources_config.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("configuration error, nothing was run:\ninvalid sources config")
    line = line_of(path, "exclude_entities")
    assert f"{path}:{line}: sources[0].exclude_entities[0]: source 'openai_main'" in err
    assert "has no entity 'cost'; openai entities: usage_completions," in err
    assert not (data_dir / "landing").exists()


@pytest.fixture
def two_sources(tmp_path, monkeypatch, sandbox, data_dir):
    """openai_main pulls only completions usage; openai_lab pulls everything but that."""
    path = sources_file(
        tmp_path,
        f"  - id: openai_main\n{OPENAI}    entities: [usage_completions]\n",
        f"  - id: openai_lab\n{OPENAI}    exclude_entities: [usage_completions]\n",
    )
    monkeypatch.setenv("AIUW_SOURCES", str(path))
    sources_config.cache_clear()
    yield sources_config()
    sources_config.cache_clear()


def ingest(entity_names: list[str]) -> tuple[dg.DagsterInstance, dg.ExecuteInProcessResult]:
    from orchestration.defs.ingest.openai.assets import ENTITIES, open_client
    from orchestration.lib.ingest import build_ingest_asset

    assets = [
        build_ingest_asset("openai", e, open_client) for e in ENTITIES if e.name in entity_names
    ]
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        assets, partition_key=DAY.isoformat(), instance=instance, raise_on_error=False
    )
    return instance, result


def test_each_source_pulls_only_its_entities_and_is_recorded_as_skipped(two_sources, data_dir):
    instance, result = ingest(["usage_completions", "costs"])
    assert result.success
    landing = data_dir / "landing" / "openai"
    assert sorted(p.name for p in (landing / "usage_completions").iterdir()) == ["openai_main"]
    assert sorted(p.name for p in (landing / "costs").iterdir()) == ["openai_lab"]
    assert pq.read_metadata(landing / "usage_completions/openai_main/2026-09-10.parquet").num_rows

    messages = [e.user_message for e in instance.all_logs(result.run_id) if e.user_message]
    assert sorted(m for m in messages if " skipped: " in m) == [
        "openai/costs: openai_main skipped: not in its entities (usage_completions)",
        "openai/usage_completions: openai_lab skipped: listed in its exclude_entities",
    ]

    pulls = source_pulls(Paths.from_env().data)
    skipped = pulls[("openai", "openai_main", "costs")]
    assert skipped.ok and skipped.error is None
    assert skipped.skipped == "not in its entities (usage_completions)"
    assert pulls[("openai", "openai_lab", "costs")].skipped is None

    outcomes = ingest_outcomes(instance, result.run_id)
    main, lab = two_sources.sources
    main_status = source_status(main, outcomes, result.run_id)
    assert main_status["status"] == "landed" and main_status["error"] is None
    assert [(e["asset"], e["status"], e.get("reason")) for e in main_status["entities"]] == [
        ("raw/openai/costs", "skipped", "not in its entities (usage_completions)"),
        ("raw/openai/usage_completions", "landed", None),
    ]
    assert source_status(lab, outcomes, result.run_id)["status"] == "landed"

    checks = {c.asset_key.path[-1]: c for c in result.get_asset_check_evaluations()}
    assert list(checks["usage_completions"].metadata["newest_day_with_rows"].data) == [
        "openai_main"
    ]


def test_an_entity_a_source_no_longer_pulls_is_neither_failing_nor_keeping_it_fresh(
    two_sources, data_dir
):
    paths = Paths.from_env()
    # before the exclusion, the lab's completions usage failed, and its costs landed long ago
    record(source_pull_path(paths.data, "openai", "openai_lab", "usage_completions"), "r1", "404")
    today = datetime.now(UTC).date()
    schema = pa.schema([("id", pa.string())])
    for entity, day in (("costs", today - timedelta(days=30)), ("usage_completions", today)):
        folder = paths.landing / "openai" / entity / "openai_lab"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"id": ["x"]}, schema=schema), folder / f"{day}.parquet")
    conditions, _ = evaluate(paths, OperationsThresholds(), two_sources.sources, datetime.now(UTC))
    lab = [c for c in conditions if c.subject == "source openai/openai_lab"]
    # not failing (the 404 was for an entity it no longer pulls); stale by the entities it pulls
    assert [c.condition_type for c in lab] == ["source_stale"]
    assert f"the newest day with rows is {today - timedelta(days=30)}" in lab[0].summary
