with source as (

    select * from {{ source('governance', 'application_approved_regions') }}

),

renamed as (

    select
        application_id,
        region

    from source

)

select * from renamed
