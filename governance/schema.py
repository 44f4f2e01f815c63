"""Validation models for the governance YAML files. Errors name file, line, field and a fix."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.config import SourceTypeName

UseCategory = Literal[
    "internal_productivity",
    "code_assistance",
    "customer_facing",
    "automated_decision",
    "research_experiment",
]
LifecycleStatus = Literal["proposed", "development", "production", "retired"]
CredentialKind = Literal["project", "api_key"]
Environment = Literal["production", "staging", "development"]
DataCategory = Literal[
    "public",
    "internal",
    "confidential",
    "customer_personal_data",
    "special_category_health",
    "special_category_payment",
]
SensitivityTier = Literal["low", "medium", "high", "critical"]
ReviewStatus = Literal["approved", "under_review", "restricted", "prohibited"]
Severity = Literal["low", "medium", "high", "critical"]
Framework = Literal["eu_ai_act", "iso_42001", "nist_ai_rmf"]
Rule = Literal[
    "model_not_approved_for_application",
    "model_not_reviewed",
    "use_category_not_allowed_for_model",
    "data_category_not_allowed",
    "prompt_logging_forbidden",
    "usage_by_inactive_person",
    "shadow_credential",
    "environment_not_approved",
    "retired_application_in_use",
    "paid_seat_held_by_inactive_person",
    "observed_data_category_not_allowed",
]
RULE_CHECKS: dict[str, str] = {
    "model_not_approved_for_application": "An application uses a model missing from its approved_models (by id or family).",
    "model_not_reviewed": "A model absent from models.yml, or under_review or prohibited, has usage.",
    "use_category_not_allowed_for_model": "An application's use_category is not in its model's allowed_use_categories.",
    "data_category_not_allowed": "An application's data category is not allowed by its model or its provider's terms, or the provider hosts outside the application's approved_regions.",
    "prompt_logging_forbidden": "Prompts were recorded (Bedrock invocation logs with bodies, GenAI spans with content) for an application with prompt_logging_allowed false.",
    "usage_by_inactive_person": "A credential held by a person who had left or was suspended that day is used.",
    "shadow_credential": "Usage from a credential that no application declares.",
    "environment_not_approved": "A declared credential serves an environment missing from its application's environments.",
    "retired_application_in_use": "A retired application's credentials are used on or after retired_on.",
    "paid_seat_held_by_inactive_person": "A paid SaaS AI seat (Copilot, Cursor, M365 Copilot, ChatGPT Enterprise) is still assigned to a person who had left or was suspended that day.",
    "observed_data_category_not_allowed": "Sensitive data found in a request's prompt or completion (an entity type the connectors' classifier reports, in the data category dbt_project/seeds/sensitive_entity_categories.csv maps it to) is of a category its application does not declare, or that its model or its provider's terms do not allow; with no application, every category found is undeclared.",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Team(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="Stable team id.")
    name: str = Field(description="Display name.")
    department: str = Field(description="Department the team belongs to.")
    cost_center: str = Field(
        pattern=r"^CC-[0-9]{3,6}$", description="Cost centre charged for the team's usage."
    )
    business_unit: str = Field(description="Business unit the department reports into.")
    owner: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="Email of the accountable owner.")


class CostCenter(Strict):
    id: str = Field(pattern=r"^CC-[0-9]{3,6}$", description="Cost centre id, as teams name it.")
    name: str = Field(description="Display name finance knows the cost centre by.")


class TeamsFile(Strict):
    teams: list[Team] = Field(min_length=1)
    cost_centers: list[CostCenter] = Field(
        default_factory=list,
        description="Display names of cost centres (optional: reports show the bare id without one).",
    )

    @model_validator(mode="after")
    def _unique(self) -> TeamsFile:
        for kind, ids in (
            ("team", [t.id for t in self.teams]),
            ("cost centre", [c.id for c in self.cost_centers]),
        ):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{kind} ids declared more than once: {', '.join(duplicates)}")
        return self


Provider = Literal[
    "openai", "anthropic", "aws_bedrock", "azure_openai", "google_vertex", "litellm", "otel", "vllm"
]


class Credential(Strict):
    """A credential an application owns. Per provider, `project` and `api_key` name:

    - openai: project id / API key id; anthropic: workspace id / API key id;
    - aws_bedrock: AWS account id / inference profile or IAM principal;
    - azure_openai: subscription id / Azure OpenAI account ResourceId (lower case);
    - google_vertex: GCP project id / (unused);
    - litellm: LiteLLM team id / hashed virtual key; otel: service.name / (unused).
    """

    provider: Provider
    kind: CredentialKind = Field(
        description="What the id names: the provider's project-level container, or one key."
    )
    id: str
    environment: Environment = Field(
        default="production", description="The environment this credential serves."
    )


class Controls(Strict):
    prompt_logging_allowed: bool = Field(
        description="May prompts and completions be recorded (provider logs, tracing content capture)?"
    )
    human_review_required: bool = Field(
        default=False, description="Must a person review outputs before they take effect?"
    )
    approved_regions: list[str] = Field(
        default_factory=list,
        description="Hosting regions the application's data may be processed in (empty: any).",
    )


class Application(Strict):
    id: str = Field(pattern=r"^app-[a-z0-9-]+$", description="Stable application id.")
    name: str = Field(description="Display name.")
    owning_team: str = Field(description="Team id from teams.yml.")
    business_purpose: str = Field(description="Why the application exists, in a sentence.")
    use_category: UseCategory = Field(description="What the application does with models.")
    environments: list[Environment] = Field(
        min_length=1, description="Environments the application is approved to run in."
    )
    data_categories: list[DataCategory] = Field(
        min_length=1, description="Categories of data the application sends to models."
    )
    sensitivity_tier: SensitivityTier = Field(description="How sensitive the application is.")
    approved_models: list[str] = Field(
        min_length=1,
        description="Canonical model ids from models.yml, or `family:<family>` for a whole family.",
    )
    controls: Controls = Field(description="Controls the application must respect.")
    lifecycle_status: LifecycleStatus = Field(description="Where the application is in its life.")
    approval_reference: str | None = Field(
        default=None, description="Ticket or decision record that approved the application."
    )
    approved_on: date | None = Field(default=None, description="Date of approval.")
    retired_on: date | None = Field(
        default=None,
        description="Set when lifecycle_status is retired: usage from then is a finding.",
    )
    credentials: list[Credential] = Field(
        default_factory=list, description="Provider projects and keys that belong to it."
    )

    @model_validator(mode="after")
    def _lifecycle(self) -> Application:
        if (self.lifecycle_status == "retired") != (self.retired_on is not None):
            raise ValueError("retired_on is set exactly when lifecycle_status is retired")
        return self


class ApplicationsFile(Strict):
    applications: list[Application] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ApplicationsFile:
        ids = [a.id for a in self.applications]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"application ids declared more than once: {', '.join(duplicates)}")
        owners: dict[tuple[str, str, str], str] = {}
        for app in self.applications:
            for c in app.credentials:
                key = (c.provider, c.kind, c.id)
                if key in owners and owners[key] != app.id:
                    raise ValueError(
                        f"credential {c.provider}/{c.kind}/{c.id} is declared by both {owners[key]} and {app.id}"
                    )
                owners[key] = app.id
        return self


class ProviderTerms(Strict):
    """What the enterprise's agreement with a provider allows, wherever its models run."""

    id: Provider
    hosting_regions: list[str] = Field(min_length=1)
    allowed_data_categories: list[DataCategory] = Field(min_length=1)
    retention: str = Field(description="Data retention terms, e.g. zero data retention, 30 days.")


