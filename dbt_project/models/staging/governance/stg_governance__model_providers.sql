with source as (

    select * from {{ source('governance', 'model_providers') }}

),

renamed as (

    select
        model_id,
        provider

    from source

)

select * from renamed
