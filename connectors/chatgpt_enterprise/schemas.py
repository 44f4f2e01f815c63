"""Landing schema for ChatGPT Enterprise workspace users: the API's own field names, timestamps as
the ISO-8601 text sent, plus the workspace id."""

from __future__ import annotations

import pyarrow as pa

SCHEMAS: dict[str, pa.Schema] = {
    "users": pa.schema(
        [
            ("workspace_id", pa.string()),
            ("id", pa.string()),
            ("email", pa.string()),
            ("name", pa.string()),
            ("role", pa.string()),
            ("status", pa.string()),
            ("created_at", pa.string()),
        ]
    )
}