class Model(Strict):
    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9.-]*$", description="Canonical model id (see model_catalog)."
    )
    family: str
    kind: Literal["model", "tool"] = Field(
        default="model", description="tool: a built-in tool billed per call, session or storage."
    )
    providers: list[Provider] = Field(min_length=1)
    review_status: ReviewStatus
    allowed_use_categories: list[UseCategory] = Field(default_factory=list)
    allowed_data_categories: list[DataCategory] = Field(default_factory=list)


class ModelsFile(Strict):
    providers: list[ProviderTerms] = Field(min_length=1)
    models: list[Model] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ModelsFile:
        for what, ids in (
            ("provider", [p.id for p in self.providers]),
            ("model", [m.id for m in self.models]),
        ):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{what} ids declared more than once: {', '.join(duplicates)}")
        return self


class ControlReference(Strict):
    framework: Framework
    reference: str = Field(description="Article, Annex A control or subcategory, e.g. Art. 26(5).")


class Policy(Strict):
    id: str = Field(pattern=r"^POL-[0-9]{3}$")
    rule: Rule = Field(description="The check the warehouse runs for this policy.")
    severity: Severity
    description: str
    controls: list[ControlReference] = Field(min_length=1)
    enabled: bool = True


class PoliciesFile(Strict):
    policies: list[Policy] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> PoliciesFile:
        ids = [p.id for p in self.policies]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"policy ids declared more than once: {', '.join(duplicates)}")
        return self


class PolicyException(Strict):
    id: str = Field(pattern=r"^EXC-[0-9]{3,}$")
    policy: str = Field(description="Policy id from policies.yml.")
    application: str | None = Field(default=None, description="Scope: application id.")
    credential: str | None = Field(default=None, description="Scope: credential id.")
    model: str | None = Field(default=None, description="Scope: canonical model id.")
    approver: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    reason: str
    ticket: str
    starts_on: date
    expires_on: date = Field(description="First day the exception no longer applies.")

    @model_validator(mode="after")
    def _scoped_and_dated(self) -> PolicyException:
        if not (self.application or self.credential):
            raise ValueError("an exception needs a scope: application or credential")
        if self.expires_on <= self.starts_on:
            raise ValueError("expires_on must be after starts_on")
        return self


class PersonAlias(Strict):
    """An address one identity source uses for a person whose email elsewhere is `person_email`."""

    alias_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="The other address.")
    person_email: str = Field(
        pattern=r"^[^@\s]+@[^@\s]+$", description="The person's email in the other sources."
    )
    reason: str = Field(min_length=1, description="Why the two addresses are one person.")

    @model_validator(mode="after")
    def _distinct(self) -> PersonAlias:
        if self.alias_email.strip().lower() == self.person_email.strip().lower():
            raise ValueError("alias_email and person_email are the same address")
        return self


class PersonAliasesFile(Strict):
    aliases: list[PersonAlias] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> PersonAliasesFile:
        emails = [a.alias_email.strip().lower() for a in self.aliases]
        duplicates = sorted({e for e in emails if emails.count(e) > 1})
        if duplicates:
            raise ValueError(f"alias emails declared more than once: {', '.join(duplicates)}")
        return self


class ExceptionsFile(Strict):
    exceptions: list[PolicyException] = Field(default_factory=list)


PriceTier = Literal["standard", "batch", "flex", "priority"]


class ComponentPrices(Strict):
    """Negotiated prices in USD per million tokens; a component left out keeps the list price."""

    input: Decimal | None = Field(default=None, ge=0, description="Uncached input tokens.")
    cache_read: Decimal | None = Field(default=None, ge=0, description="Cache-read input tokens.")
    cache_write: Decimal | None = Field(default=None, ge=0, description="Cache-write input tokens.")
    output: Decimal | None = Field(
        default=None, ge=0, description="Output tokens (reasoning included)."
    )

    @model_validator(mode="after")
    def _some(self) -> ComponentPrices:
        if all(v is None for v in (self.input, self.cache_read, self.cache_write, self.output)):
            raise ValueError("prices needs at least one of input, cache_read, cache_write, output")
        return self


class PriceOverride(Strict):
    """A negotiated rate that replaces the list price of one model and tier for a date range."""

    id: str = Field(pattern=r"^PRC-[0-9]{3,}$", description="Stable override id.")
    provider: Provider = Field(description="Provider the rate is agreed with.")
    model: str = Field(
        pattern=r"^[a-z0-9][a-z0-9.-]*$", description="Canonical model id (see model_catalog)."
    )
    tier: PriceTier = Field(default="standard", description="Price tier the rate applies to.")
    starts_on: date = Field(description="First usage day (UTC) the rate applies to.")
    ends_on: date | None = Field(
        default=None, description="First usage day the rate no longer applies (empty: open)."
    )
    prices: ComponentPrices | None = Field(
        default=None, description="Replacement prices per component (or give discount_percent)."
    )
    discount_percent: Decimal | None = Field(
        default=None, gt=0, le=100, description="Discount off every list price, e.g. 15 for 15%."
    )
    reason: str = Field(min_length=1, description="Why the rate differs from the list price.")
    reference: str = Field(min_length=1, description="Contract, order form or ticket.")

    @model_validator(mode="after")
    def _one_rate(self) -> PriceOverride:
        if (self.prices is None) == (self.discount_percent is None):
            raise ValueError("give exactly one of prices or discount_percent")
        if self.ends_on is not None and self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
        return self


