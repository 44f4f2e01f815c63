"""AWS Bedrock in the sandbox: CUR 2.0 (Data Exports) Parquet files and model invocation logs.

A few applications of the shared enterprise call Bedrock from their own AWS account (Claude through
an application inference profile or a cross-region system profile, Llama, Titan embeddings, Nova);
one account is undeclared (shadow AI) and has no invocation logging. Each request is generated with
its token counts; the CUR rows are their daily sums per account, model and token type, so the logs
and the bill reconcile exactly. Text delivery is on for every account that logs: each record
carries its request and response bodies, with sensitive data planted in some applications' text
(sandbox/prompt_content.py). CUR costs of the latest days are provisional (90% of final) and the
month's files are rewritten on every export, as Data Exports do with the "overwrite" option.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sandbox import prompt_content, self_hosted
from sandbox.activity import PROVISIONAL_SHARE, SETTLEMENT_DAYS, Activity
from sandbox.enterprise import EPOCH, Enterprise, stable_int
from sandbox.ground_truth import SensitiveCounts, days, empty_totals
from sandbox.providers import Response

CUR_ENV, LOGS_ENV = "AWS_CUR_PATH", "BEDROCK_INVOCATION_LOGS_PATH"
EXPORT_NAME = "bedrock-cur2"
PAYER = ("210987654321", "example-corp-payer")
MTOK = Decimal(1_000_000)
MONEY = Decimal("0.0000000001")
ROWS_PER_FILE = 400
REGION_PREFIX = {"us-east-1": "USE1", "us-west-2": "USW2", "eu-central-1": "EUC1"}
HOURLY = [0.6, 0.5, 0.4, 0.4, 0.4, 0.5, 0.7, 1.0, 1.3, 1.5, 1.6, 1.6]
HOURLY = HOURLY + HOURLY[::-1]
# Stands in for request and response bodies; the warehouse must never land it.
BODY_MARKER = "SANDBOX-SYNTHETIC-BODY-5c1d"
TOKEN_SUFFIX = {
    "input": ("input-tokens", "InputTokenCount"),
    "output": ("output-tokens", "OutputTokenCount"),
    "cache_read": ("cache-read-input-token-count", "CacheReadInputTokenCount"),
    "cache_write": ("cache-write-input-token-count", "CacheWriteInputTokenCount"),
}
LOG_FIELD = {
    "input": "inputTokenCount",
    "cache_read": "cacheReadInputTokenCount",
    "cache_write": "cacheWriteInputTokenCount",
    "output": "outputTokenCount",
}


@dataclass(frozen=True)
class BedrockModel:
    model_id: str
    usage_name: str  # as it appears in line_item_usage_type
    display: str
    prices: dict[str, Decimal]  # USD per 1M tokens by token type


def _prices(inp: str, out: str, read: str | None = None, write: str | None = None) -> dict:
    prices = {"input": Decimal(inp), "output": Decimal(out)}
    if read:
        prices["cache_read"] = Decimal(read)
    if write:
        prices["cache_write"] = Decimal(write)
    return prices


# List prices of the catalog (genai-prices): Claude 4.5 through in-region ids and geographic (us.)
# inference profiles bills the regional rate, 10% above the global profiles'.
MODELS = {
    m.model_id: m
    for m in [
        BedrockModel(
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "Claude4.5Sonnet",
            "Claude Sonnet 4.5",
            _prices("3.3", "16.5", "0.33", "4.125"),
        ),
        BedrockModel(
            "anthropic.claude-haiku-4-5-20251001-v1:0",
            "Claude4.5Haiku",
            "Claude Haiku 4.5",
            _prices("1.1", "5.5", "0.11", "1.375"),
        ),
        BedrockModel(
            "meta.llama3-3-70b-instruct-v1:0",
            "Llama3.3-70B-Instruct",
            "Llama 3.3 70B Instruct",
            _prices("0.72", "0.72"),
        ),
        BedrockModel(
            "amazon.titan-embed-text-v2:0",
            "TitanEmbeddingsV2-Text",
            "Titan Text Embeddings V2",
            _prices("0.02", "0"),
        ),
        BedrockModel(
            "amazon.nova-lite-v1:0", "NovaLite", "Nova Lite", _prices("0.06", "0.24", "0.015")
        ),
        BedrockModel(
            "amazon.nova-pro-v1:0", "NovaPro", "Nova Pro", _prices("0.80", "3.20", "0.20")
        ),
    ]
}


@dataclass(frozen=True)
class Workload:
    """Requests a day of one model through one kind of resource, and mean tokens per request."""

    model_id: str
    via: str  # foundation-model, inference-profile or application-inference-profile
    requests: int
    tokens: dict[str, int]  # mean per request by token type (input = uncached input)
    marketplace: bool = False  # billed as "(Amazon Bedrock Edition)" with MP: usage types


@dataclass(frozen=True)
class Account:
    application_id: str
    account_id: str
    account_name: str
    region: str
    logging: bool
    workloads: tuple[Workload, ...]


def _tokens(inp: int, out: int, read: int = 0, write: int = 0) -> dict[str, int]:
    return {"input": inp, "output": out, "cache_read": read, "cache_write": write}


ACCOUNTS = (
    Account(
        "app-contract-reviewer",
        "402118735562",
        "legal-contracts-prod",
        "us-east-1",
        True,
        (
            Workload(
                "anthropic.claude-sonnet-4-5-20250929-v1:0",
                "application-inference-profile",
                160,
                _tokens(90_000, 6_000, 150_000, 25_000),
            ),
        ),
    ),
    Account(
        "app-code-review-bot",
        "583920174466",
        "devex-code-review",
        "us-west-2",
        True,
        (
            Workload(
                "anthropic.claude-haiku-4-5-20251001-v1:0",
                "inference-profile",
                90,
                _tokens(50_000, 4_000, 40_000, 6_000),
            ),
            Workload(
                "meta.llama3-3-70b-instruct-v1:0", "inference-profile", 25, _tokens(20_000, 2_000)
            ),
        ),
    ),
    Account(
        "app-search-ranker",
        "619283746501",
        "search-ml-prod",
        "us-east-1",
        True,
        (
            Workload("amazon.titan-embed-text-v2:0", "foundation-model", 80, _tokens(50_000, 0)),
            Workload(
                "amazon.nova-lite-v1:0", "foundation-model", 40, _tokens(30_000, 1_000, 10_000)
            ),
        ),
    ),
    Account(
        "shadow-hackathon-2026",
        "738291046615",
        "hackathon-sandbox",
        "us-east-1",
        False,
        (
            Workload("amazon.nova-pro-v1:0", "foundation-model", 15, _tokens(20_000, 3_000)),
            Workload(
                "anthropic.claude-sonnet-4-5-20250929-v1:0",
                "inference-profile",
                10,
                _tokens(40_000, 3_000),
                marketplace=True,
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Invocation:
    timestamp: datetime
    request_id: str
    operation: str
    tokens: dict[str, int]
    inference_region: str | None
    n: int = 0  # the request's number in its workload's day


@dataclass(frozen=True)
class CurRow:
    """One day's usage of one token type of one model in one account, final cost."""

    day: date
    account: Account
    workload: Workload
    token_type: str
    tokens: int
    cost: Decimal


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(number: Decimal) -> str:
    return format(number.normalize(), "f")


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class AwsBedrockProvider:
    name = "aws_bedrock"
    prefixes: tuple[str, ...] = ()

    def __init__(self, enterprise: Enterprise, activity: Activity) -> None:
        self.enterprise, self.activity = enterprise, activity
        self._cached = lru_cache(maxsize=4096)(self._invocations)

    def invocations(
        self, day: date, account: Account, workload: Workload
    ) -> tuple[Invocation, ...]:
        """The day's requests of one workload, deterministic per (seed, day, account, model)."""
        return self._cached(day, ACCOUNTS.index(account), account.workloads.index(workload))

    def profile_id(self, account: Account, workload: Workload) -> str:
        return (
            f"{stable_int('bedrock-profile', account.account_id, workload.model_id) % 36**12:012x}"[
                :12
            ]
        )

    def resource_id(self, account: Account, workload: Workload) -> str:
        region = account.region
        if workload.via == "foundation-model":
            return f"arn:aws:bedrock:{region}::foundation-model/{workload.model_id}"
        if workload.via == "inference-profile":
            return f"arn:aws:bedrock:{region}:{account.account_id}:inference-profile/us.{workload.model_id}"
        profile = self.profile_id(account, workload)
        return (
            f"arn:aws:bedrock:{region}:{account.account_id}:application-inference-profile/{profile}"
        )

    def log_model_id(self, account: Account, workload: Workload) -> str:
        """modelId as the invocation log has it: model id, profile id or application-profile ARN."""
        if workload.via == "foundation-model":
            return workload.model_id
        if workload.via == "inference-profile":
            return f"us.{workload.model_id}"
        return self.resource_id(account, workload)

    def _invocations(self, day: date, account_index: int, workload_index: int) -> tuple:
        account = ACCOUNTS[account_index]
        workload = account.workloads[workload_index]
        if day < EPOCH:
            return ()
        app = self.enterprise.application(account.application_id)
        factor = self.activity.volume_factor(
            day, app.application_id, app.use_category == "customer_facing"
        )
        rng = random.Random(
            stable_int(self.enterprise.seed, "bedrock", day, account.account_id, workload.model_id)
        )
        count = max(1, int(workload.requests * factor * math.exp(rng.gauss(0, 0.1))))
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        embeddings = "embed" in workload.model_id
        calls = []
        for _ in range(count):
            hour = rng.choices(range(24), HOURLY)[0]
            moment = midnight + timedelta(hours=hour, seconds=rng.randrange(3600))
            tokens = {
                kind: int(mean * math.exp(rng.gauss(0, 0.35))) if mean else 0
                for kind, mean in workload.tokens.items()
            }
            tokens["input"] = max(1, tokens["input"])
            operation = (
                "InvokeModel"
                if embeddings
                else rng.choice(["Converse", "ConverseStream", "InvokeModel"])
            )
            region = (
                rng.choice(["us-east-1", "us-east-2", "us-west-2"])
                if workload.via != "foundation-model"
                else None
            )
            request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            calls.append(Invocation(moment, request_id, operation, tokens, region, len(calls)))
        return tuple(sorted(calls, key=lambda c: (c.timestamp, c.request_id)))

    def _final_rows(self, day: date) -> list[CurRow]:
        rows = []
        for account in ACCOUNTS:
            for workload in account.workloads:
                calls = self.invocations(day, account, workload)
                model = MODELS[workload.model_id]
                for kind, price in model.prices.items():
                    tokens = sum(c.tokens[kind] for c in calls)
                    if tokens <= 0:
                        continue
                    cost = (Decimal(tokens) * price / MTOK).quantize(MONEY, ROUND_HALF_EVEN)
                    rows.append(CurRow(day, account, workload, kind, tokens, cost))
        return rows

    def rows(self, day: date, as_of: datetime) -> list[tuple[CurRow, Decimal]]:
        """The day's rows with their unblended cost as the export shows it at `as_of`."""
        settled = as_of.date() >= day + timedelta(days=SETTLEMENT_DAYS)
        return [
            (
                r,
                r.cost
                if settled
                else (r.cost * PROVISIONAL_SHARE).quantize(MONEY, ROUND_HALF_EVEN),
            )
            for r in self._final_rows(day)
        ]

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        """Tokens and unblended cost from the CUR rows; requests from the invocation logs."""
        totals = empty_totals()
        usage = totals["usage"]
        cost = Decimal(0)
        for day in days(start, end, as_of):
            for row, unblended in self.rows(day, as_of):
                cost += unblended
                if row.token_type == "output":
                    usage["output_tokens"] += row.tokens
                else:
                    usage["input_tokens"] += row.tokens
                if row.token_type == "cache_read":
                    usage["cache_read_input_tokens"] += row.tokens
                if row.token_type == "cache_write":
                    usage["cache_creation_input_tokens"] += row.tokens
            for account in ACCOUNTS:
                if account.logging:
                    for workload in account.workloads:
                        usage["request_count"] += len(self.invocations(day, account, workload))
        totals["invoiced_cost_usd"] = str(cost)
        return totals

    def planted(self, account: Account, call: Invocation) -> prompt_content.Content | None:
        """The text planted in the request's bodies, if its application's pool has any."""
        pool = prompt_content.BEDROCK_POOLS.get(account.application_id)
        return prompt_content.content(pool, call.n) if pool else None

    def sensitive_data(self, start: date, end: date, as_of: datetime) -> SensitiveCounts:
        """Requests per (application, provider, day, entity type) whose logged text holds it."""
        counts = SensitiveCounts()
        for day in days(start, end, as_of):
            for account in ACCOUNTS:
                if not account.logging:
                    continue
                for workload in account.workloads:
                    for call in self.invocations(day, account, workload):
                        planted = self.planted(account, call)
                        for entity in planted.entities if planted else ():
                            counts[(account.application_id, self.name, day, entity)] += 1
        return counts

    # --- CUR 2.0 -------------------------------------------------------------------------------

    def _usage_type(self, row: CurRow) -> str:
        prefix = REGION_PREFIX[row.account.region]
        plain, marketplace = TOKEN_SUFFIX[row.token_type]
        if row.workload.marketplace:
            return f"{prefix}-MP:{prefix}_{marketplace}-Units"
        return f"{prefix}-{MODELS[row.workload.model_id].usage_name}-{plain}"

    def _tags(self, account: Account) -> list[tuple[str, str]]:
        app = self.enterprise.application(account.application_id)
        if not app.declared:
            return [("user_owner", "hackathon")]
        team = self.enterprise.team(app.owning_team_id)
        return [
            ("user_application", app.name),
            ("user_cost_center", team.cost_center_id),
            ("user_team", team.team_id),
        ]

    def _principal(self, account: Account) -> str:
        app = self.enterprise.application(account.application_id)
        if app.declared:
            return f"arn:aws:sts::{account.account_id}:assumed-role/{app.name}-runtime/ecs-task"
        person = self.enterprise.people[stable_int("bedrock-shadow") % len(self.enterprise.people)]
        return f"arn:aws:sts::{account.account_id}:assumed-role/AWSReservedSSO_Developer_4f2a/{person.email}"

    def _cur_record(self, row: CurRow, unblended: Decimal) -> dict:
        account, workload, day = row.account, row.workload, row.day
        model = MODELS[workload.model_id]
        price = model.prices[row.token_type]
        rate = price / MTOK
        list_cost = (Decimal(row.tokens) * rate).quantize(MONEY, ROUND_HALF_EVEN)
        start = datetime(day.year, day.month, day.day)
        period = month_start(day)
        usage_type = self._usage_type(row)
        kind = row.token_type.replace("_", "-")
        product_name = (
            f"{model.display} (Amazon Bedrock Edition)"
            if workload.marketplace
            else "Amazon Bedrock"
        )
        return {
            "identity_line_item_id": f"{stable_int('cur', account.account_id, day, usage_type, workload.via):016x}",
            "identity_time_interval": f"{_iso(start)}/{_iso(start + timedelta(days=1))}",
            "bill_bill_type": "Anniversary",
            "bill_billing_entity": "AWS",
            "bill_billing_period_start_date": datetime(period.year, period.month, 1),
            "bill_billing_period_end_date": datetime.combine(
                next_month(period), datetime.min.time()
            ),
            "bill_invoice_id": None,
            "bill_payer_account_id": PAYER[0],
            "bill_payer_account_name": PAYER[1],
            "line_item_usage_account_id": account.account_id,
            "line_item_usage_account_name": account.account_name,
            "line_item_line_item_type": "Usage",
            "line_item_usage_start_date": start,
            "line_item_usage_end_date": start + timedelta(days=1),
            "line_item_product_code": (
                "AmazonBedrockFoundationModels" if workload.marketplace else "AmazonBedrock"
            ),
            "line_item_usage_type": usage_type,
            "line_item_operation": "InvokeModelInference",
            "line_item_resource_id": self.resource_id(account, workload),
            "line_item_usage_amount": float(row.tokens),
            "line_item_currency_code": "USD",
            "line_item_unblended_rate": _text(rate),
            "line_item_unblended_cost": float(unblended),
            "line_item_net_unblended_rate": _text(rate),
            "line_item_net_unblended_cost": float(unblended),
            "line_item_line_item_description": (
                f"${_text(price / 1000)} per 1K {kind} tokens for {model.display} "
                f"in {account.region}"
            ),
            "line_item_iam_principal": self._principal(account),
            "pricing_currency": "USD",
            "pricing_public_on_demand_cost": float(list_cost),
            "pricing_public_on_demand_rate": _text(rate),
            "pricing_term": "OnDemand",
            "pricing_unit": "tokens",
            "product": [
                ("product_name", product_name),
                ("region", account.region),
                ("servicename", "Amazon Bedrock"),
                ("model", model.display),
            ],
            "product_servicecode": (
                "AmazonBedrockFoundationModels" if workload.marketplace else "AmazonBedrock"
            ),
            "product_region_code": account.region,
            "resource_tags": self._tags(account),
            "cost_category": [],
        }

    def _storage_record(self, account: Account, day: date) -> dict:
        """A non-Bedrock row per account and day: the reader must leave it out."""
        record = self._cur_record(
            CurRow(day, account, account.workloads[0], "input", 1, Decimal(0)), Decimal("0.4215")
        )
        record.update(
            {
                "identity_line_item_id": f"{stable_int('s3', account.account_id, day):016x}",
                "line_item_product_code": "AmazonS3",
                "line_item_usage_type": f"{REGION_PREFIX[account.region]}-TimedStorage-ByteHrs",
                "line_item_operation": "StandardStorage",
                "line_item_resource_id": f"{account.account_name}-artifacts",
                "line_item_usage_amount": 18.3,
                "line_item_line_item_description": "$0.023 per GB - first 50 TB / month of storage",
                "product": [("product_name", "Amazon Simple Storage Service")],
                "product_servicecode": "AmazonS3",
                "pricing_unit": "GB-Mo",
            }
        )
        return record

    def cur_records(self, month: date, as_of: datetime) -> Iterator[dict]:
        """Every row of a billing period's export at `as_of`: complete days before as_of only."""
        last = min(next_month(month), as_of.date())
        day = max(month, EPOCH)
        while day < last:
            for row, unblended in self.rows(day, as_of):
                yield self._cur_record(row, unblended)
            for account in ACCOUNTS:
                yield self._storage_record(account, day)
            # the self-hosted vLLM deployment's GPU instance and volume (not Bedrock: the reader
            # keeps them only as the resources governance/self_hosted.yml declares)
            yield from self_hosted.cur_records(
                day,
                datetime(month.year, month.month, 1),
                datetime.combine(next_month(month), datetime.min.time()),
                PAYER,
            )
            day += timedelta(days=1)

    def write_cur(self, base: Path, start: date, end: date, as_of: datetime) -> None:
        month = month_start(start)
        while month < end and month < as_of.date():
            label = month.strftime("%Y-%m")
            folder = base / EXPORT_NAME / "data" / f"BILLING_PERIOD={label}"
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob("*.parquet"):
                stale.unlink()
            records = list(self.cur_records(month, as_of))
            for n, first in enumerate(range(0, len(records), ROWS_PER_FILE), start=1):
                table = pa.Table.from_pylist(
                    records[first : first + ROWS_PER_FILE], schema=CUR_SCHEMA
                )
                pq.write_table(table, folder / f"{EXPORT_NAME}-{n:05d}.snappy.parquet")
            manifest = base / EXPORT_NAME / "metadata" / f"BILLING_PERIOD={label}"
            manifest.mkdir(parents=True, exist_ok=True)
            (manifest / f"{EXPORT_NAME}-Manifest.json").write_text(
                json.dumps(
                    {
                        "exportName": EXPORT_NAME,
                        "billingPeriod": label,
                        "exportTime": _iso(as_of.astimezone(UTC)),
                        "dataFiles": sorted(p.name for p in folder.glob("*.parquet")),
                    }
                )
            )
            month = next_month(month)

    # --- invocation logs --------------------------------------------------------------------------

    def log_records(self, day: date, account: Account) -> Iterator[dict]:
        app = self.enterprise.application(account.application_id)
        for workload in account.workloads:
            for call in self.invocations(day, account, workload):
                planted = self.planted(account, call)
                prompt = f"{BODY_MARKER} {planted.prompt}" if planted else BODY_MARKER
                reply = f"{BODY_MARKER} {planted.completion}" if planted else BODY_MARKER
                record = {
                    "schemaType": "ModelInvocationLog",
                    "schemaVersion": "1.0",
                    "timestamp": _iso(call.timestamp),
                    "accountId": account.account_id,
                    "identity": {"arn": self._principal(account)},
                    "region": account.region,
                    "requestId": call.request_id,
                    "operation": call.operation,
                    "modelId": self.log_model_id(account, workload),
                    "input": {
                        "inputContentType": "application/json",
                        "inputBodyJson": {"messages": [{"role": "user", "content": prompt}]},
                        "inputTokenCount": call.tokens["input"],
                    },
                    "output": {
                        "outputContentType": "application/json",
                        "outputBodyJson": {"output": {"message": {"content": reply}}},
                        "outputTokenCount": call.tokens["output"],
                    },
                }
                if app.declared:
                    record["requestMetadata"] = {
                        "application": app.name,
                        "team": app.owning_team_id,
                    }
                if call.inference_region:
                    record["inferenceRegion"] = call.inference_region
                for kind in ("cache_read", "cache_write"):
                    if kind in MODELS[workload.model_id].prices:
                        record["input"][LOG_FIELD[kind]] = call.tokens[kind]
                yield record

    def write_logs(self, base: Path, start: date, end: date, as_of: datetime) -> None:
        """Hourly gzip JSON-lines files; a record late in an hour lands in the next hour's folder."""
        for day in days(start, end, as_of):
            for account in ACCOUNTS:
                if not account.logging:
                    continue
                by_hour: dict[datetime, list[str]] = {}
                for record in self.log_records(day, account):
                    moment = datetime.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
                    delivered = moment.replace(minute=0, second=0) + timedelta(
                        hours=1 if moment.minute >= 55 else 0
                    )
                    by_hour.setdefault(delivered, []).append(json.dumps(record))
                for hour, lines in by_hour.items():
                    folder = (
                        base
                        / "AWSLogs"
                        / account.account_id
                        / "BedrockModelInvocationLogs"
                        / account.region
                        / hour.strftime("%Y/%m/%d/%H")
                    )
                    folder.mkdir(parents=True, exist_ok=True)
                    tag = f"{stable_int('log', account.account_id, day, hour) % 16**8:08x}"
                    name = f"{hour:%Y%m%dT%H%M}Z_{tag}.json.gz"
                    data = ("\n".join(lines) + "\n").encode()
                    (folder / name).write_bytes(gzip.compress(data, compresslevel=6, mtime=0))

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        cur, logs = root / "aws_cur", root / "aws_bedrock_invocation_logs"
        self.write_cur(cur, start, end, as_of)
        self.write_logs(logs, start, end, as_of)
        return {CUR_ENV: str(cur), LOGS_ENV: str(logs)}

    def handle(self, path: str, query: object, headers: Mapping[str, str]) -> Response:
        return Response.json({"error": "aws_bedrock is served as export files only"}, 404)

    def environment(self, base_url: str) -> dict[str, str]:
        return {}

    def declared_credentials(self) -> list[dict]:
        """Each declared application's AWS account (the shadow account is not declared)."""
        return [
            {
                "application_id": a.application_id,
                "provider": self.name,
                "kind": "project",
                "id": a.account_id,
            }
            for a in ACCOUNTS
            if self.enterprise.application(a.application_id).declared
        ]

    def corrupt(self, day: date) -> None:
        pass

    def reset(self) -> None:
        pass


