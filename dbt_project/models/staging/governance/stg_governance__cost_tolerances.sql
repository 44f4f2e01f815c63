with source as (

    select * from {{ source('governance', 'cost_tolerances') }}

),

renamed as (

    select
        provider,
        cast(percent as decimal(38, 10)) as tolerance_percent,
        cast(amount_usd as decimal(38, 10)) as tolerance_amount_usd

    from source

)

select * from renamed
