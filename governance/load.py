"""Load and cross-check the governance files; flatten them into tables for the warehouse."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from connectors.errors import ConfigError
from connectors.yaml_validation import load_yaml_model, located
from governance.schema import (
    AlertingFile,
    ApplicationsFile,
    BiAccessFile,
    BudgetsFile,
    DistanceRule,
    ExceptionsFile,
    FxRatesFile,
    ModelsFile,
    NewItemRule,
    PersonAliasesFile,
    PoliciesFile,
    PriceOverridesFile,
    RemediationFile,
    RemediationSlaFile,
    SeatPricesFile,
    SelfHostedFile,
    TeamsFile,
    ThresholdsFile,
)
from governance.tickets import ImportedTicket, read_imported

GOVERNANCE_DIR = Path(__file__).resolve().parent
FILES = {
    "teams.yml": TeamsFile,
    "applications.yml": ApplicationsFile,
    "models.yml": ModelsFile,
    "policies.yml": PoliciesFile,
    "exceptions.yml": ExceptionsFile,
    "price_overrides.yml": PriceOverridesFile,
    "thresholds.yml": ThresholdsFile,
}
# Optional: addresses that name the same person in different identity sources.
ALIASES_FILE = "person_aliases.yml"
# Optional: list prices of SaaS AI tool seats (tool, plan, price per month).
SEAT_PRICES_FILE = "seat_prices.yml"
# Optional: alert channels and severity routing, read by alert delivery (nothing lands).
ALERTING_FILE = "alerting.yml"
# Optional: the reporting currency and dated FX rates (absent: USD and no rates).
FX_RATES_FILE = "fx_rates.yml"
# Optional: monthly budgets per team or application (absent: no budgets).
BUDGETS_FILE = "budgets.yml"
# Optional: the remediation register (absent: every finding open) and the days per severity to
# remediate a finding (absent: the defaults of RemediationSlaFile).
REMEDIATION_FILE = "remediation.yml"
REMEDIATION_SLA_FILE = "remediation_sla.yml"
# Optional: self-hosted model deployments and the cloud resources that serve them (absent: none).
SELF_HOSTED_FILE = "self_hosted.yml"
# Optional: the logins that read the served release in PostgreSQL and what each sees (absent: no
# logins granted; the served release's roles still exist). Read by the serve step, nothing lands.
BI_ACCESS_FILE = "bi_access.yml"
# Optional files documented in REFERENCE.md next to FILES.
OPTIONAL_FILES = {
    SEAT_PRICES_FILE: SeatPricesFile,
    FX_RATES_FILE: FxRatesFile,
    BUDGETS_FILE: BudgetsFile,
    REMEDIATION_FILE: RemediationFile,
    REMEDIATION_SLA_FILE: RemediationSlaFile,
    SELF_HOSTED_FILE: SelfHostedFile,
    BI_ACCESS_FILE: BiAccessFile,
}
TEXT, DATE, FLAG = pa.string(), pa.date32(), pa.bool_()
MOMENT = pa.timestamp("us")  # UTC, without a zone: a reader's session zone cannot shift the day
REGISTER_COLUMNS = [
    ("finding_key", TEXT),
    ("policy_id", TEXT),
    ("subject_id", TEXT),
    ("status", TEXT),
    ("ticket_id", TEXT),
    ("note", TEXT),
    ("changed_at", MOMENT),
    ("changed_by", TEXT),
]
# thresholds.yml drift: each measure of rpt_usage_drift and the statistic its rule tests.
DRIFT_MEASURES = {
    "requests": "robust_z",
    "tokens_per_request": "robust_z",
    "output_input_ratio": "robust_z",
    "error_rate": "two_proportion_z",
    "fallback_rate": "two_proportion_z",
    "off_hours_share": "two_proportion_z",
    "model_mix": "total_variation_distance",
    "new_model": "new_token_share",
    "new_provider": "new_token_share",
}
# Every table the warehouse reads, with an explicit schema so an empty table still has its columns.
SCHEMAS: dict[str, pa.Schema] = {
    name: pa.schema(columns)
    for name, columns in {
        "teams": [
            ("id", TEXT),
            ("name", TEXT),
            ("department", TEXT),
            ("business_unit", TEXT),
            ("cost_center", TEXT),
            ("owner", TEXT),
        ],
        "cost_centers": [("id", TEXT), ("name", TEXT)],
        "applications": [
            ("id", TEXT),
            ("name", TEXT),
            ("owning_team", TEXT),
            ("business_purpose", TEXT),
            ("use_category", TEXT),
            ("sensitivity_tier", TEXT),
            ("lifecycle_status", TEXT),
            ("approval_reference", TEXT),
            ("approved_on", DATE),
            ("retired_on", DATE),
            ("prompt_logging_allowed", FLAG),
            ("human_review_required", FLAG),
        ],
        "application_credentials": [
            ("application_id", TEXT),
            ("provider", TEXT),
            ("credential_kind", TEXT),
            ("credential_id", TEXT),
            ("environment", TEXT),
        ],
        "application_environments": [("application_id", TEXT), ("environment", TEXT)],
        "application_data_categories": [("application_id", TEXT), ("data_category", TEXT)],
        "application_approved_models": [
            ("application_id", TEXT),
            ("model_id", TEXT),
            ("model_family", TEXT),
        ],
        "application_approved_regions": [("application_id", TEXT), ("region", TEXT)],
        "providers": [("id", TEXT), ("retention", TEXT)],
        "provider_regions": [("provider", TEXT), ("region", TEXT)],
        "provider_data_categories": [("provider", TEXT), ("data_category", TEXT)],
        "models": [("id", TEXT), ("family", TEXT), ("kind", TEXT), ("review_status", TEXT)],
        "model_providers": [("model_id", TEXT), ("provider", TEXT)],
        "model_use_categories": [("model_id", TEXT), ("use_category", TEXT)],
        "model_data_categories": [("model_id", TEXT), ("data_category", TEXT)],
        "policies": [
            ("id", TEXT),
            ("rule", TEXT),
            ("severity", TEXT),
            ("description", TEXT),
            ("enabled", FLAG),
        ],
        "policy_controls": [("policy_id", TEXT), ("framework", TEXT), ("reference", TEXT)],
        "exceptions": [
            ("id", TEXT),
            ("policy_id", TEXT),
            ("application_id", TEXT),
            ("credential_id", TEXT),
            ("model_id", TEXT),
            ("approver", TEXT),
            ("reason", TEXT),
            ("ticket", TEXT),
            ("starts_on", DATE),
            ("expires_on", DATE),
        ],
        "person_aliases": [("alias_email", TEXT), ("person_email", TEXT), ("reason", TEXT)],
        "seat_prices": [
            ("tool", TEXT),
            ("plan", TEXT),
            ("price_per_month", TEXT),
            ("currency", TEXT),
            ("starts_on", DATE),
            ("ends_on", DATE),
            ("reference", TEXT),
        ],
        "self_hosted_models": [("deployment_id", TEXT), ("provider", TEXT), ("model", TEXT)],
        # One row per declared resource id and one per declared tag of each deployment.
        "self_hosted_resources": [
            ("deployment_id", TEXT),
            ("provider", TEXT),
            ("source_type", TEXT),
            ("resource_id", TEXT),
            ("tag_key", TEXT),
            ("tag_value", TEXT),
            ("reference", TEXT),
        ],
        # One row per rate, plus the reporting currency's own rate of 1 (open dates).
        "fx_rates": [
            ("currency", TEXT),
            ("reporting_currency", TEXT),
            ("rate", TEXT),
            ("valid_from", DATE),
            ("valid_to", DATE),
            ("source", TEXT),
        ],
        "budgets": [
            ("scope", TEXT),
            ("scope_id", TEXT),
            ("amount_per_month", TEXT),
            ("currency", TEXT),
            ("starts_on", DATE),
            ("ends_on", DATE),
            ("owner", TEXT),
        ],
        # Prices and percentages stay exact decimal text; staging casts them to DECIMAL.
        "price_overrides": [
            ("override_id", TEXT),
            ("provider", TEXT),
            ("model_id", TEXT),
            ("price_tier", TEXT),
            ("component", TEXT),
            ("price_per_mtok", TEXT),
            ("discount_percent", TEXT),
            ("starts_on", DATE),
            ("ends_on", DATE),
            ("reason", TEXT),
            ("reference", TEXT),
        ],
        # Non-token list prices, per single usage unit (price / per, exact decimal text).
        "unit_prices": [
            ("unit_price_id", TEXT),
            ("provider", TEXT),
            ("model_ref", TEXT),
            ("unit", TEXT),
            ("price_per_unit", TEXT),
            ("price", TEXT),
            ("per_units", TEXT),
            ("starts_on", DATE),
            ("ends_on", DATE),
            ("reason", TEXT),
            ("reference", TEXT),
        ],
        "cost_tolerances": [("provider", TEXT), ("percent", TEXT), ("amount_usd", TEXT)],
        "price_override_snapshots": [("overrides_sha256", TEXT), ("governance_sha256", TEXT)],
        # thresholds.yml: factors and amounts as exact decimal text, like prices.
        "alert_cost_thresholds": [
            ("threshold_id", TEXT),
            ("scope", TEXT),
            ("baseline_days", pa.int32()),
            ("factor", TEXT),
            ("min_daily_cost", TEXT),
            ("severity", TEXT),
            ("enabled", FLAG),
        ],
        "alert_rules": [
            ("condition_type", TEXT),
            ("enabled", FLAG),
            ("severity", TEXT),
            ("min_severity", TEXT),
            ("include_reraised", FLAG),
            ("min_sensitivity_tier", TEXT),
        ],
        # remediation.yml's entries, and the tickets imported from a ticket export.
        "remediation_register": REGISTER_COLUMNS,
        "remediation_tickets": [*REGISTER_COLUMNS, ("ticket_status", TEXT)],
        "remediation_sla": [("severity", TEXT), ("sla_days", pa.int32())],
        # thresholds.yml drift: one row per measure with its rule's minimums (the others null) and
        # the settings every measure shares.
        "usage_drift_thresholds": [
            ("measure", TEXT),
            ("statistic", TEXT),
            ("enabled", FLAG),
            ("min_abs_z", TEXT),
            ("min_fold_change", TEXT),
            ("min_abs_change", TEXT),
            ("min_distance", TEXT),
            ("min_token_share", TEXT),
            ("min_volume", pa.int64()),
            ("volume_unit", TEXT),
            ("baseline_weeks", pa.int32()),
            ("min_baseline_weeks", pa.int32()),
            ("work_start_hour", pa.int32()),
            ("work_end_hour", pa.int32()),
            ("utc_offset_hours", pa.int32()),
        ],
    }.items()
}


@dataclass(frozen=True)
class Governance:
    directory: Path
    teams: TeamsFile
    applications: ApplicationsFile
    models: ModelsFile
    policies: PoliciesFile
    exceptions: ExceptionsFile
    price_overrides: PriceOverridesFile
    thresholds: ThresholdsFile
    person_aliases: PersonAliasesFile = dataclasses.field(default_factory=PersonAliasesFile)
    seat_prices: SeatPricesFile = dataclasses.field(default_factory=SeatPricesFile)
    alerting: AlertingFile | None = None
    fx_rates: FxRatesFile = dataclasses.field(default_factory=FxRatesFile)
    budgets: BudgetsFile = dataclasses.field(default_factory=BudgetsFile)
    remediation: RemediationFile = dataclasses.field(default_factory=RemediationFile)
    remediation_sla: RemediationSlaFile = dataclasses.field(default_factory=RemediationSlaFile)
    remediation_tickets: tuple[ImportedTicket, ...] = ()
    self_hosted: SelfHostedFile = dataclasses.field(default_factory=SelfHostedFile)

    def rows(self) -> dict[str, list[dict]]:
        """Rows for each governance table the warehouse reads (see SCHEMAS)."""
        apps = self.applications.applications
        models = self.models.models
        return {
            "teams": [t.model_dump() for t in self.teams.teams],
            "cost_centers": [c.model_dump() for c in self.teams.cost_centers],
            "applications": [
                {
                    **a.model_dump(include=set(SCHEMAS["applications"].names)),
                    "prompt_logging_allowed": a.controls.prompt_logging_allowed,
                    "human_review_required": a.controls.human_review_required,
                }
                for a in apps
            ],
            "application_credentials": [
                {
                    "application_id": a.id,
                    "provider": c.provider,
                    "credential_kind": c.kind,
                    "credential_id": c.id,
                    "environment": c.environment,
                }
                for a in apps
                for c in a.credentials
            ],
            "application_environments": [
                {"application_id": a.id, "environment": e} for a in apps for e in a.environments
            ],
            "application_data_categories": [
                {"application_id": a.id, "data_category": d}
                for a in apps
                for d in a.data_categories
            ],
            "application_approved_models": [
                {
                    "application_id": a.id,
                    "model_id": None if m.startswith("family:") else m,
                    "model_family": m.removeprefix("family:") if m.startswith("family:") else None,
                }
                for a in apps
                for m in a.approved_models
            ],
            "application_approved_regions": [
                {"application_id": a.id, "region": r}
                for a in apps
                for r in a.controls.approved_regions
            ],
            "providers": [{"id": p.id, "retention": p.retention} for p in self.models.providers],
            "provider_regions": [
                {"provider": p.id, "region": r}
                for p in self.models.providers
                for r in p.hosting_regions
            ],
            "provider_data_categories": [
                {"provider": p.id, "data_category": d}
                for p in self.models.providers
                for d in p.allowed_data_categories
            ],
            "models": [
                m.model_dump(include={"id", "family", "kind", "review_status"}) for m in models
            ],
            "model_providers": [
                {"model_id": m.id, "provider": p} for m in models for p in m.providers
            ],
            "model_use_categories": [
                {"model_id": m.id, "use_category": u}
                for m in models
                for u in m.allowed_use_categories
            ],
            "model_data_categories": [
                {"model_id": m.id, "data_category": d}
                for m in models
                for d in m.allowed_data_categories
            ],
            "policies": [
                p.model_dump(include={"id", "rule", "severity", "description", "enabled"})
                for p in self.policies.policies
            ],
            "policy_controls": [
                {"policy_id": p.id, "framework": c.framework, "reference": c.reference}
                for p in self.policies.policies
                for c in p.controls
            ],
            "exceptions": [
                {
                    "id": e.id,
                    "policy_id": e.policy,
                    "application_id": e.application,
                    "credential_id": e.credential,
                    "model_id": e.model,
                    **e.model_dump(
                        include={"approver", "reason", "ticket", "starts_on", "expires_on"}
                    ),
                }
                for e in self.exceptions.exceptions
            ],
            "person_aliases": [
                {
                    "alias_email": a.alias_email.strip().lower(),
                    "person_email": a.person_email.strip().lower(),
                    "reason": a.reason,
                }
                for a in self.person_aliases.aliases
            ],
            "seat_prices": [
                {
                    **p.model_dump(exclude={"price_per_month"}),
                    "price_per_month": _exact(p.price_per_month),
                }
                for p in self.seat_prices.prices
            ],
            "self_hosted_models": [
                {"deployment_id": d.id, "provider": d.provider, "model": m}
                for d in self.self_hosted.deployments
                for m in d.models
            ],
            "self_hosted_resources": self.self_hosted_resource_rows(),
            **self._pricing_rows(),
            **self._threshold_rows(),
            **self._money_rows(),
            **self._remediation_rows(),
        }

    def self_hosted_resource_rows(self, source_type: str | None = None) -> list[dict]:
        """One row per declared resource id or tag of every self-hosted deployment (of one billing
        export when `source_type` is given): what the billing connectors keep and dbt allocates."""
        rows = []
        for d in self.self_hosted.deployments:
            for r in d.resources:
                if source_type is not None and r.source_type != source_type:
                    continue
                common = {
                    "deployment_id": d.id,
                    "provider": d.provider,
                    "source_type": r.source_type,
                    "reference": d.reference,
                }
                rows += [
                    {**common, "resource_id": i, "tag_key": None, "tag_value": None}
                    for i in r.resource_ids
                ]
                rows += [
                    {**common, "resource_id": None, "tag_key": k, "tag_value": v}
                    for k, v in r.tags.items()
                ]
        return rows

    def _remediation_rows(self) -> dict[str, list[dict]]:
        return {
            "remediation_register": [
                {
                    "finding_key": e.finding_key,
                    "policy_id": e.policy,
                    "subject_id": e.subject,
                    "status": e.status,
                    "ticket_id": e.ticket,
                    "note": e.note,
                    "changed_at": e.changed_at,
                    "changed_by": e.changed_by.lower(),
                }
                for e in self.remediation.entries
            ],
            "remediation_tickets": [
                {
                    "finding_key": t.finding_key,
                    "policy_id": t.policy_id,
                    "subject_id": t.subject_id,
                    "status": t.status,
                    "ticket_id": t.ticket,
                    "note": t.note,
                    "changed_at": t.changed_at,
                    "changed_by": t.changed_by.lower(),
                    "ticket_status": t.ticket_status,
                }
                for t in self.remediation_tickets
            ],
            "remediation_sla": [
                {"severity": severity, "sla_days": days}
                for severity, days in self.remediation_sla.days.model_dump().items()
            ],
        }

    def _money_rows(self) -> dict[str, list[dict]]:
        reporting = self.fx_rates.reporting_currency
        return {
            "fx_rates": [
                {
                    "currency": reporting,
                    "reporting_currency": reporting,
                    "rate": "1",
                    "valid_from": None,
                    "valid_to": None,
                    "source": "reporting currency",
                },
                *(
                    {
                        **r.model_dump(exclude={"rate"}),
                        "reporting_currency": reporting,
                        "rate": _exact(r.rate),
                    }
                    for r in self.fx_rates.rates
                ),
            ],
            "budgets": [
                {
                    **b.model_dump(exclude={"id", "amount_per_month"}),
                    "scope_id": b.id,
                    "amount_per_month": _exact(b.amount_per_month),
                }
                for b in self.budgets.budgets
            ],
        }

    def _threshold_rows(self) -> dict[str, list[dict]]:
        file = self.thresholds
        rules = {
            "inactive_person_active": file.access.inactive_person_active,
            "new_person_on_restricted_application": file.access.new_person_on_restricted_application,
            "policy_violation": file.risk.policy_violations,
            "exception_expired": file.risk.exception_expired,
            "data_quality_failed": file.data_quality,
            "usage_drift": file.drift,
        }
        return {
            "alert_cost_thresholds": [
                {
                    "threshold_id": t.id,
                    "scope": t.scope,
                    "baseline_days": t.baseline_days,
                    "factor": _exact(t.factor),
                    "min_daily_cost": _exact(t.min_daily_cost),
                    "severity": t.severity,
                    "enabled": t.enabled,
                }
                for t in file.cost_spikes
            ],
            "alert_rules": [
                {
                    "condition_type": name,
                    "enabled": rule.enabled,
                    "severity": getattr(rule, "severity", None),
                    "min_severity": getattr(rule, "min_severity", None),
                    "include_reraised": getattr(rule, "include_reraised", None),
                    "min_sensitivity_tier": getattr(rule, "min_sensitivity_tier", None),
                }
                for name, rule in rules.items()
            ],
            "usage_drift_thresholds": self._drift_rows(),
        }

    def _drift_rows(self) -> list[dict]:
        drift = self.thresholds.drift
        shared = {
            "baseline_weeks": drift.baseline_weeks,
            "min_baseline_weeks": drift.min_baseline_weeks,
            "work_start_hour": drift.working_hours.start_hour,
            "work_end_hour": drift.working_hours.end_hour,
            "utc_offset_hours": drift.working_hours.utc_offset_hours,
        }
        rows = []
        for measure, statistic in DRIFT_MEASURES.items():
            rule = getattr(drift, measure)
            tokens = isinstance(rule, DistanceRule | NewItemRule)
            rows.append(
                {
                    "measure": measure,
                    "statistic": statistic,
                    "enabled": rule.enabled,
                    "min_abs_z": _exact(getattr(rule, "min_abs_z", None)),
                    "min_fold_change": _exact(getattr(rule, "min_fold_change", None)),
                    "min_abs_change": _exact(getattr(rule, "min_abs_change", None)),
                    "min_distance": _exact(getattr(rule, "min_distance", None)),
                    "min_token_share": _exact(getattr(rule, "min_token_share", None)),
                    "min_volume": rule.min_weekly_tokens if tokens else rule.min_weekly_requests,
                    "volume_unit": "tokens" if tokens else "requests",
                    **shared,
                }
            )
        return rows

    def _pricing_rows(self) -> dict[str, list[dict]]:
        """One override row per price component it sets (a discount sets all four)."""
        file = self.price_overrides
        overrides = []
        for o in file.overrides:
            prices = o.prices.model_dump() if o.prices else dict.fromkeys(PRICE_COMPONENTS)
            for component in PRICE_COMPONENTS:
                if o.prices is not None and prices[component] is None:
                    continue
                overrides.append(
                    {
                        "override_id": o.id,
                        "provider": o.provider,
                        "model_id": o.model,
                        "price_tier": o.tier,
                        "component": component,
                        "price_per_mtok": _exact(prices[component]),
                        "discount_percent": _exact(o.discount_percent),
                        "starts_on": o.starts_on,
                        "ends_on": o.ends_on,
                        "reason": o.reason,
                        "reference": o.reference,
                    }
                )
        path = self.directory / "price_overrides.yml"
        return {
            "price_overrides": overrides,
            "unit_prices": [
                {
                    "unit_price_id": u.id,
                    "provider": u.provider,
                    "model_ref": u.model,
                    "unit": u.unit,
                    "price_per_unit": _exact(u.price_per_unit),
                    "price": _exact(u.price),
                    "per_units": _exact(u.per),
                    "starts_on": u.starts_on,
                    "ends_on": u.ends_on,
                    "reason": u.reason,
                    "reference": u.reference,
                }
                for u in file.unit_prices
            ],
            "cost_tolerances": [
                {
                    "provider": t.provider,
                    "percent": _exact(t.percent),
                    "amount_usd": _exact(t.amount_usd),
                }
                for t in file.reconciliation.tolerances
            ],
            "price_override_snapshots": [
                {
                    "overrides_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                    "governance_sha256": self.snapshot_hash(),
                }
            ],
        }

    def tables(self) -> dict[str, pa.Table]:
        rows = self.rows()
        return {name: pa.Table.from_pylist(rows[name], schema) for name, schema in SCHEMAS.items()}

    def snapshot_hash(self) -> str:
        digest = hashlib.sha256()
        for name in [
            *FILES,
            ALIASES_FILE,
            SEAT_PRICES_FILE,
            ALERTING_FILE,
            FX_RATES_FILE,
            BUDGETS_FILE,
            REMEDIATION_FILE,
            REMEDIATION_SLA_FILE,
            SELF_HOSTED_FILE,
            self.remediation.ticket_import.file,
        ]:
            path = self.directory / name
            if path.exists():
                digest.update(name.encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()


PRICE_COMPONENTS = ("input", "cache_read", "cache_write", "output")


def _exact(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def governance_dir() -> Path:
    return Path(os.environ.get("AIUW_GOVERNANCE_DIR") or GOVERNANCE_DIR)


def load_bi_access(directory: Path | None = None) -> BiAccessFile:
    """bi_access.yml validated, or the defaults (no logins) when the file is absent."""
    path = (directory or governance_dir()) / BI_ACCESS_FILE
    if not path.exists():
        return BiAccessFile()
    return load_yaml_model(path, BiAccessFile, what="governance BI access")


def load_governance(directory: Path | None = None) -> Governance:
    """Validate every file, then the references between them; every problem is reported at once."""
    directory = directory or governance_dir()
    loaded = {
        name: load_yaml_model(
            directory / name, schema, what=f"governance {name.removesuffix('.yml')}"
        )
        for name, schema in FILES.items()
    }
    aliases_path = directory / ALIASES_FILE
    aliases = (
        load_yaml_model(aliases_path, PersonAliasesFile, what="governance person aliases")
        if aliases_path.exists()
        else PersonAliasesFile()
    )
    seat_prices_path = directory / SEAT_PRICES_FILE
    seat_prices = (
        load_yaml_model(seat_prices_path, SeatPricesFile, what="governance seat prices")
        if seat_prices_path.exists()
        else SeatPricesFile()
    )
    alerting_path = directory / ALERTING_FILE
    alerting = (
        load_yaml_model(alerting_path, AlertingFile, what="governance alerting")
        if alerting_path.exists()
        else None
    )
    fx_rates_path, budgets_path = directory / FX_RATES_FILE, directory / BUDGETS_FILE
    fx_rates = (
        load_yaml_model(fx_rates_path, FxRatesFile, what="governance FX rates")
        if fx_rates_path.exists()
        else FxRatesFile()
    )
    budgets = (
        load_yaml_model(budgets_path, BudgetsFile, what="governance budgets")
        if budgets_path.exists()
        else BudgetsFile()
    )
    remediation_path = directory / REMEDIATION_FILE
    remediation = (
        load_yaml_model(remediation_path, RemediationFile, what="governance remediation register")
        if remediation_path.exists()
        else RemediationFile()
    )
    sla_path = directory / REMEDIATION_SLA_FILE
    remediation_sla = (
        load_yaml_model(sla_path, RemediationSlaFile, what="governance remediation SLA")
        if sla_path.exists()
        else RemediationSlaFile()
    )
    self_hosted_path = directory / SELF_HOSTED_FILE
    self_hosted = (
        load_yaml_model(self_hosted_path, SelfHostedFile, what="governance self-hosted deployments")
        if self_hosted_path.exists()
        else SelfHostedFile()
    )
    tickets_path = directory / remediation.ticket_import.file
    tickets = tuple(read_imported(tickets_path)) if tickets_path.exists() else ()
    governance = Governance(
        directory,
        *loaded.values(),
        person_aliases=aliases,
        seat_prices=seat_prices,
        alerting=alerting,
        fx_rates=fx_rates,
        budgets=budgets,
        remediation=remediation,
        remediation_sla=remediation_sla,
        remediation_tickets=tickets,
        self_hosted=self_hosted,
    )
    problems = _reference_problems(governance)
    if problems:
        raise ConfigError(
            f"invalid governance references ({len(problems)} problem(s)):\n  "
            + "\n  ".join(problems)
        )
    return governance


def _reference_problems(g: Governance) -> list[str]:
    apps_file, exceptions_file = g.directory / "applications.yml", g.directory / "exceptions.yml"
    teams = {t.id for t in g.teams.teams}
    models = {m.id for m in g.models.models}
    families = {m.family for m in g.models.models}
    providers = {p.id for p in g.models.providers}
    policies = {p.id for p in g.policies.policies}
    apps = {a.id for a in g.applications.applications}
    problems = []

    def problem(path: Path, loc: tuple, message: str, fix: str) -> None:
        problems.append(f"{located(path, loc)}: {message}. Fix: {fix}.")

    charged = {t.cost_center for t in g.teams.teams}
    for i, centre in enumerate(g.teams.cost_centers):
        if centre.id not in charged:
            problem(
                g.directory / "teams.yml",
                ("cost_centers", i, "id"),
                f"cost centre {centre.id!r} is charged to no team",
                "use the cost_center id a team in teams.yml has, or remove the entry",
            )
    for i, app in enumerate(g.applications.applications):
        if app.owning_team not in teams:
            problem(
                apps_file,
                ("applications", i, "owning_team"),
                f"unknown team {app.owning_team!r}",
                "use a team id from teams.yml or add the team there",
            )
        for j, model in enumerate(app.approved_models):
            family = model.removeprefix("family:")
            if (family not in families) if model.startswith("family:") else (model not in models):
                problem(
                    apps_file,
                    ("applications", i, "approved_models", j),
                    f"unknown model {model!r}",
                    "use a model id or family:<family> from models.yml, or add the model there",
                )
    for i, model in enumerate(g.models.models):
        for j, provider in enumerate(model.providers):
            if provider not in providers:
                problem(
                    g.directory / "models.yml",
                    ("models", i, "providers", j),
                    f"provider {provider!r} has no terms",
                    "add it under providers: in models.yml",
                )
    for i, exception in enumerate(g.exceptions.exceptions):
        for field, value, known, source in (
            ("policy", exception.policy, policies, "policies.yml"),
            ("application", exception.application, apps, "applications.yml"),
            ("model", exception.model, models, "models.yml"),
        ):
            if value is not None and value not in known:
                problem(
                    exceptions_file,
                    ("exceptions", i, field),
                    f"unknown {field} {value!r}",
                    f"use an id from {source}",
                )
    problems += _money_problems(g, teams, apps)
    problems += _remediation_problems(g, policies, apps)
    return problems


def _remediation_problems(g: Governance, policies: set[str], apps: set[str]) -> list[str]:
    """Register entries and imported tickets name a declared policy and, for an application
    subject, a declared application; the register has one entry per finding."""
    register = g.directory / REMEDIATION_FILE
    problems = []
    first: dict[str, int] = {}
    for i, entry in enumerate(g.remediation.entries):
        if entry.policy not in policies:
            problems.append(
                f"{located(register, ('entries', i, 'policy'))}: unknown policy {entry.policy!r}."
                " Fix: use a policy id from policies.yml."
            )
        if ":" not in entry.subject and entry.subject not in apps:
            problems.append(
                f"{located(register, ('entries', i, 'subject'))}: unknown application"
                f" {entry.subject!r}. Fix: use an application id from applications.yml, or"
                " credential_provider:credential_id for a credential."
            )
        if entry.finding_key in first:
            problems.append(
                f"{located(register, ('entries', i))}: a second entry for {entry.finding_key}"
                f" (the first is entries[{first[entry.finding_key]}]). Fix: keep one entry per"
                " finding with its latest status."
            )
        first.setdefault(entry.finding_key, i)
    tickets = g.directory / g.remediation.ticket_import.file
    for line, ticket in enumerate(g.remediation_tickets, start=2):
        if ticket.policy_id not in policies:
            problems.append(
                f"{tickets}:{line}: unknown policy {ticket.policy_id!r} in finding"
                f" {ticket.finding_key}. Fix: use a policy id from policies.yml."
            )
    return problems


def _money_problems(g: Governance, teams: set[str], apps: set[str]) -> list[str]:
    """Every priced or budgeted currency converts to the reporting currency; budgets name real scopes."""
    fx = g.fx_rates
    converted = {fx.reporting_currency} | {r.currency for r in fx.rates}
    fix_rate = f"add a rate for it to {FX_RATES_FILE} or use {fx.reporting_currency}"
    problems = [
        f"{located(g.directory / SEAT_PRICES_FILE, ('prices', i, 'currency'))}: no FX rate for"
        f" {p.currency}. Fix: {fix_rate}."
        for i, p in enumerate(g.seat_prices.prices)
        if p.currency not in converted
    ]
    budgets_file = g.directory / BUDGETS_FILE
    for i, b in enumerate(g.budgets.budgets):
        if b.currency not in converted:
            problems.append(
                f"{located(budgets_file, ('budgets', i, 'currency'))}: no FX rate for"
                f" {b.currency}. Fix: {fix_rate}."
            )
        known, source = (teams, "teams.yml") if b.scope == "team" else (apps, "applications.yml")
        if b.id not in known:
            problems.append(
                f"{located(budgets_file, ('budgets', i, 'id'))}: unknown {b.scope} {b.id!r}."
                f" Fix: use an id from {source}."
            )
    return problems
