{#-
    Usage from every provider on one contract (see _intermediate__models.yml). Each provider's own
    model (int_<provider>_usage_normalized) is the one place its token semantics become the canonical
    inclusive form; here they are unioned and every model reference gets its canonical id and family.
-#}
{#- An incremental table over the refresh window, like the marts it feeds: a daily run unions the
    window's days, not every day ever landed; the history-wide readers read the table. -#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'window'}},
        **refresh_window_config('usage_date')
    )
}}

{%- set provider_models = [
    'int_openai_usage_normalized',
    'int_anthropic_usage_normalized',
    'int_aws_bedrock_usage_normalized',
    'int_azure_openai_usage_normalized',
    'int_google_vertex_usage_normalized',
    'int_litellm_usage_normalized',
    'int_otel_usage_normalized',
] -%}
{#- Gateways declare their credentials (teams, keys, services) under their own name in governance. -#}
{%- set gateway_of = {
    'int_litellm_usage_normalized': 'litellm',
    'int_otel_usage_normalized': 'otel',
    'int_litellm_costs_normalized': 'litellm',
} -%}
{#- Measures only some providers report; null (unknown) for the others. -#}
{%- set reported_by = {
    'cache_creation_1h_input_tokens': ['int_anthropic_usage_normalized'],
    'context_band_min_tokens': ['int_anthropic_usage_normalized'],
} -%}

with unioned as (

    {% for model in provider_models %}
    select
        source_id, provider, usage_date, model_name, model_ref, operation, project_id, api_key_id,
        credential_id, person_id, is_batch, service_tier, request_count, input_tokens,
        cache_read_input_tokens, cache_creation_input_tokens, output_tokens, reasoning_output_tokens,
        unit_count, unit, is_gateway
        , '{{ gateway_of.get(model, "") }}' as gateway
        {%- for column, models in reported_by.items() %}
        , {% if model in models %}{{ column }}{% else %}cast(null as bigint) as {{ column }}{% endif %}
        {%- endfor %}
    from {{ ref(model) }}
    where {{ in_refresh_window('usage_date') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

catalog as (

    select * from {{ ref('model_catalog') }}

),

canonical as (

    select
        *,
        {{ canonical_model_id('model_ref') }} as model_id,
        case when gateway = '' then provider else gateway end as credential_provider
    from unioned

),

final as (

    select
        canonical.*,
        coalesce(catalog.model_family, canonical.model_id) as model_family,
        input_tokens - cache_read_input_tokens - cache_creation_input_tokens as uncached_input_tokens
    from canonical
    left join catalog
        on canonical.model_id = catalog.model_id

)

select * from final