class Tolerance(Strict):
    provider: Provider | None = Field(
        default=None, description="Provider it applies to (empty: every provider without its own)."
    )
    percent: Decimal = Field(ge=0, le=100, description="Allowed variance as % of invoiced cost.")
    amount_usd: Decimal = Field(ge=0, description="Allowed variance in USD, whatever the percent.")


class Reconciliation(Strict):
    """How far rated and measured cost may differ from invoiced cost per provider, account and day:
    within tolerance when |variance| <= max(amount_usd, percent% of invoiced)."""

    tolerances: list[Tolerance] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_each(self) -> Reconciliation:
        keys = [t.provider for t in self.tolerances]
        if None not in keys:
            raise ValueError("tolerances needs a default entry without provider")
        duplicates = sorted({str(k or "(default)") for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"tolerances declared more than once for: {', '.join(duplicates)}")
        return self


UsageUnit = Literal[
    "images", "characters", "seconds", "bytes", "sessions", "calls", "searches", "gibibyte hour"
]
# Decimal places of a unit price as landed: a price quoted per 1k or per GiB becomes a price per
# unit with up to 24 decimals (per GiB-day: 0.10 / 2^30 per byte-day, rounded half-even).
UNIT_PRICE_PLACES = 24


class UnitPrice(Strict):
    """The list price of non-token usage (images, audio, tool calls, storage) in its usage unit."""

    id: str = Field(pattern=r"^UNP-[0-9]{3,}$", description="Stable unit price id.")
    provider: Provider = Field(description="Provider whose usage the price rates.")
    model: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9.-]*$",
        description="Model or tool reference the usage names (model_ref or canonical model id);"
        " empty: every usage of the provider in that unit without a price of its own.",
    )
    unit: UsageUnit = Field(description="Usage unit as the normalized usage names it (unit).")
    price: Decimal = Field(ge=0, description="List price in USD for `per` units.")
    per: Decimal = Field(
        default=Decimal(1),
        gt=0,
        description="How many units the price is for (1000 for a price per 1k calls, 1073741824"
        " for a price per GiB of bytes).",
    )
    starts_on: date = Field(description="First usage day (UTC) the price applies to.")
    ends_on: date | None = Field(
        default=None, description="First usage day the price no longer applies (empty: open)."
    )
    reason: str = Field(min_length=1, description="What the price covers and any free allowance.")
    reference: str = Field(min_length=1, description="Price list the price comes from.")

    @model_validator(mode="after")
    def _dates(self) -> UnitPrice:
        if self.ends_on is not None and self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
        return self

    @property
    def price_per_unit(self) -> Decimal:
        """USD per single unit, rounded half-even to UNIT_PRICE_PLACES decimals."""
        exact = self.price / self.per
        return exact.quantize(Decimal(1).scaleb(-UNIT_PRICE_PLACES), ROUND_HALF_EVEN)


