{#-
    Amazon Bedrock CUR 2.0 rows on FOCUS-aligned columns: what AWS bills (invoiced), in USD.
    BilledCost = line_item_unblended_cost; EffectiveCost = net unblended cost when the export has it;
    ListCost = pricing_public_on_demand_cost. One row per CUR line item, token type read from the
    usage type (input, cache_read_input, cache_creation_input, output; other for non-token
    rows and for tax, credits and fees).
-#}

with line_items as (

    select
        *,
        case
            when line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
                then {{ aws_bedrock_token_type('usage_type') }}
            else 'other'
        end as token_type,
        {{ aws_bedrock_model_name('usage_type', 'product_name') }} as model_name
    from {{ ref('stg_aws_cur__bedrock_line_items') }}

),

final as (

    select
        source_id,
        'aws_bedrock' as provider,
        usage_date,
        usage_started_at as charge_period_start,
        usage_ended_at as charge_period_end,
        usage_account_id as project_id,
        case when resource_id like 'arn:%:application-inference-profile/%' then resource_id end as api_key_id,
        coalesce(
            case when resource_id like 'arn:%:application-inference-profile/%' then resource_id end,
            usage_account_id
        ) as credential_id,
        model_name,
        {{ aws_bedrock_model_ref('resource_id', 'model_name') }} as model_ref,
        token_type,
        case
            when lower(usage_type) like '%batch%' then 'batch'
            when lower(usage_type) like '%priority%' then 'priority'
            when lower(usage_type) like '%flex%' then 'flex'
            else 'default'
        end as pricing_tier,
        'invoiced' as cost_kind,
        case
            when line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Usage'
            when line_item_type = 'Tax' then 'Tax'
            when line_item_type in ('Credit', 'Refund', 'BundledDiscount', 'EdpDiscount', 'PrivateRateDiscount') then 'Credit'
            when line_item_type in ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') then 'Purchase'
            else 'Adjustment'
        end as charge_category,
        coalesce(line_item_description, usage_type) as charge_description,
        unblended_cost as billed_cost,
        coalesce(net_unblended_cost, unblended_cost) as effective_cost,
        public_on_demand_cost as list_cost,
        currency_code as billing_currency,
        usage_amount as consumed_quantity,
        case when token_type <> 'other' then 'tokens' else pricing_unit end as consumed_unit
    from line_items

)

select * from final
