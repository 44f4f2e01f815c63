with source as (

    select * from {{ source('aws_cur', 'bedrock_line_items') }}

),

renamed as (

    select
        _source_id as source_id,
        export_name,
        billing_period,
        cast(bill_billing_period_start_date as timestamp) as billing_period_start,
        cast(bill_billing_period_end_date as timestamp) as billing_period_end,
        identity_line_item_id as line_item_id,
        bill_payer_account_id as payer_account_id,
        line_item_usage_account_id as usage_account_id,
        line_item_line_item_type as line_item_type,
        cast(line_item_usage_start_date as date) as usage_date,
        cast(line_item_usage_start_date as timestamp) as usage_started_at,
        cast(line_item_usage_end_date as timestamp) as usage_ended_at,
        line_item_product_code as product_code,
        product_servicecode as service_code,
        product_product_name as product_name,
        product_region_code as region_code,
        line_item_usage_type as usage_type,
        line_item_operation as operation,
        line_item_resource_id as resource_id,
        line_item_iam_principal as iam_principal,
        line_item_line_item_description as line_item_description,
        -- the quantity in the usage type's unit: tokens for Bedrock token usage types
        cast(line_item_usage_amount as decimal(38, 10)) as usage_amount,
        pricing_unit,
        pricing_term,
        cast(line_item_unblended_rate as decimal(38, 18)) as unblended_rate,
        cast(line_item_unblended_cost as decimal(38, 10)) as unblended_cost,
        cast(line_item_net_unblended_cost as decimal(38, 10)) as net_unblended_cost,
        cast(pricing_public_on_demand_rate as decimal(38, 18)) as public_on_demand_rate,
        cast(pricing_public_on_demand_cost as decimal(38, 10)) as public_on_demand_cost,
        upper(coalesce(line_item_currency_code, 'USD')) as currency_code,
        product as product_json,
        resource_tags as resource_tags_json,
        _pulled_at as pulled_at

    from source

)

select * from renamed
