with source as (

    select * from {{ source('governance', 'provider_data_categories') }}

),

renamed as (

    select
        provider,
        data_category

    from source

)

select * from renamed
