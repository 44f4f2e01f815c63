with source as (

    select * from {{ source('github_copilot', 'premium_request_usage') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ adapter.quote('date') }} as date) as usage_date,
        organization as organization_login,
        product,
        sku,
        model as model_name,
        unitType as unit_type,
        cast(pricePerUnit as decimal(38, 10)) as price_per_unit,
        cast(grossQuantity as decimal(38, 10)) as gross_quantity,
        cast(grossAmount as decimal(38, 10)) as gross_amount,
        cast(discountQuantity as decimal(38, 10)) as discount_quantity,
        cast(discountAmount as decimal(38, 10)) as discount_amount,
        cast(netQuantity as decimal(38, 10)) as net_quantity,
        cast(netAmount as decimal(38, 10)) as net_amount,
        'USD' as currency_code,
        _pulled_at as pulled_at

    from source

)

select * from renamed
