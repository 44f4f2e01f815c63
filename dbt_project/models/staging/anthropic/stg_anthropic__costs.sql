with source as (

    select * from {{ source('anthropic', 'costs') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ anthropic_timestamp_from_rfc3339('starting_at') }} as date) as usage_date,
        {{ anthropic_timestamp_from_rfc3339('starting_at') }} as charge_period_start,
        {{ anthropic_timestamp_from_rfc3339('ending_at') }} as charge_period_end,
        workspace_id,
        description,
        cost_type,
        model as model_name,
        token_type,
        service_tier,
        context_window,
        -- cents, not dollars: the lowest currency unit, exact decimal text as sent
        cast(amount as decimal(38, 10)) as amount_cents,
        upper(currency) as currency_code,
        _pulled_at as pulled_at

    from source

)

select * from renamed
