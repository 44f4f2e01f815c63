with source as (

    select * from {{ source('openai', 'projects') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as project_id,
        name as project_name,
        {{ timestamp_from_unix_seconds('created_at') }} as created_at,
        {{ timestamp_from_unix_seconds('archived_at') }} as archived_at,
        status as project_status,
        residency

    from source

)

select * from renamed
