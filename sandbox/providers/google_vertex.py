"""Google Vertex AI in the sandbox: the Cloud Billing export, extracted from BigQuery to files.

Some applications of the shared enterprise call Gemini 2.5 Pro/Flash and text-embedding-005 from
their own GCP project; one project is undeclared (shadow AI). Rows are hourly per project x SKU, as
the export has them, with one SKU per model x direction (input, cached input, output, thinking
output) plus a caching-storage SKU that is not tokens. `cost` is before credits; committed-use and
promotional credits are negative amounts in `credits`. Extracts are written per usage day as
newline-delimited JSON (BigQuery's extract format: TIMESTAMPs as 'YYYY-MM-DD HH:MM:SS UTC', INT64 as
strings). Recent days are provisional (90% of their final cost) and rewritten as they settle.
"""

from __future__ import annotations

import gzip
import json
import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from sandbox.activity import PROVISIONAL_SHARE, SETTLEMENT_DAYS, Activity
from sandbox.cost_plants import vertex_price_factor
from sandbox.enterprise import EPOCH, Enterprise, stable_int
from sandbox.ground_truth import days, empty_totals
from sandbox.providers import Response

SOURCE_TYPE = "gcp_billing_export"
PATH_ENV = "GCP_BILLING_EXPORT_PATH"
BILLING_ACCOUNT = "01A2B3-C4D5E6-F7A8B9"
TABLE = f"gcp_billing_export_v1_{BILLING_ACCOUNT.replace('-', '_')}"
VERTEX = {"id": "C7E2-9256-1C43", "description": "Vertex AI"}
MONEY = Decimal("0.000001")
MTOK = Decimal(1_000_000)
VOLUME_SCALE = 12  # ~13% of the OpenAI spend
# share of a day's traffic in each UTC hour
HOURLY = [0.6, 0.5, 0.4, 0.4, 0.4, 0.5, 0.7, 1.0, 1.3, 1.5, 1.6, 1.6]
HOURLY = HOURLY + HOURLY[::-1]


# Token SKU prices are the catalog's (genai-prices) list prices, except the planted Flash price
# change (sandbox.cost_plants).
@dataclass(frozen=True)
class Sku:
    id: str
    description: str
    kind: str  # input, cached, output, thinking, storage
    price: Decimal  # USD per 1M tokens (per unit for storage)
    unit: str = "count"


SKUS: dict[str, dict[str, Sku]] = {
    "gemini-2.5-pro": {
        "input": Sku("A121-E2B5-1418", "Gemini 2.5 Pro Input Tokens", "input", Decimal("1.25")),
        "cached": Sku(
            "B3F1-4C2D-9E01", "Gemini 2.5 Pro Cached Input Tokens", "cached", Decimal("0.125")
        ),
        "output": Sku("5DA2-3F4B-8C77", "Gemini 2.5 Pro Output Tokens", "output", Decimal("10")),
        "thinking": Sku(
            "E6B7-1A2C-3D4F", "Gemini 2.5 Pro Thinking Output Tokens", "thinking", Decimal("10")
        ),
    },
    "gemini-2.5-flash": {
        "input": Sku(
            "FDAB-647C-5A22",
            "Gemini 2.5 Flash GA Text Input - Predictions",
            "input",
            Decimal("0.30"),
        ),
        "cached": Sku(
            "0D5C-9B7E-31AA", "Gemini 2.5 Flash GA Input Text Caching", "cached", Decimal("0.03")
        ),
        "output": Sku(
            "AF3E-2B19-77C0",
            "Gemini 2.5 Flash GA Text Output - Predictions",
            "output",
            Decimal("2.50"),
        ),
        "thinking": Sku(
            "C4D8-6E21-0B9F",
            "Gemini 2.5 Flash GA Thinking Text Output - Predictions",
            "thinking",
            Decimal("2.50"),
        ),
        "storage": Sku(
            "9A1B-5C6D-E7F8",
            "Gemini 2.5 Flash GA Text Input Caching Storage",
            "storage",
            Decimal("1.00"),
            "gibibyte hour",
        ),
    },
    "text-embedding-005": {
        "input": Sku(
            "7E3A-0C4B-D912",
            "Text Embedding 005 Text Input - Predictions",
            "input",
            Decimal("0.025"),
        ),
    },
}


@dataclass(frozen=True)
class Workload:
    model: str
    requests_per_day: int
    input_per_request: int
    output_per_request: int
    cached_share: float
    thinking_share: float  # of output tokens


