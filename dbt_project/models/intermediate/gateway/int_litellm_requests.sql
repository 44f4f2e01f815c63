{#-
    LiteLLM requests from every LiteLLM source, each request once, on the gateway request columns.

    Deduplication rule: a request id is one request however many sources landed it (the proxy API
    and a file export of the same proxy's LiteLLM_SpendLogs hold the same rows). The row kept is the
    API source's, then the most recently pulled, then the lowest source id; spend-log rows are
    written once per request, so the copies agree. A request belongs to one start day, so the
    ranking is per day and a run reads and rebuilds only the days it re-landed (an incremental
    table: downstream models read the deduplicated rows instead of ranking landing files again).
-#}

{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'landed', 'insert_by_day': 'usage_date'}},
        **refresh_window_config('usage_date', landed=true)
    )
}}

with unioned as (

    select *, 1 as source_priority from {{ ref('stg_litellm__spend_logs') }}
    where {{ in_landed_window('usage_date', 'started_at') }}
    union all
    select *, 2 as source_priority from {{ ref('stg_litellm_export__spend_logs') }}
    where {{ in_landed_window('usage_date', 'started_at') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by {{ dedup_partition_keys(['usage_date', 'request_id']) }}
            order by source_priority, pulled_at desc, source_id
        ) as occurrence
    from unioned

),

requests as (

    select * from ranked where occurrence = 1

),

final as (

    select
        'litellm' as gateway,
        source_id,
        request_id,
        usage_date,
        started_at,
        {{ gateway_upstream_provider('custom_llm_provider') }} as provider,
        model_name,
        model_name as model_ref,
        case
            when call_type in ('completion', 'acompletion', 'anthropic_messages', 'responses', 'aresponses') then 'chat'
            when call_type in ('embedding', 'aembedding') then 'embeddings'
            when call_type in ('text_completion', 'atext_completion') then 'text_completion'
            when call_type in ('image_generation', 'aimage_generation') then 'image_generation'
            else call_type
        end as operation,
        team_id as project_id,
        api_key_hash as api_key_id,
        coalesce(api_key_hash, team_id) as credential_id,
        lower(key_owner_email) as person_id,
        coalesce(team_id, api_key_hash) as application_key,
        case when status = 'failure' then 'failure' else 'success' end as status,
        coalesce(error_class, error_code) as error_type,
        status = 'failure' as is_failure,
        attempted_fallbacks > 0 as is_fallback,
        cast(
            coalesce(request_duration_ms, {{ milliseconds_between('started_at', 'ended_at') }})
            as double
        ) as latency_ms,
        coalesce(prompt_tokens, 0) as input_tokens,
        coalesce(cache_read_input_tokens, cached_tokens, 0) as cache_read_input_tokens,
        coalesce(cache_creation_input_tokens, 0) as cache_creation_input_tokens,
        coalesce(completion_tokens, 0) as output_tokens,
        reasoning_tokens as reasoning_output_tokens,
        spend as measured_cost_usd
    from requests

)

select * from final