class PriceOverridesFile(Strict):
    overrides: list[PriceOverride] = Field(default_factory=list)
    unit_prices: list[UnitPrice] = Field(
        default_factory=list,
        description="List prices of non-token usage the price catalog does not have.",
    )
    reconciliation: Reconciliation

    @model_validator(mode="after")
    def _unique_and_disjoint(self) -> PriceOverridesFile:
        ids = [o.id for o in self.overrides]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"override ids declared more than once: {', '.join(duplicates)}")
        for i, a in enumerate(self.overrides):
            for b in self.overrides[i + 1 :]:
                same = (a.provider, a.model, a.tier) == (b.provider, b.model, b.tier)
                if same and _overlap(a, b):
                    raise ValueError(
                        f"overrides {a.id} and {b.id} both price {a.provider}/{a.model}/{a.tier}"
                        " on the same days: end one before the other starts"
                    )
        unit_ids = [u.id for u in self.unit_prices]
        duplicates = sorted({i for i in unit_ids if unit_ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"unit price ids declared more than once: {', '.join(duplicates)}")
        for i, a in enumerate(self.unit_prices):
            for b in self.unit_prices[i + 1 :]:
                same = (a.provider, a.model, a.unit) == (b.provider, b.model, b.unit)
                if same and _overlap(a, b):
                    raise ValueError(
                        f"unit prices {a.id} and {b.id} both price {a.provider}/"
                        f"{a.model or '(any)'}/{a.unit} on the same days: end one before the"
                        " other starts"
                    )
        return self


def _overlap(a: PriceOverride | UnitPrice, b: PriceOverride | UnitPrice) -> bool:
    return (a.ends_on is None or b.starts_on < a.ends_on) and (
        b.ends_on is None or a.starts_on < b.ends_on
    )


SeatTool = Literal["github_copilot", "cursor", "m365_copilot", "chatgpt_enterprise"]
CURRENCY = r"^[A-Z]{3}$"


class SeatPrice(Strict):
    """The list price of one seat of a SaaS AI tool plan, per month, from a date."""

    tool: SeatTool = Field(description="The SaaS AI tool (a seat source type).")
    plan: str = Field(
        pattern=r"^[a-z0-9_]+$", description="Plan as int_saas_seat_activity_daily names it."
    )
    price_per_month: Decimal = Field(ge=0, description="List price of one seat for a month.")
    currency: str = Field(
        default="USD",
        pattern=CURRENCY,
        description="ISO 4217 currency of the price; other than the reporting currency it needs a rate in fx_rates.yml.",
    )
    starts_on: date = Field(description="First day (UTC) the price applies to.")
    ends_on: date | None = Field(
        default=None, description="First day the price no longer applies (empty: open)."
    )
    reference: str = Field(min_length=1, description="Price list or order form.")

    @model_validator(mode="after")
    def _dates(self) -> SeatPrice:
        if self.ends_on is not None and self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
        return self


class SeatPricesFile(Strict):
    prices: list[SeatPrice] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> SeatPricesFile:
        for i, a in enumerate(self.prices):
            for b in self.prices[i + 1 :]:
                if (a.tool, a.plan) == (b.tool, b.plan) and (
                    (a.ends_on is None or b.starts_on < a.ends_on)
                    and (b.ends_on is None or a.starts_on < b.ends_on)
                ):
                    raise ValueError(
                        f"two prices for {a.tool}/{a.plan} on the same days: end one before the"
                        " other starts"
                    )
        return self


class FxRate(Strict):
    """How many units of the reporting currency one unit of `currency` is worth, for a date range."""

    currency: str = Field(pattern=CURRENCY, description="ISO 4217 billing currency, e.g. EUR.")
    rate: Decimal = Field(gt=0, description="Units of the reporting currency per unit of currency.")
    valid_from: date = Field(description="First day (UTC) the rate applies to.")
    valid_to: date | None = Field(
        default=None, description="First day the rate no longer applies (empty: open)."
    )
    source: str = Field(min_length=1, description="Where the rate comes from (e.g. ECB reference).")

    @model_validator(mode="after")
    def _dates(self) -> FxRate:
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        return self


class FxRatesFile(Strict):
    reporting_currency: str = Field(
        default="USD", pattern=CURRENCY, description="Currency every report converts cost into."
    )
    rates: list[FxRate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> FxRatesFile:
        for i, a in enumerate(self.rates):
            if a.currency == self.reporting_currency:
                raise ValueError(
                    f"rates[{i}] converts the reporting currency {a.currency} into itself: remove it"
                )
            for b in self.rates[i + 1 :]:
                if a.currency == b.currency and (
                    (a.valid_to is None or b.valid_from < a.valid_to)
                    and (b.valid_to is None or a.valid_from < b.valid_to)
                ):
                    raise ValueError(
                        f"two {a.currency} rates on the same days ({a.valid_from} and"
                        f" {b.valid_from}): end one before the other starts"
                    )
        return self


# Providers whose models run on the company's own infrastructure: their cost is what the cloud bills
# for the resources serving them, not a per-token invoice.
SelfHostedProvider = Literal["vllm"]
# Cloud billing exports whose rows a deployment can claim (the connector keeps the claimed rows).
ResourceSource = Literal["aws_cur"]
TAG_KEY = r"^[A-Za-z0-9_.:/=+@ -]{1,128}$"


class DeclaredResources(Strict):
    """Cloud resources of one billing export that serve a deployment: rows whose resource id is one
    of `resource_ids`, or whose resource tags carry every one of `tags`."""

    source_type: ResourceSource = Field(
        description="The billing export the resources bill in (aws_cur: CUR 2.0 line items)."
    )
    resource_ids: list[str] = Field(
        default_factory=list,
        description="Resource ids as the export names them (CUR line_item_resource_id, e.g. i-0abc...).",
    )
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Cost allocation tags (key: value) every row of the deployment carries, e.g."
        " aiuw:deployment: vllm-llama; CUR 2.0's user_ prefix and punctuation are ignored.",
    )

    @field_validator("resource_ids")
    @classmethod
    def _ids(cls, ids: list[str]) -> list[str]:
        if any(not i.strip() for i in ids):
            raise ValueError("resource_ids must not be empty strings")
        if len(set(ids)) != len(ids):
            raise ValueError("resource_ids lists an id more than once")
        return ids

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: dict[str, str]) -> dict[str, str]:
        for key, value in tags.items():
            if not re.match(TAG_KEY, key) or not str(value).strip():
                raise ValueError(f"tag {key!r}: a tag needs a key of 1-128 characters and a value")
        return tags

    @model_validator(mode="after")
    def _something(self) -> DeclaredResources:
        if not self.resource_ids and not self.tags:
            raise ValueError(
                "declare the resources by resource_ids or tags (or both): with neither, no billing"
                " row would be kept and the deployment would cost nothing"
            )
        return self


class SelfHostedDeployment(Strict):
    """A model deployment on the company's own infrastructure (vLLM or similar), seen through a
    gateway or OpenTelemetry under `provider`, and the cloud resources that serve it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Deployment id, e.g. vllm-llama.")
    provider: SelfHostedProvider = Field(
        description="The provider name its traffic has in the warehouse (vllm)."
    )
    models: list[str] = Field(
        min_length=1,
        description="Model ids it serves, as the usage names them (model_id or model_name).",
    )
    resources: list[DeclaredResources] = Field(
        min_length=1, description="The billed resources that serve it."
    )
    reference: str = Field(min_length=1, description="Where the deployment is described.")


class SelfHostedFile(Strict):
    deployments: list[SelfHostedDeployment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct(self) -> SelfHostedFile:
        ids = [d.id for d in self.deployments]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"deployment ids declared more than once: {', '.join(duplicates)}")
        owner: dict[tuple[str, str], str] = {}
        for d in self.deployments:
            for r in d.resources:
                for resource_id in r.resource_ids:
                    other = owner.setdefault((r.source_type, resource_id), d.id)
                    if other != d.id:
                        raise ValueError(
                            f"resource {resource_id} ({r.source_type}) is declared by deployments"
                            f" {other} and {d.id}: a resource's cost goes to one deployment"
                        )
        served: dict[tuple[str, str], str] = {}
        for d in self.deployments:
            for model in d.models:
                other = served.setdefault((d.provider, model), d.id)
                if other != d.id:
                    raise ValueError(
                        f"model {model} of {d.provider} is served by deployments {other} and"
                        f" {d.id}: its tokens can carry the cost of one deployment only"
                    )
        return self


BudgetScope = Literal["team", "application"]


class Budget(Strict):
    """A monthly budget of one team or application, from a month on."""

    scope: BudgetScope = Field(description="What the budget covers.")
    id: str = Field(description="Team id (teams.yml) or application id (applications.yml).")
    amount_per_month: Decimal = Field(gt=0, description="Budget for one calendar month.")
    currency: str = Field(
        default="USD",
        pattern=CURRENCY,
        description="ISO 4217 currency of the amount; converted at the rate of the month's first day.",
    )
    starts_on: date = Field(description="First month (its first day) the budget applies to.")
    ends_on: date | None = Field(
        default=None, description="First month (its first day) it no longer applies (empty: open)."
    )
    owner: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="Email of the budget holder.")

    @model_validator(mode="after")
    def _months(self) -> Budget:
        for name in ("starts_on", "ends_on"):
            day = getattr(self, name)
            if day is not None and day.day != 1:
                raise ValueError(f"{name} must be the first day of a month, not {day}")
        if self.ends_on is not None and self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
        return self


class BudgetsFile(Strict):
    budgets: list[Budget] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> BudgetsFile:
        for i, a in enumerate(self.budgets):
            for b in self.budgets[i + 1 :]:
                if (a.scope, a.id) == (b.scope, b.id) and (
                    (a.ends_on is None or b.starts_on < a.ends_on)
                    and (b.ends_on is None or a.starts_on < b.ends_on)
                ):
                    raise ValueError(
                        f"two budgets for {a.scope} {a.id} in the same months: end one before the"
                        " other starts"
                    )
        return self


# Thresholds and alerting (thresholds.yml, alerting.yml): the conditions fct_alerts evaluates, and
# where the alerts go.
CostScope = Literal["application", "team", "model"]
AlertChannel = Literal["webhook", "email"]
ENV_NAME = r"^[A-Z][A-Z0-9_]*$"


class CostSpikeThreshold(Strict):
    """A day's invoiced cost of one application, team or model against its trailing baseline."""

    id: str = Field(pattern=r"^THR-[0-9]{3,}$", description="Stable threshold id.")
    scope: CostScope = Field(description="What the cost is summed by.")
    baseline_days: int = Field(
        ge=3, le=90, description="Days before the day whose mean cost is the baseline."
    )
    factor: Decimal = Field(
        gt=1, description="The day is a spike at factor x the baseline or more."
    )
    min_daily_cost: Decimal = Field(
        ge=0, description="...and when its cost is at least this much (billing currency)."
    )
    severity: Severity
    enabled: bool = True


