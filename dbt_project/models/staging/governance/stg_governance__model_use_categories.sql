with source as (

    select * from {{ source('governance', 'model_use_categories') }}

),

renamed as (

    select
        model_id,
        use_category

    from source

)

select * from renamed
