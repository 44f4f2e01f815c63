"""The Dagster definitions load, and the asset graph has the shape the design promises."""

from __future__ import annotations

import os

import dagster as dg
import pytest

from orchestration.automation_names import INGEST_JOB, TRANSFORM_JOB, VALIDATION_JOB
from orchestration.lib.dbt import published_models


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    from orchestration.definitions import defs

    loaded = defs()
    dg.Definitions.validate_loadable(loaded)
    return loaded


def key(*parts: str) -> dg.AssetKey:
    return dg.AssetKey(list(parts))


def test_raw_to_published_lineage(definitions):
    graph = definitions.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    for entity in (
        "usage_completions",
        "usage_embeddings",
        "costs",
        "projects",
        "api_keys",
        "users",
    ):
        assert key("raw", "openai", entity) in keys
    assert (
        key("raw", "openai", "usage_completions")
        in graph.get(key("staging", "stg_openai__usage_completions")).parent_keys
    )
    assert (
        key("marts", "fct_ai_usage_daily") in graph.get(key("published", "warehouse")).parent_keys
    )
    assert key("marts", "fct_ai_cost_daily") in graph.get(key("published", "warehouse")).parent_keys
    upstream = graph.upstream_key_iterator(key("published", "warehouse"))
    assert key("raw", "openai", "costs") in set(upstream)


def test_every_asset_has_description_owner_group_and_kinds(definitions):
    graph = definitions.resolve_asset_graph()
    for asset_key in graph.get_all_asset_keys():
        node = graph.get(asset_key)
        if not node.is_materializable:
            continue
        assert node.description, asset_key
        assert node.owners, asset_key
        assert node.group_name and node.group_name != "default", asset_key
        assert node.kinds, asset_key


def test_marts_have_blocking_gx_checks(definitions):
    graph = definitions.resolve_asset_graph()
    checks = {ck for ck in graph.asset_check_keys if ck.name.startswith("gx_")}
    published = set(published_models())
    assert {"fct_ai_usage_daily", "fct_policy_violations", "dim_application"} <= published
    assert {(c.asset_key, c.name) for c in checks} == {
        (key("marts", name), f"gx_{name}") for name in published
    }
    parents = graph.get(key("published", "warehouse")).parent_keys
    assert {key("marts", name) for name in published} <= parents
    specs = {
        spec.key: spec
        for checks_def in definitions.asset_checks or []
        for spec in checks_def.check_specs
    }
    assert all(specs[check].blocking for check in checks)
    # dbt's tests run inside the dbt build: no Dagster check (and no event) per test
    on_models = {ck.name for ck in graph.asset_check_keys if ck.asset_key.path[0] != "raw"}
    assert on_models == {f"gx_{name}" for name in published} | {"closed_months_unchanged"}


def test_ingest_and_transform_jobs_schedule_and_sensors(definitions):
    ingest = definitions.resolve_job_def(INGEST_JOB)
    transform = definitions.resolve_job_def(TRANSFORM_JOB)
    # tests/fixtures/sources.test.yml sets history_start
    assert ingest.partitions_def.get_first_partition_key() == "2026-09-01"
    # the transform is not partitioned: its days are run tags, its bookkeeping one event per asset
    assert transform.partitions_def is None
    ingest_keys = set(ingest.asset_layer.executable_asset_keys)
    transform_keys = set(transform.asset_layer.executable_asset_keys)
    assert all(k.path[0] == "raw" and k.path[1] != "governance" for k in ingest_keys)
    assert key("raw", "openai", "costs") in ingest_keys
    assert key("published", "warehouse") in transform_keys
    assert key("raw", "governance", "teams") in transform_keys
    assert not ingest_keys & transform_keys
    schedule = definitions.resolve_schedule_def(f"{INGEST_JOB}_schedule")
    assert schedule.job_name == INGEST_JOB
    assert schedule.cron_schedule == "0 3 * * *"
    # the whole-history validation: weekly, on the warehouse's pool, not partitioned
    validation = definitions.resolve_job_def(VALIDATION_JOB)
    assert validation.partitions_def is None
    assert [s.cron_schedule for s in definitions.schedules if s.job_name == VALIDATION_JOB] == [
        "0 5 * * 0"
    ]
    assert {s.name for s in definitions.sensors} == {
        "transform_after_ingest",
        "transform_after_failed_ingest",
        "evidence_after_transform",
        "evidence_after_failed_transform",
        "alert_delivery",
    }


def transform_job() -> dg.JobDefinition:
    """The transform job as a launched run loads it: from the definitions, by module path."""
    from orchestration.definitions import defs

    return defs().resolve_job_def(TRANSFORM_JOB)


