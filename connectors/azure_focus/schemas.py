"""Landing schema for Azure FOCUS cost rows: the export's own column names, money as exact text.

Only the columns the warehouse reads are landed; the export has ~100. Quantities and amounts keep the
decimal text the file had; ChargePeriodStart/End are naive UTC timestamps. `x_ExportName` and
`x_ExportRunId` say which export run (the latest of its month) a row came from.
"""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP_COLUMNS = ("ChargePeriodStart", "ChargePeriodEnd")
TEXT_COLUMNS = (
    "BillingAccountId",
    "BillingCurrency",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ConsumedQuantity",
    "ConsumedUnit",
    "PricingQuantity",
    "PricingUnit",
    "ServiceName",
    "ServiceCategory",
    "ServiceSubcategory",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "RegionId",
    "SkuId",
    "SkuMeter",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
    "x_SkuMeterCategory",
    "x_SkuMeterSubcategory",
    "x_SkuMeterId",
    "x_PricingBlockSize",
    "x_PricingUnitDescription",
    "x_ResourceGroupName",
    "x_BilledCostInUsd",
    "x_EffectiveCostInUsd",
    "x_BillingExchangeRate",
    "x_SkuDescription",
    "x_CostCenter",
)
# Money and quantities: validated as decimals when read, landed as their exact text.
DECIMAL_COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "ConsumedQuantity",
    "PricingQuantity",
    "x_PricingBlockSize",
    "x_BilledCostInUsd",
    "x_EffectiveCostInUsd",
    "x_BillingExchangeRate",
)
REQUIRED_COLUMNS = ("ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "BillingCurrency")
PROVENANCE_COLUMNS = ("x_ExportName", "x_ExportRunId")

COST_ROWS = pa.schema(
    [(name, pa.timestamp("us")) for name in TIMESTAMP_COLUMNS]
    + [(name, pa.string()) for name in TEXT_COLUMNS]
    + [(name, pa.string()) for name in PROVENANCE_COLUMNS]
)

SCHEMAS: dict[str, pa.Schema] = {"cost_rows": COST_ROWS}
