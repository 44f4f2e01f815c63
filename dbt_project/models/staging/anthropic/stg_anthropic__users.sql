with source as (

    select * from {{ source('anthropic', 'users') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as user_id,
        name as user_name,
        lower(trim(email)) as email,
        role as user_role,
        {{ anthropic_timestamp_from_rfc3339('added_at') }} as added_at

    from source

)

select * from renamed
