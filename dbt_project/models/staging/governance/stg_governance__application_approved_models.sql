with source as (

    select * from {{ source('governance', 'application_approved_models') }}

),

renamed as (

    select
        application_id,
        model_id,
        model_family

    from source

)

select * from renamed