class AccessRule(Strict):
    enabled: bool = True
    severity: Severity


class NewPersonRule(AccessRule):
    min_sensitivity_tier: SensitivityTier = Field(
        default="high", description="Restricted applications: this sensitivity tier or above."
    )


class AccessThresholds(Strict):
    inactive_person_active: AccessRule = Field(
        default=AccessRule(severity="critical"),
        description="A departed or suspended person's credential is used.",
    )
    new_person_on_restricted_application: NewPersonRule = Field(
        default=NewPersonRule(enabled=False, severity="medium"),
        description="A person uses a restricted application for the first time.",
    )


class ViolationRule(Strict):
    enabled: bool = True
    min_severity: Severity = Field(default="high", description="Alert at this severity or above.")
    include_reraised: bool = Field(
        default=False, description="Also alert on re-raised violations (exception expired)."
    )


class RiskThresholds(Strict):
    policy_violations: ViolationRule = Field(
        default_factory=ViolationRule,
        description="Violations in fct_policy_violations (usage by inactive people: see access).",
    )
    exception_expired: AccessRule = Field(
        default=AccessRule(severity="high"),
        description="Usage an expired exception used to cover goes on (violations re-raised).",
    )


class DataQualityThresholds(AccessRule):
    """A suite failed (`severity`: its critical expectations refused publishing; `warning_severity`:
    only warnings failed and the release published); and the thresholds suites read as
    `{"$PARAMETER": name}`."""

    warning_severity: Severity = Field(
        default="medium",
        description="Alert severity when a run's suites failed only warning expectations.",
    )

    reconciliation_max_out_of_tolerance_pct: Decimal = Field(
        default=Decimal("50"),
        ge=0,
        le=100,
        description="rpt_cost_reconciliation: most invoiced spend on account lines outside tolerance, percent.",
    )
    min_attributed_usage_pct: Decimal = Field(
        default=Decimal("90"),
        ge=0,
        le=100,
        description="fct_ai_usage_daily: least share of a recent day's tokens from declared applications, percent.",
    )


class SourceFreshness(AccessRule):
    """A configured source instance landed no rows for longer than its source type's limit."""

    default_max_age_days: int = Field(
        default=2,
        ge=1,
        le=90,
        description="Days since the newest day any entity of the source landed rows, for types not listed.",
    )
    max_age_days: dict[SourceTypeName, Annotated[int, Field(ge=1, le=90)]] = Field(
        default_factory=dict,
        description="Per source type (billing exports arrive days late), overriding the default.",
    )

    def limit_days(self, source_type: str) -> int:
        return self.max_age_days.get(source_type, self.default_max_age_days)


class ReleaseAge(AccessRule):
    max_age_hours: int = Field(
        default=48, ge=1, le=24 * 31, description="The current release was published longer ago."
    )


class OperationsThresholds(Strict):
    """Failures of the pipeline itself, evaluated by the delivery pass (not by fct_alerts)."""

    source_failed: AccessRule = Field(
        default=AccessRule(severity="high"),
        description="A source instance's latest pull failed after the connector's retries.",
    )
    dbt_build_failed: AccessRule = Field(
        default=AccessRule(severity="high"), description="The latest dbt build failed."
    )
    serve_failed: AccessRule = Field(
        default=AccessRule(severity="high"),
        description=(
            "The latest published release could not be served from PostgreSQL (warehouse.serve): "
            "BI readers still see the release before it."
        ),
    )
    landing_file_unreadable: AccessRule = Field(
        default=AccessRule(severity="high"),
        description="A landing Parquet file cannot be read: every dbt build fails until it is fixed.",
    )
    source_stale: SourceFreshness = Field(
        default=SourceFreshness(
            severity="medium",
            max_age_days={
                "aws_cur": 4,
                "azure_focus": 4,
                "gcp_billing_export": 4,
                "m365_copilot": 4,
            },
        ),
        description="No new data from a source past its freshness limit.",
    )
    release_stale: ReleaseAge = Field(
        default=ReleaseAge(severity="high"), description="No new release within the limit."
    )


class RobustZRule(Strict):
    """A count or ratio of a week against the median of its baseline weeks. Robust z = (week -
    median) / (1.4826 x MAD), MAD the median absolute deviation of the baseline weeks from their
    median (1.2533 x their mean absolute deviation when the MAD is 0; no z when both are 0). Drift
    when |z|, the fold change and the volume all reach their minimum."""

    enabled: bool = True
    min_abs_z: Decimal = Field(gt=0, description="Drift needs |robust z| at least this.")
    min_fold_change: Decimal = Field(
        gt=1,
        description="...and the week at least this many times the baseline median, or at most"
        " the median divided by it.",
    )
    min_weekly_requests: int = Field(
        ge=1,
        description="...and this many requests: in the week or the baseline median (requests), in"
        " the week's successful requests (token ratios).",
    )


