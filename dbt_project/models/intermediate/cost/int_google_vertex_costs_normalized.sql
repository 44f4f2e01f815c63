{#-
    Vertex AI billing export rows on the cost contract, per day, project and SKU. `cost` is before
    credits, so credits become rows of their own: charge_category 'Credit', negative billed_cost,
    charge_description "Credits: <SKU>". Summing billed_cost gives the net cost (cost + credits), which
    is what the invoice shows. Token SKUs report consumed_quantity in tokens (usage.amount).
-#}

with sku_rows as (

    {{ google_vertex_sku_rows() }}

),

charges as (

    select
        source_id,
        usage_date,
        usage_started_at,
        usage_ended_at,
        project_id,
        sku_description,
        model_ref,
        token_type,
        is_batch,
        case cost_type
            when 'tax' then 'Tax'
            when 'adjustment' then 'Adjustment'
            when 'rounding error' then 'Adjustment'
            else 'Usage'
        end as charge_category,
        sku_description as charge_description,
        currency,
        cost as billed_cost,
        cost_at_list as list_cost,
        usage_amount as quantity,
        case
            when token_type <> 'other' and lower(usage_unit) in ('count', 'token', 'tokens') then 'tokens'
            else usage_unit
        end as quantity_unit
    from sku_rows

    union all

    select
        source_id,
        usage_date,
        usage_started_at,
        usage_ended_at,
        project_id,
        sku_description,
        model_ref,
        token_type,
        is_batch,
        'Credit' as charge_category,
        {{ dbt.concat(["'Credits: '", "sku_description"]) }} as charge_description,
        currency,
        credits_amount as billed_cost,
        cast(null as decimal(38, 10)) as list_cost,
        cast(null as decimal(38, 6)) as quantity,
        cast(null as {{ dbt.type_string() }}) as quantity_unit
    from sku_rows
    where credits_amount <> 0

),

aggregated as (

    select
        source_id,
        usage_date,
        project_id,
        sku_description,
        model_ref,
        token_type,
        is_batch,
        charge_category,
        charge_description,
        currency,
        quantity_unit,
        min(usage_started_at) as charge_period_start,
        max(usage_ended_at) as charge_period_end,
        sum(billed_cost) as billed_cost,
        sum(list_cost) as list_cost,
        sum(quantity) as quantity
    from charges
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11

),

final as (

    select
        source_id,
        'google_vertex' as provider,
        usage_date,
        charge_period_start,
        charge_period_end,
        project_id,
        cast(null as {{ dbt.type_string() }}) as api_key_id,
        project_id as credential_id,
        sku_description as model_name,
        model_ref,
        token_type,
        case when is_batch then 'batch' else 'default' end as pricing_tier,
        'invoiced' as cost_kind,
        charge_category,
        charge_description,
        cast(billed_cost as decimal(38, 10)) as billed_cost,
        cast(billed_cost as decimal(38, 10)) as effective_cost,
        cast(list_cost as decimal(38, 10)) as list_cost,
        currency as billing_currency,
        cast(quantity as decimal(38, 6)) as consumed_quantity,
        quantity_unit as consumed_unit
    from aggregated

)

select * from final
