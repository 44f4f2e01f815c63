"""Azure OpenAI in the sandbox: FOCUS 1.2 cost exports as Cost Management writes them.

Some applications of the shared enterprise call Azure OpenAI deployments (named after the use, not
the model) in their own Cognitive Services account; one account sits in an undeclared subscription
(shadow AI). Each day x account x meter becomes one FOCUS row. Meter names are as inconsistent as
in real exports, and meters are priced per 1K or per 1M tokens, so tokens = PricingQuantity x
x_PricingBlockSize. Exports are month partitions written by daily runs, each run restating the
month; recent days are provisional (90% of their final cost) until they settle.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import random
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from sandbox.activity import PROVISIONAL_SHARE, SETTLEMENT_DAYS, Activity
from sandbox.enterprise import EPOCH, Enterprise, stable_int
from sandbox.ground_truth import days, empty_totals
from sandbox.providers import Response

SOURCE_TYPE = "azure_focus"
PATH_ENV = "AZURE_FOCUS_PATH"
EXPORT_NAME = "aoai-focus-daily"
BILLING_ACCOUNT = "/providers/Microsoft.Billing/billingAccounts/87654321"
AMOUNT_QUANTUM = Decimal("0.0000000001")
K, M = 1000, 1_000_000
PART_ROWS = 200
VOLUME_SCALE = 4  # ~15% of the OpenAI spend


@dataclass(frozen=True)
class Meter:
    name: str
    block: int
    price_per_block: Decimal  # USD


# (model, deployment type) -> meters by token kind; names as inconsistent as real exports. Prices are
# the catalog's (genai-prices) list prices, which has one Azure price per model for every deployment type.
METERS: dict[tuple[str, str], dict[str, Meter]] = {
    ("gpt-4o", "global"): {
        "input": Meter("gpt 4o 0806 Inp glbl Tokens", K, Decimal("0.0025")),
        "cached": Meter("gpt 4o 0806 cached Inp glbl Tokens", K, Decimal("0.00125")),
        "output": Meter("gpt 4o 0806 Outp glbl Tokens", K, Decimal("0.01")),
    },
    ("gpt-4o", "data_zone"): {
        "input": Meter("Az-GPT4o-Inp-DZone", M, Decimal("2.50")),
        "output": Meter("Az-GPT4o-Outp-DZone", M, Decimal("10.00")),
    },
    # not in the meter seed: the normalized model must map it by pattern
    ("gpt-4o", "regional"): {
        "input": Meter("gpt-4o-0806-Inp-regnl Tokens", K, Decimal("0.0025")),
        "output": Meter("gpt-4o-0806-Outp-regnl Tokens", K, Decimal("0.01")),
    },
    ("gpt-4.1-mini", "global"): {
        "input": Meter("GPT-4.1-mini Input Tokens Global", M, Decimal("0.40")),
        "cached": Meter("GPT-4.1-mini cchd Inp Tokens Global", M, Decimal("0.10")),
        "output": Meter("GPT-4.1-mini Output Tokens Global", M, Decimal("1.60")),
    },
    ("text-embedding-3-large", "global"): {
        "input": Meter("text-embedding-3-large Inp glbl Tokens", K, Decimal("0.00013")),
    },
}


@dataclass(frozen=True)
class Deployment:
    """One model deployment of an application's account; its name is not the model's."""

    name: str
    model: str
    deployment_type: str
    requests_per_day: int
    input_per_request: int
    output_per_request: int
    cached_share: float


# application id -> (account name, deployments); the shadow account lives in its own subscription
ACCOUNTS: dict[str, tuple[str, tuple[Deployment, ...]]] = {
    "app-support-assistant": (
        "aoai-support-prod",
        (
            Deployment("support-chat-4o", "gpt-4o", "global", 2600, 1800, 320, 0.5),
            Deployment("kb-embed-large", "text-embedding-3-large", "global", 9000, 600, 0, 0),
        ),
    ),
    "app-contract-reviewer": (
        "aoai-legal-prod",
        (Deployment("legal-mini", "gpt-4.1-mini", "global", 900, 12000, 900, 0.3),),
    ),
    "app-doc-summarizer": (
        "aoai-docs-euw",
        (Deployment("summarize-eu", "gpt-4o", "data_zone", 450, 7000, 500, 0),),
    ),
    "shadow-hackathon-2026": (
        "aoai-hack-playground",
        (Deployment("hack-4o", "gpt-4o", "regional", 120, 2000, 700, 0),),
    ),
}

FOCUS_COLUMNS = [
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingAccountType",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "Tags",
    "x_BilledCostInUsd",
    "x_BillingExchangeRate",
    "x_CostCenter",
    "x_EffectiveCostInUsd",
    "x_PricingBlockSize",
    "x_PricingUnitDescription",
    "x_ResourceGroupName",
    "x_SkuDescription",
    "x_SkuMeterCategory",
    "x_SkuMeterId",
    "x_SkuMeterSubcategory",
]


def _guid(*parts: object) -> str:
    return str(uuid.UUID(int=stable_int(*parts) << 64 | stable_int(*parts, "low")))


def _iso(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{moment.isoformat()}T00:00:00Z"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class TokenRow:
    """One AI FOCUS row before formatting: day x account x meter."""

    day: date
    application_id: str
    subscription_id: str
    subscription_name: str
    resource_group: str
    account: str
    region: str
    model: str
    kind: str  # input, cached, output
    meter: Meter
    tokens: int
    billed_cost: Decimal

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourcegroups/{self.resource_group}"
            f"/providers/microsoft.cognitiveservices/accounts/{self.account}"
        )

    @property
    def pricing_quantity(self) -> Decimal:
        return Decimal(self.tokens) / Decimal(self.meter.block)


class AzureOpenAIProvider:
    name = "azure_openai"
    prefixes: tuple[str, ...] = ()

    def __init__(self, enterprise: Enterprise, activity: Activity) -> None:
        self.enterprise, self.activity = enterprise, activity
        seed = enterprise.seed
        self.prod_subscription = _guid(seed, "azure", "subscription", "prod")
        self.shadow_subscription = _guid(seed, "azure", "subscription", "dev-sandbox")

    def _placement(self, application_id: str) -> tuple[str, str, str, str]:
        """(subscription id, subscription name, resource group, region) of an application's account."""
        if application_id.startswith("shadow-"):
            return self.shadow_subscription, "dev-sandbox", "rg-hackathon", "swedencentral"
        region = "westeurope" if application_id == "app-doc-summarizer" else "eastus2"
        name = application_id.removeprefix("app-")
        return self.prod_subscription, "ai-apps-prod", f"rg-{name}", region

    def resource_id(self, application_id: str) -> str:
        subscription, _, group, _ = self._placement(application_id)
        account = ACCOUNTS[application_id][0]
        return (
            f"/subscriptions/{subscription}/resourcegroups/{group}"
            f"/providers/microsoft.cognitiveservices/accounts/{account}"
        )

    def _final_rows(self, day: date) -> list[TokenRow]:
        if day < EPOCH:
            return []
        rows = []
        for application_id, (account, deployments) in ACCOUNTS.items():
            app = self.enterprise.application(application_id)
            factor = self.activity.volume_factor(
                day, application_id, app.use_category == "customer_facing"
            )
            subscription, subscription_name, group, region = self._placement(application_id)
            tokens: dict[tuple[str, str, str], int] = {}
            for d in deployments:
                rng = random.Random(stable_int(self.enterprise.seed, "azure", day, d.name))
                requests = int(
                    d.requests_per_day * VOLUME_SCALE * factor * math.exp(rng.gauss(0, 0.12))
                )
                if requests <= 0:
                    continue
                prompt = int(requests * d.input_per_request * math.exp(rng.gauss(0, 0.08)))
                cached = int(prompt * d.cached_share * rng.uniform(0.85, 1.1))
                cached = min(cached, prompt)
                output = int(requests * d.output_per_request * math.exp(rng.gauss(0, 0.1)))
                for kind, count in (
                    ("input", prompt - cached),
                    ("cached", cached),
                    ("output", output),
                ):
                    key = (d.model, d.deployment_type, kind)
                    if count > 0 and kind in METERS[(d.model, d.deployment_type)]:
                        tokens[key] = tokens.get(key, 0) + count
            for (model, deployment_type, kind), count in sorted(tokens.items()):
                meter = METERS[(model, deployment_type)][kind]
                cost = (Decimal(count) / meter.block * meter.price_per_block).quantize(
                    AMOUNT_QUANTUM, ROUND_HALF_EVEN
                )
                rows.append(
                    TokenRow(
                        day,
                        application_id,
                        subscription,
                        subscription_name,
                        group,
                        account,
                        region,
                        model,
                        kind,
                        meter,
                        count,
                        cost,
                    )
                )
        return rows

    def rows(self, day: date, as_of: datetime) -> list[TokenRow]:
        """The day's AI rows as an export run at `as_of` shows them (provisional until settled)."""
        final = self._final_rows(day)
        if as_of.date() >= day + timedelta(days=SETTLEMENT_DAYS):
            return final
        return [
            replace(
                r,
                billed_cost=(r.billed_cost * PROVISIONAL_SHARE).quantize(
                    AMOUNT_QUANTUM, ROUND_HALF_EVEN
                ),
            )
            for r in final
        ]

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        """Tokens are PricingQuantity x block size per meter; invoiced cost is the BilledCost sum."""
        totals = empty_totals()
        usage = totals["usage"]
        cost = Decimal(0)
        for day in days(start, end, as_of):
            for r in self.rows(day, as_of):
                tokens = int(r.pricing_quantity * r.meter.block)
                cost += r.billed_cost
                if r.kind == "output":
                    usage["output_tokens"] += tokens
                else:
                    usage["input_tokens"] += tokens
                if r.kind == "cached":
                    usage["cache_read_input_tokens"] += tokens
        totals["invoiced_cost_usd"] = str(cost)
        return totals

    def _focus_rows(self, day: date, as_of: datetime) -> Iterator[dict]:
        for r in self.rows(day, as_of):
            quantity = format(r.pricing_quantity, "f")
            cost = format(r.billed_cost, "f")
            unit_price = format(r.meter.price_per_block, "f")
            app = self.enterprise.application(r.application_id)
            tags = {"app": app.name, "env": "prod" if app.declared else "dev"}
            if app.declared:
                tags["costcenter"] = self.enterprise.team(app.owning_team_id).cost_center_id
            meter_id = _guid("azure-meter", r.meter.name)
            yield {
                "BilledCost": cost,
                "BillingAccountId": BILLING_ACCOUNT,
                "BillingAccountName": "Example Corp",
                "BillingAccountType": "Billing Account",
                "BillingCurrency": "USD",
                "BillingPeriodEnd": _iso(_next_month(day)),
                "BillingPeriodStart": _iso(_month_start(day)),
                "ChargeCategory": "Usage",
                "ChargeDescription": r.meter.name,
                "ChargeFrequency": "Usage-Based",
                "ChargePeriodEnd": _iso(day + timedelta(days=1)),
                "ChargePeriodStart": _iso(day),
                "ConsumedQuantity": quantity,
                "ConsumedUnit": "Units",
                "ContractedCost": cost,
                "ContractedUnitPrice": unit_price,
                "EffectiveCost": cost,
                "InvoiceIssuerName": "Microsoft",
                "ListCost": cost,
                "ListUnitPrice": unit_price,
                "PricingCategory": "Standard",
                "PricingQuantity": quantity,
                "PricingUnit": "Units",
                "ProviderName": "Microsoft",
                "PublisherName": "Microsoft",
                "RegionId": r.region,
                "RegionName": r.region,
                "ResourceId": r.resource_id,
                "ResourceName": r.account,
                "ResourceType": "Azure AI services",
                "ServiceCategory": "AI and Machine Learning",
                "ServiceName": "Azure AI Services",
                "ServiceSubcategory": "AI Platforms",
                "SkuId": f"DZH318Z0{stable_int('sku', r.model) % 10000:04d}",
                "SkuMeter": r.meter.name,
                "SkuPriceId": f"DZH318Z0{stable_int('sku', r.model) % 10000:04d}/{meter_id[:4]}",
                "SubAccountId": r.subscription_id,
                "SubAccountName": r.subscription_name,
                "SubAccountType": "Subscription",
                "Tags": json.dumps(tags),
                "x_BilledCostInUsd": cost,
                "x_BillingExchangeRate": "1",
                "x_CostCenter": tags.get("costcenter", ""),
                "x_EffectiveCostInUsd": cost,
                "x_PricingBlockSize": str(r.meter.block),
                "x_PricingUnitDescription": "1K" if r.meter.block == K else "1M",
                "x_ResourceGroupName": r.resource_group,
                "x_SkuDescription": f"Azure OpenAI {r.meter.name}",
                "x_SkuMeterCategory": "Foundry Models"
                if "dzone" in r.meter.name.lower()
                else "Cognitive Services",
                "x_SkuMeterId": meter_id,
                "x_SkuMeterSubcategory": "Azure OpenAI",
            }
        yield from self._other_rows(day)

    def _other_rows(self, day: date) -> Iterator[dict]:
        """Non-AI rows of the same subscription (a VM, Speech): the reader must leave them out."""
        group = "rg-support-assistant"
        base = f"/subscriptions/{self.prod_subscription}/resourcegroups/{group}/providers"
        for resource, service, category, subcategory, meter, cost in (
            (
                f"{base}/microsoft.compute/virtualmachines/vm-support-worker",
                "Virtual Machines",
                "Virtual Machines",
                "Dv5 Series",
                "D4s v5",
                "4.6080000000",
            ),
            (
                f"{base}/microsoft.cognitiveservices/accounts/speech-support",
                "Azure AI Services",
                "Cognitive Services",
                "Speech",
                "S1 Speech To Text",
                "1.2500000000",
            ),
        ):
            yield {
                "BilledCost": cost,
                "BillingAccountId": BILLING_ACCOUNT,
                "BillingCurrency": "USD",
                "ChargeCategory": "Usage",
                "ChargePeriodEnd": _iso(day + timedelta(days=1)),
                "ChargePeriodStart": _iso(day),
                "ConsumedQuantity": "24",
                "ConsumedUnit": "Hours",
                "EffectiveCost": cost,
                "ListCost": cost,
                "PricingQuantity": "24",
                "PricingUnit": "Hours",
                "ResourceId": resource,
                "ResourceName": resource.rsplit("/", 1)[-1],
                "ServiceName": service,
                "ServiceCategory": "Compute"
                if category == "Virtual Machines"
                else "AI and Machine Learning",
                "SkuMeter": meter,
                "SubAccountId": self.prod_subscription,
                "SubAccountName": "ai-apps-prod",
                "x_SkuMeterCategory": category,
                "x_SkuMeterSubcategory": subcategory,
                "x_PricingBlockSize": "1",
                "x_PricingUnitDescription": "1 Hour",
            }

    def _write_run(
        self, export_dir: Path, month: date, first: date, last: date, as_of: datetime
    ) -> None:
        """One run of the month-to-date export: part files of at most PART_ROWS rows + manifest."""
        range_dir = export_dir / f"{month:%Y%m%d}-{_next_month(month) - timedelta(days=1):%Y%m%d}"
        run_id = _guid(self.enterprise.seed, "azure-run", month, as_of.isoformat())
        run_dir = range_dir / run_id
        run_dir.mkdir(parents=True, exist_ok=True)
        for old in run_dir.glob("part_*"):
            old.unlink()
        rows = [
            r
            for i in range((last - first).days)
            for r in self._focus_rows(first + timedelta(days=i), as_of)
        ]
        blobs = []
        for part, offset in enumerate(range(0, max(len(rows), 1), PART_ROWS), start=1):
            path = run_dir / f"part_0_{part:04d}.csv.gz"
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, FOCUS_COLUMNS, restval="", lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows[offset : offset + PART_ROWS])
            path.write_bytes(
                gzip.compress(buffer.getvalue().encode("utf-8"), compresslevel=6, mtime=0)
            )
            blobs.append(
                {
                    "blobName": str(path.relative_to(export_dir.parent)),
                    "byteCount": path.stat().st_size,
                    "dataRowCount": len(rows[offset : offset + PART_ROWS]),
                }
            )
        manifest = {
            "manifestVersion": "2024-04-01",
            "byteCount": sum(b["byteCount"] for b in blobs),
            "blobCount": len(blobs),
            "dataRowCount": len(rows),
            "exportConfig": {
                "exportName": export_dir.name,
                "dataVersion": "1.2",
                "exportType": "FocusCost",
                "timeFrame": "MonthToDate",
                "granularity": "Daily",
            },
            "deliveryConfig": {
                "partitionData": True,
                "dataOverwriteBehavior": "CreateNewReport",
                "fileFormat": "Csv",
                "compressionMode": "gzip",
            },
            "runInfo": {
                "executionType": "Scheduled",
                "submittedTime": as_of.strftime("%Y-%m-%dT%H:%M:%S.%f0Z"),
                "runId": run_id,
                "startDate": f"{month.isoformat()}T00:00:00",
                "endDate": f"{last.isoformat()}T00:00:00",
            },
            "blobs": blobs,
        }
        (run_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        """For each month in [start, end): yesterday's run (older, provisional) and today's run."""
        base = root / SOURCE_TYPE
        export_dir = base / EXPORT_NAME
        export_dir.mkdir(parents=True, exist_ok=True)
        month = _month_start(start)
        while month < end:
            first = max(start, month)
            for run_as_of in (as_of - timedelta(days=1), as_of):
                last = min(end, _next_month(month), run_as_of.date())
                if last > first:
                    self._write_run(export_dir, month, first, last, run_as_of)
            month = _next_month(month)
        return {PATH_ENV: str(base)}

    def handle(self, path: str, query: object, headers: Mapping[str, str]) -> Response:
        return Response.json({"error": "azure_openai is served as export files only"}, 404)

    def environment(self, base_url: str) -> dict[str, str]:
        return {}

    def declared_credentials(self) -> list[dict]:
        """Each declared application's Cognitive Services account (the shadow one is not declared)."""
        return [
            {
                "application_id": application_id,
                "provider": self.name,
                "kind": "api_key",
                "id": self.resource_id(application_id),
            }
            for application_id in ACCOUNTS
            if self.enterprise.application(application_id).declared
        ]

    def corrupt(self, day: date) -> None:
        pass

    def reset(self) -> None:
        pass


def build(
    enterprise: Enterprise,
    activity: Activity,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str],
) -> AzureOpenAIProvider:
    return AzureOpenAIProvider(enterprise, activity)