class ProportionRule(Strict):
    """A share of a week's requests (errors, fallbacks, outside working hours) against the baseline
    weeks pooled, by a two-proportion z-test: z = (p_week - p_base) / sqrt(p (1 - p) (1/n_week +
    1/n_base)), p the share of both pooled (no z when no request of either has the property)."""

    enabled: bool = True
    min_abs_z: Decimal = Field(gt=0, description="Drift needs |z| at least this.")
    min_abs_change: Decimal = Field(
        gt=0,
        le=1,
        description="...and the share moved by at least this much (0.05: five percentage points).",
    )
    min_weekly_requests: int = Field(ge=1, description="...and the week has this many requests.")


class DistanceRule(Strict):
    """The model mix: total variation distance between the week's shares of tokens per model and
    the baseline weeks' pooled shares, half the sum of the absolute differences (0 the same mix, 1
    no model in common)."""

    enabled: bool = True
    min_distance: Decimal = Field(
        gt=0, le=1, description="Drift when the distance is at least this."
    )
    min_weekly_tokens: int = Field(ge=1, description="...and the week has this many tokens.")


class NewItemRule(Strict):
    """Models (or providers) absent from every baseline week that carry tokens in the week."""

    enabled: bool = True
    min_token_share: Decimal = Field(
        gt=0,
        le=1,
        description="Drift when the new ones carry at least this share of the week's tokens.",
    )
    min_weekly_tokens: int = Field(ge=1, description="...and the week has this many tokens.")


class WorkingHours(Strict):
    """Working hours: Monday to Friday from start_hour to end_hour, local time at a fixed offset
    from UTC (no daylight saving)."""

    start_hour: int = Field(default=8, ge=0, le=23, description="First working hour.")
    end_hour: int = Field(default=18, ge=1, le=24, description="The hour working time ends.")
    utc_offset_hours: int = Field(
        default=0, ge=-12, le=14, description="Local time minus UTC, in hours."
    )

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end_hour <= self.start_hour:
            raise ValueError("end_hour must be after start_hour")
        return self


# The defaults are the sandbox's tuned thresholds (thresholds.yml says why each is what it is).
class DriftThresholds(AccessRule):
    """How each application uses AI through the gateways, per ISO week, against its trailing
    baseline (rpt_usage_drift), and the usage_drift alert a drifting week raises (enabled,
    severity). Only complete weeks are judged; the application's first, partial week is neither
    judged nor a baseline."""

    severity: Severity = "medium"
    baseline_weeks: int = Field(
        default=8, ge=2, le=52, description="The complete ISO weeks before the week compared with."
    )
    min_baseline_weeks: int = Field(
        default=4,
        ge=2,
        le=52,
        description="Fewer baseline weeks with traffic than this: no verdict.",
    )
    working_hours: WorkingHours = Field(
        default_factory=WorkingHours, description="For the share of requests outside them."
    )
    requests: RobustZRule = Field(
        default=RobustZRule(
            min_abs_z=Decimal("3.5"), min_fold_change=Decimal(4), min_weekly_requests=500
        ),
        description="Requests in the week, failed ones included.",
    )
    tokens_per_request: RobustZRule = Field(
        default=RobustZRule(
            min_abs_z=Decimal("3.5"), min_fold_change=Decimal(2), min_weekly_requests=500
        ),
        description="Input and output tokens per successful request.",
    )
    output_input_ratio: RobustZRule = Field(
        default=RobustZRule(
            min_abs_z=Decimal("3.5"), min_fold_change=Decimal(2), min_weekly_requests=500
        ),
        description="Output tokens per input token.",
    )
    error_rate: ProportionRule = Field(
        default=ProportionRule(
            min_abs_z=Decimal("3.5"), min_abs_change=Decimal("0.05"), min_weekly_requests=500
        ),
        description="Share of requests that failed.",
    )
    fallback_rate: ProportionRule = Field(
        default=ProportionRule(
            min_abs_z=Decimal("3.5"), min_abs_change=Decimal("0.05"), min_weekly_requests=500
        ),
        description="Share of requests served after a fallback.",
    )
    off_hours_share: ProportionRule = Field(
        default=ProportionRule(
            min_abs_z=Decimal("3.5"), min_abs_change=Decimal("0.15"), min_weekly_requests=500
        ),
        description="Share of requests sent outside working hours.",
    )
    model_mix: DistanceRule = Field(
        default=DistanceRule(min_distance=Decimal("0.3"), min_weekly_tokens=1_000_000),
        description="Shares of the week's tokens per model.",
    )
    new_model: NewItemRule = Field(
        default=NewItemRule(min_token_share=Decimal("0.05"), min_weekly_tokens=1_000_000),
        description="Models none of the baseline weeks used.",
    )
    new_provider: NewItemRule = Field(
        default=NewItemRule(min_token_share=Decimal("0.05"), min_weekly_tokens=1_000_000),
        description="Providers none of the baseline weeks used.",
    )

    @model_validator(mode="after")
    def _enough_weeks(self) -> DriftThresholds:
        if self.min_baseline_weeks > self.baseline_weeks:
            raise ValueError("min_baseline_weeks cannot exceed baseline_weeks")
        return self


class ThresholdsFile(Strict):
    cost_spikes: list[CostSpikeThreshold] = Field(
        default_factory=list, description="Invoiced cost spikes, one threshold per scope."
    )
    access: AccessThresholds = Field(
        default_factory=AccessThresholds, description="Who uses AI who should not."
    )
    risk: RiskThresholds = Field(
        default_factory=RiskThresholds, description="Policy violations and expired exceptions."
    )
    data_quality: DataQualityThresholds = Field(
        default=DataQualityThresholds(severity="high"),
        description="A blocking Great Expectations suite failed, so publishing was refused.",
    )
    operations: OperationsThresholds = Field(
        default_factory=OperationsThresholds,
        description="Source failures and staleness, a failed dbt build, unreadable landing files, an old release.",
    )
    drift: DriftThresholds = Field(
        default_factory=DriftThresholds,
        description="How each application's gateway traffic changed against its trailing weeks.",
    )

    @model_validator(mode="after")
    def _unique(self) -> ThresholdsFile:
        ids = [t.id for t in self.cost_spikes]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"threshold ids declared more than once: {', '.join(duplicates)}")
        scopes = [t.scope for t in self.cost_spikes if t.enabled]
        twice = sorted({s for s in scopes if scopes.count(s) > 1})
        if twice:
            raise ValueError(
                f"more than one enabled cost spike threshold for scope {', '.join(twice)}"
            )
        return self


