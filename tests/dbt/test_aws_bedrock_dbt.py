"""AWS Bedrock through landing and dbt: normalized totals equal the sandbox's ground truth, and the
token-type pivot, model references and cost columns hold on pinned CUR rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.config import SourceConfig
from orchestration.defs.ingest.aws_bedrock_invocation_logs import assets as log_assets
from orchestration.defs.ingest.aws_cur import assets as cur_assets
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from sandbox.providers import aws_bedrock
from tests.dbt_build import dbt_build
from warehouse.paths import Paths

AS_OF = datetime(2026, 9, 20, 6, tzinfo=UTC)
START, END = date(2026, 8, 28), date(2026, 9, 22)
MODELS = [
    "stg_aws_cur__bedrock_line_items",
    "stg_aws_bedrock_invocation_logs__invocations",
    "int_aws_bedrock_usage_normalized",
    "int_aws_bedrock_costs_normalized",
]
MEASURES = (
    "request_count",
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)
PROFILE = "arn:aws:bedrock:us-east-1:999900001111:application-inference-profile/pinprofile01"
SYSTEM_PROFILE = "arn:aws:bedrock:us-west-2:999900001111:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0"
# usage type, resource, tokens, unblended cost, line item type
PINNED = [
    ("USE1-Claude4.5Sonnet-input-tokens", PROFILE, 1000, "0.003", "Usage"),
    ("USE1-Claude4.5Sonnet-output-tokens", PROFILE, 200, "0.003", "Usage"),
    ("USE1-Claude4.5Sonnet-cache-read-input-token-count", PROFILE, 5000, "0.0015", "Usage"),
    ("USE1-Claude4.5Sonnet-cache-write-input-token-count", PROFILE, 300, "0.001125", "Usage"),
    ("USW2-MP:USW2_InputTokenCount-Units", SYSTEM_PROFILE, 7000, "0.007", "Usage"),
    ("USW2-MP:USW2_CacheWrite1hInputTokenCount-Units", SYSTEM_PROFILE, 400, "0.0008", "Usage"),
    ("USE1-Guardrail-ContentPolicyUnitsConsumed", None, 12, "0.0018", "Usage"),
    ("USE1-Claude4.5Sonnet-input-tokens", PROFILE, 0, "0.00071", "Tax"),
]


def write_pinned(root: Path) -> None:
    folder = root / "pinned-cur" / "data" / "BILLING_PERIOD=2026-09"
    folder.mkdir(parents=True)
    rows = [
        {
            "identity_line_item_id": f"pin-{n}",
            "line_item_usage_account_id": "999900001111",
            "line_item_line_item_type": kind,
            "line_item_usage_start_date": datetime(2026, 9, 3),
            "line_item_usage_end_date": datetime(2026, 9, 4),
            "line_item_product_code": "AmazonBedrockFoundationModels"
            if ":MP:" in f":{usage_type}"
            else "AmazonBedrock",
            "line_item_usage_type": usage_type,
            "line_item_resource_id": resource,
            "line_item_usage_amount": float(tokens),
            "line_item_unblended_cost": float(cost),
            "product": [("product_name", "Claude Haiku 4.5 (Amazon Bedrock Edition)")]
            if "MP:" in usage_type
            else [("product_name", "Amazon Bedrock")],
            "product_region_code": "us-west-2" if "USW2" in usage_type else "us-east-1",
            "pricing_unit": "tokens" if "Guardrail" not in usage_type else "Units",
        }
        for n, (usage_type, resource, tokens, cost, kind) in enumerate(PINNED)
    ]
    table = pa.Table.from_pylist(rows, schema=aws_bedrock.CUR_SCHEMA)
    pq.write_table(table, folder / "pinned-cur-00001.snappy.parquet")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("aws_bedrock_dbt")
    enterprise = Enterprise()
    provider = aws_bedrock.build(enterprise, Activity(enterprise), lambda: AS_OF, {})
    env = provider.write_exports(base / "exports", START, END, AS_OF)
    write_pinned(base / "pinned")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIUW_DATA_DIR", str(base / "data"))
        patch.setenv("AIUW_LANDING_DIR", str(base / "data" / "landing"))
        paths = Paths.from_env()
        window = RefreshWindow(START, END)
        for source_type, assets, source_id, path in (
            ("aws_cur", cur_assets, "bedrock_cur_test", env["AWS_CUR_PATH"]),
            ("aws_cur", cur_assets, "bedrock_cur_pinned", str(base / "pinned")),
            (
                "aws_bedrock_invocation_logs",
                log_assets,
                "bedrock_logs_test",
                env["BEDROCK_INVOCATION_LOGS_PATH"],
            ),
        ):
            source = SourceConfig(id=source_id, type=source_type, path=path)
            entity = assets.ENTITIES[0]  # the CUR's self-hosted rows are not Bedrock's
            land_entity(source_type, entity, source, window, paths, assets.open_client)
    database = base / "warehouse.duckdb"
    dbt_build(base, database, base / "data" / "landing", MODELS)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, provider


def test_normalized_totals_equal_the_ground_truth(warehouse):
    con, provider = warehouse
    truth = provider.ground_truth(START, END, AS_OF)
    sums = ", ".join(f"sum({m})" for m in MEASURES)
    where = "source_id = 'bedrock_cur_test' and usage_date >= ? and usage_date < ?"
    usage = con.execute(
        f"select {sums} from intermediate.int_aws_bedrock_usage_normalized where {where}",
        [START, END],
    ).fetchone()
    assert dict(zip(MEASURES, map(int, usage), strict=True)) == truth["usage"]
    assert truth["usage"]["request_count"] > 10_000
    (cost,) = con.execute(
        f"select sum(billed_cost) from intermediate.int_aws_bedrock_costs_normalized where {where}",
        [START, END],
    ).fetchone()
    assert cost == Decimal(truth["invoiced_cost_usd"])


def test_whole_billing_months_land_from_the_cur(warehouse):
    con, provider = warehouse
    first, last = con.execute(
        "select min(usage_date), max(usage_date) from intermediate.int_aws_bedrock_costs_normalized "
        "where source_id = 'bedrock_cur_test'"
    ).fetchone()
    assert (first, last) == (date(2026, 8, 1), date(2026, 9, 19))
    (august,) = con.execute(
        "select sum(billed_cost) from intermediate.int_aws_bedrock_costs_normalized "
        "where source_id = 'bedrock_cur_test' and usage_date < '2026-09-01'"
    ).fetchone()
    expected = provider.ground_truth(date(2026, 8, 1), date(2026, 9, 1), AS_OF)
    assert august == Decimal(expected["invoiced_cost_usd"])


def test_request_counts_come_from_the_logs_of_the_same_group(warehouse):
    con, provider = warehouse
    account = aws_bedrock.ACCOUNTS[0]
    calls = provider.invocations(date(2026, 9, 8), account, account.workloads[0])
    row = con.execute(
        """
        select model_ref, api_key_id, request_count, input_tokens, cache_read_input_tokens,
            cache_creation_input_tokens, output_tokens
        from intermediate.int_aws_bedrock_usage_normalized
        where source_id = 'bedrock_cur_test' and usage_date = '2026-09-08' and project_id = ?
        """,
        [account.account_id],
    ).fetchone()
    assert row[0] == "anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert row[1] == provider.resource_id(account, account.workloads[0])
    assert row[2] == len(calls) > 0
    assert row[3] == sum(
        c.tokens["input"] + c.tokens["cache_read"] + c.tokens["cache_write"] for c in calls
    )
    assert row[4:] == (
        sum(c.tokens["cache_read"] for c in calls),
        sum(c.tokens["cache_write"] for c in calls),
        sum(c.tokens["output"] for c in calls),
    )
    (shadow_requests,) = con.execute(
        "select sum(request_count) from intermediate.int_aws_bedrock_usage_normalized "
        "where project_id = '738291046615'"
    ).fetchone()
    assert shadow_requests == 0


def test_token_type_pivot_on_pinned_rows(warehouse):
    con, _ = warehouse
    rows = con.execute(
        """
        select model_name, model_ref, api_key_id, credential_id, request_count, input_tokens,
            cache_read_input_tokens, cache_creation_input_tokens, output_tokens
        from intermediate.int_aws_bedrock_usage_normalized
        where source_id = 'bedrock_cur_pinned' order by model_name
        """
    ).fetchall()
    assert rows == [
        (
            "Claude Haiku 4.5 (Amazon Bedrock Edition)",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            None,
            "999900001111",
            0,
            7400,
            0,
            400,
            0,
        ),
        # 1000 input + 5000 cache read + 300 cache write; the guardrail and tax rows are not usage
        (
            "Claude4.5Sonnet",
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            PROFILE,
            PROFILE,
            0,
            6300,
            5000,
            300,
            200,
        ),
    ]
    costs = con.execute(
        """
        select token_type, charge_category, consumed_quantity, consumed_unit, billed_cost
        from intermediate.int_aws_bedrock_costs_normalized
        where source_id = 'bedrock_cur_pinned'
        order by billed_cost, token_type
        """
    ).fetchall()
    assert costs == [
        ("other", "Tax", Decimal("0"), "tokens", Decimal("0.00071")),
        ("cache_creation_input", "Usage", Decimal("400"), "tokens", Decimal("0.0008")),
        ("cache_creation_input", "Usage", Decimal("300"), "tokens", Decimal("0.001125")),
        ("cache_read_input", "Usage", Decimal("5000"), "tokens", Decimal("0.0015")),
        ("other", "Usage", Decimal("12"), "Units", Decimal("0.0018")),
        ("input", "Usage", Decimal("1000"), "tokens", Decimal("0.003")),
        ("output", "Usage", Decimal("200"), "tokens", Decimal("0.003")),
        ("input", "Usage", Decimal("7000"), "tokens", Decimal("0.007")),
    ]


def test_sandbox_models_map_to_bedrock_ids(warehouse):
    con, _ = warehouse
    refs = dict(
        con.execute(
            "select distinct model_name, model_ref || '/' || operation "
            "from intermediate.int_aws_bedrock_usage_normalized where source_id = 'bedrock_cur_test'"
        ).fetchall()
    )
    assert refs == {
        "Claude4.5Sonnet": "anthropic.claude-sonnet-4-5-20250929-v1:0/chat",
        "Claude4.5Haiku": "us.anthropic.claude-haiku-4-5-20251001-v1:0/chat",
        "Llama3.3-70B-Instruct": "us.meta.llama3-3-70b-instruct-v1:0/chat",
        "TitanEmbeddingsV2-Text": "amazon.titan-embed-text-v2:0/embeddings",
        "NovaLite": "amazon.nova-lite-v1:0/chat",
        "NovaPro": "amazon.nova-pro-v1:0/chat",
        "Claude Sonnet 4.5 (Amazon Bedrock Edition)": (
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0/chat"
        ),
    }
