with source as (

    select * from {{ source('governance', 'self_hosted_models') }}

),

renamed as (

    select
        deployment_id,
        provider,
        model as model_name

    from source

)

select * from renamed
