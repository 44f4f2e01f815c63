{#- Tests check the days a run re-landed (macros/test_window.sql). -#}
{{ config(meta={'aiuw': {'test_days': 'landed'}}) }}

with source as (

    select * from {{ source('otlp_genai', 'genai_spans') }}

),

renamed as (

    select
        _source_id as source_id,
        trace_id,
        span_id,
        parent_span_id,
        span_name,
        span_kind,
        cast(start_time as date) as usage_date,
        cast(start_time as timestamp) as started_at,
        cast(end_time as timestamp) as ended_at,
        cast(duration_ms as double) as duration_ms,
        upper(status_code) as status_code,
        service_name,
        scope_name,
        scope_version,
        cast(records_prompts as boolean) as is_recording_prompts,
        sensitive_entity_counts as sensitive_entity_counts_json,
        gen_ai_operation_name as operation_name,
        gen_ai_provider_name as provider_name,
        gen_ai_system as system_name,
        gen_ai_request_model as request_model,
        gen_ai_response_model as response_model,
        gen_ai_response_id as response_id,
        gen_ai_response_finish_reasons as finish_reasons,
        cast(gen_ai_usage_input_tokens as bigint) as input_tokens,
        cast(gen_ai_usage_output_tokens as bigint) as output_tokens,
        cast(gen_ai_usage_cache_read_input_tokens as bigint) as cache_read_input_tokens,
        cast(gen_ai_usage_cache_creation_input_tokens as bigint) as cache_creation_input_tokens,
        cast(gen_ai_usage_reasoning_output_tokens as bigint) as reasoning_output_tokens,
        cast(gen_ai_usage_prompt_tokens as bigint) as deprecated_prompt_tokens,
        cast(gen_ai_usage_completion_tokens as bigint) as deprecated_completion_tokens,
        gen_ai_conversation_id as conversation_id,
        gen_ai_agent_name as agent_name,
        openai_request_service_tier as openai_service_tier,
        server_address,
        error_type,
        enduser_id as end_user_id,
        _pulled_at as pulled_at

    from source

)

select * from renamed
