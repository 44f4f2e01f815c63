with source as (

    select * from {{ source('governance', 'model_data_categories') }}

),

renamed as (

    select
        model_id,
        data_category

    from source

)

select * from renamed
