with source as (

    select * from {{ source('governance', 'unit_prices') }}

),

renamed as (

    select
        unit_price_id,
        provider,
        lower(model_ref) as model_ref,
        unit,
        cast(price_per_unit as decimal(38, 24)) as price_per_unit,
        cast(price as decimal(38, 10)) as price,
        cast(per_units as decimal(38, 6)) as per_units,
        cast(starts_on as date) as starts_on,
        cast(ends_on as date) as ends_on,
        reason as unit_price_reason,
        reference as unit_price_reference

    from source

)

select * from renamed
