with source as (

    select * from {{ source('prices', 'model_aliases') }}

),

renamed as (

    select
        provider,
        lower(model_ref) as model_ref,
        model_id as catalog_model_id,
        match_kind,
        match_order

    from source

)

select * from renamed
