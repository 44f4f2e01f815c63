with source as (

    select * from {{ source('prices', 'catalog') }}

),

renamed as (

    select
        provider,
        source_provider_id as catalog_provider_id,
        model_id as catalog_model_id,
        price_tier,
        component,
        cast(band_threshold_tokens as bigint) as band_threshold_tokens,
        cast(band_upper_tokens as bigint) as band_upper_tokens,
        cast(price_per_mtok as decimal(38, 10)) as price_per_mtok,
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to,
        cast(has_time_of_day_prices as boolean) as has_time_of_day_prices,
        catalog_version

    from source

)

select * from renamed