# application id -> (GCP project id, workloads, credit (type, name, share of cost) or None)
PROJECTS: dict[str, tuple[str, tuple[Workload, ...], tuple[str, str, Decimal] | None]] = {
    "app-support-assistant": (
        "ecorp-support-assistant",
        (Workload("gemini-2.5-flash", 3000, 1600, 300, 0.4, 0.3),),
        ("COMMITTED_USAGE_DISCOUNT", "Committed use discount: Vertex AI", Decimal("0.2")),
    ),
    "app-analytics-sql-helper": (
        "ecorp-analytics-genai",
        (Workload("gemini-2.5-pro", 500, 5000, 700, 0.2, 0.5),),
        None,
    ),
    "app-product-feedback-miner": (
        "ecorp-feedback-miner",
        (
            Workload("text-embedding-005", 8000, 700, 0, 0, 0),
            Workload("gemini-2.5-flash", 600, 4200, 400, 0.0, 0.2),
        ),
        None,
    ),
    "shadow-personal-sandbox": (
        "ml-playground-4471",
        (Workload("gemini-2.5-pro", 60, 2500, 1100, 0, 0.4),),
        ("PROMOTION", "Vertex AI trial credit", Decimal("0.5")),
    ),
}


def _bq_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class VertexRow:
    """One hourly export row of a Vertex AI SKU, before formatting."""

    start: datetime
    application_id: str
    project_id: str
    sku: Sku
    amount: Decimal  # tokens, or gibibyte hours for storage
    cost: Decimal
    credit: tuple[str, str, Decimal] | None  # (type, name, amount < 0)


