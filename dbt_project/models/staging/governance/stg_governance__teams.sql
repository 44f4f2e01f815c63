with source as (

    select * from {{ source('governance', 'teams') }}

),

renamed as (

    select
        id as team_id,
        name as team_name,
        department,
        business_unit,
        cost_center as cost_center_id,
        lower(owner) as owner_email

    from source

)

select * from renamed
