{#-
    Gateway traffic: one row per UTC day x gateway x upstream provider x model x application key
    (LiteLLM team, else virtual key; OpenTelemetry service.name) x status. Every request counts once
    (LiteLLM request ids deduplicated across the API and export sources), failed ones included.
    Gateway usage of providers that also report directly is in int_ai_usage_daily only through those
    providers' own rows; this is the gateway's own view. fct_gateway_requests_daily publishes it;
    int_findings_shadow_credential reads it.

    Kept incrementally, as the mart was: built only from day-grained sources, a run rebuilds the
    landed window's days here, and the mart copies those days, so the requests are summed once per
    build.
-#}

{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'landed'}},
        **refresh_window_config('usage_date', landed=true)
    )
}}

with requests as (

    select * from {{ ref('int_litellm_requests') }}
    where {{ in_landed_window('usage_date') }}

    union all

    select * from {{ ref('int_otel_requests') }}
    where {{ in_landed_window('usage_date') }}

),

daily as (

    select
        usage_date,
        gateway,
        provider,
        model_name,
        model_ref,
        application_key,
        status,
        count(*) as request_count,
        sum(case when is_failure then 1 else 0 end) as failure_count,
        sum(case when is_fallback then 1 else 0 end) as fallback_count,
        {{ gateway_percentile('latency_ms', 0.5) }} as latency_p50_ms,
        {{ gateway_percentile('latency_ms', 0.95) }} as latency_p95_ms,
        sum(input_tokens) as input_tokens,
        sum(cache_read_input_tokens) as cache_read_input_tokens,
        sum(cache_creation_input_tokens) as cache_creation_input_tokens,
        sum(output_tokens) as output_tokens,
        sum(measured_cost_usd) as measured_cost_usd
    from requests
    group by usage_date, gateway, provider, model_name, model_ref, application_key, status

),

final as (

    select
        {{ surrogate_key(['usage_date', 'gateway', 'provider', 'model_name', 'application_key', 'status']) }} as gateway_request_key,
        daily.*,
        {{ canonical_model_id('model_ref') }} as model_id
    from daily

)

select
    cast(gateway_request_key as {{ dbt.type_string() }}) as gateway_request_key,
    cast(usage_date as date) as usage_date,
    cast(gateway as {{ dbt.type_string() }}) as gateway,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(model_name as {{ dbt.type_string() }}) as model_name,
    cast(application_key as {{ dbt.type_string() }}) as application_key,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(request_count as bigint) as request_count,
    cast(failure_count as bigint) as failure_count,
    cast(fallback_count as bigint) as fallback_count,
    cast(latency_p50_ms as double) as latency_p50_ms,
    cast(latency_p95_ms as double) as latency_p95_ms,
    cast(input_tokens as bigint) as input_tokens,
    cast(cache_read_input_tokens as bigint) as cache_read_input_tokens,
    cast(cache_creation_input_tokens as bigint) as cache_creation_input_tokens,
    cast(output_tokens as bigint) as output_tokens,
    cast(measured_cost_usd as decimal(38, 10)) as measured_cost_usd
from final
