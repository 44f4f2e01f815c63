with source as (

    select * from {{ source('cursor', 'members') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        lower(trim(email)) as email,
        name as member_name,
        role as member_role,
        _pulled_at as pulled_at

    from source

)

select * from renamed
