"""The Cloud Billing export reader: documented rows (JSON and Parquet), sandbox totals, late updates, errors."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.gcp_billing_export.reader import ExportFileError, GcpBillingExportReader
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from sandbox.providers import google_vertex

AS_OF = datetime(2026, 9, 20, 6, tzinfo=UTC)
START, END = date(2026, 9, 1), date(2026, 9, 22)
# The documented example row of the Cloud Billing detailed export.
DOCUMENTED = (
    '{"billing_account_id":"0A1B2C-3D4E5F-6A7B8C","service":{"id":"C7E2-9256-1C43","description":"Vertex AI"},'
    '"sku":{"id":"1A2B-3C4D-5E6F","description":"Gemini 2.5 Flash GA Text Input - Predictions"},'
    '"usage_start_time":"2026-03-04T10:00:00Z","usage_end_time":"2026-03-04T11:00:00Z",'
    '"project":{"id":"search-prod","number":"123456789012","name":"search-prod","labels":[{"key":"cost_center","value":"cc-4410"}]},'
    '"labels":[{"key":"team","value":"search"}],"location":{"location":"us-central1","country":"US","region":"us-central1","zone":null},'
    '"export_time":"2026-03-04T14:21:07Z","cost":1.2143,"cost_at_list":1.2143,"currency":"USD","currency_conversion_rate":1.0,'
    '"usage":{"amount":4047600,"unit":"count","amount_in_pricing_units":4.0476,"pricing_unit":"count"},'
    '"credits":[{"name":"Committed use discount","amount":-0.12,"full_name":null,"id":"x","type":"COMMITTED_USAGE_DISCOUNT"}],'
    '"invoice":{"month":"202603","publisher_type":"GOOGLE"},"cost_type":"regular","adjustment_info":null}'
)
# Every nullable group missing, BigQuery-extract timestamps; then a service that is not Vertex AI.
SPARSE = (
    '{"service":{"id":"C7E2-9256-1C43","description":"Vertex AI"},"sku":{"id":"S","description":"Gemini 2.5 Pro Output Tokens"},'
    '"usage_start_time":"2026-03-04 23:00:00 UTC","usage_end_time":"2026-03-05 00:00:00 UTC","project":null,'
    '"labels":[],"location":null,"cost":0.1000000000000000055511151231257827,"credits":[],"usage":{"amount":10000,"unit":"count"}}'
)
OTHER = (
    '{"service":{"id":"6F81-5844-456A","description":"Compute Engine"},"sku":{"id":"X","description":"N2"},'
    '"usage_start_time":"2026-03-04 10:00:00 UTC","cost":3.5,"usage":{"amount":3600,"unit":"seconds"}}'
)


def write_extract(
    root: Path, folder: str, lines: list[str], name: str = "000000000000.json.gz"
) -> Path:
    path = root / "gcp_billing_export_v1_X" / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def test_documented_rows_are_flattened_with_exact_money(tmp_path):
    write_extract(tmp_path, "2026-03-04", [DOCUMENTED, SPARSE, OTHER])
    rows = list(
        GcpBillingExportReader(tmp_path).vertex_cost_rows(date(2026, 3, 4), date(2026, 3, 5))
    )
    assert len(rows) == 2
    first, sparse = rows
    assert first["cost"] == "1.2143" and first["credits_amount"] == "-0.12"
    assert first["usage_amount"] == "4047600" and first["usage_unit"] == "count"
    assert first["sku_description"] == "Gemini 2.5 Flash GA Text Input - Predictions"
    assert first["project_id"] == "search-prod" and first["project_number"] == "123456789012"
    assert first["usage_start_time"] == datetime(2026, 3, 4, 10)
    assert json.loads(first["labels_json"]) == {"team": "search"}
    assert json.loads(first["credits_json"])[0]["amount"] == "-0.12"
    assert first["invoice_month"] == "202603" and first["location_region"] == "us-central1"
    assert sparse["usage_start_time"] == datetime(2026, 3, 4, 23)
    assert sparse["project_id"] is None and sparse["labels_json"] is None
    assert sparse["credits_amount"] == "0" and sparse["credits_json"] is None
    assert sparse["cost"] == "0.1000000000000000055511151231257827"


def test_parquet_extracts_with_nested_records_are_read(tmp_path):
    row = json.loads(DOCUMENTED)
    row["usage_start_time"] = datetime(2026, 3, 4, 10, tzinfo=UTC)
    path = tmp_path / "2026-03-04" / "000000000000.parquet"
    path.parent.mkdir()
    pq.write_table(pa.Table.from_pylist([row]), path)
    (record,) = GcpBillingExportReader(tmp_path).vertex_cost_rows(
        date(2026, 3, 1), date(2026, 4, 1)
    )
    assert record["cost"] == "1.2143" and record["credits_amount"] == "-0.12"
    assert record["usage_start_time"] == datetime(2026, 3, 4, 10)


def provider() -> google_vertex.GoogleVertexProvider:
    enterprise = Enterprise()
    return google_vertex.build(enterprise, Activity(enterprise), lambda: AS_OF, {})


def test_sandbox_exports_sum_to_its_ground_truth_net_of_credits(tmp_path):
    sandbox = provider()
    env = sandbox.write_exports(tmp_path, START, END, AS_OF)
    reader = GcpBillingExportReader(Path(env["GCP_BILLING_EXPORT_PATH"]))
    rows = list(reader.vertex_cost_rows(START, END))
    truth = sandbox.ground_truth(START, END, AS_OF)
    net = sum(Decimal(r["cost"]) + Decimal(r["credits_amount"]) for r in rows)
    assert net == Decimal(truth["invoiced_cost_usd"])
    assert sum(Decimal(r["credits_amount"]) for r in rows) < 0
    output = sum(int(Decimal(r["usage_amount"])) for r in rows if "Output" in r["sku_description"])
    assert output == truth["usage"]["output_tokens"]
    assert {r["service_description"] for r in rows} == {"Vertex AI"}
    assert {r["usage_start_time"].date() for r in rows} == {date(2026, 9, d) for d in range(1, 20)}
    assert len({r["usage_start_time"].hour for r in rows}) == 24
    declared = {c["id"] for c in sandbox.declared_credentials()}
    assert {r["project_id"] for r in rows} - declared == {"ml-playground-4471"}
    # days outside the window are not even opened
    assert len(reader.files(date(2026, 9, 3), date(2026, 9, 5))) == 2
    assert list(reader.vertex_cost_rows(date(2026, 8, 1), date(2026, 9, 1))) == []


def test_a_later_extract_restates_recent_days(tmp_path):
    sandbox = provider()
    day = date(2026, 9, 19)
    env = sandbox.write_exports(tmp_path, day, day.replace(day=20), AS_OF)
    reader = GcpBillingExportReader(Path(env["GCP_BILLING_EXPORT_PATH"]))
    provisional = sum(Decimal(r["cost"]) for r in reader.vertex_cost_rows(day, day.replace(day=20)))
    later = datetime(2026, 9, 25, tzinfo=UTC)
    sandbox.write_exports(tmp_path, day, day.replace(day=20), later)
    final = sum(Decimal(r["cost"]) for r in reader.vertex_cost_rows(day, day.replace(day=20)))
    assert final > provisional
    assert final == sum(r.cost for r in sandbox.rows(day, later))


def test_a_malformed_line_raises_an_error_naming_the_file_and_line(tmp_path):
    path = write_extract(tmp_path, "2026-03-04", [DOCUMENTED, '{"service": {"id": "C7E2'])
    with pytest.raises(ExportFileError, match="line 2 is not JSON") as raised:
        list(GcpBillingExportReader(tmp_path).vertex_cost_rows(date(2026, 3, 4), date(2026, 3, 5)))
    assert str(path) in str(raised.value)
    path = write_extract(tmp_path, "2026-03-04", ['{"rows": []}'])
    with pytest.raises(ExportFileError, match="not a billing export row"):
        list(GcpBillingExportReader(tmp_path).vertex_cost_rows(date(2026, 3, 4), date(2026, 3, 5)))
    path.write_bytes(b"\x1f\x8b\x08garbage")
    with pytest.raises(ExportFileError, match="unreadable") as raised:
        list(GcpBillingExportReader(tmp_path).vertex_cost_rows(date(2026, 3, 4), date(2026, 3, 5)))
    assert str(path) in str(raised.value)
