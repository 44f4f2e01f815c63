"""The declared side: governance/*.yml validated and landed as Parquet tables for dbt."""

import os
import uuid

import dagster as dg
import pyarrow.parquet as pq

from governance.load import load_governance
from orchestration.asset_groups import REFERENCE_DATA
from warehouse.landing import file_sha256
from warehouse.paths import Paths

TABLES = {
    "teams": "Teams with department, business unit, cost centre and owner (teams.yml).",
    "cost_centers": "Display names of cost centres (teams.yml).",
    "applications": "Declared applications: owner, purpose, use category, sensitivity, controls, lifecycle.",
    "application_credentials": "Provider projects and keys each application declares, with their environment.",
    "application_environments": "Environments each application is approved to run in.",
    "application_data_categories": "Data categories each application sends to models.",
    "application_approved_models": "Models or model families each application is approved to use.",
    "application_approved_regions": "Hosting regions each application's data may be processed in.",
    "providers": "Providers the enterprise has terms with, and their retention terms (models.yml).",
    "provider_regions": "Hosting regions of each provider.",
    "provider_data_categories": "Data categories each provider's terms allow.",
    "models": "Canonical models and tools with family and review status (models.yml).",
    "model_providers": "Providers each model is served by.",
    "model_use_categories": "Use categories each model is allowed for.",
    "model_data_categories": "Data categories each model is allowed to process.",
    "policies": "Policies as data: rule, severity, description (policies.yml).",
    "policy_controls": "Framework controls each policy serves (EU AI Act, ISO/IEC 42001, NIST AI RMF).",
    "exceptions": "Approved policy exceptions with scope, approver, ticket and validity (exceptions.yml).",
    "person_aliases": "Addresses that name the same person across identity sources (person_aliases.yml).",
    "seat_prices": "List prices of SaaS AI tool seats per tool, plan and month (seat_prices.yml).",
    "fx_rates": "Reporting currency and dated rates converting billing currencies into it (fx_rates.yml).",
    "budgets": "Monthly budgets per team or application, with currency and validity (budgets.yml).",
    "self_hosted_models": "Models each self-hosted deployment serves (self_hosted.yml).",
    "self_hosted_resources": "Cloud resources (ids or tags per billing export) serving each self-hosted deployment (self_hosted.yml).",
    "price_overrides": "Negotiated rates replacing list prices, one row per price component (price_overrides.yml).",
    "unit_prices": "List prices of non-token usage (images, audio, tool calls, storage) per usage unit (price_overrides.yml).",
    "cost_tolerances": "Allowed variance of rated and measured cost against invoiced cost, per provider.",
    "price_override_snapshots": "Hash of price_overrides.yml (and of all governance) that keys rated-cost restatements.",
    "alert_cost_thresholds": "Cost spike thresholds per scope: baseline days, factor, minimum daily cost (thresholds.yml).",
    "alert_rules": "Access, risk and data quality alert conditions with severity and filters (thresholds.yml).",
    "remediation_register": "Status of each finding someone acted on: policy, subject, status, ticket, who and when (remediation.yml).",
    "remediation_tickets": "Tickets imported from a ticket export, one row per finding, in the register's words (remediation_tickets.csv).",
    "remediation_sla": "Days a finding of each severity may stay open before it is overdue (remediation_sla.yml).",
    "usage_drift_thresholds": "Usage drift rules per measure: statistic, minimums, baseline weeks, working hours (thresholds.yml).",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", "governance", name],
            description=description,
            group_name=REFERENCE_DATA,
            kinds={"python", "yaml", "parquet"},
            owners=["team:data-platform"],
        )
        for name, description in TABLES.items()
    ],
)
def governance_tables(context: dg.AssetExecutionContext):
    """Validate governance/ and land one Parquet file per table, replaced atomically."""
    governance = load_governance()
    target = Paths.from_env().landing / "governance"
    target.mkdir(parents=True, exist_ok=True)
    snapshot = governance.snapshot_hash()
    tables = governance.tables()
    for name, table in tables.items():
        path = target / f"{name}.parquet"
        temp = target / f".{name}.{uuid.uuid4().hex}.tmp"
        pq.write_table(table, temp)
        os.replace(temp, path)
        yield dg.MaterializeResult(
            asset_key=["raw", "governance", name],
            metadata={
                "dagster/row_count": table.num_rows,
                "governance_sha256": snapshot,
                "file_sha256": file_sha256(path),
            },
        )
    rows = sum(table.num_rows for table in tables.values())
    # each table's row count is on its materialization
    context.log.info(f"governance: {len(tables)} tables, {rows:,} rows, snapshot {snapshot[:12]}")
