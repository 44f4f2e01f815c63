with source as (

    select * from {{ source('aws_cur', 'self_hosted_line_items') }}

),

renamed as (

    select
        _source_id as source_id,
        export_name,
        billing_period,
        identity_line_item_id as line_item_id,
        deployment_id,
        line_item_usage_account_id as usage_account_id,
        line_item_line_item_type as line_item_type,
        cast(line_item_usage_start_date as date) as usage_date,
        cast(line_item_usage_start_date as timestamp) as usage_started_at,
        cast(line_item_usage_end_date as timestamp) as usage_ended_at,
        line_item_product_code as product_code,
        line_item_usage_type as usage_type,
        line_item_resource_id as resource_id,
        line_item_line_item_description as line_item_description,
        cast(line_item_usage_amount as decimal(38, 10)) as usage_amount,
        pricing_unit,
        cast(line_item_unblended_cost as decimal(38, 10)) as unblended_cost,
        cast(line_item_net_unblended_cost as decimal(38, 10)) as net_unblended_cost,
        upper(coalesce(line_item_currency_code, 'USD')) as currency_code,
        resource_tags as resource_tags_json,
        _pulled_at as pulled_at

    from source

)

select * from renamed
