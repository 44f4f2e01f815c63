with source as (

    select * from {{ source('chatgpt_enterprise', 'users') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        workspace_id,
        id as user_id,
        lower(trim(email)) as email,
        name as user_name,
        role as user_role,
        status as user_status,
        {{ saas_timestamp_from_iso('created_at') }} as created_at,
        _pulled_at as pulled_at

    from source

)

select * from renamed
