with source as (

    select * from {{ source('governance', 'models') }}

),

renamed as (

    select
        id as model_id,
        family as model_family,
        kind as model_kind,
        review_status

    from source

)

select * from renamed
