{{ config(materialized='table') }}

{#-
    How much of what is used and billed the inventory explains, per provider and month: the share of
    tokens and of invoiced spend attributed to a declared application, how many credentials were
    seen undeclared, and how many declared applications were not seen at all.
-#}

with usage as (

    select
        provider,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        sum(total_tokens) as total_tokens,
        sum(case when application_id is not null then total_tokens else 0 end) as attributed_tokens,
        count(distinct case when application_id is null then credential_provider || ':' || credential_id end) as undeclared_credentials_seen
    from {{ ref('int_usage_governed') }}
    group by provider, {{ dbt.date_trunc('month', 'usage_date') }}

),

cost as (

    select
        provider,
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        billing_currency,
        sum(billed_cost) as invoiced_cost,
        sum(case when is_attributed then billed_cost else 0 end) as attributed_invoiced_cost
    from {{ ref('fct_ai_cost_daily') }}
    where cost_kind = 'invoiced'
    group by provider, {{ dbt.date_trunc('month', 'usage_date') }}, billing_currency

),

applications_not_seen as (

    select count(*) as declared_applications_not_seen
    from {{ ref('dim_application') }}
    where not is_seen_in_usage and lifecycle_status != 'retired'

),

months as (

    select provider, usage_month from usage
    union
    select provider, usage_month from cost

)

select
    cast({{ surrogate_key(['months.provider', 'months.usage_month', 'cost.billing_currency']) }} as {{ dbt.type_string() }}) as coverage_key,
    cast(months.provider as {{ dbt.type_string() }}) as provider,
    cast(months.usage_month as date) as usage_month,
    cast(coalesce(usage.total_tokens, 0) as bigint) as total_tokens,
    cast(coalesce(usage.attributed_tokens, 0) as bigint) as attributed_tokens,
    cast(case when usage.total_tokens > 0 then 100.0 * usage.attributed_tokens / usage.total_tokens end as decimal(9, 4)) as attributed_token_pct,
    cast(cost.billing_currency as {{ dbt.type_string() }}) as billing_currency,
    cast(coalesce(cost.invoiced_cost, 0) as decimal(38, 10)) as invoiced_cost,
    cast(coalesce(cost.attributed_invoiced_cost, 0) as decimal(38, 10)) as attributed_invoiced_cost,
    cast(case when cost.invoiced_cost > 0 then 100 * cost.attributed_invoiced_cost / cost.invoiced_cost end as decimal(9, 4)) as attributed_cost_pct,
    cast(coalesce(usage.undeclared_credentials_seen, 0) as bigint) as undeclared_credentials_seen,
    cast(applications_not_seen.declared_applications_not_seen as bigint) as declared_applications_not_seen
from months
left join usage on usage.provider = months.provider and usage.usage_month = months.usage_month
left join cost on cost.provider = months.provider and cost.usage_month = months.usage_month
cross join applications_not_seen
