"""Landing schema for the Microsoft 365 Copilot usage user detail report: Graph's own field names,
dates as the `YYYY-MM-DD` text Graph sends, plus the tenant and the `is_concealed` flag."""

from __future__ import annotations

import pyarrow as pa

from connectors.m365_copilot.client import APP_DATES

SCHEMAS: dict[str, pa.Schema] = {
    "usage_user_details": pa.schema(
        [
            ("tenant_id", pa.string()),
            ("reportRefreshDate", pa.string()),
            ("reportPeriod", pa.int64()),
            ("userPrincipalName", pa.string()),
            ("displayName", pa.string()),
            ("lastActivityDate", pa.string()),
            *[(name, pa.string()) for name in APP_DATES],
            ("is_concealed", pa.bool_()),
        ]
    )
}
