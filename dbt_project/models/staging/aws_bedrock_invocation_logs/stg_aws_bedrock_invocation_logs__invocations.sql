with source as (

    select * from {{ source('aws_bedrock_invocation_logs', 'invocations') }}

),

renamed as (

    select
        _source_id as source_id,
        requestId as request_id,
        cast({{ adapter.quote("timestamp") }} as timestamp) as invoked_at,
        cast({{ adapter.quote("timestamp") }} as date) as usage_date,
        accountId as account_id,
        region,
        inferenceRegion as inference_region,
        operation,
        modelId as model_id,
        identity_arn as caller_arn,
        requestMetadata as request_metadata_json,
        errorCode as error_code,
        schemaVersion as schema_version,
        -- inputTokenCount is the uncached part; cache reads and writes are counted apart
        cast(inputTokenCount as bigint) as uncached_input_tokens,
        cast(coalesce(cacheReadInputTokenCount, 0) as bigint) as cache_read_input_tokens,
        cast(coalesce(cacheWriteInputTokenCount, 0) as bigint) as cache_write_input_tokens,
        cast(outputTokenCount as bigint) as output_tokens,
        -- files landed before the flag existed read as null: unknown, not "off"
        cast(contentLogged as boolean) as is_content_logged,
        sensitive_entity_counts as sensitive_entity_counts_json,
        _pulled_at as pulled_at

    from source

)

select * from renamed
