with source as (

    select * from {{ source('openai', 'api_keys') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as api_key_id,
        project_id,
        name as api_key_name,
        redacted_value,
        {{ timestamp_from_unix_seconds('created_at') }} as created_at,
        {{ timestamp_from_unix_seconds('last_used_at') }} as last_used_at,
        owner_project_access,
        owner_type,
        owner_user_id,
        lower(trim(owner_user_email)) as owner_user_email,
        owner_service_account_id,
        owner_service_account_name

    from source

)

select * from renamed
