{#-
    AI cost on FOCUS-aligned columns: one row per UTC day x source x provider x cost kind x charge
    category x project x credential x charge description x model x token type x pricing tier, from
    every normalized cost record, attributed to application, team and cost centre through the
    declared credential. fct_ai_cost_daily publishes it; the cost allocation
    (int_usage_cost_allocated) reads it.

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

with costs as (

    select * from {{ ref('int_cost_records_normalized') }}
    where {{ in_refresh_window('usage_date') }}

),

credentials as (

    select * from {{ ref('int_credentials_attributed') }}

),

joined as (

    select
        costs.*,
        credentials.application_id,
        credentials.team_id,
        credentials.cost_center_id
    from costs
    left join credentials
        on costs.credential_provider = credentials.credential_provider
        and costs.project_id = credentials.project_id
        and costs.credential_id = credentials.credential_id

),

final as (

    select
        {{ surrogate_key(['usage_date', 'source_id', 'provider', 'cost_kind', 'charge_category', 'project_id', 'credential_id', 'charge_description', 'model_name', 'token_type', 'pricing_tier']) }} as cost_key,
        *,
        application_id is not null as is_attributed
    from joined

)

select
    cast(cost_key as {{ dbt.type_string() }}) as cost_key,
    cast(usage_date as date) as usage_date,
    cast(charge_period_start as timestamp) as charge_period_start,
    cast(charge_period_end as timestamp) as charge_period_end,
    cast(source_id as {{ dbt.type_string() }}) as source_id,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(cost_kind as {{ dbt.type_string() }}) as cost_kind,
    cast(charge_category as {{ dbt.type_string() }}) as charge_category,
    cast(charge_description as {{ dbt.type_string() }}) as charge_description,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(model_family as {{ dbt.type_string() }}) as model_family,
    cast(model_name as {{ dbt.type_string() }}) as model_name,
    cast(token_type as {{ dbt.type_string() }}) as token_type,
    cast(pricing_tier as {{ dbt.type_string() }}) as pricing_tier,
    cast(credential_id as {{ dbt.type_string() }}) as credential_id,
    cast(project_id as {{ dbt.type_string() }}) as project_id,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
    cast(is_attributed as boolean) as is_attributed,
    cast(billed_cost as decimal(38, 10)) as billed_cost,
    cast(effective_cost as decimal(38, 10)) as effective_cost,
    cast(list_cost as decimal(38, 10)) as list_cost,
    cast(billing_currency as {{ dbt.type_string() }}) as billing_currency,
    cast(consumed_quantity as decimal(38, 6)) as consumed_quantity,
    cast(consumed_unit as {{ dbt.type_string() }}) as consumed_unit
from final
