"""Landing schemas for OpenAI records: the source's own field names, typed, one per entity.

Fields the API may omit (newer optional ones) are nullable. Money stays the exact decimal text the
API sent (`amount_value`), so nothing is lost before dbt casts it to DECIMAL.
"""

from __future__ import annotations

import pyarrow as pa

_BUCKET = [("bucket_start_time", pa.int64()), ("bucket_end_time", pa.int64())]

_KEYED = [("project_id", pa.string()), ("user_id", pa.string()), ("api_key_id", pa.string())]

SCHEMAS: dict[str, pa.Schema] = {
    "usage_moderations": pa.schema(
        [
            *_BUCKET,
            *_KEYED,
            ("model", pa.string()),
            ("input_tokens", pa.int64()),
            ("num_model_requests", pa.int64()),
        ]
    ),
    "usage_images": pa.schema(
        [
            *_BUCKET,
            *_KEYED,
            ("model", pa.string()),
            ("size", pa.string()),
            ("source", pa.string()),
            ("images", pa.int64()),
            ("num_model_requests", pa.int64()),
        ]
    ),
    "usage_audio_speeches": pa.schema(
        [
            *_BUCKET,
            *_KEYED,
            ("model", pa.string()),
            ("characters", pa.int64()),
            ("num_model_requests", pa.int64()),
        ]
    ),
    "usage_audio_transcriptions": pa.schema(
        [
            *_BUCKET,
            *_KEYED,
            ("model", pa.string()),
            ("seconds", pa.int64()),
            ("num_model_requests", pa.int64()),
        ]
    ),
    "usage_vector_stores": pa.schema(
        [*_BUCKET, ("project_id", pa.string()), ("usage_bytes", pa.int64())]
    ),
    "usage_code_interpreter_sessions": pa.schema(
        [*_BUCKET, ("project_id", pa.string()), ("num_sessions", pa.int64())]
    ),
    "usage_file_search_calls": pa.schema(
        [*_BUCKET, *_KEYED, ("vector_store_id", pa.string()), ("num_requests", pa.int64())]
    ),
    "usage_web_search_calls": pa.schema(
        [
            *_BUCKET,
            *_KEYED,
            ("model", pa.string()),
            ("context_level", pa.string()),
            ("num_requests", pa.int64()),
            ("num_model_requests", pa.int64()),
        ]
    ),
    "service_accounts": pa.schema(
        [
            ("id", pa.string()),
            ("project_id", pa.string()),
            ("name", pa.string()),
            ("role", pa.string()),
            ("created_at", pa.int64()),
        ]
    ),
    "usage_completions": pa.schema(
        [
            *_BUCKET,
            ("project_id", pa.string()),
            ("user_id", pa.string()),
            ("api_key_id", pa.string()),
            ("model", pa.string()),
            ("batch", pa.bool_()),
            ("service_tier", pa.string()),
            ("input_tokens", pa.int64()),
            ("output_tokens", pa.int64()),
            ("num_model_requests", pa.int64()),
            ("input_cached_tokens", pa.int64()),
            ("input_cache_write_tokens", pa.int64()),
            ("input_uncached_tokens", pa.int64()),
            ("input_text_tokens", pa.int64()),
            ("output_text_tokens", pa.int64()),
            ("input_cached_text_tokens", pa.int64()),
            ("input_audio_tokens", pa.int64()),
            ("input_cached_audio_tokens", pa.int64()),
            ("output_audio_tokens", pa.int64()),
            ("input_image_tokens", pa.int64()),
            ("input_cached_image_tokens", pa.int64()),
            ("output_image_tokens", pa.int64()),
        ]
    ),
    "usage_embeddings": pa.schema(
        [
            *_BUCKET,
            ("project_id", pa.string()),
            ("user_id", pa.string()),
            ("api_key_id", pa.string()),
            ("model", pa.string()),
            ("input_tokens", pa.int64()),
            ("num_model_requests", pa.int64()),
        ]
    ),
    "costs": pa.schema(
        [
            *_BUCKET,
            ("project_id", pa.string()),
            ("api_key_id", pa.string()),
            ("line_item", pa.string()),
            ("amount_value", pa.string()),
            ("amount_currency", pa.string()),
            ("quantity", pa.string()),
            ("quantity_unit", pa.string()),
        ]
    ),
    "projects": pa.schema(
        [
            ("id", pa.string()),
            ("name", pa.string()),
            ("created_at", pa.int64()),
            ("archived_at", pa.int64()),
            ("status", pa.string()),
            ("external_key_id", pa.string()),
            ("residency", pa.string()),
        ]
    ),
    "api_keys": pa.schema(
        [
            ("id", pa.string()),
            ("project_id", pa.string()),
            ("name", pa.string()),
            ("redacted_value", pa.string()),
            ("created_at", pa.int64()),
            ("last_used_at", pa.int64()),
            ("owner_project_access", pa.string()),
            ("owner_type", pa.string()),
            ("owner_user_id", pa.string()),
            ("owner_user_email", pa.string()),
            ("owner_service_account_id", pa.string()),
            ("owner_service_account_name", pa.string()),
        ]
    ),
    "users": pa.schema(
        [
            ("id", pa.string()),
            ("name", pa.string()),
            ("email", pa.string()),
            ("role", pa.string()),
            ("added_at", pa.int64()),
            ("is_service_account", pa.bool_()),
            ("is_scim_managed", pa.bool_()),
        ]
    ),
}
