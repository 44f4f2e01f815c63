with source as (

    select * from {{ source('anthropic', 'usage_messages') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ anthropic_timestamp_from_rfc3339('starting_at') }} as date) as usage_date,
        {{ anthropic_timestamp_from_rfc3339('starting_at') }} as bucket_started_at,
        {{ anthropic_timestamp_from_rfc3339('ending_at') }} as bucket_ended_at,
        api_key_id,
        workspace_id,
        model as model_name,
        service_tier,
        context_window,
        -- Anthropic's input is split: none of these counts includes another
        cast(coalesce(uncached_input_tokens, 0) as bigint) as uncached_input_tokens,
        cast(coalesce(cache_read_input_tokens, 0) as bigint) as cache_read_input_tokens,
        cast(coalesce(cache_creation_ephemeral_5m_input_tokens, 0) as bigint) as cache_creation_5m_input_tokens,
        cast(coalesce(cache_creation_ephemeral_1h_input_tokens, 0) as bigint) as cache_creation_1h_input_tokens,
        cast(coalesce(output_tokens, 0) as bigint) as output_tokens,
        cast(coalesce(server_tool_use_web_search_requests, 0) as bigint) as web_search_requests,
        _pulled_at as pulled_at

    from source

)

select * from renamed
