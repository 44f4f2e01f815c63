{#-
    Model calls recorded as OpenTelemetry GenAI spans, on the gateway request columns. Agent, tool
    and workflow spans are context, not model requests, and are left out. A span exported twice
    (an exporter retry, or one file read by two sources) counts once: one row per trace and span id.
    Deprecated attribute names (gen_ai.system, gen_ai.usage.prompt_tokens / completion_tokens) are
    read when the current ones are missing. A span belongs to one start day: the ranking is per day
    and a run rebuilds only the days it re-landed (an incremental table).
-#}

{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'landed', 'insert_by_day': 'usage_date'}},
        **refresh_window_config('usage_date', landed=true)
    )
}}

with spans as (

    select
        *,
        row_number() over (
            partition by {{ dedup_partition_keys(['usage_date', 'trace_id', 'span_id']) }}
            order by pulled_at desc, source_id
        ) as occurrence
    from {{ ref('stg_otlp_genai__genai_spans') }}
    where {{ in_landed_window('usage_date', 'started_at') }}
        and operation_name in ('chat', 'text_completion', 'generate_content', 'embeddings')

),

final as (

    select
        'otel' as gateway,
        source_id,
        span_id as request_id,
        usage_date,
        started_at,
        {{ gateway_upstream_provider('coalesce(provider_name, system_name)') }} as provider,
        coalesce(response_model, request_model) as model_name,
        coalesce(response_model, request_model) as model_ref,
        operation_name as operation,
        service_name as project_id,
        cast(null as {{ dbt.type_string() }}) as api_key_id,
        service_name as credential_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        service_name as application_key,
        case when status_code = 'ERROR' or error_type is not null then 'failure' else 'success' end as status,
        error_type,
        status_code = 'ERROR' or error_type is not null as is_failure,
        false as is_fallback,
        duration_ms as latency_ms,
        coalesce(input_tokens, deprecated_prompt_tokens, 0) as input_tokens,
        coalesce(cache_read_input_tokens, 0) as cache_read_input_tokens,
        coalesce(cache_creation_input_tokens, 0) as cache_creation_input_tokens,
        coalesce(output_tokens, deprecated_completion_tokens, 0) as output_tokens,
        reasoning_output_tokens,
        cast(null as decimal(38, 10)) as measured_cost_usd
    from spans
    where occurrence = 1

)

select * from final
