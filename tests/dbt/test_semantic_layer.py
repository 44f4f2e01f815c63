"""The semantic layer and exposures reach every published mart, and dbt docs generate works.

One `dbt docs generate` (which parses, validates the semantic manifest and compiles) into the test's
own target directory; the assertions read the manifest it wrote.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from orchestration.lib.dbt import published_models
from tests.dbt_build import dbt_invoke

ROOT = Path(__file__).resolve().parents[2]

# The reports the pipeline writes and the marts each one must at least read.
REPORT_EXPOSURES = {
    "chargeback_xlsx": {"rpt_chargeback_monthly"},
    "chargeback_csv": {"rpt_chargeback_monthly"},
    "chargeback_html": {"rpt_chargeback_monthly", "rpt_budget_variance", "rpt_spend_drivers"},
    "executive_summary_html": {
        "rpt_chargeback_monthly",
        "rpt_budget_variance",
        "fct_policy_violations",
        "fct_seat_assignments_daily",
    },
    "finops_focus_import": {"fct_focus_ai_costs"},
}
# The report code each report exposure stands for (reports/).
REPORT_CODE = {
    "chargeback_xlsx": ["chargeback.py", "xlsx.py"],
    "chargeback_csv": ["chargeback.py", "csv_export.py"],
    "chargeback_html": ["chargeback.py", "chargeback_data.py"],
    "executive_summary_html": ["executive.py", "executive_data.py"],
}
# Metrics the design asks for, by the published mart they must be computed from.
NAMED_METRICS = {
    "invoiced_spend": {"fct_ai_cost_daily"},
    "spend_per_active_user": {"fct_ai_cost_daily", "fct_person_ai_activity_daily"},
    "tokens": {"fct_ai_usage_daily"},
    "requests": {"fct_ai_usage_daily"},
    "token_coverage": {"rpt_inventory_coverage"},
    "spend_coverage": {"rpt_inventory_coverage"},
    "idle_seats": {"fct_seat_assignments_daily"},
    "open_violations": {"fct_policy_violations"},
    "budget_variance": {"rpt_budget_variance"},
    "chargeback_spend": {"rpt_chargeback_monthly"},
}


@pytest.fixture(scope="module")
def target(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("dbt_docs")
    result, output = dbt_invoke(base, ["docs", "generate", "--empty-catalog"])
    assert result.success, output[-4000:]
    return base / "target"


@pytest.fixture(scope="module")
def manifest(target) -> dict:
    return json.loads((target / "manifest.json").read_text())


@pytest.fixture(scope="module")
def published(target) -> set[str]:
    names = set(published_models(target / "manifest.json"))
    assert {"fct_ai_cost_daily", "fct_ai_usage_daily", "fct_policy_violations"} <= names
    return names


def model_name(unique_id: str) -> str:
    return unique_id.split(".")[-1]


def marts_of_metric(manifest: dict, unique_id: str) -> set[str]:
    """Models a metric is computed from, through its semantic models and the metrics it combines."""
    marts: set[str] = set()
    for parent in manifest["metrics"][unique_id]["depends_on"]["nodes"]:
        if parent.startswith("metric."):
            marts |= marts_of_metric(manifest, parent)
        elif parent.startswith("semantic_model."):
            semantic = manifest["semantic_models"][parent]
            marts |= {model_name(n) for n in semantic["depends_on"]["nodes"]}
    return marts


def test_every_published_mart_has_a_metric(manifest, published):
    covered = set().union(*(marts_of_metric(manifest, uid) for uid in manifest["metrics"]))
    missing = sorted(published - covered)
    assert not missing, (
        f"published marts without a metric: {missing}; add a semantic model and a metric "
        f"for each in dbt_project/models/semantic/"
    )


def test_every_published_mart_has_an_exposure(manifest, published):
    covered = {
        model_name(node)
        for exposure in manifest["exposures"].values()
        for node in exposure["depends_on"]["nodes"]
    }
    missing = sorted(published - covered)
    assert not missing, (
        f"published marts no exposure reads: {missing}; add them to the exposures of the "
        f"reports or BI tools that read them in dbt_project/models/semantic/_exposures.yml"
    )


def test_exposures_read_only_published_marts(manifest, published):
    for exposure in manifest["exposures"].values():
        read = {model_name(n) for n in exposure["depends_on"]["nodes"]}
        assert read and read <= published, (exposure["name"], sorted(read - published))


def test_reports_are_exposures_of_the_marts_they_read(manifest):
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    for report, marts in REPORT_EXPOSURES.items():
        assert report in exposures, report
        read = {model_name(n) for n in exposures[report]["depends_on"]["nodes"]}
        assert marts <= read, (report, sorted(marts - read))


def test_report_exposures_list_every_mart_the_report_code_reads(manifest, published):
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    for report, modules in REPORT_CODE.items():
        code = " ".join((ROOT / "reports" / m).read_text() for m in modules)
        read_by_code = {mart for mart in published if re.search(rf"\b{mart}\b", code)}
        declared = {model_name(n) for n in exposures[report]["depends_on"]["nodes"]}
        assert read_by_code, report
        assert read_by_code <= declared, (
            f"{report} reads {sorted(read_by_code - declared)} but its exposure in "
            f"dbt_project/models/semantic/_exposures.yml does not list them"
        )


def test_design_metrics_are_defined_on_their_marts(manifest):
    metrics = {m["name"]: uid for uid, m in manifest["metrics"].items()}
    for name, marts in NAMED_METRICS.items():
        assert name in metrics, name
        assert marts_of_metric(manifest, metrics[name]) == marts, name


def test_time_spine_and_semantic_manifest(manifest, target):
    spine = next(
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["name"] == "metricflow_time_spine"
    )
    assert spine["time_spine"]["standard_granularity_column"] == "date_day"
    semantic = json.loads((target / "semantic_manifest.json").read_text())
    assert {m["name"] for m in semantic["metrics"]} == {
        m["name"] for m in manifest["metrics"].values()
    }


def test_docs_site_is_generated(target, manifest, published):
    assert (target / "index.html").stat().st_size > 10_000
    assert "nodes" in json.loads((target / "catalog.json").read_text())
    marts = {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["name"] in published
    }
    assert set(marts) == published
    undocumented = sorted(
        f"{name}.{column}"
        for name, node in marts.items()
        for column, spec in node["columns"].items()
        if not spec["description"]
    )
    assert all(node["description"] for node in marts.values())
    assert not undocumented, undocumented
