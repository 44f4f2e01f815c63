"""The Azure FOCUS export reader: documented rows, the export layout, latest runs, sandbox totals, errors."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.azure_focus.reader import AzureFocusReader, ExportFileError
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from sandbox.providers import azure_openai

AS_OF = datetime(2026, 9, 20, 6, tzinfo=UTC)
START, END = date(2026, 9, 1), date(2026, 9, 22)
HEADER = [
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BillingCurrency",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ConsumedQuantity",
    "ConsumedUnit",
    "PricingQuantity",
    "PricingUnit",
    "ServiceName",
    "ServiceCategory",
    "SkuMeter",
    "x_SkuMeterCategory",
    "x_SkuMeterSubcategory",
    "x_PricingBlockSize",
    "x_PricingUnitDescription",
    "SubAccountId",
    "ResourceId",
    "Tags",
]
# The documented example row of a FOCUS cost export, then a Speech and a VM row that are not Azure OpenAI.
DOCUMENTED = [
    "2026-03-04T00:00:00Z,2026-03-05T00:00:00Z,EUR,11.42,11.42,11.42,4568.2,Units,4568.2,Units,"
    "Azure AI Services,AI and Machine Learning,gpt 4.1 Inp glbl Tokens,Cognitive Services,Azure OpenAI,"
    "1000,1K,/subscriptions/0000-1111,/subscriptions/0000-1111/resourceGroups/rg-ai/providers/"
    'Microsoft.CognitiveServices/accounts/aoai-prod,"{""costcenter"":""CC-4410"",""owner"":""search-team""}"',
    "2026-03-04T00:00:00Z,2026-03-05T00:00:00Z,EUR,1.25,1.25,1.25,24,Hours,24,Hours,"
    "Azure AI Services,AI and Machine Learning,S1 Speech To Text,Cognitive Services,Speech,1,1 Hour,"
    "/subscriptions/0000-1111,/subscriptions/0000-1111/resourceGroups/rg-ai/providers/"
    "Microsoft.CognitiveServices/accounts/speech,",
    "2026-03-04T00:00:00Z,2026-03-05T00:00:00Z,EUR,4.608,4.608,4.608,24,Hours,24,Hours,"
    "Virtual Machines,Compute,D4s v5,Virtual Machines,Dv5 Series,1,1 Hour,/subscriptions/0000-1111,"
    "/subscriptions/0000-1111/resourceGroups/rg-ai/providers/Microsoft.Compute/virtualMachines/vm1,",
]


def write_run(
    root: Path,
    month: str,
    run_id: str,
    lines: list[str],
    *,
    submitted: str | None,
    header: list[str] = HEADER,
    part: str = "part_0_0001.csv.gz",
) -> Path:
    run = root / "focus-export" / month / run_id
    run.mkdir(parents=True, exist_ok=True)
    path = run / part
    path.write_bytes(gzip.compress(("\n".join([",".join(header), *lines]) + "\n").encode()))
    if submitted:
        (run / "manifest.json").write_text(json.dumps({"runInfo": {"submittedTime": submitted}}))
    return path


def test_documented_row_is_read_exactly_and_only_openai_meters_are_kept(tmp_path):
    write_run(tmp_path, "20260301-20260331", "run-a", DOCUMENTED, submitted=None)
    rows = list(AzureFocusReader(tmp_path).cost_rows(date(2026, 3, 1), date(2026, 4, 1)))
    assert len(rows) == 1
    row = rows[0]
    assert row["BilledCost"] == "11.42" and row["BillingCurrency"] == "EUR"
    assert row["PricingQuantity"] == "4568.2" and row["x_PricingBlockSize"] == "1000"
    assert Decimal(row["PricingQuantity"]) * Decimal(row["x_PricingBlockSize"]) == 4568200
    assert row["ChargePeriodStart"] == datetime(2026, 3, 4)
    assert json.loads(row["Tags"]) == {"costcenter": "CC-4410", "owner": "search-team"}
    assert row["x_ExportName"] == "focus-export" and row["x_ExportRunId"] == "run-a"
    assert row["EffectiveCost"] == "11.42" and row["ChargeCategory"] is None


def test_focus_1_0_meter_column_and_dotnet_timestamps_are_understood(tmp_path):
    header = [("x_SkuMeterName" if c == "SkuMeter" else c) for c in HEADER]
    line = DOCUMENTED[0].replace("2026-03-04T00:00:00Z", "2026-03-04T00:00:00.0000000Z")
    write_run(tmp_path, "20260301-20260331", "r", [line], submitted=None, header=header)
    (row,) = AzureFocusReader(tmp_path).cost_rows(date(2026, 3, 1), date(2026, 4, 1))
    assert row["SkuMeter"] == "gpt 4.1 Inp glbl Tokens"
    assert row["ChargePeriodStart"] == datetime(2026, 3, 4)


def test_only_the_latest_run_of_a_month_counts(tmp_path):
    old = DOCUMENTED[0].replace(",11.42,11.42,11.42,", ",10.00,10.00,10.00,")
    write_run(tmp_path, "20260301-20260331", "zz-old", [old], submitted="2026-03-05T08:00:00Z")
    write_run(
        tmp_path, "20260301-20260331", "aa-new", [DOCUMENTED[0]], submitted="2026-03-06T08:00:00Z"
    )
    # a run without a manifest is dated by its newest file
    feb = write_run(
        tmp_path, "20260201-20260228", "feb-1", [old.replace("-03-", "-02-")], submitted=None
    )
    feb2 = write_run(
        tmp_path,
        "20260201-20260228",
        "feb-2",
        [DOCUMENTED[0].replace("-03-", "-02-")],
        submitted=None,
    )
    os.utime(feb, (1_000_000_000, 1_000_000_000))
    os.utime(feb2, (1_100_000_000, 1_100_000_000))
    reader = AzureFocusReader(tmp_path)
    assert {r.run_id for r in reader.latest_runs(date(2026, 2, 1), date(2026, 4, 1))} == {
        "aa-new",
        "feb-2",
    }
    rows = list(reader.cost_rows(date(2026, 2, 1), date(2026, 4, 1)))
    assert [r["BilledCost"] for r in rows] == ["11.42", "11.42"]
    # a window in March does not read February at all
    assert {r.month for r in reader.latest_runs(date(2026, 3, 10), date(2026, 3, 12))} == {
        date(2026, 3, 1)
    }


def provider() -> azure_openai.AzureOpenAIProvider:
    enterprise = Enterprise()
    return azure_openai.build(enterprise, Activity(enterprise), lambda: AS_OF, {})


def test_sandbox_exports_sum_to_its_ground_truth(tmp_path):
    sandbox = provider()
    env = sandbox.write_exports(tmp_path, START, END, AS_OF)
    reader = AzureFocusReader(Path(env["AZURE_FOCUS_PATH"]))
    (run,) = reader.latest_runs(START, END)
    assert len(reader.runs()) == 2 and run.submitted_at == AS_OF.replace(tzinfo=None)
    assert len(run.files) > 1  # the run is split into several part files
    rows = list(reader.cost_rows(START, END))
    truth = sandbox.ground_truth(START, END, AS_OF)
    tokens = {"output": 0, "other": 0}
    for r in rows:
        count = Decimal(r["PricingQuantity"]) * Decimal(r["x_PricingBlockSize"])
        assert count == int(count)
        tokens["output" if "outp" in r["SkuMeter"].lower() else "other"] += int(count)
    assert tokens["output"] == truth["usage"]["output_tokens"]
    assert tokens["other"] == truth["usage"]["input_tokens"]
    assert sum(Decimal(r["BilledCost"]) for r in rows) == Decimal(truth["invoiced_cost_usd"])
    assert {r["ChargePeriodStart"].date() for r in rows} == {date(2026, 9, d) for d in range(1, 20)}
    assert not any("Speech" in r["SkuMeter"] or "D4s" in r["SkuMeter"] for r in rows)
    # the shadow account lives in a subscription nobody declared
    declared = {c["id"] for c in sandbox.declared_credentials()}
    shadow = {r["ResourceId"] for r in rows} - declared
    assert len(shadow) == 1 and "aoai-hack-playground" in shadow.pop()
    assert list(reader.cost_rows(date(2026, 8, 1), date(2026, 9, 1))) == []


def test_a_truncated_file_raises_an_error_naming_it(tmp_path):
    path = write_run(tmp_path, "20260301-20260331", "r", DOCUMENTED, submitted=None)
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ExportFileError) as raised:
        list(AzureFocusReader(tmp_path).cost_rows(date(2026, 3, 1), date(2026, 4, 1)))
    assert str(path) in str(raised.value)


def test_a_file_without_focus_columns_or_with_a_bad_amount_is_rejected(tmp_path):
    path = write_run(
        tmp_path, "20260301-20260331", "r", ["x,y"], submitted=None, header=["Date", "Cost"]
    )
    with pytest.raises(ExportFileError, match=r"missing column.*ChargePeriodStart") as raised:
        list(AzureFocusReader(tmp_path).cost_rows(date(2026, 3, 1), date(2026, 4, 1)))
    assert str(path) in str(raised.value)
    buffer = io.StringIO()
    csv.writer(buffer).writerow(next(csv.reader([DOCUMENTED[0]]))[:3] + ["12,5"] + ["1"] * 16)
    path = write_run(
        tmp_path, "20260301-20260331", "r", [buffer.getvalue().strip()], submitted=None
    )
    with pytest.raises(ExportFileError, match="row 2: bad value") as raised:
        list(AzureFocusReader(tmp_path).cost_rows(date(2026, 3, 1), date(2026, 4, 1)))
    assert str(path) in str(raised.value)
