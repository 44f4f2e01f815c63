with source as (

    select * from {{ source('governance', 'applications') }}

),

renamed as (

    select
        id as application_id,
        name as application_name,
        owning_team as team_id,
        business_purpose,
        use_category,
        lifecycle_status,
        cast(approved_on as date) as approved_on

    from source

)

select * from renamed
