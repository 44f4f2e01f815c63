"""Landing schemas for GitHub Copilot records: GitHub's own field names, one schema per entity.

Timestamps stay the ISO-8601 text GitHub sent; quantities and money stay exact decimal text.
"""

from __future__ import annotations

import pyarrow as pa

_COUNTERS = [
    ("user_initiated_interaction_count", pa.int64()),
    ("code_generation_activity_count", pa.int64()),
    ("code_acceptance_activity_count", pa.int64()),
    ("loc_suggested_to_add_sum", pa.int64()),
    ("loc_suggested_to_delete_sum", pa.int64()),
    ("loc_added_sum", pa.int64()),
    ("loc_deleted_sum", pa.int64()),
]

SCHEMAS: dict[str, pa.Schema] = {
    "seats": pa.schema(
        [
            ("assignee_login", pa.string()),
            ("assignee_id", pa.int64()),
            ("assignee_type", pa.string()),
            ("assignee_email", pa.string()),
            ("assigning_team_id", pa.int64()),
            ("assigning_team_slug", pa.string()),
            ("plan_type", pa.string()),
            ("created_at", pa.string()),
            ("updated_at", pa.string()),
            ("pending_cancellation_date", pa.string()),
            ("last_activity_at", pa.string()),
            ("last_activity_editor", pa.string()),
            ("last_authenticated_at", pa.string()),
        ]
    ),
    "user_metrics": pa.schema(
        [
            ("day", pa.string()),
            ("user_id", pa.int64()),
            ("user_login", pa.string()),
            ("organization_id", pa.string()),
            ("enterprise_id", pa.string()),
            *_COUNTERS,
            ("used_agent", pa.bool_()),
            ("used_chat", pa.bool_()),
            ("used_cli", pa.bool_()),
            ("used_copilot_coding_agent", pa.bool_()),
            ("used_copilot_code_review_active", pa.bool_()),
            ("used_copilot_code_review_passive", pa.bool_()),
            ("totals_by_ide_json", pa.string()),
            ("totals_by_feature_json", pa.string()),
        ]
    ),
    "user_model_feature_metrics": pa.schema(
        [
            ("day", pa.string()),
            ("user_id", pa.int64()),
            ("user_login", pa.string()),
            ("model", pa.string()),
            ("feature", pa.string()),
            ("user_initiated_interaction_count", pa.int64()),
            ("code_generation_activity_count", pa.int64()),
            ("code_acceptance_activity_count", pa.int64()),
        ]
    ),
    "organization_metrics": pa.schema(
        [
            ("day", pa.string()),
            ("organization_id", pa.string()),
            ("enterprise_id", pa.string()),
            ("daily_active_users", pa.int64()),
            ("weekly_active_users", pa.int64()),
            ("monthly_active_users", pa.int64()),
            ("monthly_active_chat_users", pa.int64()),
            ("monthly_active_agent_users", pa.int64()),
            *_COUNTERS,
            ("pull_requests_total_created", pa.int64()),
            ("pull_requests_total_merged", pa.int64()),
            ("totals_by_feature_json", pa.string()),
            ("totals_by_model_feature_json", pa.string()),
        ]
    ),
    "premium_request_usage": pa.schema(
        [
            ("date", pa.string()),
            ("organization", pa.string()),
            ("product", pa.string()),
            ("sku", pa.string()),
            ("model", pa.string()),
            ("unitType", pa.string()),
            ("pricePerUnit", pa.string()),
            ("grossQuantity", pa.string()),
            ("grossAmount", pa.string()),
            ("discountQuantity", pa.string()),
            ("discountAmount", pa.string()),
            ("netQuantity", pa.string()),
            ("netAmount", pa.string()),
        ]
    ),
}
