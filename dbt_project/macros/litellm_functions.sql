{#-
    LiteLLM's LiteLLM_SpendLogs columns on the staging names and types: the same shape whether the
    rows came from the proxy's API or from a file export of its table (stg_litellm__spend_logs,
    stg_litellm_export__spend_logs).
-#}
{% macro litellm_spend_log_columns() -%}
    select
        _source_id as source_id,
        request_id,
        cast(startTime as date) as usage_date,
        cast(startTime as timestamp) as started_at,
        cast(endTime as timestamp) as ended_at,
        cast(completionStartTime as timestamp) as completion_started_at,
        cast(request_duration_ms as bigint) as request_duration_ms,
        call_type,
        custom_llm_provider,
        model as model_name,
        model_group,
        model_id as deployment_id,
        api_base,
        api_key as api_key_hash,
        user_api_key_alias as key_alias,
        user_api_key_user_email as key_owner_email,
        team_id,
        organization_id,
        end_user,
        status,
        error_class,
        error_code,
        cast(coalesce(attempted_fallbacks, 0) as bigint) as attempted_fallbacks,
        lower(cache_hit) = 'true' as is_cache_hit,
        cast(prompt_tokens as bigint) as prompt_tokens,
        cast(completion_tokens as bigint) as completion_tokens,
        cast(total_tokens as bigint) as total_tokens,
        cast(cached_tokens as bigint) as cached_tokens,
        cast(cache_read_input_tokens as bigint) as cache_read_input_tokens,
        cast(cache_creation_input_tokens as bigint) as cache_creation_input_tokens,
        cast(reasoning_tokens as bigint) as reasoning_tokens,
        -- USD, LiteLLM's price-map estimate (a float in LiteLLM), landed as exact text
        cast(spend as decimal(38, 10)) as spend,
        request_tags,
        sensitive_entity_counts as sensitive_entity_counts_json,
        _pulled_at as pulled_at
{%- endmacro %}
