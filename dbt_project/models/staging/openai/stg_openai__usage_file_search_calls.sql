with source as (

    select * from {{ source('openai', 'usage_file_search_calls') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ timestamp_from_unix_seconds('bucket_start_time') }} as date) as usage_date,
        project_id,
        user_id,
        api_key_id,
        vector_store_id,
        cast(coalesce(num_requests, 0) as bigint) as num_requests,
        _pulled_at as pulled_at

    from source

)

select * from renamed
