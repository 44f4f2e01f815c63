with source as (

    select * from {{ source('governance', 'application_credentials') }}

),

renamed as (

    select
        application_id,
        provider,
        credential_kind,
        credential_id,
        environment

    from source

)

select * from renamed
