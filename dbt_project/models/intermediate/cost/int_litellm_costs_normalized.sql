{#-
    LiteLLM's spend on the canonical cost contract: measured (the proxy's price-map estimate in USD),
    not invoiced. One row per day, upstream provider, team, virtual key and model; each request id
    once across sources. Spend is not split by token type, so token_type is 'other'. An incremental
    table over the re-landed days, like the requests it sums.
-#}

{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'landed'}},
        **refresh_window_config('usage_date', landed=true)
    )
}}

with requests as (

    select * from {{ ref('int_litellm_requests') }}
    where {{ in_landed_window('usage_date') }}

),

daily as (

    select
        source_id,
        provider,
        usage_date,
        project_id,
        api_key_id,
        credential_id,
        model_name,
        model_ref,
        sum(measured_cost_usd) as spend,
        sum(input_tokens + output_tokens) as tokens
    from requests
    group by source_id, provider, usage_date, project_id, api_key_id, credential_id, model_name, model_ref

),

final as (

    select
        source_id,
        provider,
        usage_date,
        cast(usage_date as timestamp) as charge_period_start,
        cast({{ dbt.dateadd('day', 1, 'usage_date') }} as timestamp) as charge_period_end,
        project_id,
        api_key_id,
        credential_id,
        model_name,
        model_ref,
        'other' as token_type,
        'default' as pricing_tier,
        'measured' as cost_kind,
        'Usage' as charge_category,
        'LiteLLM spend (proxy price-map estimate)' as charge_description,
        cast(spend as decimal(38, 10)) as billed_cost,
        cast(spend as decimal(38, 10)) as effective_cost,
        cast(null as decimal(38, 10)) as list_cost,
        'USD' as billing_currency,
        cast(tokens as decimal(38, 6)) as consumed_quantity,
        'tokens' as consumed_unit
    from daily

)

select * from final