class WebhookChannel(Strict):
    """A Slack-compatible incoming webhook; its URL carries a token, so only the variable is named."""

    url_env: str = Field(pattern=ENV_NAME, description="Environment variable holding the URL.")
    timeout_seconds: float = Field(default=10, gt=0, le=120)
    max_attempts: int = Field(default=3, ge=1, le=10, description="Attempts per delivery pass.")


class EmailChannel(Strict):
    host: str = Field(min_length=1, description="SMTP server host.")
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", description="starttls (587), ssl (465) or none (a local relay)."
    )
    from_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    to: list[str] = Field(min_length=1)
    username_env: str | None = Field(default=None, pattern=ENV_NAME)
    password_env: str | None = Field(default=None, pattern=ENV_NAME)
    timeout_seconds: float = Field(default=10, gt=0, le=120)
    max_attempts: int = Field(default=3, ge=1, le=10, description="Attempts per delivery pass.")

    @model_validator(mode="after")
    def _addresses(self) -> EmailChannel:
        bad = [a for a in self.to if "@" not in a or " " in a.strip()]
        if bad:
            raise ValueError(f"not an email address: {', '.join(bad)}")
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError("give both username_env and password_env, or neither")
        return self


class Channels(Strict):
    webhook: WebhookChannel | None = None
    email: EmailChannel | None = None


class Routing(Strict):
    """Channels each severity goes to."""

    low: list[AlertChannel] = Field(default_factory=list)
    medium: list[AlertChannel] = Field(default_factory=list)
    high: list[AlertChannel] = Field(default_factory=list)
    critical: list[AlertChannel] = Field(default_factory=list)


class AlertingFile(Strict):
    channels: Channels
    routing: Routing
    notify_resolved: bool = Field(
        default=True, description="Send a follow-up when an alert that was sent is resolved."
    )
    catch_up_days: int = Field(
        default=3,
        ge=0,
        le=31,
        description=(
            "An alert that opened and resolved between two delivery passes is still sent once when"
            " it ended at most this many days before the release's evaluation day."
        ),
    )

    @model_validator(mode="after")
    def _routed_channels_exist(self) -> AlertingFile:
        routed = {
            c for s in ("low", "medium", "high", "critical") for c in getattr(self.routing, s)
        }
        missing = sorted(c for c in routed if getattr(self.channels, c) is None)
        if missing:
            raise ValueError(
                f"routing names channels not declared under channels: {', '.join(missing)}"
            )
        return self


# Remediation (remediation.yml, remediation_sla.yml): who works on each finding, where it stands,
# and how long each severity may stay open. A finding is one subject of one policy; its key is
# `<policy id>:<subject>` (e.g. POL-004:app-support-assistant, POL-007:openai:key_ab12).
RemediationStatus = Literal["open", "acknowledged", "remediated", "risk_accepted"]
POLICY_ID = r"^POL-[0-9]{3}$"
FINDING_KEY = r"^POL-[0-9]{3}:\S.*$"
EMAIL = r"^[^@\s]+@[^@\s]+$"


def utc_naive(moment: datetime) -> datetime:
    """`moment` in UTC without its zone (a moment without a zone is taken as UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


class RemediationEntry(Strict):
    """The remediation status of one finding, as last set. A finding marked `remediated` that has
    evidence after the day of `changed_at` is open again (re-raised)."""

    policy: str = Field(pattern=POLICY_ID, description="Policy id from policies.yml.")
    subject: str = Field(
        min_length=1,
        description=(
            "The finding's subject as fct_policy_violations names it: an application id from"
            " applications.yml, or `credential_provider:credential_id`."
        ),
    )
    status: RemediationStatus = Field(
        description=(
            "open (nobody has taken it), acknowledged (being worked on), remediated (fixed) or"
            " risk_accepted (kept on purpose; never overdue)."
        )
    )
    ticket: str | None = Field(default=None, description="Ticket tracking the work, e.g. SEC-123.")
    note: str | None = Field(default=None, description="What was done or decided, in a sentence.")
    changed_at: datetime = Field(
        description="When the status was set: ISO 8601, UTC unless it names an offset."
    )
    changed_by: str = Field(pattern=EMAIL, description="Email of who set the status.")

    @field_validator("changed_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return utc_naive(value)

    @property
    def finding_key(self) -> str:
        return f"{self.policy}:{self.subject}"


# Jira's default workflow and the register's own words; matched without regard to case.
DEFAULT_TICKET_STATUSES: dict[str, RemediationStatus] = {
    "To Do": "open",
    "Open": "open",
    "Reopened": "open",
    "In Progress": "acknowledged",
    "Acknowledged": "acknowledged",
    "Done": "remediated",
    "Resolved": "remediated",
    "Closed": "remediated",
    "Remediated": "remediated",
    "Risk Accepted": "risk_accepted",
    "Won't Do": "risk_accepted",
}


class TicketColumns(Strict):
    """Where each register field is in a ticket export: a CSV column, or for JSON a key or a dotted
    path (`fields.status.name`). A CSV column missing from the header is also looked for under the
    name Jira's CSV export gives a custom field, `Custom field (<name>)`."""

    finding_key: str = Field(
        default="Finding Key", min_length=1, description="The finding key the export wrote."
    )
    status: str = Field(default="Status", min_length=1, description="The ticket's status.")
    ticket: str | None = Field(default="Issue key", description="The ticket's id.")
    changed_at: str | None = Field(
        default="Updated",
        description="When the ticket last changed (ISO 8601 or Jira's `06/Dec/26 2:04 PM`, UTC); empty: the import time.",
    )
    changed_by: str | None = Field(
        default="Assignee", description="Who changed it (empty: the importer's --by)."
    )
    note: str | None = Field(default="Resolution", description="A note kept with the status.")


