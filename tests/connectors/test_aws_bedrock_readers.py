"""AWS Bedrock file readers: CUR 2.0 Parquet and invocation logs, against documented shapes and the
sandbox's written exports (totals equal its ground truth, month rewrites replace, bodies never land)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.aws_bedrock_invocation_logs.reader import InvocationLogError, InvocationLogReader
from connectors.aws_cur.reader import CurFileError, CurReader, DeclaredResources
from connectors.config import SourceConfig
from orchestration.defs.ingest.aws_bedrock_invocation_logs import assets as log_assets
from orchestration.defs.ingest.aws_cur import assets as cur_assets
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow, billing_month_to_date
from sandbox import prompt_content, self_hosted
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from sandbox.providers import aws_bedrock
from warehouse.paths import Paths

AS_OF = datetime(2026, 9, 20, 6, tzinfo=UTC)
START, END = date(2026, 9, 1), date(2026, 9, 22)
START_AT, END_AT = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 22, tzinfo=UTC)
# The documented Bedrock model invocation log record (plus bodies, as logging writes them).
DOCUMENTED_LOG = {
    "schemaType": "ModelInvocationLog",
    "schemaVersion": "1.0",
    "timestamp": "2026-03-04T10:15:02Z",
    "accountId": "111122223333",
    "identity": {"arn": "arn:aws:sts::111122223333:assumed-role/AppRole/etl-job"},
    "region": "us-east-1",
    "requestId": "7c1e0f3a-0000-4b5e-9d2a-4c1f2e3d4a5b",
    "operation": "Converse",
    "modelId": "arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123",
    "requestMetadata": {"team": "search", "cost_center": "CC-4410"},
    "inferenceRegion": "us-west-2",
    "input": {
        "inputContentType": "application/json",
        "inputBodyJson": {"messages": [{"content": "PROMPT-TEXT-MUST-NOT-LAND"}]},
        "inputTokenCount": 1834,
        "cacheReadInputTokenCount": 12000,
    },
    "output": {
        "outputContentType": "application/json",
        "outputBodyS3Path": "s3://bucket/COMPLETION-PATH-MUST-NOT-LAND.json",
        "outputTokenCount": 412,
    },
}


def token_kind(usage_type: str) -> str:
    lowered = usage_type.lower()
    for marker, kind in (
        ("cache-read", "cache_read"),
        ("cacheread", "cache_read"),
        ("cache-write", "cache_write"),
        ("cachewrite", "cache_write"),
        ("output", "output"),
        ("input", "input"),
    ):
        if marker in lowered:
            return kind
    return "other"


def cur_totals(rows: list[dict]) -> dict:
    usage = Counter()
    cost = Decimal(0)
    for row in rows:
        cost += Decimal(row["line_item_unblended_cost"])
        kind = token_kind(row["line_item_usage_type"])
        tokens = int(Decimal(row["line_item_usage_amount"]))
        usage["output_tokens" if kind == "output" else "input_tokens"] += tokens
        if kind == "cache_read":
            usage["cache_read_input_tokens"] += tokens
        if kind == "cache_write":
            usage["cache_creation_input_tokens"] += tokens
    return {"usage": dict(usage), "cost": cost}


@pytest.fixture(scope="module")
def provider():
    enterprise = Enterprise()
    return aws_bedrock.build(enterprise, Activity(enterprise), lambda: AS_OF, {})


@pytest.fixture(scope="module")
def exports(provider, tmp_path_factory):
    root = tmp_path_factory.mktemp("bedrock_exports")
    return provider.write_exports(root, START, END, AS_OF)


def test_documented_log_record_is_flattened_without_bodies(tmp_path):
    folder = tmp_path / "AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/2026/03/04/10"
    folder.mkdir(parents=True)
    (folder / "a.json.gz").write_bytes(gzip.compress(json.dumps(DOCUMENTED_LOG).encode()))
    (record,) = InvocationLogReader(tmp_path).records(
        datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)
    )
    assert record["timestamp"] == datetime(2026, 3, 4, 10, 15, 2)
    assert record["modelId"].endswith("application-inference-profile/abc123")
    assert record["identity_arn"] == "arn:aws:sts::111122223333:assumed-role/AppRole/etl-job"
    assert (record["inputTokenCount"], record["cacheReadInputTokenCount"]) == (1834, 12000)
    assert record["cacheWriteInputTokenCount"] is None and record["outputTokenCount"] == 412
    assert record["inferenceRegion"] == "us-west-2"
    assert json.loads(record["requestMetadata"]) == {"cost_center": "CC-4410", "team": "search"}
    assert "MUST-NOT-LAND" not in json.dumps(record, default=str)
    assert record["contentLogged"] is True  # the fact that bodies were delivered, not the bodies
    assert record["sensitive_entity_counts"] == "{}"  # the inline prompt was read: nothing in it
    metadata_only = {**DOCUMENTED_LOG, "input": {"inputTokenCount": 5}, "output": {}}
    (folder / "b.json.gz").write_bytes(gzip.compress(json.dumps(metadata_only).encode()))
    records = InvocationLogReader(tmp_path).records(
        datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)
    )
    assert sorted((r["contentLogged"], r["sensitive_entity_counts"]) for r in records) == [
        (False, None),  # no body: not classified
        (True, "{}"),
    ]


def test_inline_bodies_land_as_entity_counts_only(tmp_path):
    """A Converse record with its bodies inline (the documented record with text delivery on);
    a body spilled to S3 is not fetched, so a record with only S3 paths is not classified."""
    converse = {
        **DOCUMENTED_LOG,
        "input": {
            "inputContentType": "application/json",
            "inputBodyJson": {
                "system": [{"text": "You review supplier contracts."}],
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"text": "Pay GB82 WEST 1234 5698 7654 32; ask ana@example.org"}
                        ],
                    }
                ],
            },
            "inputTokenCount": 40,
        },
        "output": {
            "outputContentType": "application/json",
            "outputBodyJson": {
                "output": {
                    "message": {"content": [{"text": "Account DE89 3704 0044 0532 0130 00"}]}
                }
            },
            "outputTokenCount": 12,
        },
    }
    spilled = {
        **DOCUMENTED_LOG,
        "requestId": "spilled",
        "input": {"inputBodyS3Path": "s3://bucket/in.json", "inputTokenCount": 1},
        "output": {"outputBodyS3Path": "s3://bucket/out.json", "outputTokenCount": 1},
    }
    folder = tmp_path / "AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/2026/03/04/10"
    folder.mkdir(parents=True)
    lines = "\n".join(json.dumps(r) for r in (converse, spilled))
    (folder / "a.json.gz").write_bytes(gzip.compress(lines.encode()))
    records = list(
        InvocationLogReader(tmp_path).records(
            datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)
        )
    )
    assert [(r["contentLogged"], r["sensitive_entity_counts"]) for r in records] == [
        (True, '{"EMAIL_ADDRESS": 1, "IBAN_CODE": 2}'),
        (True, None),
    ]
    text = json.dumps(records, default=str)
    assert not [v for v in ("GB82", "DE89", "ana@", "supplier contracts") if v in text]


def test_sandbox_log_bodies_give_the_planted_entities(provider, exports):
    """Per application, day and entity type, the requests whose bodies hold it: as planted."""
    applications = {a.account_id: a.application_id for a in aws_bedrock.ACCOUNTS}
    records = list(
        InvocationLogReader(Path(exports["BEDROCK_INVOCATION_LOGS_PATH"])).records(START_AT, END_AT)
    )
    observed = Counter()
    for r in records:
        for entity in json.loads(r["sensitive_entity_counts"]):
            observed[
                (applications[r["accountId"]], "aws_bedrock", r["timestamp"].date(), entity)
            ] += 1
    assert observed == provider.sensitive_data(START, END, AS_OF)
    assert {app for app, _, _, _ in observed} == {"app-contract-reviewer", "app-code-review-bot"}
    ranker = {r["sensitive_entity_counts"] for r in records if r["accountId"] == "619283746501"}
    assert ranker == {"{}"}  # the search ranker's text holds nothing sensitive


def test_documented_cur_rows_keep_exact_decimals(tmp_path):
    folder = tmp_path / "cur2" / "data" / "BILLING_PERIOD=2026-03"
    folder.mkdir(parents=True)
    common = {
        "bill_billing_period_start_date": datetime(2026, 3, 1),
        "line_item_usage_account_id": "111122223333",
        "line_item_line_item_type": "Usage",
        "line_item_usage_start_date": datetime(2026, 3, 4),
        "line_item_product_code": "AmazonBedrock",
        "line_item_operation": "InvokeModelInference",
        "line_item_iam_principal": "arn:aws:sts::111122223333:assumed-role/AppRole/etl-job",
        "resource_tags": [("user_team", "search")],
    }
    rows = [
        {
            **common,
            "line_item_usage_type": "USE1-Claude4.6Sonnet-input-tokens",
            "line_item_usage_amount": 482113.0,
            "line_item_unblended_rate": "0.000003",
            "line_item_unblended_cost": 1.446339,
        },
        {
            **common,
            "line_item_usage_type": "USE1-Claude4.6Sonnet-cache-read-input-token-count",
            "line_item_usage_amount": 2200410.0,
            "line_item_unblended_rate": "0.0000003",
            "line_item_unblended_cost": 0.660123,
        },
    ]
    schema = pa.schema([f for f in aws_bedrock.CUR_SCHEMA if f.name in rows[0]])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "cur2-00001.snappy.parquet")
    got = list(CurReader(tmp_path).line_items(date(2026, 3, 1), date(2026, 4, 1)))
    assert [r["line_item_unblended_cost"] for r in got] == ["1.446339", "0.660123"]
    assert [r["line_item_usage_amount"] for r in got] == ["482113.0", "2200410.0"]
    assert got[1]["line_item_unblended_rate"] == "0.0000003"
    assert got[0]["resource_tags"] == '{"user_team": "search"}'
    assert got[0]["line_item_resource_id"] is None
    assert (got[0]["billing_period"], got[0]["export_name"]) == ("2026-03", "cur2")


def test_sandbox_exports_read_back_equal_the_ground_truth(provider, exports):
    truth = provider.ground_truth(START, END, AS_OF)
    rows = list(CurReader(Path(exports["AWS_CUR_PATH"])).line_items(START, END))
    got = cur_totals(rows)
    assert got["usage"] == {k: v for k, v in truth["usage"].items() if k != "request_count"}
    assert got["cost"] == Decimal(truth["invoiced_cost_usd"])
    assert {r["line_item_product_code"] for r in rows} == {
        "AmazonBedrock",
        "AmazonBedrockFoundationModels",
    }
    assert len({r["line_item_usage_account_id"] for r in rows}) == 4
    assert {r["line_item_usage_start_date"].date() for r in rows} == {
        date(2026, 9, d) for d in range(1, 20)
    }
    records = list(
        InvocationLogReader(Path(exports["BEDROCK_INVOCATION_LOGS_PATH"])).records(START_AT, END_AT)
    )
    assert len(records) == truth["usage"]["request_count"] > 0
    assert len({r["requestId"] for r in records}) == len(records)


def test_logs_reconcile_with_the_cur_per_day_account_and_model(provider, exports):
    """Log token counts sum exactly to the CUR quantities of the same day, account and model."""
    logged = Counter()
    for r in InvocationLogReader(Path(exports["BEDROCK_INVOCATION_LOGS_PATH"])).records(
        START_AT, END_AT
    ):
        key = (r["timestamp"].date(), r["accountId"], r["modelId"])
        logged[(*key, "input")] += r["inputTokenCount"]
        logged[(*key, "cache_read")] += r["cacheReadInputTokenCount"] or 0
        logged[(*key, "cache_write")] += r["cacheWriteInputTokenCount"] or 0
        logged[(*key, "output")] += r["outputTokenCount"]
    billed = Counter()
    for r in CurReader(Path(exports["AWS_CUR_PATH"])).line_items(START, END):
        if r["line_item_usage_account_id"] == "738291046615":  # the shadow account logs nothing
            continue
        arn = r["line_item_resource_id"]
        model = arn.split("/", 1)[1] if ":application-inference-profile/" not in arn else arn
        key = (r["line_item_usage_start_date"].date(), r["line_item_usage_account_id"], model)
        billed[(*key, token_kind(r["line_item_usage_type"]))] += int(
            Decimal(r["line_item_usage_amount"])
        )
    assert +billed == +logged
    assert len(+billed) > 100


def test_a_month_rewrite_replaces_the_month(provider, tmp_path):
    early = datetime(2026, 9, 10, 6, tzinfo=UTC)
    env = provider.write_exports(tmp_path, START, END, early)
    reader = CurReader(Path(env["AWS_CUR_PATH"]))
    before = {r["identity_line_item_id"]: r for r in reader.line_items(START, END)}
    provider.write_exports(tmp_path, START, END, AS_OF)
    after = list(reader.line_items(START, END))
    ids = [r["identity_line_item_id"] for r in after]
    assert len(ids) == len(set(ids)) and set(before) < set(ids)
    assert cur_totals(after)["cost"] == Decimal(
        provider.ground_truth(START, END, AS_OF)["invoiced_cost_usd"]
    )
    # Sep 7-9 were provisional on Sep 10 (90% of final) and are restated in place
    restated = [r for r in after if r["line_item_usage_start_date"].date() == date(2026, 9, 8)]
    for row in restated:
        old = Decimal(before[row["identity_line_item_id"]]["line_item_unblended_cost"])
        assert Decimal(row["line_item_unblended_cost"]) > old
    files = Path(env["AWS_CUR_PATH"]).glob("*/data/BILLING_PERIOD=2026-09/*.parquet")
    # Bedrock's rows and the self-hosted deployment's hourly GPU rows, 400 rows a file
    assert sorted(p.name for p in files) == [
        f"bedrock-cur2-{n:05d}.snappy.parquet" for n in range(1, 5)
    ]


def test_days_for_cover_the_billing_months_up_to_the_window_end():
    days = billing_month_to_date(RefreshWindow(date(2026, 9, 29), date(2026, 10, 2)))
    assert (days[0], days[-1], len(days)) == (date(2026, 9, 1), date(2026, 10, 1), 31)


def test_malformed_parquet_names_the_file(tmp_path):
    folder = tmp_path / "cur2" / "data" / "BILLING_PERIOD=2026-09"
    folder.mkdir(parents=True)
    broken = folder / "cur2-00001.snappy.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(CurFileError, match=r"cur2-00001\.snappy\.parquet: unreadable"):
        list(CurReader(tmp_path).line_items(START, END))
    pq.write_table(pa.table({"line_item_usage_type": ["x"]}), broken)
    with pytest.raises(
        CurFileError, match=r"cur2-00001\.snappy\.parquet.*line_item_unblended_cost"
    ):
        list(CurReader(tmp_path).line_items(START, END))


def test_malformed_log_names_the_file_and_line_without_its_text(tmp_path):
    folder = tmp_path / "AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/2026/09/04/10"
    folder.mkdir(parents=True)
    good = json.dumps({**DOCUMENTED_LOG, "timestamp": "2026-09-04T10:00:00Z"})
    bad = folder / "broken.json.gz"
    bad.write_bytes(gzip.compress(f'{good}\n{{"input": "SECRET PROMPT TEXT'.encode()))
    with pytest.raises(InvocationLogError, match=r"broken\.json\.gz: line 2") as error:
        list(InvocationLogReader(tmp_path).records(START_AT, END_AT))
    assert "SECRET PROMPT" not in str(error.value)
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(InvocationLogError, match=r"broken\.json\.gz"):
        list(InvocationLogReader(tmp_path).records(START_AT, END_AT))


def test_landed_files_hold_no_body_text(exports, tmp_path, monkeypatch):
    monkeypatch.setenv("AIUW_LANDING_DIR", str(tmp_path / "landing"))
    paths = Paths.from_env()
    window = RefreshWindow(date(2026, 9, 14), date(2026, 9, 17))
    for source_type, assets, env in (
        ("aws_bedrock_invocation_logs", log_assets, "BEDROCK_INVOCATION_LOGS_PATH"),
        ("aws_cur", cur_assets, "AWS_CUR_PATH"),
    ):
        source = SourceConfig(id="bedrock_test", type=source_type, path=exports[env])
        entity = assets.ENTITIES[0]  # the CUR's Bedrock rows; its self-hosted rows have no text
        land_entity(source_type, entity, source, window, paths, assets.open_client)
    landed = sorted((tmp_path / "landing").rglob("*.parquet"))
    assert len(landed) == 3 + 16  # three log days; Sep 1-16 of the billing month
    log_rows = 0
    for path in landed:
        table = pq.read_table(path)
        assert not [c for c in table.column_names if "body" in c.lower()]
        text = json.dumps(table.to_pylist(), default=str)
        assert aws_bedrock.BODY_MARKER not in text and "BodyJson" not in text
        assert prompt_content.PLANTED_PHRASE not in text
        assert [v for v in prompt_content.planted_values() if v in text] == []
        assert set(table.column("_extra_json").to_pylist()) <= {None}
        if "invocations" in path.parts:
            log_rows += table.num_rows
    assert log_rows > 1000


def test_declared_gpu_rows_are_kept_and_nothing_else(tmp_path):
    """A CUR 2.0 file with Bedrock, S3 and EC2 rows: the self-hosted reader keeps the declared
    instance (by id) and the tagged volume (CUR's user_ tag key), with their deployment; the
    Bedrock reader keeps only Bedrock."""
    folder = tmp_path / "cur2" / "data" / "BILLING_PERIOD=2026-03"
    folder.mkdir(parents=True)
    common = {
        "bill_billing_period_start_date": datetime(2026, 3, 1),
        "line_item_usage_account_id": "444455556666",
        "line_item_line_item_type": "Usage",
        "line_item_usage_start_date": datetime(2026, 3, 4, 10),
        "line_item_usage_amount": 1.0,
        "line_item_product_code": "AmazonEC2",
        "resource_tags": [],
    }
    rows = [
        {
            **common,
            "line_item_usage_type": "BoxUsage:g5.12xlarge",
            "line_item_resource_id": "i-0gpu",
            "line_item_unblended_cost": 5.672,
        },
        {
            **common,
            "line_item_usage_type": "EBS:VolumeUsage.gp3",
            "line_item_resource_id": "vol-0data",
            "line_item_unblended_cost": 0.0547945,
            "resource_tags": [("user_aiuw_deployment", "vllm-llama"), ("user_team", "ml")],
        },
        {  # another deployment's tag value, an undeclared instance: not kept
            **common,
            "line_item_usage_type": "BoxUsage:p4d.24xlarge",
            "line_item_resource_id": "i-0other",
            "line_item_unblended_cost": 32.7726,
            "resource_tags": [("user_aiuw_deployment", "vllm-qwen")],
        },
        {
            **common,
            "line_item_product_code": "AmazonS3",
            "line_item_usage_type": "TimedStorage-ByteHrs",
            "line_item_resource_id": "bucket",
            "line_item_unblended_cost": 0.4215,
        },
        {
            **common,
            "line_item_product_code": "AmazonBedrock",
            "line_item_usage_type": "USE1-Claude4.6Sonnet-input-tokens",
            "line_item_unblended_cost": 1.446339,
        },
    ]
    schema = pa.schema([f for f in aws_bedrock.CUR_SCHEMA if f.name in rows[1]])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "cur2-00001.snappy.parquet")
    declared = DeclaredResources(
        [
            {"deployment_id": "vllm-llama", "resource_id": "i-0gpu"},
            {
                "deployment_id": "vllm-llama",
                "tag_key": "aiuw:deployment",
                "tag_value": "vllm-llama",
            },
        ]
    )
    reader = CurReader(tmp_path)
    march = (date(2026, 3, 1), date(2026, 4, 1))
    kept = list(reader.self_hosted_line_items(*march, declared))
    assert [(r["line_item_resource_id"], r["line_item_unblended_cost"]) for r in kept] == [
        ("i-0gpu", "5.672"),
        ("vol-0data", "0.0547945"),
    ]
    assert {r["deployment_id"] for r in kept} == {"vllm-llama"}
    assert [r["line_item_product_code"] for r in reader.line_items(*march)] == ["AmazonBedrock"]
    assert list(reader.self_hosted_line_items(*march, DeclaredResources([]))) == []


def test_sandbox_cur_carries_the_vllm_gpu_rows_governance_declares(exports, provider):
    declared = cur_assets.declared_resources()
    rows = list(
        CurReader(Path(exports["AWS_CUR_PATH"])).self_hosted_line_items(START, END, declared)
    )
    by_day: dict[date, Decimal] = {}
    for r in rows:
        day = r["line_item_usage_start_date"].date()
        by_day[day] = by_day.get(day, Decimal(0)) + Decimal(r["line_item_unblended_cost"])
    # complete days before AS_OF, each 24 instance hours and 24 volume hours
    assert sorted(by_day) == [date(2026, 9, d) for d in range(1, 20)]
    assert set(by_day.values()) == {self_hosted.DAY_COST}
    assert {r["line_item_product_code"] for r in rows} == {"AmazonEC2"}
    assert {r["line_item_resource_id"] for r in rows} == {
        self_hosted.INSTANCE_ID,
        self_hosted.VOLUME_ID,
    }
    assert {r["deployment_id"] for r in rows} == {self_hosted.DEPLOYMENT}
