{#-
    Every rated cost the warehouse has computed, kept across price changes: one row per grain and
    pricing version (price_overrides.yml hash x catalog release) x value, appended when new and
    never rewritten. "Rated cost for day D was X before override PRC-nnn and Y after" is the two rows
    of D's grain ordered by recorded_at. A full refresh starts the history again.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail'
    )
}}

{%- set grain = ['usage_date', 'provider', 'is_gateway', 'gateway', 'project_id', 'model_id', 'price_tier'] -%}

with rated as (

    select * from {{ ref('int_usage_rated') }}
    where {{ in_refresh_window('usage_date') }}

),

summed as (

    select
        {{ grain | join(', ') }},
        overrides_sha256,
        catalog_version,
        max(override_id) as override_id,
        case
            when max(case when price_status = 'no_price_known' then 1 else 0 end) = 1 then 'no_price_known'
            when max(case when price_status = 'priced_by_override' then 1 else 0 end) = 1 then 'priced_by_override'
            else 'priced'
        end as price_status,
        sum(request_count) as request_count,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(rated_cost) as rated_cost
    from rated
    group by {{ grain | join(', ') }}, overrides_sha256, catalog_version

),

keyed as (

    select
        {{ surrogate_key(grain) }} as rated_cost_key,
        {{ surrogate_key(grain + ['overrides_sha256', 'catalog_version', 'price_status', 'request_count', 'input_tokens', 'output_tokens', 'rated_cost']) }} as version_key,
        *
    from summed

),

new_versions as (

    select keyed.*
    from keyed
    {% if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as recorded where recorded.version_key = keyed.version_key
    )
    {% endif %}

)

select
    cast(rated_cost_key as {{ dbt.type_string() }}) as rated_cost_key,
    cast(version_key as {{ dbt.type_string() }}) as version_key,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as recorded_at,
    cast(usage_date as date) as usage_date,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(is_gateway as boolean) as is_gateway,
    cast(gateway as {{ dbt.type_string() }}) as gateway,
    cast(project_id as {{ dbt.type_string() }}) as project_id,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(price_tier as {{ dbt.type_string() }}) as price_tier,
    cast(overrides_sha256 as {{ dbt.type_string() }}) as overrides_sha256,
    cast(catalog_version as {{ dbt.type_string() }}) as catalog_version,
    cast(override_id as {{ dbt.type_string() }}) as override_id,
    cast(price_status as {{ dbt.type_string() }}) as price_status,
    cast(request_count as bigint) as request_count,
    cast(input_tokens as bigint) as input_tokens,
    cast(output_tokens as bigint) as output_tokens,
    cast(rated_cost as decimal(38, 10)) as rated_cost,
    cast('USD' as {{ dbt.type_string() }}) as billing_currency
from new_versions
