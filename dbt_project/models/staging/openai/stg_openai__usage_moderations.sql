with source as (

    select * from {{ source('openai', 'usage_moderations') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ timestamp_from_unix_seconds('bucket_start_time') }} as date) as usage_date,
        project_id,
        user_id,
        api_key_id,
        model as model_name,
        cast(coalesce(input_tokens, 0) as bigint) as input_tokens,
        cast(coalesce(num_model_requests, 0) as bigint) as request_count,
        _pulled_at as pulled_at

    from source

)

select * from renamed
