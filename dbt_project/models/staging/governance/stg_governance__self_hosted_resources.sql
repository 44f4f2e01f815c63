with source as (

    select * from {{ source('governance', 'self_hosted_resources') }}

),

renamed as (

    select
        deployment_id,
        provider,
        source_type,
        resource_id,
        tag_key,
        tag_value,
        reference as deployment_reference

    from source

)

select * from renamed
