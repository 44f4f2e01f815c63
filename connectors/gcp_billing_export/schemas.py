"""Landing schema for Vertex AI rows of the Cloud Billing export, nested records flattened.

`service.description` becomes `service_description` and so on. Money and usage amounts keep the exact
decimal text of the extract; `credits` is kept whole as JSON (amounts as text) and summed into
`credits_amount` (negative) so dbt needs no JSON functions. Timestamps are naive UTC.
"""

from __future__ import annotations

import pyarrow as pa

VERTEX_COST_ROWS = pa.schema(
    [
        ("billing_account_id", pa.string()),
        ("service_id", pa.string()),
        ("service_description", pa.string()),
        ("sku_id", pa.string()),
        ("sku_description", pa.string()),
        ("usage_start_time", pa.timestamp("us")),
        ("usage_end_time", pa.timestamp("us")),
        ("project_id", pa.string()),
        ("project_number", pa.string()),
        ("project_name", pa.string()),
        ("labels_json", pa.string()),
        ("location_location", pa.string()),
        ("location_region", pa.string()),
        ("export_time", pa.timestamp("us")),
        ("cost", pa.string()),
        ("cost_at_list", pa.string()),
        ("currency", pa.string()),
        ("currency_conversion_rate", pa.string()),
        ("usage_amount", pa.string()),
        ("usage_unit", pa.string()),
        ("usage_amount_in_pricing_units", pa.string()),
        ("usage_pricing_unit", pa.string()),
        ("credits_json", pa.string()),
        ("credits_amount", pa.string()),
        ("invoice_month", pa.string()),
        ("cost_type", pa.string()),
        ("transaction_type", pa.string()),
        ("extract_file", pa.string()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {"vertex_cost_rows": VERTEX_COST_ROWS}
