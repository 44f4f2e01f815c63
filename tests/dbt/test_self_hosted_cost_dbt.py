"""Self-hosted model cost through dbt on hand-made rows: the CUR rows landed for a declared vLLM
deployment (a GPU instance by resource id, its volume by tag) are summed per day and allocated to
the deployment's tokens by credential, in whole cents by largest remainder, the day's sub-cent rest
on the largest part (never below zero); a day with GPU cost and no tokens stays on the deployment (idle).
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
    "model_catalog",
    "int_cost_records_normalized",
    "int_ai_cost_daily",
    "int_usage_cost_allocated",
]
# the other providers' cost records (none here), on the canonical cost contract
OTHER_COST_MODELS = [
    "int_openai_costs_normalized",
    "int_anthropic_costs_normalized",
    "int_aws_bedrock_costs_normalized",
    "int_azure_openai_costs_normalized",
    "int_google_vertex_costs_normalized",
    "int_litellm_costs_normalized",
]
COST_COLUMNS = (
    "source_id varchar, provider varchar, usage_date date, charge_period_start timestamp,"
    " charge_period_end timestamp, project_id varchar, api_key_id varchar, credential_id varchar,"
    " model_name varchar, model_ref varchar, token_type varchar, pricing_tier varchar,"
    " cost_kind varchar, charge_category varchar, charge_description varchar,"
    " billed_cost decimal(38, 10), effective_cost decimal(38, 10), list_cost decimal(38, 10),"
    " billing_currency varchar, consumed_quantity decimal(38, 6), consumed_unit varchar"
)
# the gateways' declared credentials: key-b is nobody's
CREDENTIALS = [
    ("litellm", "team-a", "key-a", "app-a", "alpha", "CC-100"),
    ("otel", "svc-c", "svc-c", "app-c", "gamma", "CC-300"),
]
BUSY, IDLE, TINY = date(2026, 9, 1), date(2026, 9, 2), date(2026, 9, 3)
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
    for day in (BUSY, IDLE, TINY):
        rows = [
            cur_row(day, h, "i-0gpu", "USE1-BoxUsage:p4d.24xlarge", GPU_HOURLY) for h in range(24)
        ]
        if day == BUSY:
            rows.append(cur_row(day, 0, "vol-0data", "USE1-EBS:VolumeUsage.gp3", VOLUME_DAILY))
        if day == TINY:  # less than a cent, over three equal users
            rows = [cur_row(day, 0, "vol-0data", "USE1-EBS:VolumeUsage.gp3", "0.006")]
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
    rows += [
        (TINY, "vllm", MODEL, MODEL, gw, project, key, 75, 25, True)
        for (gw, project, key) in TOKENS
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
            " output_tokens bigint, is_gateway boolean, api_key_id varchar)"
        )
        # a gateway row's key is its credential, as in the gateways' usage
        con.executemany(
            "insert into intermediate.int_usage_records_normalized"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, case when ? then ? end)",
            [(*row, row[-1], row[6]) for row in usage_rows()],
        )
        for model in OTHER_COST_MODELS:
            con.execute(f"create table intermediate.{model} ({COST_COLUMNS})")
        con.execute(
            "create table intermediate.int_credentials_attributed (credential_provider varchar,"
            " project_id varchar, credential_id varchar, application_id varchar, team_id varchar,"
            " cost_center_id varchar)"
        )
        con.executemany(
            "insert into intermediate.int_credentials_attributed values (?, ?, ?, ?, ?, ?)",
            CREDENTIALS,
        )
        # what the chargeback allocation reads besides the cost: no direct usage, no tags
        con.execute(
            "create table intermediate.int_ai_usage_daily (usage_date date, provider varchar,"
            " project_id varchar, credential_id varchar, model_id varchar,"
            " application_id varchar, team_id varchar, cost_center_id varchar,"
            " total_tokens bigint, is_gateway boolean)"
        )
        con.execute(
            "create table intermediate.int_cost_tags_resolved (usage_date date, provider varchar,"
            " project_id varchar, credential_id varchar, application_id varchar,"
            " team_id varchar, cost_center_id varchar)"
        )
    # cautious: only the tests of the built models, not of the fixture tables they read
    dbt_build(base, database, landing, SELECT, cautious=True)
    with duckdb.connect(str(database), read_only=True) as con:
        yield (
            con.execute(
                "select usage_date, provider, gateway, project_id, credential_id, model_name, cost_kind,"
                " billed_cost, effective_cost, consumed_quantity, charge_description"
                " from intermediate.int_self_hosted_costs_allocated order by usage_date, billed_cost desc"
            ).fetchall(),
            con.execute(
                "select usage_date, provider, cost_kind, credential_id, model_id, application_id,"
                " cost_center_id, billed_cost from intermediate.int_ai_cost_daily"
                " order by usage_date, billed_cost desc"
            ).fetchall(),
            con.execute(
                "select usage_date, credential_id, application_id, cost_center_id,"
                " allocation_method, billed_cost from intermediate.int_usage_cost_allocated"
                " order by usage_date, billed_cost desc"
            ).fetchall(),
            con.execute(
                "select distinct credential_id, api_key_id"
                " from intermediate.int_self_hosted_costs_allocated where consumed_quantity > 0"
                " order by credential_id"
            ).fetchall(),
            con.execute(
                "select distinct provider, token_type, consumed_unit"
                " from intermediate.int_cost_records_normalized order by provider"
            ).fetchall(),
        )


def test_busy_day_splits_by_tokens_in_whole_cents_that_add_up(allocated):
    busy = [r for r in allocated[0] if r[0] == BUSY]
    # day cost 24 x 32.7726 + 1.2345 = 787.7769; shares 472.66614, 236.33307, 78.77769;
    # 78778 cents (787.78 rounded): floors 47266 + 23633 + 7877 = 78776, the two cents left go to
    # the largest remainders (.769: svc-c, .614: key-a); key-a (the largest part) takes the rest
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


def test_the_parts_are_token_charges_which_reconciliation_counts_as_rated(allocated):
    """A token charge without a token type is rated by construction in rpt_cost_reconciliation
    (only tool and unit charges, `other`, can be not rateable): the GPU cost is allocated by tokens."""
    assert allocated[4] == [("vllm", "tokens", "tokens")]


def test_idle_day_stays_on_the_deployment(allocated):
    idle = [r for r in allocated[0] if r[0] == IDLE]
    # 24 x 32.7726 = 786.5424, no tokens: one record on the deployment, nothing lost
    assert [(r[2], r[3], r[4], r[7], r[9]) for r in idle] == [
        ("", DEPLOYMENT, DEPLOYMENT, Decimal("786.5424"), 0)
    ]
    assert "idle" in idle[0][10]


def test_the_parts_are_invoiced_vllm_cost_of_the_gateways_applications(allocated):
    """Through int_cost_records_normalized into int_ai_cost_daily: each part is attributed through
    the gateway credential its tokens came through; an undeclared key and the idle day are not."""
    assert [r for r in allocated[1] if r[0] != TINY] == [
        (BUSY, "vllm", "invoiced", "key-a", MODEL, "app-a", "CC-100", Decimal("472.6669")),
        (BUSY, "vllm", "invoiced", "key-b", MODEL, None, None, Decimal("236.33")),
        (BUSY, "vllm", "invoiced", "svc-c", MODEL, "app-c", "CC-300", Decimal("78.78")),
        (IDLE, "vllm", "invoiced", DEPLOYMENT, None, None, None, Decimal("786.5424")),
    ]


def test_chargeback_allocates_every_cent_by_credential_or_as_unattributed(allocated):
    assert [r for r in allocated[2] if r[0] != TINY] == [
        (BUSY, "key-a", "app-a", "CC-100", "credential", Decimal("472.6669")),
        (BUSY, "key-b", None, "unattributed", "unattributed", Decimal("236.33")),
        (BUSY, "svc-c", "app-c", "CC-300", "credential", Decimal("78.78")),
        (IDLE, DEPLOYMENT, None, "unattributed", "unattributed", Decimal("786.5424")),
    ]


def test_a_day_under_a_cent_is_never_charged_below_zero(allocated):
    tiny = [r for r in allocated[0] if r[0] == TINY]
    # 0.006 is one cent rounded; the three equal shares (0.002) have equal remainders and the cent
    # goes to the first (key-a), which also takes the rest -0.004: 0.006 in all, nobody negative
    assert [(r[4], r[7]) for r in tiny] == [
        ("key-a", Decimal("0.006")),
        ("key-b", Decimal("0")),
        ("svc-c", Decimal("0")),
    ]


def test_each_part_carries_its_usage_rows_key_so_a_credential_is_seen_once(allocated):
    # int_credentials_attributed keeps one row per credential only if usage and cost agree on it
    assert allocated[3] == [("key-a", "key-a"), ("key-b", "key-b"), ("svc-c", "svc-c")]
