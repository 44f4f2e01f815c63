{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_refresh_window('usage_date') }}"
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
    cast(cost_key as varchar) as cost_key,
    cast(usage_date as date) as usage_date,
    cast(charge_period_start as timestamp) as charge_period_start,
    cast(charge_period_end as timestamp) as charge_period_end,
    cast(source_id as varchar) as source_id,
    cast(provider as varchar) as provider,
    cast(cost_kind as varchar) as cost_kind,
    cast(charge_category as varchar) as charge_category,
    cast(charge_description as varchar) as charge_description,
    cast(model_id as varchar) as model_id,
    cast(model_family as varchar) as model_family,
    cast(model_name as varchar) as model_name,
    cast(token_type as varchar) as token_type,
    cast(pricing_tier as varchar) as pricing_tier,
    cast(credential_id as varchar) as credential_id,
    cast(project_id as varchar) as project_id,
    cast(application_id as varchar) as application_id,
    cast(team_id as varchar) as team_id,
    cast(cost_center_id as varchar) as cost_center_id,
    cast(is_attributed as boolean) as is_attributed,
    cast(billed_cost as decimal(38, 10)) as billed_cost,
    cast(effective_cost as decimal(38, 10)) as effective_cost,
    cast(list_cost as decimal(38, 10)) as list_cost,
    cast(billing_currency as varchar) as billing_currency,
    cast(consumed_quantity as decimal(38, 6)) as consumed_quantity,
    cast(consumed_unit as varchar) as consumed_unit
from final
