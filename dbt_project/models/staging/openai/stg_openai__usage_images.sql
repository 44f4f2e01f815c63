with source as (

    select * from {{ source('openai', 'usage_images') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ timestamp_from_unix_seconds('bucket_start_time') }} as date) as usage_date,
        project_id,
        user_id,
        api_key_id,
        model as model_name,
        size,
        source as image_source,
        cast(coalesce(images, 0) as bigint) as images,
        cast(coalesce(num_model_requests, 0) as bigint) as request_count,
        _pulled_at as pulled_at

    from source

)

select * from renamed
