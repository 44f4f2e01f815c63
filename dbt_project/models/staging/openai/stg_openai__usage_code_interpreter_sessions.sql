with source as (

    select * from {{ source('openai', 'usage_code_interpreter_sessions') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ timestamp_from_unix_seconds('bucket_start_time') }} as date) as usage_date,
        project_id,
        cast(coalesce(num_sessions, 0) as bigint) as num_sessions,
        _pulled_at as pulled_at

    from source

)

select * from renamed