_MAP = pa.map_(pa.string(), pa.string())
CUR_SCHEMA = pa.schema(
    [
        ("identity_line_item_id", pa.string()),
        ("identity_time_interval", pa.string()),
        ("bill_bill_type", pa.string()),
        ("bill_billing_entity", pa.string()),
        ("bill_billing_period_start_date", pa.timestamp("ms")),
        ("bill_billing_period_end_date", pa.timestamp("ms")),
        ("bill_invoice_id", pa.string()),
        ("bill_payer_account_id", pa.string()),
        ("bill_payer_account_name", pa.string()),
        ("line_item_usage_account_id", pa.string()),
        ("line_item_usage_account_name", pa.string()),
        ("line_item_line_item_type", pa.string()),
        ("line_item_usage_start_date", pa.timestamp("ms")),
        ("line_item_usage_end_date", pa.timestamp("ms")),
        ("line_item_product_code", pa.string()),
        ("line_item_usage_type", pa.string()),
        ("line_item_operation", pa.string()),
        ("line_item_resource_id", pa.string()),
        ("line_item_usage_amount", pa.float64()),
        ("line_item_currency_code", pa.string()),
        ("line_item_unblended_rate", pa.string()),
        ("line_item_unblended_cost", pa.float64()),
        ("line_item_net_unblended_rate", pa.string()),
        ("line_item_net_unblended_cost", pa.float64()),
        ("line_item_line_item_description", pa.string()),
        ("line_item_iam_principal", pa.string()),
        ("pricing_currency", pa.string()),
        ("pricing_public_on_demand_cost", pa.float64()),
        ("pricing_public_on_demand_rate", pa.string()),
        ("pricing_term", pa.string()),
        ("pricing_unit", pa.string()),
        ("product", _MAP),
        ("product_servicecode", pa.string()),
        ("product_region_code", pa.string()),
        ("resource_tags", _MAP),
        ("cost_category", _MAP),
    ]
)


def build(
    enterprise: Enterprise,
    activity: Activity,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str],
) -> AwsBedrockProvider:
    return AwsBedrockProvider(enterprise, activity)
