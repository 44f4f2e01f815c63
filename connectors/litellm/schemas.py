"""Landing schema for LiteLLM spend logs (`LiteLLM_SpendLogs`): one row per proxied request.

Field names are the table's own. `spend` keeps the exact decimal text of LiteLLM's estimate (USD).
JSON columns land as JSON text (`metadata` without content-bearing keys, `request_tags`); a few
fields LiteLLM keeps inside `metadata` are lifted out so dbt needs no JSON functions:
cache tokens from `metadata.usage_object`, `attempted_fallbacks`, the error class and code, and the
key owner's email. Timestamps are naive UTC. Prompt and response bodies are never landed:
`sensitive_entity_counts` is what they held, JSON text of entity types and counts (`{}` for none),
null when the row stored no content.
"""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP_FIELDS = ("startTime", "endTime", "completionStartTime")
INT_FIELDS = (
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "request_duration_ms",
    "cached_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "reasoning_tokens",
    "attempted_fallbacks",
)
TEXT_FIELDS = (
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "model",
    "model_id",
    "model_group",
    "custom_llm_provider",
    "api_base",
    "user",
    "cache_hit",
    "cache_key",
    "team_id",
    "organization_id",
    "end_user",
    "requester_ip_address",
    "session_id",
    "status",
    "user_api_key_alias",
    "user_api_key_user_email",
    "error_class",
    "error_code",
    "metadata",
    "request_tags",
    "sensitive_entity_counts",
)
# Columns that hold prompt or completion content (or the raw request): never landed.
CONTENT_FIELDS = frozenset({"messages", "response", "proxy_server_request"})
CONTENT_METADATA_KEYS = frozenset(
    {"messages", "prompt", "response", "proxy_server_request", "raw_request", "input", "output"}
)

SCHEMAS: dict[str, pa.Schema] = {
    "spend_logs": pa.schema(
        [("request_id", pa.string()), ("call_type", pa.string()), ("api_key", pa.string())]
        + [("spend", pa.string())]
        + [(name, pa.int64()) for name in INT_FIELDS]
        + [(name, pa.timestamp("us")) for name in TIMESTAMP_FIELDS]
        + [
            (name, pa.string())
            for name in TEXT_FIELDS
            if name not in ("request_id", "call_type", "api_key", "spend")
        ]
    )
}
