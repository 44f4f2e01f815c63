{#-
    Anthropic cost report rows on FOCUS-aligned columns: what Anthropic bills (invoiced). Amounts
    arrive in cents as exact decimal text; this is the one place they become dollars. The report
    names no API key, so the credential is the workspace ('default' for the default workspace).
    A token charge reported without its token type (a report not grouped by token type) keeps its
    model: token_type 'tokens', rated against the model's tokens of the day, not unrateable.
-#}

with costs as (

    select
        *,
        coalesce(workspace_id, 'default') as project_id
    from {{ ref('stg_anthropic__costs') }}

),

final as (

    select
        source_id,
        'anthropic' as provider,
        usage_date,
        charge_period_start,
        charge_period_end,
        project_id,
        cast(null as {{ dbt.type_string() }}) as api_key_id,
        project_id as credential_id,
        model_name,
        model_name as model_ref,
        case
            when token_type = 'uncached_input_tokens' then 'input'
            when token_type = 'cache_read_input_tokens' then 'cache_read_input'
            when token_type like 'cache_creation%' then 'cache_creation_input'
            when token_type = 'output_tokens' then 'output'
            when token_type is null and model_name is not null and coalesce(cost_type, 'tokens') = 'tokens'
                then 'tokens'
            else 'other'
        end as token_type,
        coalesce(service_tier, 'standard') as pricing_tier,
        'invoiced' as cost_kind,
        'Usage' as charge_category,
        description as charge_description,
        {{ anthropic_cents_to_dollars('amount_cents') }} as billed_cost,
        {{ anthropic_cents_to_dollars('amount_cents') }} as effective_cost,
        cast(null as decimal(38, 10)) as list_cost,
        currency_code as billing_currency,
        cast(null as decimal(38, 6)) as consumed_quantity,
        cast(null as {{ dbt.type_string() }}) as consumed_unit
    from costs

)

select * from final
