with source as (

    select * from {{ source('openai', 'usage_vector_stores') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ timestamp_from_unix_seconds('bucket_start_time') }} as date) as usage_date,
        project_id,
        cast(coalesce(usage_bytes, 0) as bigint) as usage_bytes,
        _pulled_at as pulled_at

    from source

)

select * from renamed
