{#- OpenAI cost API rows on FOCUS-aligned columns: what OpenAI bills (invoiced), in dollars. -#}

with costs as (

    select
        *,
        -- line items read "<model>, <token kind>[ (<tier>)]", e.g. "gpt-4.1-mini, cached input (batch)"
        lower(trim({{ dbt.split_part('line_item', "', '", 1) }})) as line_model,
        lower(trim({{ dbt.split_part('line_item', "', '", 2) }})) as charge_detail
    from {{ ref('stg_openai__costs') }}

),

final as (

    select
        source_id,
        'openai' as provider,
        usage_date,
        charge_period_start,
        charge_period_end,
        project_id,
        api_key_id,
        coalesce(api_key_id, project_id) as credential_id,
        case when line_item like '%, %' then line_model end as model_name,
        -- tool line items name no model; they get the tool names the usage rows use
        case
            when line_item like '%, %' then line_model
            when lower(line_item) like 'vector store%' then 'vector-store'
            when lower(line_item) like 'code interpreter%' then 'code-interpreter'
            when lower(line_item) like 'file search%' then 'file-search'
        end as model_ref,
        case
            when charge_detail like 'cached input%' then 'cache_read_input'
            when charge_detail like 'cache write%' then 'cache_creation_input'
            when charge_detail like 'input%' then 'input'
            when charge_detail like 'output%' then 'output'
            else 'other'
        end as token_type,
        case
            when charge_detail like '%(batch)%' then 'batch'
            when charge_detail like '%(flex)%' then 'flex'
            when charge_detail like '%(priority)%' then 'priority'
            else 'default'
        end as pricing_tier,
        'invoiced' as cost_kind,
        'Usage' as charge_category,
        line_item as charge_description,
        amount as billed_cost,
        amount as effective_cost,
        cast(null as decimal(38, 10)) as list_cost,
        currency_code as billing_currency,
        quantity as consumed_quantity,
        quantity_unit as consumed_unit
    from costs

)

select * from final
