with source as (

    select * from {{ source('openai', 'usage_completions') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ timestamp_from_unix_seconds('bucket_start_time') }} as date) as usage_date,
        {{ timestamp_from_unix_seconds('bucket_start_time') }} as bucket_started_at,
        {{ timestamp_from_unix_seconds('bucket_end_time') }} as bucket_ended_at,
        project_id,
        user_id,
        api_key_id,
        model as model_name,
        batch as is_batch,
        service_tier,
        cast(coalesce(num_model_requests, 0) as bigint) as request_count,
        cast(coalesce(input_tokens, 0) as bigint) as input_tokens,
        cast(coalesce(input_cached_tokens, 0) as bigint) as input_cached_tokens,
        cast(coalesce(input_cache_write_tokens, 0) as bigint) as input_cache_write_tokens,
        cast(input_uncached_tokens as bigint) as input_uncached_tokens,
        cast(coalesce(output_tokens, 0) as bigint) as output_tokens,
        cast(coalesce(input_audio_tokens, 0) as bigint) as input_audio_tokens,
        cast(coalesce(output_audio_tokens, 0) as bigint) as output_audio_tokens,
        _pulled_at as pulled_at

    from source

)

select * from renamed
