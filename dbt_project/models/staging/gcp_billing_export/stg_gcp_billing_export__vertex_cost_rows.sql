with source as (

    select * from {{ source('gcp_billing_export', 'vertex_cost_rows') }}

),

renamed as (

    select
        _source_id as source_id,
        cast(usage_start_time as date) as usage_date,
        cast(usage_start_time as timestamp) as usage_started_at,
        cast(usage_end_time as timestamp) as usage_ended_at,
        billing_account_id,
        service_id,
        service_description,
        sku_id,
        sku_description,
        project_id,
        project_number,
        project_name,
        labels_json,
        location_location,
        location_region,
        cast(export_time as timestamp) as exported_at,
        -- cost is before credits; credits_amount is the (negative) sum of credits[].amount
        cast(cost as decimal(38, 10)) as cost,
        cast(cost_at_list as decimal(38, 10)) as cost_at_list,
        cast(credits_amount as decimal(38, 10)) as credits_amount,
        credits_json,
        upper(currency) as currency,
        cast(currency_conversion_rate as decimal(38, 10)) as currency_conversion_rate,
        cast(usage_amount as decimal(38, 6)) as usage_amount,
        usage_unit,
        cast(usage_amount_in_pricing_units as decimal(38, 10)) as usage_amount_in_pricing_units,
        usage_pricing_unit,
        invoice_month,
        cost_type,
        transaction_type,
        extract_file,
        _pulled_at as pulled_at

    from source

)

select * from renamed
