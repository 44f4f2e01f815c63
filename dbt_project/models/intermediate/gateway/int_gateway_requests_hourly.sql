{#-
    Gateway requests (LiteLLM, OpenTelemetry) counted per UTC day and hour of their start, gateway,
    application key, upstream provider and canonical model, failed ones included: what the weekly
    usage profile of rpt_usage_drift reads (volume, tokens, model mix, failures, fallbacks and the
    hour of day, for the share sent outside working hours). An incremental table over the re-landed
    days, like the request models it reads.
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

    {% for requests in ['int_litellm_requests', 'int_otel_requests'] %}
    select
        usage_date,
        cast(extract(hour from started_at) as integer) as request_hour,
        gateway,
        application_key,
        provider,
        {{ canonical_model_id('model_ref') }} as model_id,
        is_failure,
        is_fallback,
        input_tokens,
        output_tokens
    from {{ ref(requests) }}
    where {{ in_landed_window('usage_date') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    cast(usage_date as date) as usage_date,
    cast(request_hour as integer) as request_hour,
    cast(gateway as {{ dbt.type_string() }}) as gateway,
    cast(application_key as {{ dbt.type_string() }}) as application_key,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(count(*) as bigint) as request_count,
    cast(sum(case when is_failure then 0 else 1 end) as bigint) as success_count,
    cast(sum(case when is_failure then 1 else 0 end) as bigint) as failure_count,
    cast(sum(case when is_fallback then 1 else 0 end) as bigint) as fallback_count,
    cast(sum(input_tokens) as bigint) as input_tokens,
    cast(sum(output_tokens) as bigint) as output_tokens
from requests
group by usage_date, request_hour, gateway, application_key, provider, model_id
