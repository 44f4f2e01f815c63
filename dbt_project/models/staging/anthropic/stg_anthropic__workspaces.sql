with source as (

    select * from {{ source('anthropic', 'workspaces') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as workspace_id,
        name as workspace_name,
        display_color,
        {{ anthropic_timestamp_from_rfc3339('created_at') }} as created_at,
        {{ anthropic_timestamp_from_rfc3339('archived_at') }} as archived_at

    from source

)

select * from renamed
