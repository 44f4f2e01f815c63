"""The dbt project's conventions, read from the parsed manifest: a reader finds any model from its
name and folder, layers flow one way, every model is documented beside its SQL, and every published
mart has an enforced contract and a description on each column. A violation fails with its model
and the rule it breaks."""

from __future__ import annotations

import copy
import json
import posixpath
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "dbt_project" / "target" / "manifest.json"
PREFIXES = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("fct_", "dim_", "rpt_"),
    "semantic": ("metricflow_time_spine",),  # the name dbt's semantic layer requires
}
# the layers each layer may read, besides sources and seeds
READS = {
    "staging": {"staging"},
    "intermediate": {"staging", "intermediate"},
    "marts": {"staging", "intermediate", "marts"},
    "semantic": set(),
}


def layer(node: dict) -> str:
    """The folder under models/ a model lives in."""
    return Path(node["original_file_path"]).parts[1]


def violations(manifest: dict) -> list[str]:
    """Every broken convention as `model: rule`."""
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    found: list[str] = []
    for node in models.values():
        name, where = node["name"], layer(node)
        if where not in PREFIXES:
            found.append(f"{name}: models/{where}/ is not a layer ({', '.join(PREFIXES)})")
            continue
        if not name.startswith(PREFIXES[where]):
            found.append(
                f"{name}: a model in models/{where}/ is named {' or '.join(PREFIXES[where])}…"
            )
        for parent in node["depends_on"]["nodes"]:
            if parent not in models:
                continue  # sources and seeds
            upstream = models[parent]
            if layer(upstream) in READS[where]:
                continue
            found.append(
                f"{name}: models/{where}/ reads {upstream['name']} in models/{layer(upstream)}/"
            )
        patch = node.get("patch_path")
        if not patch:
            found.append(f"{name}: no YAML documents it")
        elif posixpath.dirname(patch.split("://", 1)[-1]) != posixpath.dirname(
            node["original_file_path"]
        ):
            found.append(f"{name}: documented in {patch.split('://', 1)[-1]}, not beside its SQL")
        if node["config"].get("meta", {}).get("aiuw", {}).get("publish"):
            if not node["config"].get("contract", {}).get("enforced"):
                found.append(f"{name}: published without an enforced contract")
            if not node["description"].strip():
                found.append(f"{name}: published without a description")
            bare = [c for c, column in node["columns"].items() if not column.get("description")]
            if bare:
                found.append(f"{name}: published columns without a description: {', '.join(bare)}")
    return found


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def test_the_project_keeps_its_conventions(manifest):
    assert violations(manifest) == []


def node_named(manifest: dict, name: str) -> dict:
    return next(
        n
        for n in manifest["nodes"].values()
        if n.get("name") == name and n["resource_type"] == "model"
    )


def test_a_planted_violation_of_each_rule_fails(manifest):
    planted = copy.deepcopy(manifest)
    mart = node_named(planted, "fct_ai_cost_daily")
    node_named(planted, "int_usage_rated")["depends_on"]["nodes"].append(mart["unique_id"])
    node_named(planted, "stg_openai__costs")["name"] = "openai_costs"
    node_named(planted, "int_chargeback_lines")["patch_path"] = (
        "ai_usage_warehouse://models/marts/x.yml"
    )
    node_named(planted, "rpt_chargeback_monthly")["config"]["contract"]["enforced"] = False
    dim = node_named(planted, "dim_team")
    next(iter(dim["columns"].values()))["description"] = ""
    found = violations(planted)
    assert sorted(m.split(":")[0] for m in found) == [
        "dim_team",
        "int_chargeback_lines",
        "int_usage_rated",
        "openai_costs",
        "rpt_chargeback_monthly",
    ]
    assert "int_usage_rated: models/intermediate/ reads fct_ai_cost_daily in models/marts/" in found
