{#-
    AI usage on the canonical grain: one row per UTC day x source x provider x model x operation x
    credential x person x batch x service tier x unit, attributed to application, team and cost
    centre through the declared credential. A request seen by a gateway and by the provider's own
    API is usage once: the provider's report wins. fct_ai_usage_daily publishes it; the policy
    findings (int_usage_governed, int_findings_shadow_credential) and the cost allocation
    (int_usage_cost_allocated) read it.

    Kept incrementally, as the mart was: a run rebuilds the refresh window's days here, and the
    mart copies those days, so the rules run once per build.
-#}

{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'window'}},
        **refresh_window_config('usage_date')
    )
}}

with normalized as (

    select * from {{ ref('int_usage_records_normalized') }}
    where {{ in_refresh_window('usage_date') }}

),

providers_reporting_directly as (

    select distinct provider from {{ ref('int_usage_records_normalized') }} where not is_gateway

),

usage as (

    -- A request seen by a gateway and by the provider's own API is usage once: the provider's
    -- report wins, and gateway rows count only for providers with no direct source. Gateway cost
    -- stays in int_ai_cost_daily as cost_kind = 'measured' for reconciliation.
    -- Sources may report finer than the grain (image sizes, context windows): sum up to it.
    select
        usage_date, source_id, provider, model_id, model_family, model_name, operation, credential_id,
        project_id, person_id, is_batch, service_tier, is_gateway, unit, credential_provider,
        sum(request_count) as request_count,
        sum(input_tokens) as input_tokens,
        sum(cache_read_input_tokens) as cache_read_input_tokens,
        sum(cache_creation_input_tokens) as cache_creation_input_tokens,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(output_tokens) as output_tokens,
        sum(reasoning_output_tokens) as reasoning_output_tokens,
        sum(unit_count) as unit_count
    from normalized
    where not is_gateway
        or provider not in (select provider from providers_reporting_directly)
    group by
        usage_date, source_id, provider, model_id, model_family, model_name, operation, credential_id,
        project_id, person_id, is_batch, service_tier, is_gateway, unit, credential_provider

),

credentials as (

    select * from {{ ref('int_credentials_attributed') }}

),

joined as (

    select
        usage.usage_date,
        usage.source_id,
        usage.provider,
        usage.model_id,
        usage.model_family,
        usage.model_name,
        usage.operation,
        usage.credential_id,
        usage.credential_provider,
        usage.project_id,
        usage.person_id,
        credentials.application_id,
        credentials.team_id,
        credentials.cost_center_id,
        credentials.environment,
        usage.is_batch,
        usage.service_tier,
        usage.is_gateway,
        usage.request_count,
        usage.input_tokens,
        usage.cache_read_input_tokens,
        usage.cache_creation_input_tokens,
        usage.uncached_input_tokens,
        usage.output_tokens,
        usage.reasoning_output_tokens,
        usage.unit_count,
        usage.unit
    from usage
    left join credentials
        on usage.credential_provider = credentials.credential_provider
        and usage.project_id = credentials.project_id
        and usage.credential_id = credentials.credential_id

),

final as (

    select
        {{ surrogate_key(['usage_date', 'source_id', 'provider', 'model_name', 'operation', 'credential_id', 'project_id', 'person_id', 'is_batch', 'service_tier', 'unit']) }} as usage_key,
        *,
        application_id is not null as is_attributed,
        input_tokens + output_tokens as total_tokens
    from joined

)

select
    cast(usage_key as {{ dbt.type_string() }}) as usage_key,
    cast(usage_date as date) as usage_date,
    cast(source_id as {{ dbt.type_string() }}) as source_id,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(model_family as {{ dbt.type_string() }}) as model_family,
    cast(model_name as {{ dbt.type_string() }}) as model_name,
    cast(operation as {{ dbt.type_string() }}) as operation,
    cast(credential_id as {{ dbt.type_string() }}) as credential_id,
    cast(credential_provider as {{ dbt.type_string() }}) as credential_provider,
    cast(project_id as {{ dbt.type_string() }}) as project_id,
    cast(person_id as {{ dbt.type_string() }}) as person_id,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
    cast(environment as {{ dbt.type_string() }}) as environment,
    cast(is_attributed as boolean) as is_attributed,
    cast(is_batch as boolean) as is_batch,
    cast(service_tier as {{ dbt.type_string() }}) as service_tier,
    cast(is_gateway as boolean) as is_gateway,
    cast(request_count as bigint) as request_count,
    cast(input_tokens as bigint) as input_tokens,
    cast(cache_read_input_tokens as bigint) as cache_read_input_tokens,
    cast(cache_creation_input_tokens as bigint) as cache_creation_input_tokens,
    cast(uncached_input_tokens as bigint) as uncached_input_tokens,
    cast(output_tokens as bigint) as output_tokens,
    cast(reasoning_output_tokens as bigint) as reasoning_output_tokens,
    cast(total_tokens as bigint) as total_tokens,
    cast(unit_count as decimal(38, 6)) as unit_count,
    cast(unit as {{ dbt.type_string() }}) as unit
from final