class GoogleVertexProvider:
    name = "google_vertex"
    prefixes: tuple[str, ...] = ()

    def __init__(self, enterprise: Enterprise, activity: Activity) -> None:
        self.enterprise, self.activity = enterprise, activity

    def _final_rows(self, day: date) -> list[VertexRow]:
        if day < EPOCH:
            return []
        rows = []
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        for application_id, (project_id, workloads, credit) in PROJECTS.items():
            app = self.enterprise.application(application_id)
            factor = self.activity.volume_factor(
                day, application_id, app.use_category == "customer_facing"
            )
            for w in workloads:
                rng = random.Random(
                    stable_int(self.enterprise.seed, "vertex", day, project_id, w.model)
                )
                requests = w.requests_per_day * VOLUME_SCALE * factor * math.exp(rng.gauss(0, 0.12))
                skus = SKUS[w.model]
                for hour, weight in enumerate(HOURLY):
                    hourly = requests * weight / 24
                    prompt = int(hourly * w.input_per_request * math.exp(rng.gauss(0, 0.08)))
                    cached = int(prompt * w.cached_share) if "cached" in skus else 0
                    output = int(hourly * w.output_per_request * math.exp(rng.gauss(0, 0.1)))
                    thinking = int(output * w.thinking_share)
                    amounts = {
                        "input": Decimal(prompt - cached),
                        "cached": Decimal(cached),
                        "output": Decimal(output - thinking),
                        "thinking": Decimal(thinking),
                        "storage": (Decimal(cached) / Decimal(4_000_000)).quantize(MONEY),
                    }
                    for kind, sku in skus.items():
                        amount = amounts[kind]
                        if amount <= 0:
                            continue
                        per = Decimal(1) if kind == "storage" else MTOK
                        price = sku.price
                        if kind != "storage":
                            price *= vertex_price_factor(w.model, day)
                        cost = (amount * price / per).quantize(MONEY, ROUND_HALF_EVEN)
                        rows.append(
                            VertexRow(
                                midnight + timedelta(hours=hour),
                                application_id,
                                project_id,
                                sku,
                                amount,
                                cost,
                                credit,
                            )
                        )
        return rows

    def rows(self, day: date, as_of: datetime) -> list[VertexRow]:
        """The day's rows as the export holds them at `as_of`: cost provisional until settled."""
        final = self._final_rows(day)
        settled = as_of.date() >= day + timedelta(days=SETTLEMENT_DAYS)
        out = []
        for r in final:
            cost = (
                r.cost if settled else (r.cost * PROVISIONAL_SHARE).quantize(MONEY, ROUND_HALF_EVEN)
            )
            credit = None
            if r.credit:
                kind, name, share = r.credit
                credit = (kind, name, -(cost * share).quantize(MONEY, ROUND_HALF_EVEN))
            out.append(
                VertexRow(r.start, r.application_id, r.project_id, r.sku, r.amount, cost, credit)
            )
        return out

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        """Tokens are usage.amount of token SKUs; invoiced cost is net of credits (cost + credits)."""
        totals = empty_totals()
        usage = totals["usage"]
        net = Decimal(0)
        for day in days(start, end, as_of):
            for r in self.rows(day, as_of):
                net += r.cost + (r.credit[2] if r.credit else 0)
                tokens = int(r.amount)
                if r.sku.kind in ("input", "cached"):
                    usage["input_tokens"] += tokens
                if r.sku.kind == "cached":
                    usage["cache_read_input_tokens"] += tokens
                if r.sku.kind in ("output", "thinking"):
                    usage["output_tokens"] += tokens
        totals["invoiced_cost_usd"] = str(net)
        return totals

    def _export_rows(self, day: date, as_of: datetime) -> Iterator[dict]:
        exported = _bq_time(
            min(
                as_of.astimezone(UTC),
                datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1, hours=6),
            )
        )
        for r in self.rows(day, as_of):
            app = self.enterprise.application(r.application_id)
            number = str(100000000000 + stable_int("gcp-project", r.project_id) % 899999999999)
            labels = [{"key": "app", "value": app.name}]
            if app.declared:
                labels.append({"key": "team", "value": app.owning_team_id})
            is_storage = r.sku.kind == "storage"
            yield {
                "billing_account_id": BILLING_ACCOUNT,
                "service": VERTEX,
                "sku": {"id": r.sku.id, "description": r.sku.description},
                "usage_start_time": _bq_time(r.start),
                "usage_end_time": _bq_time(r.start + timedelta(hours=1)),
                "project": {
                    "id": r.project_id,
                    "number": number,
                    "name": r.project_id,
                    "labels": [],
                    "ancestry_numbers": f"/{BILLING_ACCOUNT[:6]}/{number}/",
                },
                "labels": labels,
                "system_labels": [],
                "location": {
                    "location": "us-central1",
                    "country": "US",
                    "region": "us-central1",
                    "zone": None,
                },
                "export_time": exported,
                "cost": float(r.cost),
                "currency": "USD",
                "currency_conversion_rate": 1.0,
                "usage": {
                    "amount": float(r.amount),
                    "unit": r.sku.unit,
                    "amount_in_pricing_units": float(
                        r.amount if is_storage else (r.amount / MTOK).quantize(MONEY)
                    ),
                    "pricing_unit": r.sku.unit if is_storage else "count",
                },
                "credits": [
                    {
                        "name": r.credit[1],
                        "amount": float(r.credit[2]),
                        "full_name": None,
                        "id": f"{r.credit[0].lower()}-{r.project_id}",
                        "type": r.credit[0],
                    }
                ]
                if r.credit
                else [],
                "invoice": {"month": f"{day:%Y%m}", "publisher_type": "GOOGLE"},
                "cost_type": "regular",
                "adjustment_info": None,
                "cost_at_list": float(r.cost),
                "transaction_type": "GOOGLE",
                "seller_name": "Google LLC",
            }
        # a non-Vertex row per project: the reader must leave it out
        yield {
            "billing_account_id": BILLING_ACCOUNT,
            "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
            "sku": {"id": "2E27-4F75-95CD", "description": "N2 Instance Core running in Americas"},
            "usage_start_time": _bq_time(datetime(day.year, day.month, day.day, tzinfo=UTC)),
            "usage_end_time": _bq_time(
                datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=1)
            ),
            "project": {"id": "ecorp-support-assistant", "number": "100000000001"},
            "labels": [],
            "export_time": exported,
            "cost": 3.125,
            "currency": "USD",
            "usage": {"amount": 14400.0, "unit": "seconds"},
            "credits": [],
            "invoice": {"month": f"{day:%Y%m}"},
            "cost_type": "regular",
        }

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        """One gzip NDJSON extract per complete usage day in [start, end); re-extracts replace it."""
        base = root / SOURCE_TYPE
        table_dir = base / TABLE
        table_dir.mkdir(parents=True, exist_ok=True)
        for day in days(start, end, as_of):
            day_dir = table_dir / day.isoformat()
            day_dir.mkdir(exist_ok=True)
            lines = "".join(json.dumps(row) + "\n" for row in self._export_rows(day, as_of))
            (day_dir / "000000000000.json.gz").write_bytes(
                gzip.compress(lines.encode(), compresslevel=6, mtime=0)
            )
        return {PATH_ENV: str(base)}

    def handle(self, path: str, query: object, headers: Mapping[str, str]) -> Response:
        return Response.json({"error": "google_vertex is served as export files only"}, 404)

    def environment(self, base_url: str) -> dict[str, str]:
        return {}

    def declared_credentials(self) -> list[dict]:
        """Each declared application's GCP project (the shadow project is not declared)."""
        return [
            {
                "application_id": application_id,
                "provider": self.name,
                "kind": "project",
                "id": project_id,
            }
            for application_id, (project_id, _, _) in PROJECTS.items()
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
) -> GoogleVertexProvider:
    return GoogleVertexProvider(enterprise, activity)
