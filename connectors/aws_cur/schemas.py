"""Landing schema of the CUR 2.0 Bedrock (and declared self-hosted) rows: the export's own column names, money as exact text.

Rows keep their column names; from the `product` MAP only `product_name` is flattened (as
`product_product_name`), and the MAP columns `product` and `resource_tags` are kept as JSON text.
`billing_period` and `export_name` say which export folder a row came from.
"""

from __future__ import annotations

import pyarrow as pa

CUR_TIMESTAMP_COLUMNS = (
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
)
CUR_TEXT_COLUMNS = (
    "identity_line_item_id",
    "bill_payer_account_id",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_resource_id",
    "line_item_usage_amount",
    "line_item_unblended_rate",
    "line_item_unblended_cost",
    "line_item_net_unblended_cost",
    "line_item_currency_code",
    "line_item_line_item_description",
    "line_item_iam_principal",
    "pricing_unit",
    "pricing_term",
    "pricing_public_on_demand_rate",
    "pricing_public_on_demand_cost",
    "product_servicecode",
    "product_region_code",
)
# Validated as decimals when read, landed as their exact text.
CUR_DECIMAL_COLUMNS = (
    "line_item_usage_amount",
    "line_item_unblended_rate",
    "line_item_unblended_cost",
    "line_item_net_unblended_cost",
    "pricing_public_on_demand_rate",
    "pricing_public_on_demand_cost",
)
CUR_MAP_COLUMNS = ("product", "resource_tags")
CUR_REQUIRED_COLUMNS = (
    "line_item_usage_start_date",
    "line_item_usage_account_id",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_usage_amount",
    "line_item_unblended_cost",
)

LINE_ITEMS = pa.schema(
    [(name, pa.timestamp("us")) for name in CUR_TIMESTAMP_COLUMNS]
    + [(name, pa.string()) for name in CUR_TEXT_COLUMNS]
    + [
        ("product_product_name", pa.string()),
        ("product", pa.string()),
        ("resource_tags", pa.string()),
        ("billing_period", pa.string()),
        ("export_name", pa.string()),
    ]
)

# The rows of resources declared to serve a self-hosted deployment (governance/self_hosted.yml),
# with the deployment that declares them.
SELF_HOSTED_LINE_ITEMS = LINE_ITEMS.append(pa.field("deployment_id", pa.string()))

SCHEMAS: dict[str, pa.Schema] = {
    "bedrock_line_items": LINE_ITEMS,
    "self_hosted_line_items": SELF_HOSTED_LINE_ITEMS,
}
