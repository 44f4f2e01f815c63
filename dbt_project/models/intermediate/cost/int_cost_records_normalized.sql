{#-
    Cost from every provider on FOCUS-aligned columns (see _intermediate__models.yml), with cost_kind
    keeping invoiced (provider bills and exports) and measured (gateways) apart. Each provider's own
    model (int_<provider>_costs_normalized) does its units (cents, dollars, pricing blocks) once.
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
    'int_openai_costs_normalized',
    'int_anthropic_costs_normalized',
    'int_aws_bedrock_costs_normalized',
    'int_azure_openai_costs_normalized',
    'int_google_vertex_costs_normalized',
    'int_litellm_costs_normalized',
    'int_self_hosted_costs_allocated',
] -%}
{#- Gateways declare their credentials (teams, keys, services) under their own name in governance. -#}
{#- Self-hosted cost is allocated to the credentials its tokens came through: each record names its gateway. -#}
{%- set gateway_column = ['int_self_hosted_costs_allocated'] -%}
{%- set gateway_of = {
    'int_litellm_usage_normalized': 'litellm',
    'int_otel_usage_normalized': 'otel',
    'int_litellm_costs_normalized': 'litellm',
} -%}

with unioned as (

    {% for model in provider_models %}
    select
        source_id, provider, usage_date, charge_period_start, charge_period_end, project_id, api_key_id,
        credential_id, model_name, model_ref, token_type, pricing_tier, cost_kind, charge_category,
        charge_description, billed_cost, effective_cost, list_cost, billing_currency,
        consumed_quantity, consumed_unit
        {% if model in gateway_column %}, gateway{% else %}, '{{ gateway_of.get(model, "") }}' as gateway{% endif %}
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
        case when model_ref is not null then {{ canonical_model_id('model_ref') }} end as model_id,
        case when gateway = '' then provider else gateway end as credential_provider
    from unioned

),

final as (

    select
        canonical.*,
        coalesce(catalog.model_family, canonical.model_id) as model_family
    from canonical
    left join catalog
        on canonical.model_id = catalog.model_id

)

select * from final
