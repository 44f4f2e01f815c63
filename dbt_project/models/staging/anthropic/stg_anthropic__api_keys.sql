with source as (

    select * from {{ source('anthropic', 'api_keys') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as api_key_id,
        name as api_key_name,
        status as api_key_status,
        partial_key_hint,
        scope_type,
        workspace_id,
        created_by_id,
        created_by_type,
        {{ anthropic_timestamp_from_rfc3339('created_at') }} as created_at,
        {{ anthropic_timestamp_from_rfc3339('expires_at') }} as expires_at

    from source

)

select * from renamed
