with source as (

    select * from {{ source('openai', 'costs') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ timestamp_from_unix_seconds('bucket_start_time') }} as date) as usage_date,
        {{ timestamp_from_unix_seconds('bucket_start_time') }} as charge_period_start,
        {{ timestamp_from_unix_seconds('bucket_end_time') }} as charge_period_end,
        project_id,
        api_key_id,
        line_item,
        -- dollars, not cents: the API sends whole currency units as a JSON number
        cast(amount_value as decimal(38, 10)) as amount,
        upper(amount_currency) as currency_code,
        cast(quantity as decimal(38, 6)) as quantity,
        quantity_unit,
        _pulled_at as pulled_at

    from source

)

select * from renamed
