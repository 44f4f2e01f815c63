{#-
    Azure OpenAI FOCUS cost rows on the cost contract: BilledCost / EffectiveCost / ListCost as
    exported (billing currency), invoiced. Token meters report consumed_quantity in tokens
    (PricingQuantity x block size); other rows keep the exported quantity and unit. pricing_tier is the
    deployment type (global, data_zone, regional, ..._batch). One row per day, account, meter, charge
    category and description.
-#}

with mapped as (

    {{ azure_openai_mapped_rows() }}

),

priced as (

    select
        *,
        case
            when token_type <> 'other' then cast(round(pricing_quantity * block_size) as decimal(38, 6))
            else consumed_quantity
        end as quantity,
        case when token_type <> 'other' then 'tokens' else consumed_unit end as quantity_unit
    from mapped

),

aggregated as (

    select
        source_id,
        usage_date,
        subscription_id,
        resource_id,
        meter_name,
        model_ref,
        token_type,
        deployment_type,
        charge_category,
        coalesce(charge_description, meter_name) as charge_description,
        billing_currency,
        quantity_unit,
        min(charge_period_start) as charge_period_start,
        max(charge_period_end) as charge_period_end,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(list_cost) as list_cost,
        sum(quantity) as quantity
    from priced
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12

),

final as (

    select
        source_id,
        'azure_openai' as provider,
        usage_date,
        charge_period_start,
        charge_period_end,
        subscription_id as project_id,
        resource_id as api_key_id,
        coalesce(resource_id, subscription_id) as credential_id,
        meter_name as model_name,
        model_ref,
        token_type,
        deployment_type as pricing_tier,
        'invoiced' as cost_kind,
        charge_category,
        charge_description,
        cast(billed_cost as decimal(38, 10)) as billed_cost,
        cast(effective_cost as decimal(38, 10)) as effective_cost,
        cast(list_cost as decimal(38, 10)) as list_cost,
        billing_currency,
        cast(quantity as decimal(38, 6)) as consumed_quantity,
        quantity_unit as consumed_unit
    from aggregated

)

select * from final
