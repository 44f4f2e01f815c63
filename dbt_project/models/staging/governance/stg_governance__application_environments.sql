with source as (

    select * from {{ source('governance', 'application_environments') }}

),

renamed as (

    select
        application_id,
        environment

    from source

)

select * from renamed
