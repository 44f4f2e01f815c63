"""The sandbox's self-hosted Llama deployment (vLLM, `vllm-llama`), as the cloud bills it.

The gateway (LiteLLM, `hosted_vllm`) and the OpenTelemetry spans carry its traffic (provider `vllm`,
model llama-3-3-70b-instruct); what it costs is the AWS bill of what serves it: a g5.12xlarge GPU
instance running around the clock (its CUR rows named by resource id) and its model volume (named
by the `aiuw:deployment` tag only). Both bill in the same CUR 2.0 export as Bedrock, in an ML
platform account; governance/self_hosted.yml declares them (`governance()`), and the chargeback
truth adds `invoiced()` to what the sandbox was invoiced.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sandbox.enterprise import EPOCH, stable_int

DEPLOYMENT = "vllm-llama"
PROVIDER = "vllm"
MODELS = ["llama-3-3-70b-instruct"]
ACCOUNT = ("444455556666", "ml-platform-prod")
REGION = "us-east-1"
TAG = ("aiuw:deployment", DEPLOYMENT)
INSTANCE_ID = "i-0a7f3c9e5d2b41806"
VOLUME_ID = "vol-0c4e8a1f9b3d27465"
# g5.12xlarge on demand in us-east-1, USD per hour; a 500 GB gp3 volume at $0.08 per GB-month,
# billed per hour (500 x 0.08 x 12 / 8760 = 0.0547945 a day's hour)
INSTANCE_HOURLY = Decimal("5.672")
VOLUME_HOURLY = Decimal("0.0547945")
DAY_COST = 24 * (INSTANCE_HOURLY + VOLUME_HOURLY)  # 137.443068


def days_billed(start: date, end: date, as_of: datetime) -> list[date]:
    """The days in [start, end) the CUR has rows for at `as_of`: complete days only."""
    day, last = max(start, EPOCH), min(end, as_of.date())
    out = []
    while day < last:
        out.append(day)
        day += timedelta(days=1)
    return out


def invoiced(start: date, end: date, as_of: datetime) -> Decimal:
    """What AWS bills for the deployment's resources on the days in [start, end), exactly."""
    return DAY_COST * len(days_billed(start, end, as_of))


def cur_records(day: date, period_start: datetime, period_end: datetime, payer: tuple) -> list:
    """The deployment's CUR 2.0 rows of one day: the instance's and the volume's hourly rows."""
    rows = []
    tags = [(f"user_{TAG[0].replace(':', '_')}", TAG[1]), ("user_team", "ml-platform")]
    for hour in range(24):
        start = datetime(day.year, day.month, day.day, hour)
        for resource, usage_type, operation, rate, unit, description, product in (
            (
                INSTANCE_ID,
                "BoxUsage:g5.12xlarge",
                "RunInstances",
                INSTANCE_HOURLY,
                "Hrs",
                "$5.672 per On Demand Linux g5.12xlarge Instance Hour",
                [
                    ("product_name", "Amazon Elastic Compute Cloud"),
                    ("instance_type", "g5.12xlarge"),
                ],
            ),
            (
                VOLUME_ID,
                "EBS:VolumeUsage.gp3",
                "CreateVolume-Gp3",
                VOLUME_HOURLY,
                "GB-Mo",
                "$0.08 per GB-month of General Purpose (gp3) provisioned storage",
                [("product_name", "Amazon Elastic Compute Cloud")],
            ),
        ):
            cost = float(rate)
            rows.append(
                {
                    "identity_line_item_id": f"{stable_int('gpu', resource, start):016x}",
                    "identity_time_interval": f"{start:%Y-%m-%dT%H:%M:%SZ}/"
                    f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}",
                    "bill_bill_type": "Anniversary",
                    "bill_billing_entity": "AWS",
                    "bill_billing_period_start_date": period_start,
                    "bill_billing_period_end_date": period_end,
                    "bill_invoice_id": None,
                    "bill_payer_account_id": payer[0],
                    "bill_payer_account_name": payer[1],
                    "line_item_usage_account_id": ACCOUNT[0],
                    "line_item_usage_account_name": ACCOUNT[1],
                    "line_item_line_item_type": "Usage",
                    "line_item_usage_start_date": start,
                    "line_item_usage_end_date": start + timedelta(hours=1),
                    "line_item_product_code": "AmazonEC2",
                    # us-east-1 usage types carry no region prefix
                    "line_item_usage_type": usage_type,
                    "line_item_operation": operation,
                    "line_item_resource_id": resource,
                    # hours; GB-months for the volume (500 GB / 730 hours)
                    "line_item_usage_amount": 1.0 if unit == "Hrs" else 0.6849315,
                    "line_item_currency_code": "USD",
                    "line_item_unblended_rate": str(rate),
                    "line_item_unblended_cost": cost,
                    "line_item_net_unblended_rate": str(rate),
                    "line_item_net_unblended_cost": cost,
                    "line_item_line_item_description": description,
                    "line_item_iam_principal": None,
                    "pricing_currency": "USD",
                    "pricing_public_on_demand_cost": cost,
                    "pricing_public_on_demand_rate": str(rate),
                    "pricing_term": "OnDemand",
                    "pricing_unit": unit,
                    "product": product,
                    "product_servicecode": "AmazonEC2",
                    "product_region_code": REGION,
                    "resource_tags": tags,
                    "cost_category": [],
                }
            )
    return rows


def governance() -> dict:
    """governance/self_hosted.yml for the sandbox enterprise."""
    return {
        "deployments": [
            {
                "id": DEPLOYMENT,
                "provider": PROVIDER,
                "models": MODELS,
                "resources": [
                    {
                        "source_type": "aws_cur",
                        "resource_ids": [INSTANCE_ID],
                        "tags": {TAG[0]: TAG[1]},
                    }
                ],
                "reference": "ML platform runbook: vllm-llama on g5.12xlarge (ml-platform-prod)",
            }
        ]
    }
