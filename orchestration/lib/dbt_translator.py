"""How dbt nodes appear in Dagster: keys `[<layer>, <model>]`, groups by layer and domain
(orchestration/asset_groups.py), owners from meta."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from orchestration.asset_groups import REFERENCE_DATA, dbt_group


class WarehouseDbtTranslator(DagsterDbtTranslator):
    # dbt's data tests are not Dagster asset checks: 800 of them cost a run about 2,500 events
    # (planned, output, evaluation) and 30 s of bookkeeping, whatever changed. They run in dbt's
    # build, whose step fails (and alerts) with each failure named; the checks shown on each mart
    # are its blocking quality gates.
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id)
        if not node or node["resource_type"] not in ("model", "snapshot", "seed"):
            return spec
        if node["resource_type"] == "seed":
            return spec.replace_attributes(
                key=dg.AssetKey(["seeds", node["name"]]), group_name=REFERENCE_DATA
            )
        folders = node["fqn"][1:-1]  # e.g. ["marts", "finance"]
        return spec.replace_attributes(
            key=dg.AssetKey([folders[0], node["name"]]) if folders else spec.key,
            group_name=dbt_group(folders),
        )
