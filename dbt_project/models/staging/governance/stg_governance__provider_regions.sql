with source as (

    select * from {{ source('governance', 'provider_regions') }}

),

renamed as (

    select
        provider,
        region

    from source

)

select * from renamed
