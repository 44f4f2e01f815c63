with source as (

    select * from {{ source('governance', 'seat_prices') }}

),

renamed as (

    select
        tool,
        plan,
        cast(price_per_month as decimal(38, 10)) as price_per_seat_month,
        currency as currency_code,
        starts_on,
        ends_on,
        reference as price_reference

    from source

)

select * from renamed