class TicketImport(Strict):
    """How `python -m orchestration.cli.findings import FILE` reads a ticket export (CSV with a
    header row, or JSON: a list of objects or Jira's search result `{"issues": [...]}`) into the
    register. The imported tickets are kept in `file` beside remediation.yml, one row per finding
    (columns finding_key, status, ticket, changed_at, changed_by, note, ticket_status); a later
    import replaces a finding's row when its status or ticket changed."""

    file: str = Field(
        default="remediation_tickets.csv",
        pattern=r"^[^/\\]+\.csv$",
        description="The imported tickets, a CSV file in the governance directory.",
    )
    columns: TicketColumns = Field(
        default_factory=TicketColumns,
        description="Export columns carrying each field (defaults: Jira's CSV export and the findings export).",
    )
    statuses: dict[str, RemediationStatus] = Field(
        default_factory=lambda: dict(DEFAULT_TICKET_STATUSES),
        description=(
            "Ticket status -> register status, without regard to case (default: Jira's To Do,"
            " In Progress, Done, Won't Do, ... and the register's own words). A status not listed"
            " is refused. The export writes the first status listed for each register status."
        ),
    )

    @model_validator(mode="after")
    def _every_status_exported(self) -> TicketImport:
        missing = [s for s in get_args(RemediationStatus) if s not in self.statuses.values()]
        if missing:
            raise ValueError(f"statuses maps no ticket status to {', '.join(missing)}")
        return self

    def status_of(self, ticket_status: str) -> RemediationStatus | None:
        folded = ticket_status.strip().casefold()
        return next((s for name, s in self.statuses.items() if name.casefold() == folded), None)

    def ticket_status(self, status: str) -> str:
        """The ticket status the export writes for a register status."""
        return next(name for name, s in self.statuses.items() if s == status)


class RemediationFile(Strict):
    """The remediation register: the status of each finding someone has acted on. A finding with no
    entry (and no imported ticket) is open."""

    entries: list[RemediationEntry] = Field(
        default_factory=list, description="One entry per finding (policy and subject)."
    )
    ticket_import: TicketImport = Field(
        default_factory=TicketImport, description="How ticket exports are imported."
    )


class SlaDays(Strict):
    critical: int = Field(ge=1, le=3650, description="Days to remediate a critical finding.")
    high: int = Field(ge=1, le=3650, description="Days for a high one.")
    medium: int = Field(ge=1, le=3650, description="Days for a medium one.")
    low: int = Field(ge=1, le=3650, description="Days for a low one.")

    @model_validator(mode="after")
    def _ordered(self) -> SlaDays:
        if not self.critical <= self.high <= self.medium <= self.low:
            raise ValueError(
                "a more severe finding cannot get more days than a less severe one"
                " (critical <= high <= medium <= low)"
            )
        return self


class RemediationSlaFile(Strict):
    """How many days a finding may stay open or acknowledged, counted from the day it was opened
    (its first day of evidence not covered by an exception, or the day it reappeared after being
    remediated); past its due date it is overdue. Without the file: 7, 30, 90 and 180 days."""

    days: SlaDays = Field(
        default=SlaDays(critical=7, high=30, medium=90, low=180),
        description="Days per severity.",
    )


# bi_access.yml: who reads the served release in PostgreSQL (warehouse/serve_postgres.py, docs/BI.md).
LOGIN_PATTERN = r"^[a-z_][a-z0-9_.@-]{0,62}$"


class CostCenterLogin(Strict):
    """A PostgreSQL login that sees only its cost centres' rows of the cost and chargeback marts."""

    login: str = Field(
        pattern=LOGIN_PATTERN,
        description="The PostgreSQL login (role name) as the BI tool or person connects.",
    )
    cost_centers: list[str] = Field(
        min_length=1, description="Cost centre ids (as teams.yml names them) the login sees."
    )


class CostCenterMart(Strict):
    """A served mart with row-level security by cost centre."""

    mart: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Published mart name.")
    column: str = Field(description="Its column holding the cost centre id.")


def default_cost_center_marts() -> list[CostCenterMart]:
    return [
        CostCenterMart(mart="fct_ai_cost_daily", column="cost_center_id"),
        CostCenterMart(mart="fct_focus_ai_costs", column="x_CostCenterId"),
        CostCenterMart(mart="fct_seat_assignments_daily", column="cost_center_id"),
        CostCenterMart(mart="rpt_chargeback_monthly", column="cost_center_id"),
        CostCenterMart(mart="rpt_chargeback_restatements", column="cost_center_id"),
    ]


class BiAccessFile(Strict):
    """Readers of the served release: logins that see everything, logins limited to cost centres,
    and the marts limited by cost centre. The logins themselves (and their passwords) are created
    by the database administrator; this file only grants them the reader roles."""

    bi_logins: list[str] = Field(
        default_factory=list,
        description=(
            "Logins granted aiuw_bi: every served mart, every row, read only (finance, the BI "
            "service account)."
        ),
    )
    cost_center_logins: list[CostCenterLogin] = Field(
        default_factory=list,
        description=(
            "Logins granted aiuw_cost_centre: the cost_center_marts only, and in them only the "
            "rows of their cost centres."
        ),
    )
    people_logins: list[str] = Field(
        default_factory=list,
        description=(
            "Logins granted aiuw_people: the restricted people_directory (person key to email and "
            "name) in schema aiuw_restricted, nothing else. Grant it with aiuw_bi to the few who "
            "must name people (HR, the leavers' review)."
        ),
    )
    cost_center_marts: list[CostCenterMart] = Field(
        default_factory=default_cost_center_marts,
        description=(
            "Marts with row-level security by cost centre (default: fct_ai_cost_daily, "
            "fct_focus_ai_costs, fct_seat_assignments_daily, rpt_chargeback_monthly, "
            "rpt_chargeback_restatements)."
        ),
    )

    @field_validator("bi_logins", "people_logins")
    @classmethod
    def bi_logins_are_names(cls, logins: list[str]) -> list[str]:
        for login in logins:
            if not re.fullmatch(LOGIN_PATTERN, login):
                raise ValueError(f"login {login!r} is not a plain role name ({LOGIN_PATTERN})")
        return logins

    @model_validator(mode="after")
    def unique(self) -> BiAccessFile:
        logins = [entry.login for entry in self.cost_center_logins]
        for name, values in (
            ("cost_center_logins", logins),
            ("bi_logins", self.bi_logins),
            ("people_logins", self.people_logins),
            ("cost_center_marts", [m.mart for m in self.cost_center_marts]),
        ):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"{name} lists {', '.join(repeated)} more than once")
        reserved = {"aiuw_bi", "aiuw_cost_centre", "aiuw_people", "public"} & {
            *logins,
            *self.bi_logins,
            *self.people_logins,
        }
        if reserved:
            raise ValueError(f"{', '.join(sorted(reserved))}: a reader role, not a login")
        return self