def test_a_launched_run_executes_its_steps_in_its_own_process(data_dir):
    """A launched run executes with its job's executor (`execute_in_process` would not): every step
    runs in the run's process, none in a process of its own that loads the definitions again."""
    # the governance and price steps: two steps that need no source and no warehouse
    keys = [
        k
        for k in transform_job().asset_layer.executable_asset_keys
        if k.path[:2] in (["raw", "governance"], ["raw", "prices"])
    ]
    with dg.instance_for_test() as instance:
        result = dg.execute_job(
            dg.reconstructable(transform_job), instance=instance, asset_selection=keys
        )
        assert result.success
        starts = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START]
    assert sorted(e.step_key for e in starts) == ["governance_tables", "price_catalog"]
    assert {e.pid for e in starts} == {os.getpid()}
    assert (data_dir / "landing" / "governance" / "teams.parquet").exists()


def test_every_job_runs_in_one_process(definitions):
    assert {job.name: job.executor_def.name for job in definitions.resolve_all_job_defs()} == {
        name: "in_process"
        for name in ("__ASSET_JOB", INGEST_JOB, TRANSFORM_JOB, VALIDATION_JOB, "reports_monthly")
    }


def test_the_lineage_has_ten_groups_by_layer_and_domain(definitions):
    graph = definitions.resolve_asset_graph()
    groups: dict[str, set] = {}
    for asset_key in graph.get_all_asset_keys():
        node = graph.get(asset_key)
        if node.is_materializable:
            groups.setdefault(node.group_name, set()).add(asset_key)
    assert set(groups) == {
        "sources",
        "reference_data",
        "staging",
        "usage",
        "cost_and_chargeback",
        "people_and_ownership",
        "compliance",
        "alerts",
        "published",
        "reports",
    }
    expected = {
        key("raw", "openai", "costs"): "sources",
        key("raw", "governance", "teams"): "reference_data",
        key("raw", "prices", "catalog"): "reference_data",
        key("staging", "stg_openai__costs"): "staging",
        key("intermediate", "int_litellm_requests"): "usage",
        key("marts", "fct_ai_usage_daily"): "usage",
        key("intermediate", "int_chargeback_lines"): "cost_and_chargeback",
        key("marts", "rpt_chargeback_monthly"): "cost_and_chargeback",
        key("marts", "dim_person"): "people_and_ownership",
        key("marts", "fct_policy_violations"): "compliance",
        key("marts", "fct_alerts"): "alerts",
    }
    assert {k: graph.get(k).group_name for k in expected} == expected
    # every raw asset of every source lands in one group, whatever the source
    assert {k for k in graph.get_all_asset_keys() if k.path[0] == "raw"} - groups["sources"] == {
        k for k in groups["reference_data"] if k.path[0] == "raw"
    }


def test_reports_follow_the_published_warehouse_monthly(definitions):
    graph = definitions.resolve_asset_graph()
    for name in ("chargeback", "executive_summary"):
        node = graph.get(key("reports", name))
        assert node.parent_keys == {key("published", "warehouse")}
        assert node.group_name == "reports"
        assert isinstance(node.partitions_def, dg.MonthlyPartitionsDefinition)
    assert key("raw", "openai", "costs") in set(
        graph.upstream_key_iterator(key("reports", "chargeback"))
    )
    transform = definitions.resolve_job_def(TRANSFORM_JOB)
    assert not {k for k in transform.asset_layer.executable_asset_keys if k.path[0] == "reports"}
    schedule = definitions.resolve_schedule_def("reports_monthly_schedule")
    assert schedule.cron_schedule == "0 6 1 * *"


def test_definitions_loaded_again_follow_the_sources_file_they_are_loaded_with(
    definitions, tmp_path, monkeypatch
):
    """One process loading the definitions for a second sources file (a test module, a reload) gets
    that file's partitions everywhere: a partitions definition captured at import would not match
    the jobs', and the transform job would fail to resolve or build with the first file's settings."""
    import yaml

    from orchestration.definitions import defs
    from orchestration.lib.sources import sources_config
    from tests.conftest import FIXTURES

    config = yaml.safe_load((FIXTURES / "sources.test.yml").read_text())
    first = config["warehouse"]["history_start"]
    config["warehouse"]["history_start"] = "2026-10-05"
    config["sources"] = [s for s in config["sources"] if s["type"] in ("openai", "anthropic")]
    other = tmp_path / "sources.yml"
    other.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("AIUW_SOURCES", str(other))
    sources_config.cache_clear()
    try:
        reloaded = defs()
        ingest = reloaded.resolve_job_def(INGEST_JOB)
        openai_costs = reloaded.resolve_assets_def(key("raw", "openai", "costs"))
        for partitions in (ingest.partitions_def, openai_costs.partitions_def):
            assert partitions.get_first_partition_key() == "2026-10-05"
        assert reloaded.resolve_job_def(TRANSFORM_JOB).partitions_def is None
        assert str(first) != "2026-10-05"
    finally:
        sources_config.cache_clear()
