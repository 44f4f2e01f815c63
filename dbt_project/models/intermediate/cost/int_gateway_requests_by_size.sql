{#-
    Successful gateway requests (LiteLLM, OpenTelemetry) counted per day, rating keys and exact
    request input size. Requests of one group have the same input tokens, so they fall in the same
    context band and the per-request rating of int_usage_rated is unchanged, but it rates groups
    instead of every request again on every run. Prices are linear in tokens, so pricing a group's
    summed tokens equals summing its requests' prices. An incremental table over the re-landed days.
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
        gateway, source_id, usage_date, provider, model_name, model_ref, operation, project_id,
        api_key_id, credential_id, person_id, input_tokens, cache_read_input_tokens,
        cache_creation_input_tokens, output_tokens
    from {{ ref(requests) }}
    where status = 'success' and {{ in_landed_window('usage_date') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    gateway,
    source_id,
    usage_date,
    provider,
    model_name,
    model_ref,
    operation,
    project_id,
    api_key_id,
    credential_id,
    person_id,
    input_tokens as request_input_tokens,
    cast(count(*) as bigint) as request_count,
    cast(sum(input_tokens) as bigint) as input_tokens,
    cast(sum(cache_read_input_tokens) as bigint) as cache_read_input_tokens,
    cast(sum(cache_creation_input_tokens) as bigint) as cache_creation_input_tokens,
    cast(sum(output_tokens) as bigint) as output_tokens
from requests
group by
    gateway, source_id, usage_date, provider, model_name, model_ref, operation, project_id,
    api_key_id, credential_id, person_id, input_tokens
