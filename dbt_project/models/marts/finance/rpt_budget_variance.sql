{#-
    Budgets (governance budgets.yml) against chargeback cost per month, team or application:
    month-to-date cost in the reporting currency up to the last day with cost data in the month,
    a run-rate forecast to month end (month-to-date / days elapsed x days in the month, rounded to
    cents) and its variance to the budget. A team's cost includes its seats; an application's is
    its usage. Budgets in another currency convert at the rate valid on the month's first day.
-#}

with budgets as (

    select * from {{ ref('stg_governance__budgets') }}

),

chargeback as (

    select * from {{ ref('rpt_chargeback_monthly') }}

),

rates as (

    select * from {{ ref('stg_governance__fx_rates') }}

),

last_cost_day as (

    select max(usage_date) as last_day
    from {{ ref('fct_ai_cost_daily') }}
    where cost_kind = 'invoiced'

),

months as (

    -- months with cost data up to the last invoiced day
    select distinct chargeback.billing_month as budget_month
    from chargeback
    cross join last_cost_day
    where chargeback.billing_month <= last_cost_day.last_day

),

budget_months as (

    select
        months.budget_month,
        budgets.budget_scope as scope,
        budgets.scope_id,
        budgets.currency_code,
        budgets.budget_amount
    from budgets
    inner join months
        on months.budget_month >= budgets.starts_on
        and (budgets.ends_on is null or months.budget_month < budgets.ends_on)

),

cost_by_scope as (

    select billing_month, 'team' as scope, team_id as scope_id, sum(reporting_cost) as cost
    from chargeback
    where team_id is not null
    group by billing_month, team_id

    union all

    select billing_month, 'application' as scope, application_id as scope_id, sum(reporting_cost) as cost
    from chargeback
    where application_id is not null
    group by billing_month, application_id

),

scope_names as (

    select 'team' as scope, team_id as scope_id, team_name as scope_name from {{ ref('dim_team') }}
    union all
    select 'application' as scope, application_id as scope_id, application_name as scope_name
    from {{ ref('dim_application') }}

),

measured as (

    select
        budget_months.*,
        rates.reporting_currency,
        cast(budget_months.budget_amount * rates.rate_to_reporting as decimal(38, 10)) as budget_reporting,
        cast(coalesce(cost_by_scope.cost, 0) as decimal(38, 10)) as month_to_date_cost,
        case
            when last_cost_day.last_day < {{ dbt.dateadd('month', 1, 'budget_months.budget_month') }}
                then last_cost_day.last_day
            else {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'budget_months.budget_month')) }}
        end as as_of_date,
        {{ dbt.datediff('budget_months.budget_month', dbt.dateadd('month', 1, 'budget_months.budget_month'), 'day') }}
            as days_in_month
    from budget_months
    cross join last_cost_day
    left join rates
        on rates.currency_code = budget_months.currency_code
        and (rates.valid_from is null or rates.valid_from <= budget_months.budget_month)
        and (rates.valid_to is null or budget_months.budget_month < rates.valid_to)
    left join cost_by_scope
        on cost_by_scope.billing_month = budget_months.budget_month
        and cost_by_scope.scope = budget_months.scope
        and cost_by_scope.scope_id = budget_months.scope_id

),

forecast as (

    select
        *,
        {{ dbt.datediff('budget_month', 'as_of_date', 'day') }} + 1 as days_elapsed
    from measured

),

final as (

    select
        *,
        -- month-to-date x days in month is exact; the one division is rounded to cents
        cast(round(month_to_date_cost * days_in_month / days_elapsed, 2) as decimal(38, 10))
            as forecast_month_end_cost
    from forecast

)

select
    cast({{ surrogate_key(['final.budget_month', 'final.scope', 'final.scope_id']) }} as {{ dbt.type_string() }})
        as budget_variance_key,
    cast(final.budget_month as date) as budget_month,
    cast(final.as_of_date as date) as as_of_date,
    cast(final.scope as {{ dbt.type_string() }}) as scope,
    cast(final.scope_id as {{ dbt.type_string() }}) as scope_id,
    cast(scope_names.scope_name as {{ dbt.type_string() }}) as scope_name,
    cast(final.reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
    cast(final.budget_reporting as decimal(38, 10)) as budget_amount,
    cast(final.month_to_date_cost as decimal(38, 10)) as month_to_date_cost,
    cast(final.days_elapsed as integer) as days_elapsed,
    cast(final.days_in_month as integer) as days_in_month,
    cast(final.forecast_month_end_cost as decimal(38, 10)) as forecast_month_end_cost,
    cast(final.forecast_month_end_cost - final.budget_reporting as decimal(38, 10)) as forecast_variance,
    cast(round((final.forecast_month_end_cost - final.budget_reporting) * 100 / final.budget_reporting, 4)
        as decimal(38, 4)) as forecast_variance_pct,
    cast(final.forecast_month_end_cost > final.budget_reporting as boolean) as is_forecast_over_budget
from final
left join scope_names
    on scope_names.scope = final.scope
    and scope_names.scope_id = final.scope_id
