"""Landing schemas for Anthropic records: the source's own field names, typed, one per entity.

Nested objects are flattened with their path joined by underscores (`cache_creation` ->
`cache_creation_ephemeral_5m_input_tokens`). Timestamps stay the RFC 3339 text the API sent; money
(cents) stays exact decimal text so nothing is lost before dbt casts it.
"""

from __future__ import annotations

import pyarrow as pa

_BUCKET = [("starting_at", pa.string()), ("ending_at", pa.string())]

SCHEMAS: dict[str, pa.Schema] = {
    "usage_messages": pa.schema(
        [
            *_BUCKET,
            ("api_key_id", pa.string()),
            ("workspace_id", pa.string()),
            ("model", pa.string()),
            ("service_tier", pa.string()),
            ("context_window", pa.string()),
            ("uncached_input_tokens", pa.int64()),
            ("cache_read_input_tokens", pa.int64()),
            ("cache_creation_ephemeral_5m_input_tokens", pa.int64()),
            ("cache_creation_ephemeral_1h_input_tokens", pa.int64()),
            ("output_tokens", pa.int64()),
            ("server_tool_use_web_search_requests", pa.int64()),
        ]
    ),
    "costs": pa.schema(
        [
            *_BUCKET,
            ("workspace_id", pa.string()),
            ("description", pa.string()),
            ("cost_type", pa.string()),
            ("model", pa.string()),
            ("token_type", pa.string()),
            ("service_tier", pa.string()),
            ("context_window", pa.string()),
            ("amount", pa.string()),
            ("currency", pa.string()),
        ]
    ),
    "claude_code_usage": pa.schema(
        [
            ("date", pa.string()),
            ("organization_id", pa.string()),
            ("customer_type", pa.string()),
            ("subscription_type", pa.string()),
            ("terminal_type", pa.string()),
            ("actor_type", pa.string()),
            ("actor_email_address", pa.string()),
            ("actor_api_key_name", pa.string()),
            ("num_sessions", pa.int64()),
            ("lines_added", pa.int64()),
            ("lines_removed", pa.int64()),
            ("commits_by_claude_code", pa.int64()),
            ("pull_requests_by_claude_code", pa.int64()),
            *[
                (f"{tool}_{outcome}", pa.int64())
                for tool in ("edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool")
                for outcome in ("accepted", "rejected")
            ],
            ("model_position", pa.int32()),
            ("model", pa.string()),
            ("input_tokens", pa.int64()),
            ("output_tokens", pa.int64()),
            ("cache_read_tokens", pa.int64()),
            ("cache_creation_tokens", pa.int64()),
            ("estimated_cost_amount", pa.string()),
            ("estimated_cost_currency", pa.string()),
        ]
    ),
    "workspaces": pa.schema(
        [
            ("id", pa.string()),
            ("name", pa.string()),
            ("display_color", pa.string()),
            ("created_at", pa.string()),
            ("archived_at", pa.string()),
        ]
    ),
    "users": pa.schema(
        [
            ("id", pa.string()),
            ("email", pa.string()),
            ("name", pa.string()),
            ("role", pa.string()),
            ("added_at", pa.string()),
        ]
    ),
    "api_keys": pa.schema(
        [
            ("id", pa.string()),
            ("name", pa.string()),
            ("status", pa.string()),
            ("created_at", pa.string()),
            ("created_by_id", pa.string()),
            ("created_by_type", pa.string()),
            ("partial_key_hint", pa.string()),
            ("scope_type", pa.string()),
            ("workspace_id", pa.string()),
            ("expires_at", pa.string()),
        ]
    ),
}
