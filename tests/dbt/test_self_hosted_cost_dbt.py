"""Self-hosted model cost through dbt on hand-made rows: the CUR rows landed for a declared vLLM
deployment (a GPU instance by resource id, its volume by tag) are summed per day and allocated to
the deployment's tokens by credential, in whole cents by largest remainder, the day's sub-cent rest
on the part with the most tokens; a day with GPU cost and no tokens stays on the deployment (idle).
Every expected figure is computed by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.aws_cur.schemas import SCHEMAS as CUR_SCHEMAS
from governance.load import SCHEMAS as GOVERNANCE_SCHEMAS
from tests.dbt_build import dbt_build
from warehouse.landing import LINEAGE_FIELDS

SELECT = [
    "stg_aws_cur__self_hosted_line_items",
    "stg_governance__self_hosted_models",
    "stg_governance__self_hosted_resources",
    "int_self_hosted_costs_allocated",
]
BUSY, IDLE = date(2026, 9, 1), date(2026, 9, 2)
GPU_HOURLY = "32.7726"  # p4d.24xlarge on demand, USD per hour
VOLUME_DAILY = "1.2345"
DEPLOYMENT = "vllm-llama"
MODEL = "llama-3-3-70b-instruct"
# tokens on the busy day: 60% / 30% / 10% of 1,000,000
TOKENS = {
    ("litellm", "team-a", "key-a"): 600_000,
    ("litellm", "team-b", "key-b"): 300_000,
    ("otel", "svc-c", "svc-c"): 100_000,
}
GOVERNANCE = {
    "self_hosted_models": [{"deployment_id": DEPLOYMENT, "provider": "vllm", "model": MODEL}],
    "self_hosted_resources": [
        {
            "deployment_id": DEPLOYMENT,
            "provider": "vllm",
            "source_type": "aws_cur",
            "resource_id": "i-0gpu",
            "tag_key": None,
            "tag_value": None,
            "reference": "runbook",
        },
        {
            "deployment_id": DEPLOYMENT,
            "provider": "vllm",
            "source_type": "aws_cur",
            "resource_id": None,
            "tag_key": "aiuw:deployment",
            "tag_value": DEPLOYMENT,
            "reference": "runbook",
        },
    ],
}


def cur_row(day: date, hour: int, resource: str, usage_type: str, cost: str) -> dict:
    start = datetime(day.year, day.month, day.day, hour)
    return {
        "bill_billing_period_start_date": datetime(day.year, day.month, 1),
        "bill_billing_period_end_date": datetime(day.year, day.month + 1, 1),
        "line_item_usage_start_date": start,
        "line_item_usage_end_date": start + timedelta(hours=1),
        "identity_line_item_id": f"{resource}-{day}-{hour}",
        "line_item_usage_account_id": "111122223333",
        "line_item_line_item_type": "Usage",
        "line_item_product_code": "AmazonEC2",
        "line_item_usage_type": usage_type,
        "line_item_resource_id": resource,
        "line_item_usage_amount": "1",
        "line_item_unblended_cost": cost,
        "line_item_net_unblended_cost": cost,
        "line_item_currency_code": "USD",
        "resource_tags": '{"user_aiuw_deployment": "vllm-llama"}',
        "billing_period": f"{day:%Y-%m}",
        "export_name": "cur2",
        "deployment_id": DEPLOYMENT,
    }


def land(landing: Path) -> None:
    schema = CUR_SCHEMAS["self_hosted_line_items"]
    for name, kind in LINEAGE_FIELDS:
        schema = schema.append(pa.field(name, kind))
    folder = landing / "aws_cur" / "self_hosted_line_items" / "cur_test"
    folder.mkdir(parents=True)
    pulled = datetime(2026, 9, 5, tzinfo=UTC)
    for day in (BUSY, IDLE):
        rows = [
            cur_row(day, h, "i-0gpu", "USE1-BoxUsage:p4d.24xlarge", GPU_HOURLY) for h in range(24)
        ]
        if day == BUSY:
            rows.append(cur_row(day, 0, "vol-0data", "USE1-EBS:VolumeUsage.gp3", VOLUME_DAILY))
        lineage = {"_source_id": "cur_test", "_partition_date": day, "_pulled_at": pulled}
        table = pa.Table.from_pylist([{**r, **lineage} for r in rows], schema=schema)
        pq.write_table(table, folder / f"{day}.parquet")
    (landing / "governance").mkdir(parents=True)
    for name, rows in GOVERNANCE.items():
        table = pa.Table.from_pylist(rows, GOVERNANCE_SCHEMAS[name])
        pq.write_table(table, landing / "governance" / f"{name}.parquet")


def usage_rows() -> list[tuple]:
    rows = [
        # input and output tokens: a quarter of them output
        (BUSY, "vllm", MODEL, f"hosted_vllm/{MODEL}", gw, project, key, t * 3 // 4, t // 4, True)
        for (gw, project, key), t in TOKENS.items()
    ]
    # not the deployment's provider, not its model: no share
    rows.append((BUSY, "aws_bedrock", MODEL, MODEL, "aws_bedrock", "a", "a", 4_000, 1_000, False))
    rows.append((BUSY, "vllm", "qwen-2-5-7b", "qwen-2-5-7b", "litellm", "t", "k", 9_000, 10, True))
    return rows


@pytest.fixture(scope="module")
def allocated(tmp_path_factory):
    base = tmp_path_factory.mktemp("self_hosted")
    database, landing = base / "warehouse.duckdb", base / "landing"
    land(landing)
    with duckdb.connect(str(database)) as con:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_usage_records_normalized (usage_date date,"
            " provider varchar, model_id varchar, model_name varchar, credential_provider varchar,"
            " project_id varchar, credential_id varchar, input_tokens bigint,"
            " output_tokens bigint, is_gateway boolean)"
        )
        con.executemany(
            "insert into intermediate.int_usage_records_normalized"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            usage_rows(),
        )
    dbt_build(base, database, landing, SELECT)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con.execute(
            "select usage_date, provider, gateway, project_id, credential_id, model_name, cost_kind,"
            " billed_cost, effective_cost, consumed_quantity, charge_description"
            " from intermediate.int_self_hosted_costs_allocated order by usage_date, billed_cost desc"
        ).fetchall()


def test_busy_day_splits_by_tokens_in_whole_cents_that_add_up(allocated):
    busy = [r for r in allocated if r[0] == BUSY]
    # day cost 24 x 32.7726 + 1.2345 = 787.7769; shares 472.66614, 236.33307, 78.77769;
    # 78778 cents (787.78 rounded): floors 47266 + 23633 + 7877 = 78776, the two cents left go to
    # the largest remainders (.769: svc-c, .614: key-a); key-a (most tokens) takes the rest
    # 787.7769 - 787.78 = -0.0031
    assert [(r[2], r[4], r[7]) for r in busy] == [
        ("litellm", "key-a", Decimal("472.6669")),
        ("litellm", "key-b", Decimal("236.33")),
        ("otel", "svc-c", Decimal("78.78")),
    ]
    assert sum(r[7] for r in busy) == 24 * Decimal(GPU_HOURLY) + Decimal(VOLUME_DAILY)
    assert {r[1] for r in busy} == {"vllm"} and {r[6] for r in busy} == {"invoiced"}
    assert [r[9] for r in busy] == [600_000, 300_000, 100_000]
    assert all(r[8] == r[7] for r in busy)
    assert {r[5] for r in busy} == {f"hosted_vllm/{MODEL}"}


def test_idle_day_stays_on_the_deployment(allocated):
    idle = [r for r in allocated if r[0] == IDLE]
    # 24 x 32.7726 = 786.5424, no tokens: one record on the deployment, nothing lost
    assert [(r[2], r[3], r[4], r[7], r[9]) for r in idle] == [
        ("", DEPLOYMENT, DEPLOYMENT, Decimal("786.5424"), 0)
    ]
    assert "idle" in idle[0][10]
