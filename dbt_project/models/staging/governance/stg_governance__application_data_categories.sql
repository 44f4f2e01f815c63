with source as (

    select * from {{ source('governance', 'application_data_categories') }}

),

renamed as (

    select
        application_id,
        data_category

    from source

)

select * from renamed
