with source as (

    select * from {{ source('cursor', 'usage_events') }}

),

renamed as (

    select
        _source_id as source_id,
        {{ saas_timestamp_from_unix_millis(adapter.quote('timestamp')) }} as event_at,
        cast({{ saas_timestamp_from_unix_millis(adapter.quote('timestamp')) }} as date) as usage_date,
        lower(trim(userEmail)) as email,
        model as model_name,
        kind as charge_kind,
        maxMode as is_max_mode,
        cast(requestsCosts as decimal(38, 10)) as request_cost_units,
        isTokenBasedCall as is_token_based_call,
        inputTokens as input_tokens,
        outputTokens as output_tokens,
        cacheWriteTokens as cache_write_tokens,
        cacheReadTokens as cache_read_tokens,
        -- cents, not dollars: exact decimal text as sent; dollars are derived downstream
        cast(totalCents as decimal(38, 10)) as token_cost_cents,
        cast(cursorTokenFee as decimal(38, 10)) as cursor_token_fee_cents,
        isFreeBugbot as is_free_bugbot,
        _pulled_at as pulled_at

    from source

)

select * from renamed
