with source as (

    select * from {{ source('governance', 'cost_centers') }}

),

renamed as (

    select
        id as cost_center_id,
        name as cost_center_name

    from source

)

select * from renamed
