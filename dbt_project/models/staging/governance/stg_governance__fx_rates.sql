with source as (

    select * from {{ source('governance', 'fx_rates') }}

),

renamed as (

    select
        currency as currency_code,
        reporting_currency,
        cast(rate as decimal(38, 10)) as rate_to_reporting,
        valid_from,
        valid_to,
        source as rate_source

    from source

)

select * from renamed
