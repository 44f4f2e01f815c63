with source as (

    select * from {{ source('governance', 'price_overrides') }}

),

renamed as (

    select
        override_id,
        provider,
        model_id,
        price_tier,
        component,
        cast(price_per_mtok as decimal(38, 10)) as price_per_mtok,
        cast(discount_percent as decimal(38, 10)) as discount_percent,
        cast(starts_on as date) as starts_on,
        cast(ends_on as date) as ends_on,
        reason as override_reason,
        reference as override_reference

    from source

)

select * from renamed
